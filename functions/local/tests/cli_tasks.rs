//! `kindly tasks`, `kindly task`, `kindly timeline` and `kindly report reasons`: the real binary over a demo
//! database in which a customer said they had paid.

mod common;
use common::kindly;

const TODAY: &str = "2026-11-24";

fn run(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let output = kindly(dir).args(args).output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn an_answer_is_listed_settled_and_on_the_timeline_and_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(dir.path(), &["demo", "--today", TODAY]);
    assert!(ok, "{stderr}");
    // GIVEN C-LUMEN said they had paid
    let (answer, number) = common::answer_paid_of(&dir.path().join("kindly.db"), "C-LUMEN");
    // WHEN staff list the tasks THEN it is there with its decisions
    let (ok, tasks, stderr) = run(dir.path(), &["tasks"]);
    assert!(ok, "{stderr}");
    let row = tasks
        .lines()
        .find(|line| line.contains(&answer))
        .unwrap_or_else(|| panic!("{answer} in:\n{tasks}"));
    assert!(row.contains("answer already_paid") && row.contains(&number), "{row}");
    assert!(tasks.contains("confirm_payment, reject_payment"), "{tasks}");

    // WHEN the decision is unknown, does not fit, or lacks its reason THEN the error names it and nothing changes
    for (args, named) in [
        (vec!["task", &answer, "approve"], "DECISION"),
        (vec!["task", &answer, "done"], "decision"),
        (vec!["task", &answer, "reject_payment"], "reason"),
        (vec!["task", "ans_nope", "confirm_payment"], "ans_nope"),
    ] {
        let (ok, _, stderr) = run(dir.path(), &args);
        assert!(!ok, "{args:?} should fail");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
    assert_eq!(run(dir.path(), &["tasks"]).1, tasks);

    // WHEN sam confirms the payment
    let (ok, said, stderr) = run(dir.path(), &["task", &answer, "confirm-payment", "--by", "sam"]);
    assert!(ok, "{stderr}");
    assert!(said.contains("confirmed by sam"), "{said}");
    // THEN it is no longer open, and the timeline shows the answer, its settlement and the payment
    let (_, tasks, _) = run(dir.path(), &["tasks"]);
    let open = tasks.split("Done in the last").next().unwrap();
    assert!(!open.contains(&answer), "{tasks}");
    assert!(
        tasks.contains("Done in the last") && tasks.contains("confirmed by sam"),
        "{tasks}"
    );
    let (ok, timeline, stderr) = run(dir.path(), &["timeline", "C-LUMEN"]);
    assert!(ok, "{stderr}");
    for wanted in ["answer already_paid", "answer settled", "payment paid", "message"] {
        assert!(timeline.contains(wanted), "{wanted} in:\n{timeline}");
    }
    let (ok, _, stderr) = run(dir.path(), &["timeline", "C-NOBODY"]);
    assert!(!ok && stderr.contains("C-NOBODY"), "{stderr}");

    // AND the reasons report counts the answer this month
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let (ok, report, stderr) = run(dir.path(), &["report", "reasons", "--months", "2"]);
    assert!(ok, "{stderr}");
    let row = report
        .lines()
        .find(|line| line.contains(&month))
        .unwrap_or_else(|| panic!("{month} in:\n{report}"));
    assert!(row.split('┆').nth(1).is_some_and(|cell| cell.trim() == "1"), "{row}");
    let (ok, _, stderr) = run(dir.path(), &["report", "reasons", "--months", "0"]);
    assert!(!ok && stderr.contains("--months"), "{stderr}");
    let (ok, _, stderr) = run(dir.path(), &["report", "aging", "--months", "2"]);
    assert!(!ok && stderr.contains("--months"), "{stderr}");
}
