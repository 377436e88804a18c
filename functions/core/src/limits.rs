//! Size limits on the text kindly takes in: the accounting system's names and numbers, and what staff type
//! (personal notes, skip and snooze reasons). A DynamoDB item holds at most 400 KB, and a customer, an
//! invoice or a reminder (which carries the rendered message, its notes and its history) is one item; with
//! every field bounded here, the largest possible item stays far below that, and an oversized field is
//! refused where it comes in, naming the field, instead of failing as a store error later.
//!
//! Limits count characters; a character is at most four bytes of UTF-8.

use crate::error::CoreError;

/// Ids of customers, invoices and payment references: they are store keys too.
pub const ID: usize = 128;
/// A customer's or contact's name.
pub const NAME: usize = 200;
/// An invoice or purchase-order number.
pub const NUMBER: usize = 64;
/// A BCP 47 language tag.
pub const LOCALE: usize = 35;
/// A phone number, as written.
pub const PHONE: usize = 64;
/// A payment link.
pub const URL: usize = 2_000;
/// A contract clause or pause reason quoted from the accounting system.
pub const CLAUSE: usize = 1_000;
/// How many billing contacts one customer may have.
pub const CONTACTS: usize = 20;
/// How many of the processor's payments one invoice may name as counted in its `paid`.
pub const PROCESSOR_PAYMENTS: usize = 100;
/// A personal note staff add to a message.
pub const PERSONAL_NOTE: usize = 2_000;
/// Why staff skipped or snoozed a reminder.
pub const REASON: usize = 1_000;
/// A customer's own words on their page (a question, a dispute).
pub const ANSWER_TEXT: usize = 2_000;

/// Why `text` does not fit a field of at most `max` characters, if it does not.
pub fn too_long(text: &str, max: usize) -> Option<String> {
    let chars = text.chars().count();
    (chars > max).then(|| format!("is {chars} characters long; at most {max} are allowed"))
}

/// The first of `fields` (name, text, limit) that is too long, with why.
pub fn first_too_long<'a>(
    fields: impl IntoIterator<Item = (&'static str, &'a str, usize)>,
) -> Option<(&'static str, String)> {
    fields
        .into_iter()
        .find_map(|(field, text, max)| too_long(text, max).map(|problem| (field, problem)))
}

/// Check a personal note staff typed for reminder `id`.
pub fn check_personal_note(id: &str, note: Option<&str>) -> Result<(), CoreError> {
    check_staff_text(id, "personal_note", note, PERSONAL_NOTE)
}

/// Check the reason staff gave for skipping or snoozing reminder `id`.
pub fn check_reason(id: &str, reason: Option<&str>) -> Result<(), CoreError> {
    check_staff_text(id, "reason", reason, REASON)
}

fn check_staff_text(id: &str, field: &'static str, text: Option<&str>, max: usize) -> Result<(), CoreError> {
    match text.and_then(|text| too_long(text, max)) {
        Some(problem) => Err(CoreError::InvalidField {
            record: "reminder",
            id: id.to_owned(),
            field,
            problem,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        assert_eq!(too_long("äöü", 3), None, "six bytes, three characters");
        assert_eq!(
            too_long("abcd", 3).as_deref(),
            Some("is 4 characters long; at most 3 are allowed")
        );
        assert_eq!(
            first_too_long([("a", "ok", 5), ("b", "too long", 3), ("c", "also too long", 3)]),
            Some(("b", "is 8 characters long; at most 3 are allowed".into()))
        );
    }

    #[test]
    fn notes_and_reasons_are_refused_by_field() {
        assert!(check_personal_note("rem_1", None).is_ok());
        assert!(check_personal_note("rem_1", Some(&"n".repeat(PERSONAL_NOTE))).is_ok());
        let error = check_personal_note("rem_1", Some(&"n".repeat(PERSONAL_NOTE + 1))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "reminder `rem_1`: field `personal_note`: is 2001 characters long; at most 2000 are allowed"
        );
        assert!(check_reason("rem_1", Some(&"r".repeat(REASON))).is_ok());
        assert!(matches!(
            check_reason("rem_1", Some(&"r".repeat(REASON + 1))),
            Err(CoreError::InvalidField { field: "reason", .. })
        ));
    }

    /// The bound the limits exist for: a customer at every limit, as JSON, is far below DynamoDB's
    /// 400 KB item (the reminders carrying its texts stay below it as well).
    #[test]
    fn a_customer_at_every_limit_fits_an_item() {
        let mut customer = crate::fixtures::customer(&"i".repeat(ID));
        let wide = |n: usize| "😀".repeat(n);
        customer.display_name = wide(NAME);
        customer.legal_name = wide(NAME);
        customer.billing_contacts = (0..CONTACTS)
            .map(|n| crate::Contact {
                salutation: None,
                surname: None,
                name: Some(wide(NAME)),
                email: format!("{}{n}@{}.example", "a".repeat(60), "d".repeat(60)),
                phone: Some(wide(PHONE)),
                bounced: false,
                standing: Default::default(),
            })
            .collect();
        customer.pause = Some(crate::Pause {
            until: None,
            reason: Some(wide(CLAUSE)),
        });
        customer.validate().unwrap();
        let bytes = serde_json::to_vec(&customer).unwrap().len();
        assert!(bytes < 100_000, "{bytes} bytes");
    }
}
