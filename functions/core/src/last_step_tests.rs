use super::*;
use crate::fixtures::{instant, invoice};

fn decided(invoice: &Invoice, kind: OutcomeKind) -> Invoice {
    match decide(invoice, kind, "why", &Actor::person("sam"), instant("2026-05-01")).unwrap() {
        Decided::Changed(invoice) => *invoice,
        Decided::AlreadyDone => panic!("nothing changed"),
    }
}

#[test]
fn the_shipped_ladder_ends_with_the_decision() {
    let policy = Policy::default_policy();
    assert_eq!(decision_stage(&policy), Some("write_off_or_hand_over"));
    // A ladder that ends with a message asks for no decision.
    let mut ends_with_a_message = policy.clone();
    ends_with_a_message.stages.pop();
    assert_eq!(decision_stage(&ends_with_a_message), None);
}

#[test]
fn each_outcome_takes_the_invoice_off_the_ladder_with_who_when_and_why() {
    for (kind, status) in [
        (OutcomeKind::WrittenOff, InvoiceStatus::WrittenOff),
        (OutcomeKind::HandedOver, InvoiceStatus::HandedOver),
        (OutcomeKind::PaymentPlan, InvoiceStatus::OnPaymentPlan),
    ] {
        let open = invoice("I1", "A", "2026-03-01", Some("2026-05-01"));
        assert!(open.is_remindable());
        let after = decided(&open, kind);
        assert_eq!(after.status, status);
        assert!(!after.is_remindable(), "{kind:?}");
        assert_eq!(Policy::default_policy().next_action_on(&after), None, "{kind:?}");
        let outcome = after.bookkeeping.outcome.as_ref().unwrap();
        assert_eq!(
            (
                outcome.kind,
                outcome.reason.as_str(),
                outcome.by.to_string(),
                outcome.at
            ),
            (kind, "why", "sam".to_owned(), instant("2026-05-01"))
        );
        // The balance stays what it was: nothing is paid by deciding.
        assert_eq!(after.balance(), open.balance());
    }
}

#[test]
fn the_same_decision_again_changes_nothing_and_another_is_refused() {
    let off = decided(&invoice("I1", "A", "2026-03-01", None), OutcomeKind::WrittenOff);
    let again = decide(
        &off,
        OutcomeKind::WrittenOff,
        "other",
        &Actor::person("kim"),
        instant("2026-05-02"),
    );
    assert_eq!(again.unwrap(), Decided::AlreadyDone);
    let other = decide(
        &off,
        OutcomeKind::HandedOver,
        "agency",
        &Actor::person("kim"),
        instant("2026-05-02"),
    );
    assert!(
        matches!(other, Err(CoreError::Conflict(ref why)) if why.contains("decided already")),
        "{other:?}"
    );
    // A plan may still end in a write-off.
    let plan = decided(&invoice("I2", "A", "2026-03-01", None), OutcomeKind::PaymentPlan);
    assert_eq!(
        decided(&plan, OutcomeKind::WrittenOff).status,
        InvoiceStatus::WrittenOff
    );
}

#[test]
fn paid_void_and_pending_invoices_are_not_decided() {
    for status in [InvoiceStatus::Paid, InvoiceStatus::Void, InvoiceStatus::PaymentPending] {
        let mut settled = invoice("I1", "A", "2026-03-01", None);
        settled.status = status;
        let refused = decide(
            &settled,
            OutcomeKind::WrittenOff,
            "why",
            &Actor::person("sam"),
            instant("2026-05-01"),
        );
        assert!(
            matches!(refused, Err(CoreError::Conflict(_))),
            "{status:?}: {refused:?}"
        );
    }
    let mut disputed = invoice("I1", "A", "2026-03-01", None);
    disputed.status = InvoiceStatus::Disputed;
    assert_eq!(
        decided(&disputed, OutcomeKind::HandedOver).status,
        InvoiceStatus::HandedOver
    );
}

#[test]
fn a_reason_is_needed_where_it_says_why() {
    let field = |result: Result<String, CoreError>| match result {
        Err(CoreError::InvalidField { field, problem, .. }) => format!("{field}: {problem}"),
        other => panic!("not refused: {other:?}"),
    };
    assert!(field(reason_for(OutcomeKind::WrittenOff, "I1", Some("  "))).starts_with("reason: must not be empty"));
    assert!(field(reason_for(OutcomeKind::PaymentPlan, "I1", None)).starts_with("reason: must not be empty"));
    let long = "x".repeat(limits::REASON + 1);
    assert!(field(reason_for(OutcomeKind::HandedOver, "I1", Some(&long))).starts_with("reason: is 1001"));
    assert_eq!(
        reason_for(OutcomeKind::HandedOver, "I1", None).unwrap(),
        "handed over for collection"
    );
    assert_eq!(
        reason_for(OutcomeKind::WrittenOff, "I1", Some(" Company dissolved ")).unwrap(),
        "Company dissolved"
    );
}

#[test]
fn an_accounting_copy_saying_open_keeps_the_decision_but_paid_or_void_wins() {
    let stored = decided(&invoice("I1", "A", "2026-03-01", None), OutcomeKind::HandedOver);
    for (says, becomes) in [
        (InvoiceStatus::Open, InvoiceStatus::HandedOver),
        (InvoiceStatus::Disputed, InvoiceStatus::HandedOver),
        (InvoiceStatus::Paid, InvoiceStatus::Paid),
        (InvoiceStatus::Void, InvoiceStatus::Void),
        (InvoiceStatus::WrittenOff, InvoiceStatus::WrittenOff),
    ] {
        let mut incoming = invoice("I1", "A", "2026-03-01", None);
        incoming.status = says;
        keep_decision(&mut incoming, &stored);
        assert_eq!(incoming.status, becomes, "the copy says {says:?}");
    }
    // Positive control: without a decision the copy's word stands.
    let mut incoming = invoice("I1", "A", "2026-03-01", None);
    keep_decision(&mut incoming, &invoice("I1", "A", "2026-03-01", None));
    assert_eq!(incoming.status, InvoiceStatus::Open);
}

#[test]
fn the_task_note_gives_its_reason_back_for_its_own_kind_only() {
    let note = task_note(OutcomeKind::HandedOver, "Acme: collections");
    assert_eq!(note, "handed over: Acme: collections");
    assert_eq!(
        reason_in_note(OutcomeKind::HandedOver, &note),
        Some("Acme: collections")
    );
    assert_eq!(reason_in_note(OutcomeKind::WrittenOff, &note), None);
}
