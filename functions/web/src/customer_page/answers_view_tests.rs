use super::*;
use crate::customer_page::answer_words::{DE, EN};
use chrono::{TimeZone, Utc};
use kindly_core::answer::{AnswerId, Settlement};
use kindly_core::fixtures::{day, invoice};
use kindly_core::link::LinkKey;
use kindly_core::{CustomerId, ReminderId};

fn keys() -> LinkKeys {
    LinkKeys::new(vec![LinkKey::new([3; 32])]).unwrap()
}

fn input<'a>(
    policy: &'a Policy,
    owed: &'a [&'a Invoice],
    ticked: &'a BTreeSet<InvoiceId>,
    keys: &'a LinkKeys,
    failed: Option<&'a Failed>,
) -> FormsInput<'a> {
    FormsInput {
        policy,
        words: &EN,
        locale: "en-US",
        owed,
        ticked,
        today: day("2026-03-15"),
        token: "TOKEN",
        keys,
        failed,
    }
}

#[test]
fn five_forms_each_with_its_own_one_time_value_bound_to_the_link() {
    let policy = Policy::default_policy();
    let (one, two) = (
        invoice("I1", "A", "2026-03-01", None),
        invoice("I2", "A", "2026-03-05", None),
    );
    let owed = [&one, &two];
    let ticked = BTreeSet::from([InvoiceId("I2".into())]);
    let keys = keys();
    let all = forms(&input(&policy, &owed, &ticked, &keys, None));
    let kinds: Vec<&str> = all.iter().map(|form| form.kind).collect();
    assert_eq!(kinds, KINDS);
    let values: BTreeSet<&str> = all.iter().map(|form| form.form.as_str()).collect();
    assert_eq!(values.len(), 5, "one value per form");
    for form in &all {
        assert!(keys.verify_form_tag("TOKEN", &form.form, &form.tag), "{}", form.kind);
        assert!(!form.open);
        assert!(form.fields.iter().all(|field| field.error.is_none()));
    }
    // The invoices of the link's message are ticked; the date a promise names lies within the policy's limit
    let promise = &all[2];
    let picker = &promise.fields[0];
    assert_eq!(picker.input, "invoices");
    let checked: Vec<bool> = picker.options.iter().map(|choice| choice.checked).collect();
    assert_eq!(checked, [false, true]);
    assert_eq!(picker.options[0].label, "INV-I1 · $100.00");
    let pay_by = &promise.fields[1];
    assert_eq!((pay_by.input, pay_by.required), ("date", true));
    assert_eq!(pay_by.min.as_deref(), Some("2026-03-15"));
    assert_eq!(pay_by.max.as_deref(), Some("2026-04-14"), "30 days ahead");
    // Already paid starts at today and may go a year back
    let paid_on = &all[0].fields[1];
    assert_eq!(
        (paid_on.value.as_str(), paid_on.max.as_deref()),
        ("2026-03-15", Some("2026-03-15"))
    );
    assert!(!all[0].fields[2].required && all[0].fields[2].inputmode == Some("decimal"));
    // Nothing owed: only the contact can be put right
    let none = forms(&input(&policy, &[], &ticked, &keys, None));
    assert_eq!(none.iter().map(|form| form.kind).collect::<Vec<_>>(), ["wrong_person"]);
}

#[test]
fn a_form_with_a_problem_is_open_keeps_what_was_typed_and_marks_the_field() {
    let policy = Policy::default_policy();
    let one = invoice("I1", "A", "2026-03-01", None);
    let owed = [&one];
    let keys = keys();
    let failed = Failed {
        fields: AnswerFields {
            kind: "promise".into(),
            invoice: vec!["I1".into()],
            pay_by: "2026-09-01".into(),
            ..AnswerFields::default()
        },
        field: "pay_by",
    };
    let all = forms(&input(&policy, &owed, &BTreeSet::new(), &keys, Some(&failed)));
    let promise = all.iter().find(|form| form.kind == "promise").unwrap();
    assert!(promise.open);
    assert!(promise.fields[0].options[0].checked, "the ticks as sent");
    let pay_by = &promise.fields[1];
    assert_eq!(pay_by.value, "2026-09-01");
    assert_eq!(
        pay_by.error.as_deref(),
        Some("Please choose a day from March 15, 2026 to April 14, 2026.")
    );
    let others = all.iter().filter(|form| form.kind != "promise");
    assert!(
        others
            .flat_map(|form| &form.fields)
            .all(|field| field.error.is_none() && !field.value.contains("09"))
    );
}

fn answer(kind: AnswerKind, state: AnswerState, hold_until: Option<&str>) -> Answer {
    Answer {
        id: AnswerId("ans_1".into()),
        customer_id: CustomerId("A".into()),
        via: ReminderId("rem_1".into()),
        invoices: vec![InvoiceId("I1".into()), InvoiceId("I2".into())],
        kind,
        at: Utc.with_ymd_and_hms(2026, 3, 3, 10, 0, 0).unwrap(),
        local_date: day("2026-03-03"),
        hold_until: hold_until.map(day),
        state,
        settled: None,
        acknowledgement: None,
        revision: 0,
    }
}

#[test]
fn the_confirmation_says_what_happens_next_in_the_customers_language() {
    let invoices = [
        invoice("I1", "A", "2026-03-01", None),
        invoice("I2", "A", "2026-03-01", None),
    ];
    let promise = answer(
        AnswerKind::Promise {
            pay_by: day("2026-03-14"),
        },
        AnswerState::Open,
        Some("2026-03-14"),
    );
    let shown = confirmation(&EN, &promise, &invoices, "en-US");
    assert_eq!(
        shown.next,
        "We will not send reminders about invoices INV-I1 and INV-I2 until March 14, 2026."
    );
    let shown = confirmation(&DE, &promise, &invoices, "de-DE");
    assert_eq!(
        shown.next,
        "Bis zum 14. März 2026 senden wir zu Rechnungen INV-I1 und INV-I2 keine Erinnerungen."
    );
    let contact = answer(
        AnswerKind::WrongPerson {
            name: None,
            email: "ap@example.com".into(),
        },
        AnswerState::Open,
        None,
    );
    assert!(
        confirmation(&EN, &contact, &invoices, "en-US")
            .next
            .contains("the change to ap@example.com")
    );
}

#[test]
fn earlier_answers_say_what_was_said_and_where_it_stands_newest_first() {
    let invoices = [invoice("I1", "A", "2026-03-01", None)];
    let mut rejected = answer(
        AnswerKind::Dispute {
            category: DisputeCategory::Amount,
            text: "<b>Too much</b>".into(),
        },
        AnswerState::Rejected,
        None,
    );
    rejected.settled = Some(Settlement {
        by: kindly_core::actor::Actor::System,
        at: rejected.at,
        note: Some("The price was agreed in the order".into()),
    });
    let mut later = answer(
        AnswerKind::Promise {
            pay_by: day("2026-03-20"),
        },
        AnswerState::Open,
        Some("2026-03-20"),
    );
    later.at += chrono::Duration::days(2);
    later.local_date = day("2026-03-05");
    let rows = earlier(&EN, &[rejected, later], &invoices, "en-US");
    assert_eq!(rows[0].what, "Promise to pay");
    assert_eq!(rows[0].about, "invoice INV-I1", "an invoice not found is left out");
    assert_eq!(rows[0].detail, "to be paid by March 20, 2026");
    assert_eq!(rows[0].stands, "No reminders until March 20, 2026");
    assert_eq!(rows[1].date, "March 3, 2026");
    assert_eq!(rows[1].detail, "The amount is not right");
    assert_eq!(rows[1].said, "<b>Too much</b>", "as typed; the template escapes it");
    assert_eq!(rows[1].stands, "Not accepted: The price was agreed in the order");
}
