//! Customers: who is reminded, in which language and time zone, and on which contract terms.

use crate::error::CoreError;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A customer's id in the accounting system, e.g. `C-1001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomerId(pub String);

impl std::fmt::Display for CustomerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person or mailbox at the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: Option<String>,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// Set when mail to this address bounced; such a contact is not written to.
    #[serde(default)]
    pub bounced: bool,
}

/// Reminders stop while a customer is paused, for good or until a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    /// The last paused day; `None` pauses until staff resume the customer.
    pub until: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// Late fees the contract allows: a monthly rate on the overdue balance after a grace period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateFeeTerms {
    /// Percent of the overdue balance per month, e.g. `1.5`.
    pub monthly_rate_percent: Decimal,
    /// Days after the due date before a fee may apply.
    #[serde(default)]
    pub grace_days: u32,
    /// The contract's own wording, quoted in messages, e.g. "1.5% per month (section 7 of our agreement)".
    pub clause: String,
}

/// An early-payment discount: `percent` off when paid within `within_days` of the issue date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountTerms {
    pub percent: Decimal,
    pub within_days: u32,
}

/// What the contract says about money beyond the invoice total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractTerms {
    /// `None`: the contract allows no late fees, and none are ever mentioned.
    #[serde(default)]
    pub late_fee: Option<LateFeeTerms>,
    #[serde(default)]
    pub early_payment_discount: Option<DiscountTerms>,
}

/// A customer, as kindly needs to know them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    /// How messages name the customer, e.g. "Acme".
    pub display_name: String,
    /// The registered name, e.g. "Acme Widgets GmbH".
    pub legal_name: String,
    /// BCP 47 tag, e.g. `en-US` or `de-DE`: the message language and number/date formats.
    pub locale: String,
    /// IANA time zone: decides the customer's "today" and, later, business hours.
    pub time_zone: chrono_tz::Tz,
    /// Billing / accounts-payable contacts; every one that has not bounced is written to.
    pub billing_contacts: Vec<Contact>,
    /// The customer's head of finance or boss, copied at the escalation stage.
    #[serde(default)]
    pub escalation_contact: Option<Contact>,
    #[serde(default)]
    pub pause: Option<Pause>,
    #[serde(default)]
    pub terms: ContractTerms,
}

impl Customer {
    /// Whether reminders are held back on `local_date`.
    pub fn is_paused_on(&self, local_date: NaiveDate) -> bool {
        self.pause
            .as_ref()
            .is_some_and(|pause| pause.until.is_none_or(|until| local_date <= until))
    }

    /// The contacts a reminder goes to: every billing contact whose mail has not bounced.
    pub fn reachable_contacts(&self) -> impl Iterator<Item = &Contact> {
        self.billing_contacts.iter().filter(|contact| !contact.bounced)
    }

    /// Check what the type system cannot: names present, at least one reachable contact, sane terms.
    pub fn validate(&self) -> Result<(), CoreError> {
        let invalid = |field: &'static str, problem: &str| CoreError::InvalidField {
            record: "customer",
            id: self.id.0.clone(),
            field,
            problem: problem.to_owned(),
        };
        if self.id.0.trim().is_empty() {
            return Err(invalid("id", "must not be empty"));
        }
        if self.display_name.trim().is_empty() {
            return Err(invalid("display_name", "must not be empty"));
        }
        if self.legal_name.trim().is_empty() {
            return Err(invalid("legal_name", "must not be empty"));
        }
        if self.locale.len() < 2 || !self.locale.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(invalid("locale", "expected a language tag such as en-US or de-DE"));
        }
        if self.billing_contacts.is_empty() {
            return Err(invalid("billing_contacts", "needs at least one contact"));
        }
        let not_an_email = |contact: &&Contact| !looks_like_email(&contact.email);
        if let Some(contact) = self.billing_contacts.iter().find(not_an_email) {
            return Err(invalid(
                "billing_contacts",
                &format!("`{}` is not an email address", contact.email),
            ));
        }
        if let Some(contact) = self.escalation_contact.iter().find(not_an_email) {
            return Err(invalid(
                "escalation_contact",
                &format!("`{}` is not an email address", contact.email),
            ));
        }
        if let Some(fee) = &self.terms.late_fee
            && (fee.monthly_rate_percent.is_sign_negative() || fee.monthly_rate_percent > Decimal::from(10))
        {
            return Err(invalid(
                "terms.late_fee",
                "monthly rate must be between 0 and 10 percent",
            ));
        }
        if let Some(discount) = &self.terms.early_payment_discount
            && (discount.percent.is_sign_negative() || discount.percent >= Decimal::from(100))
        {
            return Err(invalid(
                "terms.early_payment_discount",
                "percent must be between 0 and 100",
            ));
        }
        Ok(())
    }
}

/// Whether `address` is a syntactically valid email address (RFC 5322 addr-spec).
pub fn looks_like_email(address: &str) -> bool {
    email_address::EmailAddress::is_valid(address)
}
