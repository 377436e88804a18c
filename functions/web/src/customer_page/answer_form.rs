//! What one of the page's answer forms posts (`application/x-www-form-urlencoded`), and how it becomes the
//! core's answer. Every value arrives as text and is read here, so a value that does not read is a problem
//! with its field, named, like any the core finds.

use chrono::NaiveDate;
use kindly_core::InvoiceId;
use kindly_core::answer::{AnswerKind, DisputeCategory};
use rust_decimal::Decimal;
use serde::Deserialize;

/// The fields of every answer form; each form sends its own (and the hidden `kind`, `form` and `tag`).
/// Checkboxes send `invoice` once per ticked invoice.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AnswerFields {
    /// Which answer: `already_paid`, `dispute`, `promise`, `wrong_person`, `confirm_receipt`.
    pub kind: String,
    /// The form's one-time value: the same value twice is the same answer.
    pub form: String,
    /// [`kindly_core::link::LinkKeys::form_tag`] of the page's link and `form`.
    pub tag: String,
    pub invoice: Vec<String>,
    pub paid_on: String,
    pub amount: String,
    pub reference: String,
    pub category: String,
    pub text: String,
    pub pay_by: String,
    pub name: String,
    pub email: String,
    pub scheduled_for: String,
    /// A payment plan's fields ([`super::plan_form`]).
    pub instalments: String,
    pub every: String,
    pub first: String,
}

/// The answers, in the order the page offers them; the index is the words' (`kinds`).
pub const KINDS: [&str; 5] = ["already_paid", "dispute", "promise", "wrong_person", "confirm_receipt"];

/// The longest one-time form value taken (the page makes 64 hexadecimal digits).
pub const MAX_FORM_CHARS: usize = 128;

/// The field to blame when a value does not read.
pub type Field = &'static str;

/// The invoices and the answer `fields` say, or the field that does not read. `language` says how the
/// customer writes an amount (`1.234,56` in German). Whether the values make sense (dates in range, text
/// not too long) is the core's to judge.
pub fn read(fields: &AnswerFields, language: &str) -> Result<(Vec<InvoiceId>, AnswerKind), Field> {
    let invoices = fields
        .invoice
        .iter()
        .map(|id| InvoiceId(id.trim().to_owned()))
        .collect();
    let kind = match fields.kind.as_str() {
        "already_paid" => AnswerKind::AlreadyPaid {
            paid_on: day(&fields.paid_on).ok_or("paid_on")?,
            amount: optional(&fields.amount)
                .map(|amount| parse_amount(amount, language).ok_or("amount"))
                .transpose()?,
            reference: optional(&fields.reference).map(str::to_owned),
        },
        "dispute" => AnswerKind::Dispute {
            category: fields.category.parse::<DisputeCategory>().map_err(|_| "category")?,
            text: fields.text.trim().to_owned(),
        },
        "promise" => AnswerKind::Promise {
            pay_by: day(&fields.pay_by).ok_or("pay_by")?,
        },
        "wrong_person" => AnswerKind::WrongPerson {
            name: optional(&fields.name).map(str::to_owned),
            email: fields.email.trim().to_owned(),
        },
        "confirm_receipt" => AnswerKind::ConfirmReceipt {
            scheduled_for: optional(&fields.scheduled_for)
                .map(|text| day(text).ok_or("scheduled_for"))
                .transpose()?,
        },
        _ => return Err("kind"),
    };
    Ok((invoices, kind))
}

fn optional(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|text| !text.is_empty())
}

/// A date as `<input type="date">` sends it.
fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// An amount as the customer writes it: digits with the language's decimal mark (`,` in German, `.`
/// otherwise) and, optionally, its thousands separators (and spaces) between groups.
pub fn parse_amount(text: &str, language: &str) -> Option<Decimal> {
    let (group, decimal) = if language == "de" { ('.', ',') } else { (',', '.') };
    let plain: String = text
        .trim()
        .chars()
        .filter(|c| *c != group && !c.is_whitespace())
        .map(|c| if c == decimal { '.' } else { c })
        .collect();
    let digits_only = plain.chars().all(|c| c.is_ascii_digit() || c == '.') && plain.matches('.').count() <= 1;
    if !digits_only || !text.trim().starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    plain.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(kind: &str) -> AnswerFields {
        AnswerFields {
            kind: kind.into(),
            invoice: vec!["I1".into(), " I2 ".into()],
            ..AnswerFields::default()
        }
    }

    #[test]
    fn each_form_reads_into_its_answer_or_names_the_field() {
        let mut paid = fields("already_paid");
        paid.paid_on = "2026-03-03".into();
        paid.amount = " 1.234,50 ".into();
        let (invoices, kind) = read(&paid, "de").unwrap();
        assert_eq!(invoices, [InvoiceId("I1".into()), InvoiceId("I2".into())]);
        assert_eq!(
            kind,
            AnswerKind::AlreadyPaid {
                paid_on: NaiveDate::from_ymd_opt(2026, 3, 3).unwrap(),
                amount: Some("1234.50".parse().unwrap()),
                reference: None
            }
        );
        paid.amount = "12O".into();
        assert_eq!(read(&paid, "en").unwrap_err(), "amount");
        paid.paid_on = "03/03/2026".into();
        assert_eq!(read(&paid, "en").unwrap_err(), "paid_on");

        let mut dispute = fields("dispute");
        dispute.text = "  <b>wrong</b> ".into();
        assert_eq!(read(&dispute, "en").unwrap_err(), "category");
        dispute.category = "missing_po".into();
        assert_eq!(
            read(&dispute, "en").unwrap().1,
            AnswerKind::Dispute {
                category: DisputeCategory::MissingPo,
                text: "<b>wrong</b>".into()
            }
        );
        assert_eq!(read(&fields("promise"), "en").unwrap_err(), "pay_by");
        let mut receipt = fields("confirm_receipt");
        assert_eq!(
            read(&receipt, "en").unwrap().1,
            AnswerKind::ConfirmReceipt { scheduled_for: None }
        );
        receipt.scheduled_for = "tomorrow".into();
        assert_eq!(read(&receipt, "en").unwrap_err(), "scheduled_for");
        let mut contact = fields("wrong_person");
        contact.email = " ap@example.com ".into();
        assert_eq!(
            read(&contact, "en").unwrap().1,
            AnswerKind::WrongPerson {
                name: None,
                email: "ap@example.com".into()
            }
        );
        assert_eq!(read(&fields("pay_me"), "en").unwrap_err(), "kind");
    }

    #[test]
    fn amounts_read_in_the_customers_own_notation() {
        let amount = |text, language| parse_amount(text, language).map(|d| d.to_string());
        assert_eq!(amount("1,234.56", "en").as_deref(), Some("1234.56"));
        assert_eq!(amount("1234.56", "en").as_deref(), Some("1234.56"));
        assert_eq!(amount("1.234,56", "de").as_deref(), Some("1234.56"));
        assert_eq!(amount("1 234,56", "de").as_deref(), Some("1234.56"));
        assert_eq!(amount("250", "de").as_deref(), Some("250"));
        for bad in ["", "-5", "1.2.3", "1e5", "$100", ",5", "NaN"] {
            assert_eq!(amount(bad, "en"), None, "{bad}");
        }
    }
}
