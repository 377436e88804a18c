//! The reports view end to end in a real headless Chromium (tests/browser/reports.mjs): the real `kindly
//! serve` over the README's worked example, with one promise due in five days added.
//!
//! Needs `KINDLY_CHROMIUM` (the browser's path) and `npm ci --prefix tests/browser`; scripts/test.sh does
//! both. Screenshots of a failing page land in target/browser-screenshots.

mod common;
use kindly_core::answer::AnswerKind;
use kindly_core::conformance::seed_worked_example;
use kindly_core::fixtures::answer;

#[test]
fn staff_read_the_receivables_reports_and_open_a_customers_invoices_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    // GIVEN the worked example, and customer E promising today (the server's) to pay within five days
    let store = kindly_local::sqlite_store::SqliteStore::open(&dir.path().join("kindly.db")).unwrap();
    let today = chrono::Utc::now().date_naive();
    let pay_by = today + chrono::Days::new(5);
    let promise = answer(
        "E",
        "promise",
        &["E"],
        AnswerKind::Promise { pay_by },
        &today.to_string(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async {
        seed_worked_example(&store).await;
        kindly_core::Store::insert_answer(&store, &promise).await.unwrap();
    });
    drop(store);

    let (server, base, login) = common::serve(dir.path(), &["--as", "e2e-approver"]);
    let result = common::drive("reports.mjs", &["--base", &base, "--login", &login]);
    drop(server);
    // THEN the page totals what is expected: E's 750.00 EUR still owed
    let total = result["receipts"].as_str().unwrap();
    assert!(total.contains("750.00 EUR"), "{total}");
}
