//! The simulation itself: a seed reproduces a run byte for byte, and a short run drives every actor.
//! The long runs (20 seeds × a year) belong to `scripts/simulate.sh`.

use kindly_sim::faults::FaultRates;
use kindly_sim::{Options, simulate};

fn small(seed: u64, days: u32) -> Options {
    Options {
        customers: 60,
        ..Options::new(seed, days)
    }
}

#[test]
fn one_seed_gives_the_same_trace_twice_and_another_seed_another() {
    let one = simulate(small(7, 25));
    let again = simulate(small(7, 25));
    assert!(one.steps > 1_000, "{} steps", one.steps);
    assert_eq!(one.trace_hash, again.trace_hash, "the same seed must replay exactly");
    assert_eq!(one.messages, again.messages);
    assert_eq!(one.violations.len(), again.violations.len());
    let other = simulate(small(8, 25));
    assert_ne!(one.trace_hash, other.trace_hash, "another seed is another world");
}

#[test]
fn a_short_run_without_faults_sends_reminders_and_checks_them() {
    // GIVEN six weeks of 60 customers in every zone, with no faults
    let outcome = simulate(Options {
        faults: Some(FaultRates::NONE),
        ..small(3, 45)
    });
    // THEN reminders went out
    assert!(outcome.messages > 10, "only {} messages in six weeks", outcome.messages);
    // and the mail system said what became of them (dead addresses among them)
    assert!(
        outcome.feedback.0 >= outcome.messages,
        "{:?} for {} messages",
        outcome.feedback,
        outcome.messages
    );
    assert!(outcome.feedback.1 > 0, "no message bounced: {:?}", outcome.feedback);
    // and customers wrote back, in their own words and from mailboxes that were away
    let (people, mailboxes, _) = outcome.replies;
    assert!(people > 0 && mailboxes > 0, "replies: {:?}", outcome.replies);
    for violation in &outcome.violations {
        assert!(!violation.what.is_empty());
        assert!(!violation.trace.is_empty(), "{}: no trace", violation.invariant.name());
    }
    // and kindly kept every promise
    let broken: Vec<String> = outcome
        .violations
        .iter()
        .map(|violation| format!("{}: {}", violation.invariant.name(), violation.what))
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
}

/// Without faults, the same world on the DynamoDB store over the local stand-in (`KINDLY_MOTO_URL`) does
/// exactly what it does on SQLite: the same trace, byte for byte. (With faults the stores may list records
/// in other orders, so the fault dice fall on other calls.) Runs with `--features dynamo`.
#[cfg(feature = "dynamo")]
#[test]
fn without_faults_the_dynamodb_store_replays_the_sqlite_trace() {
    use kindly_sim::backend::Kind;
    let options = Options {
        faults: Some(FaultRates::NONE),
        ..small(11, 20)
    };
    let sqlite = simulate(options.clone());
    let dynamo = simulate(Options {
        store: Kind::Dynamo,
        ..options
    });
    assert!(sqlite.messages > 0, "the run sent nothing to compare");
    assert_eq!(sqlite.trace_hash, dynamo.trace_hash);
}
