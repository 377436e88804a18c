//! Customers: who is reminded, in which language and time zone, and on which contract terms.

use crate::calendar::{BusinessHours, Calendar};
use crate::error::CoreError;
use crate::holidays::Country;
use crate::interest::{ContractRemedy, StatuteChoice};
use crate::limits;
use crate::standing::MailStanding;
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
    /// Set when mail to this address bounced (or its owner complained); such a contact is not written to.
    #[serde(default)]
    pub bounced: bool,
    /// What the mail system said about the address, when anything: why it is blocked, and transient
    /// bounces. kindly's own knowledge: an accounting system's copy of the customer keeps it.
    #[serde(default, skip_serializing_if = "MailStanding::is_clear")]
    pub standing: MailStanding,
    /// How a formal letter greets this person, with `surname`: German messages write "Sehr geehrter Herr
    /// Weber" (never the first name after Herr/Frau). Without both, they greet "Damen und Herren".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salutation: Option<Salutation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
}

/// The form of address before a surname: Mr/Herr or Ms/Frau.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Salutation {
    Mr,
    Ms,
}

impl Salutation {
    /// The key the render context carries (`mr`, `ms`); each language words it.
    pub fn key(self) -> &'static str {
        match self {
            Salutation::Mr => "mr",
            Salutation::Ms => "ms",
        }
    }
}

impl Contact {
    /// The salutation and surname a formal greeting uses, when both are given.
    pub fn formal_name(&self) -> Option<(Salutation, &str)> {
        Some((self.salutation?, self.surname.as_deref()?))
    }
}

/// Reminders stop while a customer is paused, for good or until a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    /// The last paused day; `None` pauses until staff resume the customer.
    pub until: Option<NaiveDate>,
    pub reason: Option<String>,
}

/// An early-payment discount: `percent` off when paid within `within_days` of the issue date (2/10 net 30:
/// 2 % within 10 days). See [`crate::discount`] for the deadline and what settles an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountTerms {
    pub percent: Decimal,
    pub within_days: u32,
}

/// The longest early-payment window kindly accepts, in days.
pub const MAX_DISCOUNT_DAYS: u32 = 366;

impl DiscountTerms {
    /// What is wrong with the terms, if anything: a percentage above 0 and below 100, with at most two
    /// decimals, and a window of at most [`MAX_DISCOUNT_DAYS`].
    pub fn problem(&self) -> Option<String> {
        if self.percent <= Decimal::ZERO || self.percent >= Decimal::ONE_HUNDRED {
            return Some(format!("percent must be above 0 and below 100, not {}", self.percent));
        }
        if self.percent.normalize().scale() > 2 {
            return Some(format!("percent {} has more than two decimals", self.percent));
        }
        (self.within_days > MAX_DISCOUNT_DAYS).then(|| {
            format!(
                "within_days must be at most {MAX_DISCOUNT_DAYS}, not {}",
                self.within_days
            )
        })
    }
}

/// What the contract says about money beyond the invoice total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractTerms {
    /// The contract's remedy for late payment (interest, a one-time percentage or a fixed fee), for
    /// every invoice that names none of its own. `None`: the statute, if any, applies.
    #[serde(default)]
    pub late_fee: Option<ContractRemedy>,
    /// Statutory interest for this customer, over the policy's statute: another statute, or none (a
    /// consumer). `None`: the policy's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statute: Option<StatuteChoice>,
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
    /// ISO 3166-1 country whose public holidays and weekend the customer keeps. Without one, the region of
    /// `locale` (`de-AT` → AT) when kindly knows it, else Monday to Friday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    /// The customer's own business hours, where they differ from the policy's `sending_hours`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_hours: Option<BusinessHours>,
}

impl Customer {
    /// The customer's business days: their country's, or their locale region's, or Monday to Friday.
    pub fn calendar(&self) -> Calendar {
        let from_locale = || {
            let region = self.locale.split(['-', '_']).nth(1)?;
            (region.len() == 2).then(|| Country::from_code(region).ok())?
        };
        Calendar::of(self.country.or_else(from_locale))
    }

    /// The hours messages may go out to the customer: their own, else the policy's (`None`: any hour).
    pub fn sending_hours(&self, policy_hours: Option<BusinessHours>) -> Option<BusinessHours> {
        self.business_hours.or(policy_hours)
    }

    /// Whether reminders are held back on `local_date`.
    pub fn is_paused_on(&self, local_date: NaiveDate) -> bool {
        self.pause
            .as_ref()
            .is_some_and(|pause| pause.until.is_none_or(|until| local_date <= until))
    }

    /// Whether mail to `email` is blocked: one of the customer's contacts (billing or escalation) with that
    /// address, compared without case, bounced or complained.
    pub fn blocks(&self, email: &str) -> bool {
        self.billing_contacts
            .iter()
            .chain(self.escalation_contact.iter())
            .any(|contact| contact.bounced && contact.email.eq_ignore_ascii_case(email))
    }

    /// The contacts a reminder goes to: every billing contact whose mail has not bounced.
    pub fn reachable_contacts(&self) -> impl Iterator<Item = &Contact> {
        self.billing_contacts.iter().filter(|contact| !contact.bounced)
    }

    /// Every contact with the field that holds it.
    fn contacts_by_field(&self) -> impl Iterator<Item = (&'static str, &Contact)> {
        let billing = self
            .billing_contacts
            .iter()
            .map(|contact| ("billing_contacts", contact));
        billing.chain(
            self.escalation_contact
                .iter()
                .map(|contact| ("escalation_contact", contact)),
        )
    }

    /// Every text field with its name and [`limits`] (addresses are bounded by [`email_problem`]).
    fn texts(&self) -> Vec<(&'static str, &str, usize)> {
        let mut texts = vec![
            ("id", self.id.0.as_str(), limits::ID),
            ("display_name", self.display_name.as_str(), limits::NAME),
            ("legal_name", self.legal_name.as_str(), limits::NAME),
            ("locale", self.locale.as_str(), limits::LOCALE),
        ];
        for (field, contact) in self.contacts_by_field() {
            let (name, phone, surname) = match field {
                "billing_contacts" => (
                    "billing_contacts.name",
                    "billing_contacts.phone",
                    "billing_contacts.surname",
                ),
                _ => (
                    "escalation_contact.name",
                    "escalation_contact.phone",
                    "escalation_contact.surname",
                ),
            };
            texts.extend(contact.name.as_deref().map(|text| (name, text, limits::NAME)));
            texts.extend(contact.surname.as_deref().map(|text| (surname, text, limits::NAME)));
            texts.extend(contact.phone.as_deref().map(|text| (phone, text, limits::PHONE)));
        }
        let pause_reason = self.pause.as_ref().and_then(|pause| pause.reason.as_deref());
        texts.extend(pause_reason.map(|text| ("pause.reason", text, limits::CLAUSE)));
        let clause = self.terms.late_fee.as_ref().map(|fee| fee.clause.as_str());
        texts.extend(clause.map(|text| ("terms.late_fee", text, limits::CLAUSE)));
        texts
    }

    /// Check what the type system cannot: names present and within [`limits`], at least one reachable
    /// contact, addresses a mailer takes, sane terms.
    pub fn validate(&self) -> Result<(), CoreError> {
        let invalid = |field: &'static str, problem: &str| CoreError::InvalidField {
            record: "customer",
            id: self.id.0.clone(),
            field,
            problem: problem.to_owned(),
        };
        if let Some((field, problem)) = limits::first_too_long(self.texts()) {
            return Err(invalid(field, &problem));
        }
        if self.billing_contacts.len() > limits::CONTACTS {
            return Err(invalid(
                "billing_contacts",
                &format!(
                    "has {} contacts; at most {} are allowed",
                    self.billing_contacts.len(),
                    limits::CONTACTS
                ),
            ));
        }
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
        if let Some(problem) = self.business_hours.and_then(|hours| hours.problem()) {
            return Err(invalid("business_hours", &problem));
        }
        for (field, contact) in self.contacts_by_field() {
            if let Some(problem) = email_problem(&contact.email) {
                return Err(invalid(field, &not_an_email(&contact.email, problem)));
            }
            let surname = contact.surname.as_deref().map(str::trim);
            if contact.salutation.is_some() != surname.is_some_and(|surname| !surname.is_empty()) {
                return Err(invalid(
                    field,
                    "salutation and surname go together: give both (a greeting by surname) or neither",
                ));
            }
        }
        if let Some((field, problem)) = self.terms.late_fee.as_ref().and_then(ContractRemedy::problem) {
            return Err(invalid("terms.late_fee", &format!("{field}: {problem}")));
        }
        if let Some(problem) = self
            .terms
            .early_payment_discount
            .as_ref()
            .and_then(DiscountTerms::problem)
        {
            return Err(invalid("terms.early_payment_discount", &problem));
        }
        Ok(())
    }
}

/// "`address` is not an email address: why", as every check of an address says it.
pub fn not_an_email(address: &str, problem: &str) -> String {
    format!("`{address}` is not an email address: {problem}")
}

/// Whether `address` passes [`email_problem`].
pub fn looks_like_email(address: &str) -> bool {
    email_problem(address).is_none()
}

/// Why `address` cannot be written to or sent from, if it cannot. The one rule for every address kindly
/// takes in (customers' contacts, the policy's senders) and for the mailers, which check it again before
/// building a message, so nothing is accepted at ingest that a send would refuse. It is the common subset
/// of RFC 5322 that SES and mail servers take: a bare `local@domain` in ASCII; no display name
/// (`AP <ap@example.com>`), no quoted local part, no domain literal (`ap@[192.0.2.1]`), and a domain name
/// of at least two labels (an internationalized domain in its `xn--` form).
pub fn email_problem(address: &str) -> Option<&'static str> {
    const LOCAL_SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    if address.is_empty() {
        return Some("is empty");
    }
    if address.contains(|c: char| c.is_whitespace() || c == '<' || c == '>') {
        return Some("write the address alone, without a name or angle brackets, like ap@example.com");
    }
    if !address.is_ascii() {
        return Some("must be ASCII (an internationalized domain in its xn-- form)");
    }
    if address.len() > 254 {
        return Some("is longer than 254 characters");
    }
    let Some((local, domain)) = address.split_once('@').filter(|(_, domain)| !domain.contains('@')) else {
        return Some("needs exactly one @");
    };
    let atoms_ok = local.len() <= 64
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c))
        });
    if !atoms_ok {
        return Some("the part before @ may hold letters, digits, !#$%&'*+-/=?^_`{|}~ and single dots between them");
    }
    if domain.starts_with('[') {
        return Some("a domain literal ([...]) cannot be sent to: use the domain name");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let top_level_ok = labels
        .last()
        .is_some_and(|top| !top.chars().all(|c| c.is_ascii_digit()));
    if labels.len() < 2 || !labels.iter().all(label_ok) || !top_level_ok {
        return Some("the domain must be a name like example.com");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_is_the_customers_country_or_their_locales_region() {
        let mut customer = crate::fixtures::customer("C1");
        let country = |code| Some(Country::from_code(code).unwrap());
        // en-US: the United States, from the locale
        assert_eq!(customer.calendar().country(), country("US"));
        customer.country = country("DE");
        assert_eq!(customer.calendar().country(), country("DE"));
        // A language without a region, or a region kindly does not know: Monday to Friday
        customer.country = None;
        customer.locale = "de".into();
        assert_eq!(customer.calendar(), Calendar::WEEKDAYS);
        customer.locale = "en-001".into();
        assert_eq!(customer.calendar(), Calendar::WEEKDAYS);
    }

    #[test]
    fn own_business_hours_replace_the_policys_and_bad_ones_name_the_field() {
        let mut customer = crate::fixtures::customer("C1");
        let policy = Some(BusinessHours {
            from_hour: 9,
            to_hour: 17,
        });
        assert_eq!(customer.sending_hours(policy), policy);
        customer.business_hours = Some(BusinessHours {
            from_hour: 7,
            to_hour: 15,
        });
        assert_eq!(customer.sending_hours(policy), customer.business_hours);
        assert!(customer.validate().is_ok());
        customer.business_hours = Some(BusinessHours {
            from_hour: 18,
            to_hour: 9,
        });
        let error = customer.validate().unwrap_err().to_string();
        assert!(error.contains("business_hours"), "{error}");
    }

    #[test]
    fn addresses_are_bare_ascii_addr_specs_with_a_domain_name() {
        for good in [
            "ap@customer.example",
            "Accounts.Payable+kindly@mail.customer.co.uk",
            "o'brien@customer.example",
            "1@xn--mller-kva.example",
        ] {
            assert_eq!(email_problem(good), None, "{good}");
        }
        for (bad, problem) in [
            ("", "is empty"),
            ("AP <ap@customer.example>", "without a name or angle brackets"),
            ("<ap@customer.example>", "without a name or angle brackets"),
            ("ap@[192.0.2.1]", "domain literal"),
            ("ap@[IPv6:2001:db8::1]", "domain literal"),
            ("ap@x", "a name like example.com"),
            ("ap@customer.123", "a name like example.com"),
            ("ap@-customer.example", "a name like example.com"),
            ("ap@customer..example", "a name like example.com"),
            ("ap@müller.example", "must be ASCII"),
            ("\"a b\"@customer.example", "without a name"),
            ("\"ap\"@customer.example", "the part before @"),
            (".ap@customer.example", "the part before @"),
            ("a..p@customer.example", "the part before @"),
            ("ap(comment)@customer.example", "the part before @"),
            ("ap@customer.example@other.example", "exactly one @"),
            ("ap.customer.example", "exactly one @"),
        ] {
            let found = email_problem(bad).unwrap_or_else(|| panic!("{bad} was accepted"));
            assert!(found.contains(problem), "{bad}: {found}");
        }
        let long_local = format!("{}@customer.example", "a".repeat(65));
        assert!(email_problem(&long_local).is_some());
    }

    #[test]
    fn text_beyond_its_limit_is_refused_by_field() {
        let long = |max: usize| "x".repeat(max + 1);
        type Set = fn(&mut Customer, String);
        let cases: [(&str, usize, Set); 6] = [
            ("id", limits::ID, |c, text| c.id = CustomerId(text)),
            ("display_name", limits::NAME, |c, text| c.display_name = text),
            ("legal_name", limits::NAME, |c, text| c.legal_name = text),
            ("billing_contacts.name", limits::NAME, |c, text| {
                c.billing_contacts[0].name = Some(text)
            }),
            ("billing_contacts.phone", limits::PHONE, |c, text| {
                c.billing_contacts[0].phone = Some(text)
            }),
            ("pause.reason", limits::CLAUSE, |c, text| {
                c.pause = Some(Pause {
                    until: None,
                    reason: Some(text),
                })
            }),
        ];
        for (expected, max, set) in cases {
            let mut customer = crate::fixtures::customer("C1");
            set(&mut customer, long(max));
            match customer.validate() {
                Err(CoreError::InvalidField { field, problem, .. }) => {
                    assert_eq!(field, expected);
                    assert!(problem.contains(&format!("at most {max}")), "{problem}");
                }
                other => panic!("{expected}: {other:?}"),
            }
        }
        let mut crowded = crate::fixtures::customer("C1");
        crowded.billing_contacts = vec![crowded.billing_contacts[0].clone(); limits::CONTACTS + 1];
        assert!(matches!(
            crowded.validate(),
            Err(CoreError::InvalidField {
                field: "billing_contacts",
                ..
            })
        ));
    }

    #[test]
    fn a_contact_the_mailer_would_refuse_is_refused_by_field() {
        let mut customer = crate::fixtures::customer("C1");
        customer.escalation_contact = Some(Contact {
            salutation: None,
            surname: None,
            name: None,
            email: "Boss <boss@customer.example>".into(),
            phone: None,
            bounced: false,
            standing: Default::default(),
        });
        match customer.validate() {
            Err(CoreError::InvalidField { field, problem, .. }) => {
                assert_eq!(field, "escalation_contact");
                assert!(problem.starts_with("`Boss <boss@customer.example>` is not an email address: "));
            }
            other => panic!("{other:?}"),
        }
    }
}
