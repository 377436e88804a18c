//! `kindly report dso|cei|aging --by-customer|receipts|outcomes`: the real binary over the README's worked
//! example, written into its database as kindly would have written it.

mod common;
use common::kindly;
use kindly_core::conformance::{WORKED_EXAMPLE_TODAY, seed_worked_example};
use std::path::Path;

fn seeded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let store = kindly_local::sqlite_store::SqliteStore::open(&dir.path().join("kindly.db")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(seed_worked_example(&store));
    dir
}

fn report(dir: &Path, args: &[&str]) -> String {
    let output = kindly(dir)
        .arg("report")
        .args(args)
        .args(["--today", WORKED_EXAMPLE_TODAY])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "kindly report {args:?}: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

/// The cells of the line that holds every one of `keys`, trimmed.
fn row(text: &str, keys: &[&str]) -> Vec<String> {
    let line = text
        .lines()
        .find(|line| keys.iter().all(|key| line.contains(key)))
        .unwrap_or_else(|| panic!("no line with {keys:?} in:\n{text}"));
    line.split(['│', '┆'])
        .map(|cell| cell.trim().to_owned())
        .filter(|cell| !cell.is_empty())
        .collect()
}

#[test]
fn dso_and_cei_print_the_worked_examples_figures() {
    let dir = seeded();
    let dso = report(dir.path(), &["dso", "--months", "3"]);
    // USD: 31 Jan 400.00 owed of January's 400.00 sales: 31 days; 28 Feb: 28 + 31 × 300/400 = 51.25;
    // 15 Mar: 15 + 28 + 23.25 = 66.25 (rounded half away from zero).
    assert_eq!(
        row(&dso, &["USD", "2026-01"]),
        ["USD", "2026-01", "2026-01-31", "$400.00", "$400.00", "31.0"]
    );
    assert_eq!(
        row(&dso, &["USD", "2026-02"]),
        ["USD", "2026-02", "2026-02-28", "$500.00", "$200.00", "51.3"]
    );
    assert_eq!(
        row(&dso, &["USD", "2026-03"]),
        ["USD", "2026-03", "2026-03-15", "$500.00", "$0.00", "66.3"]
    );
    assert_eq!(row(&dso, &["EUR", "2026-03"])[5], "36.0");
    assert!(
        !dso.contains("before kindly dated payments"),
        "every payment is dated:\n{dso}"
    );

    let cei = report(dir.path(), &["cei", "--months", "3"]);
    // February: (400 + 200 − 500) / (400 + 200 − 200) = 25%.
    assert_eq!(
        row(&cei, &["USD", "2026-02"]),
        ["USD", "2026-02", "$400.00", "$200.00", "$500.00", "$200.00", "25.0%"]
    );
    assert_eq!(row(&cei, &["EUR", "2026-02"])[6], "—", "nothing collectible yet");
    assert_eq!(row(&cei, &["EUR", "2026-03"])[6], "25.0%");
    // Six months when not told; --months out of range is refused, naming the option.
    assert!(report(dir.path(), &["cei"]).contains("2025-10"));
    let output = kindly(dir.path())
        .args(["report", "dso", "--months", "40"])
        .output()
        .unwrap();
    assert!(!output.status.success() && String::from_utf8_lossy(&output.stderr).contains("--months"));
}

#[test]
fn aging_by_customer_lists_each_customers_invoices_in_their_buckets() {
    let dir = seeded();
    let aging = report(dir.path(), &["aging", "--by-customer"]);
    // Customer A: B's 300.00 is 39 days overdue (31-60), C's 200.00 not yet due; E's 750.00 is 12 days
    // overdue. W, written off, is not aged.
    assert_eq!(
        row(&aging, &["Customer A", "USD"]),
        [
            "Customer A",
            "USD",
            "$200.00",
            "$0.00",
            "$300.00",
            "$0.00",
            "$0.00",
            "$500.00"
        ]
    );
    assert_eq!(row(&aging, &["INV-B"]), ["INV-B (39 days overdue)", "$300.00"]);
    assert_eq!(row(&aging, &["INV-C"]), ["INV-C (due 2026-03-17)", "$200.00"]);
    assert_eq!(row(&aging, &["Customer E", "EUR"])[7], "€750.00");
    assert!(!aging.contains("INV-W") && !aging.contains("INV-A "), "{aging}");
    // Positive control: the per-currency aging still shows the write-off beside the open balances.
    let plain = report(dir.path(), &["aging"]);
    assert!(row(&plain, &["USD"]).contains(&"$80.00 (1)".to_owned()), "{plain}");
    let output = kindly(dir.path())
        .args(["report", "dso", "--by-customer"])
        .output()
        .unwrap();
    assert!(!output.status.success() && String::from_utf8_lossy(&output.stderr).contains("--by-customer"));
}

#[test]
fn receipts_and_outcomes_name_their_sources() {
    let dir = seeded();
    let receipts = report(dir.path(), &["receipts"]);
    let promise = row(&receipts, &["2026-03-20"]);
    assert_eq!(&promise[..3], ["2026-03-20", "Customer A", "$200.00"]);
    assert!(
        promise[3].starts_with("promise ans_") && promise[4] == "C",
        "{promise:?}"
    );
    assert_eq!(
        row(&receipts, &["2026-03-25"]),
        ["2026-03-25", "Customer A", "$100.00", "instalment 1 of plan_b", "B"]
    );
    assert!(!receipts.contains("2026-04-25"), "beyond 30 days:\n{receipts}");
    assert!(receipts.contains("In all: $300.00"), "{receipts}");

    let outcomes = report(dir.path(), &["outcomes"]);
    assert_eq!(row(&outcomes, &["USD", "(1)"]), ["USD", "$80.00 (1)", "$0.00 (0)"]);
    assert_eq!(
        row(&outcomes, &["INV-W"]),
        [
            "INV-W",
            "Customer A",
            "written off",
            "$80.00",
            "Riley",
            "2025-12-20",
            "customer insolvent"
        ]
    );
}
