//! The ladder's last step on the command line: `kindly task ID write_off|hand_over|keep_chasing`, the real
//! binary over the demo database, whose Vireo Labs waits for the decision.

mod common;
use common::kindly;
use std::io::Read;
use std::path::Path;

const TODAY: &str = "2026-11-24";

fn run(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let output = kindly(dir).args(args).output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The file `name` of the zip at `path`.
fn entry(archive: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Vec<u8> {
    let mut file = archive.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    bytes
}

#[test]
fn a_hand_over_writes_the_dossier_with_the_messages_exact_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(dir.path(), &["demo", "--today", TODAY]);
    assert!(ok, "{stderr}");
    // GIVEN the decision waiting for Vireo Labs
    let (_, tasks, _) = run(dir.path(), &["tasks"]);
    let row = tasks
        .lines()
        .find(|line| line.contains("decision write_off_or_hand_over"))
        .unwrap_or_else(|| panic!("a decision in:\n{tasks}"));
    assert!(row.contains("write_off, hand_over, agree_plan, keep_chasing"), "{row}");
    let id = row
        .split_whitespace()
        .find(|word| word.starts_with("rem_"))
        .unwrap()
        .to_owned();
    let dossier = dir.path().join("vireo.zip");
    let dossier_arg = dossier.to_str().unwrap();
    // WHEN what is needed is missing or wrong THEN the error names it and nothing changes
    for (args, named) in [
        (vec!["task", &id, "write_off"], "reason"),
        (vec!["task", &id, "keep_chasing", "--until", "2020-01-01"], "until"),
        (vec!["task", &id, "keep_chasing"], "until"),
        (vec!["task", &id, "hand_over"], "--dossier"),
        (
            vec!["task", &id, "write_off", "--reason", "x", "--dossier", dossier_arg],
            "--dossier",
        ),
    ] {
        let (ok, _, stderr) = run(dir.path(), &args);
        assert!(!ok, "{args:?} should fail");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
    assert_eq!(run(dir.path(), &["tasks"]).1, tasks);
    assert!(!dossier.exists());
    // WHEN sam hands the account over
    let (ok, said, stderr) = run(
        dir.path(),
        &[
            "task",
            &id,
            "hand_over",
            "--reason",
            "Acme Collections",
            "--by",
            "sam",
            "--dossier",
            dossier_arg,
        ],
    );
    assert!(ok, "{stderr}");
    assert!(
        said.contains("handed over: Acme Collections") && said.contains("vireo.zip"),
        "{said}"
    );
    // THEN the dossier holds the summary, the records, and each message sent byte for byte as the outbox has it
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&dossier).unwrap()).unwrap();
    let names: Vec<String> = archive.file_names().map(|name| name.unwrap().into_owned()).collect();
    let messages: Vec<&String> = names.iter().filter(|name| name.ends_with(".eml")).collect();
    assert!(messages.len() >= 5, "the ladder's messages: {names:?}");
    for name in &messages {
        let key = name
            .rsplit_once('_')
            .map(|(_, _)| ())
            .and(name.split_once('_'))
            .unwrap()
            .1;
        let outbox = dir.path().join("outbox");
        let kept = [outbox.join(key), outbox.join("history").join(key)]
            .into_iter()
            .find_map(|path| std::fs::read(path).ok())
            .unwrap_or_else(|| panic!("{key} in the outbox"));
        assert_eq!(entry(&mut archive, name), kept, "{name}");
    }
    let summary = String::from_utf8(entry(&mut archive, "summary.html")).unwrap();
    assert!(
        summary.contains("Vireo Labs") && summary.contains("handed_over by sam"),
        "{summary}"
    );
    assert!(!summary.contains("<script"));
    let invoices: serde_json::Value = serde_json::from_slice(&entry(&mut archive, "records/invoices.json")).unwrap();
    assert_eq!(invoices[0]["status"], "handed_over");
    // AND the aging report counts it apart, and the task is no longer open
    let (ok, aging, stderr) = run(dir.path(), &["report", "aging"]);
    assert!(ok, "{stderr}");
    assert!(aging.contains("Handed over") && aging.contains("(1)"), "{aging}");
    let (_, tasks, _) = run(dir.path(), &["tasks"]);
    assert!(!tasks.contains(&id), "{tasks}");
    // A dossier already there is never overwritten; the same hand-over again writes a fresh one elsewhere
    let (ok, _, stderr) = run(
        dir.path(),
        &["task", &id, "hand_over", "--by", "sam", "--dossier", dossier_arg],
    );
    assert!(!ok && stderr.contains("vireo.zip"), "{stderr}");
    let again = dir.path().join("again.zip");
    let (ok, said, stderr) = run(
        dir.path(),
        &[
            "task",
            &id,
            "hand_over",
            "--by",
            "sam",
            "--dossier",
            again.to_str().unwrap(),
        ],
    );
    assert!(ok && said.contains("again.zip"), "{said}{stderr}");
    assert!(again.exists());
}

#[test]
fn the_help_names_the_last_steps_outcomes_and_options() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, help, stderr) = run(dir.path(), &["task", "--help"]);
    assert!(ok, "{stderr}");
    for wanted in [
        "write_off",
        "hand_over",
        "agree_plan",
        "keep_chasing",
        "--until <DATE>",
        "--dossier <PATH>",
    ] {
        assert!(help.contains(wanted), "{wanted} in:\n{help}");
    }
}

/// The last step agreed as a payment plan: `kindly task ID agree_plan` alone is refused, naming how; `kindly
/// plan create --task` makes the plan over the task's invoices, marks the task done, and the invoices leave
/// the ladder; `kindly plan list` shows the instalments.
#[test]
fn the_last_step_agrees_a_plan_with_its_terms() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(dir.path(), &["demo", "--today", TODAY]);
    assert!(ok, "{stderr}");
    let (_, tasks, _) = run(dir.path(), &["tasks"]);
    let row = tasks
        .lines()
        .find(|line| line.contains("decision write_off_or_hand_over"))
        .unwrap_or_else(|| panic!("a decision in:\n{tasks}"));
    let id = row
        .split_whitespace()
        .find(|word| word.starts_with("rem_"))
        .unwrap()
        .to_owned();
    let customer = "C-VIREO";
    let (ok, _, stderr) = run(dir.path(), &["task", &id, "agree_plan"]);
    assert!(!ok && stderr.contains("kindly plan create"), "{stderr}");
    // Bad terms name their field and change nothing.
    for (args, named) in [
        (vec!["--every", "yearly", "--first", "2026-12-01"], "every"),
        (vec!["--every", "monthly", "--first", "2026-11-01"], "first"),
    ] {
        let mut all = vec![
            "plan",
            "create",
            customer,
            "--task",
            &id,
            "--instalments",
            "3",
            "--today",
            TODAY,
        ];
        all.extend(args);
        let (ok, _, stderr) = run(dir.path(), &all);
        assert!(!ok && stderr.contains(named), "{all:?}: {stderr}");
    }
    let (_, listed, _) = run(dir.path(), &["plan", "list", customer]);
    assert!(listed.contains("no payment plans"), "{listed}");
    // WHEN staff agree three monthly instalments from December 1st
    let (ok, said, stderr) = run(
        dir.path(),
        &[
            "plan",
            "create",
            customer,
            "--task",
            &id,
            "--instalments",
            "3",
            "--every",
            "monthly",
            "--first",
            "2026-12-01",
            "--today",
            TODAY,
            "--by",
            "sam",
        ],
    );
    assert!(ok, "{stderr}");
    assert!(said.contains("3 monthly instalments from 2026-12-01"), "{said}");
    for day in ["2026-12-01", "2027-01-01", "2027-02-01"] {
        assert!(said.contains(day), "{day} in:\n{said}");
    }
    // THEN the decision is done, and the plan is listed as agreed by sam
    let (_, tasks, _) = run(dir.path(), &["tasks"]);
    assert!(!tasks.contains(&id), "the decision is no longer open:\n{tasks}");
    let (_, listed, _) = run(dir.path(), &["plan", "list", customer]);
    assert!(listed.contains("(active)") && listed.contains("by sam"), "{listed}");
}
