//! Importing customers and invoices from CSV or JSON. Every row is checked before anything is written;
//! each problem names its line (or JSON record) and field.

use chrono::NaiveDate;
use kindly_core::calendar::BusinessHours;
use kindly_core::customer::{Salutation, email_problem, not_an_email};
use kindly_core::holidays::Country;
use kindly_core::interest::StatuteChoice;
use kindly_core::{
    Contact, ContractRemedy, ContractTerms, Currency, Customer, CustomerId, DiscountTerms, Invoice, InvoiceId,
    InvoiceStatus, Pause, Statute,
};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// One row of an import: flat text fields, the same for CSV columns and JSON keys.
pub type Row = BTreeMap<String, String>;

/// A problem with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Where the row is: `line 7` (CSV) or `invoices[3], line 41` (JSON).
    pub at: String,
    pub field: String,
    pub problem: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: field `{}`: {}", self.at, self.field, self.problem)
    }
}

/// A parsed record, ready to store.
#[derive(Debug, Clone)]
pub enum Record {
    Customer(Box<Customer>),
    Invoice(Box<Invoice>),
}

/// What a file holds, told by its CSV header or JSON keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Customers,
    Invoices,
}

/// Rows read from a file, each with where it came from, before they are checked.
pub struct RawRows {
    pub rows: Vec<(String, Kind, Row)>,
}

/// Read a CSV file whose header tells the kind (a `due_date` column: invoices; `display_name`: customers).
pub fn read_csv(text: &str) -> Result<RawRows, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("line 1: cannot read the header: {e}"))?
        .iter()
        .map(str::to_owned)
        .collect();
    let kind = if header.iter().any(|h| h == "due_date") {
        Kind::Invoices
    } else if header.iter().any(|h| h == "display_name") {
        Kind::Customers
    } else {
        return Err(
            "line 1: the header names neither invoices (needs `due_date`) nor customers (needs `display_name`)".into(),
        );
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            format!("line {line}: {e}")
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let row = header
            .iter()
            .zip(record.iter())
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| (name.clone(), value.to_owned()))
            .collect();
        rows.push((format!("line {line}"), kind, row));
    }
    Ok(RawRows { rows })
}

/// Read a JSON file: `{"customers": [ {...}, ... ], "invoices": [ {...}, ... ]}` with the CSV columns as keys.
pub fn read_json(text: &str) -> Result<RawRows, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File<'a> {
        #[serde(borrow, default)]
        customers: Vec<&'a RawValue>,
        #[serde(borrow, default)]
        invoices: Vec<&'a RawValue>,
    }
    let file: File = serde_json::from_str(text).map_err(|e| format!("not valid import JSON: {e}"))?;
    let line_of = |raw: &RawValue| {
        let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        text[..offset].matches('\n').count() + 1
    };
    let mut rows = Vec::new();
    for (name, kind, records) in [
        ("customers", Kind::Customers, &file.customers),
        ("invoices", Kind::Invoices, &file.invoices),
    ] {
        for (index, raw) in records.iter().enumerate() {
            let at = format!("{name}[{index}], line {}", line_of(raw));
            let values: BTreeMap<String, serde_json::Value> =
                serde_json::from_str(raw.get()).map_err(|e| format!("{at}: expected an object: {e}"))?;
            let row = values
                .into_iter()
                .filter(|(_, value)| !value.is_null())
                .map(|(key, value)| match value {
                    serde_json::Value::String(text) => (key, text),
                    other => (key, other.to_string()),
                })
                .collect();
            rows.push((at, kind, row));
        }
    }
    Ok(RawRows { rows })
}

/// Reads the fields of one row, collecting every problem rather than stopping at the first.
struct Fields<'a> {
    at: &'a str,
    row: &'a Row,
    errors: Vec<RowError>,
}

impl<'a> Fields<'a> {
    fn problem(&mut self, field: &str, problem: impl Into<String>) {
        self.errors.push(RowError {
            at: self.at.to_owned(),
            field: field.to_owned(),
            problem: problem.into(),
        });
    }

    fn optional(&self, field: &str) -> Option<String> {
        self.row
            .get(field)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    fn required(&mut self, field: &str) -> String {
        self.optional(field).unwrap_or_else(|| {
            self.problem(field, "is required");
            String::new()
        })
    }

    fn parsed<T>(&mut self, field: &str, expected: &str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        let value = self.optional(field)?;
        let parsed = parse(&value);
        if parsed.is_none() {
            self.problem(field, format!("expected {expected}, got `{value}`"));
        }
        parsed
    }

    fn date(&mut self, field: &str) -> Option<NaiveDate> {
        self.parsed(field, "a date like 2026-03-31", |v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()
        })
    }

    fn decimal(&mut self, field: &str) -> Option<Decimal> {
        self.parsed(field, "a number like 1234.50", |v| v.parse().ok())
    }

    /// A list of the processor's payments and the amount counted for each: `pi_1=100.00; pi_2=20.00`.
    fn payments(&mut self, field: &str) -> BTreeMap<String, Decimal> {
        let mut payments = BTreeMap::new();
        let Some(value) = self.optional(field) else {
            return payments;
        };
        for item in value.split(';').map(str::trim).filter(|item| !item.is_empty()) {
            let parsed = item
                .split_once('=')
                .and_then(|(id, amount)| Some((id.trim(), amount.trim().parse::<Decimal>().ok()?)))
                .filter(|(id, _)| !id.is_empty());
            match parsed {
                Some((id, _)) if payments.contains_key(id) => {
                    self.problem(field, format!("names payment `{id}` twice"));
                }
                Some((id, amount)) => {
                    payments.insert(id.to_owned(), amount);
                }
                None => self.problem(
                    field,
                    format!("expected payments like `pi_1=100.00; pi_2=20.00`, got `{item}`"),
                ),
            }
        }
        payments
    }

    fn whole(&mut self, field: &str) -> Option<u32> {
        self.parsed(field, "a whole number of days", |v| v.parse().ok())
    }

    fn require<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() && self.optional(field).is_none() {
            self.problem(field, "is required");
        }
        value
    }
}

/// Check one row and turn it into a record, or list every problem with it.
pub fn parse_row(at: &str, kind: Kind, row: &Row) -> Result<Record, Vec<RowError>> {
    let mut fields = Fields {
        at,
        row,
        errors: Vec::new(),
    };
    let record = match kind {
        Kind::Customers => customer(&mut fields).map(|customer| Record::Customer(Box::new(customer))),
        Kind::Invoices => invoice(&mut fields).map(|invoice| Record::Invoice(Box::new(invoice))),
    };
    let known = known_columns(kind);
    for column in row.keys().filter(|column| !known.contains(&column.as_str())) {
        fields.problem(
            column,
            format!("unknown column (expected one of: {})", known.join(", ")),
        );
    }
    // The domain's own checks (names present, amounts consistent...) name their field too.
    if let Some(record) = record.as_ref().filter(|_| fields.errors.is_empty()) {
        let checked = match record {
            Record::Customer(customer) => customer.validate(),
            Record::Invoice(invoice) => invoice.validate(),
        };
        if let Err(kindly_core::CoreError::InvalidField { field, problem, .. }) = checked {
            fields.problem(field, problem);
        }
    }
    match record {
        Some(record) if fields.errors.is_empty() => Ok(record),
        _ => Err(fields.errors),
    }
}

const CUSTOMER_COLUMNS: &[&str] = &[
    "id",
    "display_name",
    "legal_name",
    "locale",
    "time_zone",
    "country",
    "business_hours",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_salutation",
    "contact_surname",
    "escalation_name",
    "escalation_email",
    "escalation_salutation",
    "escalation_surname",
    "paused_until",
    "paused",
    "late_fee_monthly_percent",
    "late_fee_grace_days",
    "late_fee_clause",
    "statute",
    "discount_percent",
    "discount_within_days",
];
const INVOICE_COLUMNS: &[&str] = &[
    "id",
    "number",
    "customer_id",
    "currency",
    "total",
    "paid",
    "issue_date",
    "due_date",
    "status",
    "payment_link",
    "po_number",
    "payment_reference",
    "processor_payments",
    "discount_percent",
    "discount_within_days",
];

fn known_columns(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Customers => CUSTOMER_COLUMNS,
        Kind::Invoices => INVOICE_COLUMNS,
    }
}

/// `mr` or `ms`, in any case.
fn salutation(text: &str) -> Option<Salutation> {
    match text.to_ascii_lowercase().as_str() {
        "mr" => Some(Salutation::Mr),
        "ms" => Some(Salutation::Ms),
        _ => None,
    }
}

/// `8-16`: from 8:00 until 16:00, customer-local.
fn hours(text: &str) -> Option<BusinessHours> {
    let (from, to) = text.split_once('-')?;
    let hours = BusinessHours {
        from_hour: from.trim().parse().ok()?,
        to_hour: to.trim().parse().ok()?,
    };
    hours.problem().is_none().then_some(hours)
}

fn customer(fields: &mut Fields) -> Option<Customer> {
    let id = fields.required("id");
    let display_name = fields.required("display_name");
    let legal_name = fields.optional("legal_name").unwrap_or_else(|| display_name.clone());
    let locale = fields.optional("locale").unwrap_or_else(|| "en-US".into());
    let time_zone = fields.parsed("time_zone", "an IANA time zone like Europe/Berlin", |v| v.parse().ok());
    let time_zone = fields.require("time_zone", time_zone);
    let country = fields.parsed("country", "an ISO 3166-1 code like DE, GB or US", |v| {
        Country::from_code(v).ok()
    });
    let business_hours = fields.parsed("business_hours", "hours like 8-16 (from 8:00, until 16:00)", hours);
    let emails = fields.required("contact_email");
    let escalation_email = fields.optional("escalation_email");
    let addresses = emails
        .split(';')
        .map(|email| ("contact_email", email.trim()))
        .filter(|(_, email)| !email.is_empty())
        .chain(escalation_email.as_deref().map(|email| ("escalation_email", email)));
    for (field, email) in addresses {
        if let Some(problem) = email_problem(email) {
            fields.problem(field, not_an_email(email, problem));
        }
    }
    let contact_name = fields.optional("contact_name");
    let contact_phone = fields.optional("contact_phone");
    let contact_salutation = fields.parsed("contact_salutation", "mr or ms", salutation);
    let contact_surname = fields.optional("contact_surname");
    let escalation_salutation = fields.parsed("escalation_salutation", "mr or ms", salutation);
    let billing_contacts = emails
        .split(';')
        .map(str::trim)
        .filter(|email| !email.is_empty())
        .enumerate()
        .map(|(index, email)| Contact {
            salutation: contact_salutation.filter(|_| index == 0),
            surname: contact_surname.clone().filter(|_| index == 0),
            name: contact_name.clone().filter(|_| index == 0),
            email: email.to_owned(),
            phone: contact_phone.clone().filter(|_| index == 0),
            bounced: false,
            standing: Default::default(),
        })
        .collect();
    let escalation_contact = fields.optional("escalation_email").map(|email| Contact {
        salutation: escalation_salutation,
        surname: fields.optional("escalation_surname"),
        name: fields.optional("escalation_name"),
        email,
        phone: None,
        bounced: false,
        standing: Default::default(),
    });
    let paused_until = fields.date("paused_until");
    let paused = fields
        .parsed("paused", "true or false", |v| v.parse::<bool>().ok())
        .unwrap_or(false);
    let pause = (paused || paused_until.is_some()).then_some(Pause {
        until: paused_until,
        reason: None,
    });
    let late_fee = fields.decimal("late_fee_monthly_percent").map(|rate| {
        ContractRemedy::monthly(
            rate,
            fields.whole("late_fee_grace_days").unwrap_or(0),
            fields
                .optional("late_fee_clause")
                .unwrap_or_else(|| format!("{rate}% per month")),
        )
    });
    let statute = fields.parsed(
        "statute",
        "none, uk_late_payment_act_1998, eu_late_payment_directive or de_bgb_288",
        |key| match key {
            "none" => Some(StatuteChoice::None),
            key => Statute::from_key(key).map(StatuteChoice::Statute),
        },
    );
    let early_payment_discount = discount_terms(fields);
    Some(Customer {
        id: CustomerId(id),
        display_name,
        legal_name,
        locale,
        time_zone: time_zone?,
        billing_contacts,
        escalation_contact,
        pause,
        terms: ContractTerms {
            late_fee,
            statute,
            early_payment_discount,
        },
        country,
        business_hours,
    })
}

/// Early-payment terms from `discount_percent` and `discount_within_days` (both or neither), checked as
/// the core checks them, with the column named.
fn discount_terms(fields: &mut Fields) -> Option<DiscountTerms> {
    let percent = fields.decimal("discount_percent");
    let within_days = fields.whole("discount_within_days");
    let terms = match (percent, within_days) {
        (Some(percent), within_days) => fields
            .require("discount_within_days", within_days)
            .map(|within_days| DiscountTerms { percent, within_days }),
        (None, Some(_)) => fields.require("discount_percent", None),
        (None, None) => None,
    }?;
    match terms.problem() {
        Some(problem) => {
            fields.problem("discount_percent", problem);
            None
        }
        None => Some(terms),
    }
}

fn invoice(fields: &mut Fields) -> Option<Invoice> {
    let id = fields.required("id");
    let number = fields.optional("number").unwrap_or_else(|| id.clone());
    let customer_id = fields.required("customer_id");
    let currency = fields.parsed("currency", "an ISO 4217 code like USD or EUR", |v| {
        Currency::from_code(v).ok()
    });
    let currency = fields.require("currency", currency);
    let total = fields.decimal("total");
    let total = fields.require("total", total);
    let paid = fields.decimal("paid").unwrap_or_default();
    let processor_payments = fields.payments("processor_payments");
    let issue_date = fields.date("issue_date");
    let issue_date = fields.require("issue_date", issue_date);
    let due_date = fields.date("due_date");
    let due_date = fields.require("due_date", due_date);
    let status = match fields.optional("status") {
        Some(text) => match text.parse::<InvoiceStatus>() {
            Ok(status) => Some(status),
            Err(problem) => {
                fields.problem("status", problem);
                None
            }
        },
        None => Some(InvoiceStatus::Open),
    };
    Some(Invoice {
        id: InvoiceId(id),
        number,
        customer_id: CustomerId(customer_id),
        currency: currency?,
        total: total?,
        paid,
        issue_date: issue_date?,
        due_date: due_date?,
        status: status?,
        payment_link: fields.optional("payment_link"),
        po_number: fields.optional("po_number"),
        late_fee: None,
        early_payment: discount_terms(fields),
        dunning: Default::default(),
        payment_reference: fields.optional("payment_reference"),
        processor_payments,
        bookkeeping: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processor_payments_the_accounting_system_counts_are_read_and_checked() {
        let text = "id,customer_id,currency,total,paid,issue_date,due_date,payment_reference,processor_payments\n\
                    I1,C1,USD,100.00,70.00,2026-01-01,2026-01-31,in_1,pi_1=50.00; pi_2=20.00\n\
                    I2,C1,USD,100.00,70.00,2026-01-01,2026-01-31,,pi_1\n\
                    I3,C1,USD,100.00,10.00,2026-01-01,2026-01-31,,pi_1=50.00\n";
        let rows = read_csv(text).unwrap();
        let parse = |n: usize| parse_row(&rows.rows[n].0, rows.rows[n].1, &rows.rows[n].2);
        let Ok(Record::Invoice(first)) = parse(0) else {
            panic!("{:?}", parse(0));
        };
        assert_eq!(first.payment_reference.as_deref(), Some("in_1"));
        assert_eq!(
            first.processor_payments,
            [
                ("pi_1".to_owned(), "50.00".parse().unwrap()),
                ("pi_2".to_owned(), "20.00".parse().unwrap())
            ]
            .into()
        );
        let malformed = parse(1).unwrap_err();
        assert_eq!(malformed[0].field, "processor_payments", "{malformed:?}");
        assert!(malformed[0].problem.contains("pi_1=100.00"), "{malformed:?}");
        let more_than_paid = parse(2).unwrap_err();
        assert_eq!(
            more_than_paid[0].to_string(),
            "line 4: field `processor_payments`: counts 50.00 in all, more than `paid` (10.00), which includes them"
        );
    }

    #[test]
    fn an_invoices_early_payment_terms_are_read_and_bad_ones_name_the_column() {
        let text = "id,customer_id,currency,total,issue_date,due_date,discount_percent,discount_within_days\n\
                    I1,C1,USD,100.00,2026-01-01,2026-01-31,2,10\n\
                    I2,C1,USD,100.00,2026-01-01,2026-01-31,100,10\n\
                    I3,C1,USD,100.00,2026-01-01,2026-01-31,,10\n\
                    I4,C1,USD,100.00,2026-01-01,2026-01-31,2,ten\n\
                    I5,C1,USD,100.00,2026-01-01,2026-01-31,,\n";
        let rows = read_csv(text).unwrap();
        let parse = |index: usize| {
            let (at, kind, row) = &rows.rows[index];
            parse_row(at, *kind, row)
        };
        let Ok(Record::Invoice(first)) = parse(0) else {
            panic!("{:?}", parse(0));
        };
        let terms = first.early_payment.expect("terms");
        assert_eq!((terms.percent, terms.within_days), ("2".parse().unwrap(), 10));
        let problems: Vec<String> = (1..4).map(|index| parse(index).unwrap_err()[0].to_string()).collect();
        assert_eq!(
            problems,
            [
                "line 3: field `discount_percent`: percent must be above 0 and below 100, not 100",
                "line 4: field `discount_percent`: is required",
                "line 5: field `discount_within_days`: expected a whole number of days, got `ten`",
            ]
        );
        let Ok(Record::Invoice(plain)) = parse(4) else {
            panic!("{:?}", parse(4));
        };
        assert_eq!(plain.early_payment, None);
    }

    #[test]
    fn csv_errors_name_line_and_field() {
        let text = "id,customer_id,currency,total,issue_date,due_date\n\
                    I1,C1,USD,100.00,2026-01-01,2026-01-31\n\
                    I2,C1,USX,abc,2026-01-01,01/31/2026\n";
        let rows = read_csv(text).unwrap();
        assert!(parse_row(&rows.rows[0].0, rows.rows[0].1, &rows.rows[0].2).is_ok());
        let errors = parse_row(&rows.rows[1].0, rows.rows[1].1, &rows.rows[1].2).unwrap_err();
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            messages.contains(&"line 3: field `currency`: expected an ISO 4217 code like USD or EUR, got `USX`".into()),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("line 3: field `total`: expected a number")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("line 3: field `due_date`: expected a date")),
            "{messages:?}"
        );
    }

    #[test]
    fn json_errors_name_record_line_and_field() {
        let text = "{\n  \"invoices\": [\n    {\"id\": \"I1\", \"customer_id\": \"C1\", \"currency\": \"EUR\",\n     \"total\": 12.5, \"issue_date\": \"2026-01-01\", \"due_date\": \"2026-01-31\"},\n    {\"id\": \"I2\", \"customer_id\": \"C1\", \"currency\": \"EUR\",\n     \"total\": \"-4\", \"issue_date\": \"2026-01-01\", \"due_date\": \"2025-12-01\"}\n  ]\n}\n";
        let rows = read_json(text).unwrap();
        let (at, kind, row) = &rows.rows[0];
        let Record::Invoice(first) = parse_row(at, *kind, row).unwrap() else {
            panic!("an invoice")
        };
        assert_eq!(first.total.to_string(), "12.5");
        let (at, kind, row) = &rows.rows[1];
        let errors = parse_row(at, *kind, row).unwrap_err();
        assert_eq!(errors[0].at, "invoices[1], line 5");
        assert_eq!(errors[0].field, "total");
    }

    #[test]
    fn addresses_a_mailer_would_refuse_are_refused_by_field() {
        let text = "id,display_name,time_zone,contact_email,escalation_email\n\
                    C1,Acme,Europe/Berlin,AP <ap@acme.example>;ok@acme.example,boss@[192.0.2.1]\n";
        let rows = read_csv(text).unwrap();
        let errors = parse_row(&rows.rows[0].0, rows.rows[0].1, &rows.rows[0].2).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["contact_email", "escalation_email"], "{errors:?}");
        assert!(
            errors[0]
                .problem
                .starts_with("`AP <ap@acme.example>` is not an email address: ")
        );
    }

    #[test]
    fn unknown_columns_are_reported() {
        let text = "id,display_name,time_zone,contact_email,colour\nC1,Acme,Europe/Berlin,ap@acme.example,blue\n";
        let rows = read_csv(text).unwrap();
        let errors = parse_row(&rows.rows[0].0, rows.rows[0].1, &rows.rows[0].2).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "colour");
    }

    #[test]
    fn a_country_and_business_hours_are_read_and_bad_ones_named() {
        let text = "id,display_name,time_zone,contact_email,country,business_hours\n\
                    C1,Acme,Europe/Berlin,ap@acme.example,de,8-16\n\
                    C2,Acme,Europe/Berlin,ap@acme.example,UK,17-9\n";
        let rows = read_csv(text).unwrap();
        let Record::Customer(acme) = parse_row(&rows.rows[0].0, rows.rows[0].1, &rows.rows[0].2).unwrap() else {
            panic!("a customer")
        };
        assert_eq!(acme.country.map(|c| c.to_string()), Some("DE".into()));
        assert_eq!(
            acme.business_hours,
            Some(BusinessHours {
                from_hour: 8,
                to_hour: 16
            })
        );
        let errors = parse_row(&rows.rows[1].0, rows.rows[1].1, &rows.rows[1].2).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["country", "business_hours"], "{errors:?}");
    }
}
