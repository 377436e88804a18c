//! The link to the customer's own page, and the signed reply address, in composed drafts.

use super::*;
use crate::fixtures::{customer, invoice};
use crate::link::{CustomerLinks, LinkKey, LinkKeys};
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 16, 12, 0, 0).unwrap()
}

fn keys() -> LinkKeys {
    LinkKeys::new(vec![LinkKey::new([9; crate::link::KEY_BYTES])]).unwrap()
}

fn with_links() -> Policy {
    Policy {
        customer_links: Some(CustomerLinks::new("https://billing.example/", keys()).unwrap()),
        ..Policy::default_policy()
    }
}

/// A draft of `policy`'s first stage for C1's invoice I1, and its context.
fn first_stage_draft(policy: &Policy) -> (Reminder, MessageContext) {
    let customer = customer("C1");
    let invoice = invoice("I1", "C1", "2026-03-20", Some("2026-03-16"));
    let stage = &policy.stages[0];
    let covers = vec![CoveredInvoice {
        invoice_id: invoice.id.clone(),
        stage_id: stage.id.clone(),
        tone: stage.tone,
    }];
    let reminder = compose_reminder(
        policy,
        stage,
        &customer,
        &[&invoice],
        covers,
        now().date_naive(),
        now(),
        Said::default(),
    )
    .unwrap();
    let context = reminder.draft.as_ref().expect("the first stage writes").context.clone();
    (reminder, context)
}

/// The customer and reminder a page address opens, and until when; panics unless it is under the base.
fn opened(url: &str) -> crate::link::LinkTarget {
    let token = url
        .strip_prefix("https://billing.example/c/")
        .expect("a page under the base URL");
    keys().verify(token, now()).expect("a genuine link")
}

#[test]
fn a_draft_links_to_its_customers_page_from_itself_until_the_policys_days_pass() {
    let policy = with_links();
    let (reminder, context) = first_stage_draft(&policy);
    let url = context.customer_page.as_deref().expect("a link in the context");
    let target = opened(url);
    assert_eq!(target.customer, reminder.customer_id);
    assert_eq!(
        target.reminder, reminder.id,
        "the link names the message it is written into"
    );
    assert_eq!(target.expires_at, crate::link::expiry(now(), policy.customer_link_days));
    // The rendered draft shows it, and its hash is of that render.
    let rendered = kindly_render::render(&context).unwrap();
    assert!(rendered.text.contains(url));
    assert_eq!(reminder.draft.unwrap().content_hash, rendered.content_hash);
}

#[test]
fn a_thank_you_links_to_the_page_too() {
    let policy = with_links();
    let thank_you = policy.thank_you.clone().expect("the shipped policy thanks");
    let mut paid = invoice("I1", "C1", "2026-03-01", None);
    paid.paid = paid.total;
    let reminder = thank_you_reminder(&policy, &thank_you, &customer("C1"), &[&paid], now()).unwrap();
    let context = &reminder.draft.as_ref().unwrap().context;
    assert_eq!(opened(context.customer_page.as_deref().unwrap()).reminder, reminder.id);
}

#[test]
fn without_links_a_draft_has_none_and_the_same_id() {
    let (plain, context) = first_stage_draft(&Policy::default_policy());
    assert_eq!(context.customer_page, None);
    let (linked, _) = first_stage_draft(&with_links());
    assert_eq!(plain.id, linked.id, "the link never changes which message it is");
}

#[test]
fn a_policy_never_shows_its_link_keys() {
    let debug = format!("{:?}", with_links());
    assert!(debug.contains("https://billing.example"));
    assert!(debug.contains("LinkKey(…)"), "{debug}");
    for shown in ["0909090909", "9, 9, 9"] {
        assert!(!debug.contains(shown), "the key's bytes: {debug}");
    }
}

#[test]
fn where_replies_are_received_a_draft_replies_to_its_own_signed_address_under_the_senders_name() {
    let receiving = Policy {
        reply_domain: Some("replies.northwind.example".into()),
        ..with_links()
    };
    let (reminder, context) = first_stage_draft(&receiving);
    let reply_to = context.reply_to.expect("a Reply-To");
    assert_eq!(reply_to.name, context.from.name, "a human-readable name stays visible");
    let (local, domain) = reply_to.email.rsplit_once('@').unwrap();
    assert_eq!(domain, "replies.northwind.example");
    assert_eq!(
        crate::feedback::reminder_of_reply_address(&keys(), local),
        Some(reminder.id.clone())
    );
    assert!(
        crate::customer::email_problem(&reply_to.email).is_none(),
        "{}",
        reply_to.email
    );
    // Without a receiving domain, or without keys to sign with, the sender's own Reply-To stands
    for policy in [
        with_links(),
        Policy {
            reply_domain: Some("replies.northwind.example".into()),
            ..Policy::default_policy()
        },
    ] {
        let (_, context) = first_stage_draft(&policy);
        assert!(
            context
                .reply_to
                .as_ref()
                .is_none_or(|to| !to.email.starts_with("reply+")),
            "{:?}",
            context.reply_to
        );
    }
}

#[test]
fn a_message_with_invoices_not_yet_due_states_how_much_is_overdue() {
    let policy = Policy::default_policy();
    let stage = &policy.stages[policy.stage_index("personal_note_from_head").unwrap()];
    let customer = customer("C1");
    let overdue = invoice("I1", "C1", "2026-02-20", None);
    let mut partly_paid = invoice("I2", "C1", "2026-03-01", None);
    partly_paid.paid = "40.00".parse().unwrap();
    let not_yet_due = invoice("I3", "C1", "2026-03-16", None);
    let on = now().date_naive();
    let combined = message_context(&policy, stage, &customer, &[&not_yet_due, &overdue, &partly_paid], on);
    assert_eq!(combined.overdue_totals, ["$160.00"]);
    assert_eq!(combined.totals, ["$260.00"]);
    // Overdue first, then what is not yet due (due today is not overdue).
    let order: Vec<i64> = combined.invoices.iter().map(|line| line.days_overdue).collect();
    assert_eq!(order, [24, 15, 0]);
    let text = kindly_render::render(&combined).unwrap().text;
    assert!(text.contains("Also due, not yet overdue:") && text.contains("Of this, overdue: $160.00"));
    // All of one kind: one group, no overdue part.
    let all_overdue = message_context(&policy, stage, &customer, &[&overdue, &partly_paid], on);
    assert!(all_overdue.overdue_totals.is_empty());
    let none_overdue = message_context(&policy, &policy.stages[0], &customer, &[&not_yet_due], on);
    assert!(none_overdue.overdue_totals.is_empty());
    assert!(!kindly_render::render(&all_overdue).unwrap().text.contains("Also due"));
}
