//! The simulated world: customers in many time zones, the invoices they receive over the year, how each of
//! them pays, and what the payment processor and the accounting system know. Generated from the seed
//! alone, so a seed names a world.

use crate::calendar::Workdays;
use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use kindly_core::calendar::BusinessHours;
use kindly_core::holidays::Country;
use kindly_core::interest::{Charge, Per};
use kindly_core::{
    Contact, ContractRemedy, ContractTerms, Currency, Customer, CustomerId, DiscountTerms, Invoice, InvoiceId,
    InvoiceStatus,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

/// The customers' zones: every offset family the issue names, half- and quarter-hour offsets, both
/// hemispheres' daylight saving, and both sides of the date line.
pub const ZONES: [Tz; 28] = [
    chrono_tz::Pacific::Pago_Pago,
    chrono_tz::Pacific::Honolulu,
    chrono_tz::America::Anchorage,
    chrono_tz::America::Los_Angeles,
    chrono_tz::America::Denver,
    chrono_tz::America::Chicago,
    chrono_tz::America::New_York,
    chrono_tz::America::St_Johns,
    chrono_tz::America::Sao_Paulo,
    chrono_tz::Atlantic::Reykjavik,
    chrono_tz::Europe::London,
    chrono_tz::Europe::Berlin,
    chrono_tz::Europe::Budapest,
    chrono_tz::Africa::Cairo,
    chrono_tz::Asia::Kuwait,
    chrono_tz::Asia::Dubai,
    chrono_tz::Asia::Kolkata,
    chrono_tz::Asia::Kathmandu,
    chrono_tz::Asia::Dhaka,
    chrono_tz::Asia::Bangkok,
    chrono_tz::Asia::Singapore,
    chrono_tz::Asia::Tokyo,
    chrono_tz::Australia::Adelaide,
    chrono_tz::Australia::Sydney,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Auckland,
    chrono_tz::Pacific::Chatham,
    chrono_tz::Pacific::Kiritimati,
];

/// The country of each zone in [`ZONES`], whose public holidays and weekend its customers keep: weekends
/// on Friday and Saturday (Cairo, Kuwait, Dhaka), one that moved (the UAE's, in 2022), and the long runs
/// of holidays of Japan's Golden Week, Thailand's Songkran and Christmas.
pub const ZONE_COUNTRIES: [&str; 28] = [
    "AS", "US", "US", "US", "US", "US", "US", "CA", "BR", "IS", "GB", "DE", "HU", "EG", "KW", "AE", "IN", "NP", "BD",
    "TH", "SG", "JP", "AU", "AU", "AU", "NZ", "NZ", "KI",
];

/// The currencies invoices are written in: zero-decimal (JPY), the ones whose processor exponent differs
/// from ISO 4217 (ISK, HUF) and a three-decimal one (KWD).
pub const CURRENCIES: [&str; 8] = ["USD", "EUR", "GBP", "JPY", "ISK", "HUF", "KWD", "CHF"];

/// The payment processor's exponent for a currency (its "minor units" on the wire), which is not always
/// ISO 4217's: ISK and HUF are two-decimal at the processor; JPY is zero-decimal; KWD three-decimal.
pub fn processor_exponent(currency: Currency) -> u32 {
    match currency.code() {
        "JPY" => 0,
        "KWD" => 3,
        _ => 2,
    }
}

/// How one invoice gets paid (or not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    /// Through the processor: card (`payment_intent.succeeded`), or a Stripe invoice (`invoice.paid`).
    Card { stripe_invoice: bool },
    /// A bank debit through the processor: `processing`, then `succeeded` or `payment_failed`.
    Debit { fails: bool },
    /// A bank transfer the accounting system records; kindly hears of it by re-import.
    Transfer,
}

/// One payment the customer will make: when, how much (in the processor's minor units), and how.
#[derive(Debug, Clone)]
pub struct PlannedPayment {
    pub at: DateTime<Utc>,
    pub minor: i64,
    pub channel: Channel,
    /// Part of it goes back later (minor units refunded, when).
    pub refund: Option<(i64, DateTime<Utc>)>,
    /// Whatever is still owed when it is made (`minor` is set then): a customer keeping their word.
    pub rest: bool,
}

/// What the accounting system decides about an invoice besides payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    Void,
    Disputed,
}

#[derive(Debug, Clone)]
pub struct WorldInvoice {
    pub id: InvoiceId,
    pub number: String,
    pub customer: usize,
    pub currency: Currency,
    /// In the processor's minor units.
    pub total_minor: i64,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    /// When the accounting system first sends it to kindly.
    pub arrives_at: DateTime<Utc>,
    pub payment_reference: Option<String>,
    pub payments: Vec<PlannedPayment>,
    pub settlement: Option<(Settlement, DateTime<Utc>)>,
    /// Truth, as it happens: money that really arrived (net of refunds), by channel, in minor units.
    pub received_processor: i64,
    /// The same by payment (its id, `pi_…`): what the accounting system counts of each once it syncs.
    pub processor_receipts: std::collections::BTreeMap<String, i64>,
    pub received_transfer: i64,
    pub status_by_accounting: Option<Settlement>,
    pub refunded_ever: bool,
    /// Minor units refunded so far.
    pub refunded_minor: i64,
    /// Bank debits the processor is still clearing.
    pub debits_in_flight: u32,
    pub imported: bool,
    /// The customer paid the rest after answering: the payments they had planned are not made.
    pub paid_rest: bool,
    /// Early-payment terms (2/10, 3/14...) and the discount's deadline in the customer's business days,
    /// by the simulator's own calendar arithmetic.
    pub early_payment: Option<(DiscountTerms, NaiveDate)>,
    /// Truth: money reaching the discounted amount arrived on a customer-local day by the deadline (and no
    /// refund took it below since): the invoice is settled for less than its total.
    pub discount_settled: bool,
}

impl WorldInvoice {
    /// An amount in the processor's minor units as a decimal of the currency.
    pub fn amount(&self, minor: i64) -> Decimal {
        Decimal::new(minor, processor_exponent(self.currency))
    }

    /// Money received so far (net of refunds), in minor units.
    pub fn received_minor(&self) -> i64 {
        self.received_processor + self.received_transfer
    }

    /// What the customer still owes in truth, in minor units: nothing once the discount settled it.
    pub fn owed_minor(&self) -> i64 {
        if self.discount_settled {
            0
        } else {
            self.total_minor - self.received_minor()
        }
    }

    /// What settles the invoice by the discount's deadline, in the processor's minor units: the total less
    /// the percentage, rounded half away from zero to the currency's own minor units.
    pub fn discounted_minor(&self) -> Option<i64> {
        let (terms, _) = self.early_payment.as_ref()?;
        let exponent = processor_exponent(self.currency);
        let total = self.amount(self.total_minor);
        let discounted = total - total * terms.percent / Decimal::ONE_HUNDRED;
        let rounded = discounted.round_dp_with_strategy(
            self.currency.minor_units(),
            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
        );
        let minor = rounded * Decimal::from(10_i64.pow(exponent));
        i64::try_from(minor.trunc()).ok()
    }

    /// Money arrived (or went back) at `at`: whether the discount settles the invoice now, in truth.
    pub fn judge_discount(&mut self, at: DateTime<Utc>, zone: Tz) {
        let (Some(discounted), Some((_, deadline))) = (self.discounted_minor(), &self.early_payment) else {
            return;
        };
        let received = self.received_minor();
        let reaches = received >= discounted && received < self.total_minor;
        if !reaches {
            self.discount_settled = false;
        } else if at.with_timezone(&zone).date_naive() <= *deadline && self.status_by_accounting.is_none() {
            self.discount_settled = true;
        }
    }

    /// The copy the accounting system sends kindly now: what it knows of payments and status.
    pub fn accounting_copy(&self, customer: &CustomerId) -> Invoice {
        let paid = self.amount(self.received_processor + self.received_transfer);
        let total = self.amount(self.total_minor);
        // An accounting system that knows the terms marks an invoice the discount settled paid itself.
        let status = match self.status_by_accounting {
            Some(Settlement::Void) => InvoiceStatus::Void,
            Some(Settlement::Disputed) => InvoiceStatus::Disputed,
            None if paid >= total || self.discount_settled => InvoiceStatus::Paid,
            None => InvoiceStatus::Open,
        };
        Invoice {
            id: self.id.clone(),
            number: self.number.clone(),
            customer_id: customer.clone(),
            currency: self.currency,
            total: self.currency.round(total),
            paid: self.currency.round(paid),
            issue_date: self.issue_date,
            due_date: self.due_date,
            status,
            payment_link: Some(format!("https://pay.example/{}", self.id)),
            po_number: None,
            late_fee: None,
            early_payment: self.early_payment.as_ref().map(|(terms, _)| terms.clone()),
            payment_reference: self.payment_reference.clone(),
            processor_payments: self
                .processor_receipts
                .iter()
                .map(|(payment, minor)| (payment.clone(), self.amount(*minor)))
                .collect(),
            dunning: Default::default(),
            bookkeeping: Default::default(),
        }
    }
}

pub struct World {
    pub customers: Vec<Customer>,
    pub invoices: Vec<WorldInvoice>,
    pub start: NaiveDate,
}

/// The first simulated day: a Thursday, early enough that every daylight-saving change of the year falls
/// inside the run.
pub fn start_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("a valid date")
}

const LOCALES: [&str; 6] = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "nl-NL"];

/// Generate `customers` customers and a year of their invoices, arriving over `days` days.
pub fn generate(rng: &mut ChaCha8Rng, customers: usize, days: u32) -> World {
    let start = start_date();
    let end = start + Days::new(u64::from(days));
    let mut world = World {
        customers: Vec::with_capacity(customers),
        invoices: Vec::new(),
        start,
    };
    // Contracts are drawn from a stream of their own, so that adding them left each seed's world as it was.
    let mut terms_rng = rng.clone();
    terms_rng.set_stream(u64::from(u32::MAX) + 1);
    for index in 0..customers {
        let zone = ZONES[index % ZONES.len()];
        let id = CustomerId(format!("C{index:04}"));
        // Most name their country; the rest keep their locale's region's calendar.
        let country = rng.random_bool(0.8).then(|| {
            Country::from_code(ZONE_COUNTRIES[index % ZONES.len()]).expect("the simulator's countries are known")
        });
        // A few keep their own hours, earlier or later than the deployment's.
        let business_hours = match rng.random_range(0..10) {
            0 => Some(BusinessHours {
                from_hour: 8,
                to_hour: 16,
            }),
            1 => Some(BusinessHours {
                from_hour: 10,
                to_hour: 18,
            }),
            _ => None,
        };
        world.customers.push(Customer {
            id: id.clone(),
            display_name: format!("Customer {index}"),
            legal_name: format!("Customer {index} Ltd"),
            locale: LOCALES[rng.random_range(0..LOCALES.len())].to_owned(),
            time_zone: zone,
            billing_contacts: vec![Contact {
                salutation: None,
                surname: None,
                name: Some(format!("Accounts {index}")),
                email: format!("ap@c{index:04}.example"),
                phone: None,
                bounced: false,
                standing: Default::default(),
            }],
            escalation_contact: Some(Contact {
                salutation: None,
                surname: None,
                name: Some(format!("Director {index}")),
                email: format!("boss@c{index:04}.example"),
                phone: None,
                bounced: false,
                standing: Default::default(),
            }),
            pause: None,
            terms: contract_terms(&mut terms_rng),
            country,
            business_hours,
        });
        let currency = Currency::from_code(CURRENCIES[rng.random_range(0..CURRENCIES.len())])
            .expect("the simulator's currencies are ISO 4217 codes");
        let mut day = start + Days::new(rng.random_range(0..30));
        let mut sequence = 0;
        let workdays = Workdays::of(world.customers.last().expect("just pushed"));
        while day < end {
            let mut invoice = invoice(rng, index, zone, currency, day, sequence);
            offer_discount(rng, &mut invoice, zone, workdays);
            world.invoices.push(invoice);
            sequence += 1;
            day = day + Days::new(rng.random_range(20..70));
        }
    }
    world
        .invoices
        .sort_by(|a, b| (a.arrives_at, &a.id).cmp(&(b.arrives_at, &b.id)));
    world
}

/// One invoice of customer `index`, issued on `issue` (their local date), and how it will be paid.
fn invoice(
    rng: &mut ChaCha8Rng,
    index: usize,
    zone: Tz,
    currency: Currency,
    issue: NaiveDate,
    seq: u32,
) -> WorldInvoice {
    let id = InvoiceId(format!("I{index:04}-{seq:02}"));
    let exponent = processor_exponent(currency);
    // Whole units for the currencies the processor wants whole (JPY, ISK); a last zero digit for KWD.
    let units: i64 = match currency.code() {
        "JPY" | "ISK" | "HUF" => rng.random_range(5_000..400_000),
        "KWD" => rng.random_range(30..1_500),
        _ => rng.random_range(80..9_000),
    };
    let cents: i64 = match currency.code() {
        "JPY" | "ISK" | "HUF" => 0,
        "KWD" => rng.random_range(0..100) * 10,
        _ => rng.random_range(0..100),
    };
    let total_minor = units * 10_i64.pow(exponent) + cents;
    let due_date = issue + Days::new(if rng.random_bool(0.5) { 14 } else { 30 });
    // Most arrive the day they are issued; some are synced days late, a few only after they fell due.
    let lag = match rng.random_range(0..100) {
        0..80 => 0,
        80..95 => rng.random_range(1..6),
        _ => rng.random_range(15..40),
    };
    let arrives_at = local_instant(
        zone,
        issue + Days::new(lag),
        rng.random_range(0..24),
        rng.random_range(0..60),
    );
    let offset = |days: i64| {
        if days >= 0 {
            due_date + Days::new(days as u64)
        } else {
            due_date - Days::new(days.unsigned_abs())
        }
    };
    let at = |day: NaiveDate, rng: &mut ChaCha8Rng| {
        local_instant(zone, day.max(issue), rng.random_range(0..24), rng.random_range(0..60))
    };
    // A payment of `minor` some days (in `days`, relative to the due date) after the due date.
    let pay = |rng: &mut ChaCha8Rng, days: std::ops::Range<i64>, minor: i64| {
        let day = offset(rng.random_range(days));
        let when = at(day, rng);
        plan(rng, when, minor)
    };
    let mut payments = Vec::new();
    let whole = |minor: i64| minor - minor % 10_i64.pow(exponent).max(1);
    match rng.random_range(0..100) {
        // On time.
        0..30 => payments.push(pay(rng, -12..1, total_minor)),
        // Late.
        30..58 => payments.push(pay(rng, 1..25, total_minor)),
        // Very late.
        58..68 => payments.push(pay(rng, 25..80, total_minor)),
        // Partly, then the rest (or not).
        68..78 => {
            let part = whole(total_minor * rng.random_range(20..80) / 100);
            payments.push(pay(rng, -3..15, part));
            if rng.random_bool(0.7) {
                payments.push(pay(rng, 15..50, total_minor - part));
            }
        }
        // In pieces.
        78..86 => {
            let piece = whole(total_minor / 3);
            for (n, amount) in [piece, piece, total_minor - 2 * piece].into_iter().enumerate() {
                let from = 12 * n as i64;
                payments.push(pay(rng, from - 2..from + 10, amount));
            }
        }
        // Overpaid.
        86..90 => {
            let extra = whole(total_minor / 10).max(10_i64.pow(exponent));
            payments.push(pay(rng, -5..20, total_minor + extra));
        }
        // Never, within the year.
        _ => {}
    }
    if let Some(first) = payments.first_mut()
        && first.channel != Channel::Transfer
        && rng.random_bool(0.08)
    {
        let refunded = whole(first.minor / rng.random_range(2..5)).max(10_i64.pow(exponent));
        first.refund = Some((refunded, first.at + chrono::Duration::days(rng.random_range(1..20))));
    }
    let settlement = match rng.random_range(0..100) {
        0..2 => Some((Settlement::Void, at(offset(rng.random_range(-10..30)), rng))),
        2..4 => Some((Settlement::Disputed, at(offset(rng.random_range(0..30)), rng))),
        _ => None,
    };
    let stripe_invoice = rng.random_bool(0.3);
    for payment in &mut payments {
        if let Channel::Card { stripe_invoice: flag } = &mut payment.channel {
            *flag = stripe_invoice;
        }
    }
    WorldInvoice {
        payment_reference: stripe_invoice.then(|| format!("in_{}", id.0)),
        number: format!("SIM-{index:04}-{seq:02}"),
        id,
        customer: index,
        currency,
        total_minor,
        issue_date: issue,
        due_date,
        arrives_at,
        payments,
        settlement,
        received_processor: 0,
        processor_receipts: Default::default(),
        received_transfer: 0,
        status_by_accounting: None,
        refunded_ever: false,
        refunded_minor: 0,
        debits_in_flight: 0,
        imported: false,
        paid_rest: false,
        early_payment: None,
        discount_settled: false,
    }
}

/// Some customers' contracts charge interest on late payment: per month or per year, after a few grace
/// days or none (the rest fall under the policy's statute, where it applies).
fn contract_terms(rng: &mut ChaCha8Rng) -> ContractTerms {
    if !rng.random_bool(0.3) {
        return ContractTerms::default();
    }
    let (percent, per, period) = match rng.random_range(0..4) {
        0 => ("1.5", Per::Month, "month"),
        1 => ("2", Per::Month, "month"),
        2 => ("8", Per::Year, "year"),
        _ => ("12.5", Per::Year, "year"),
    };
    let grace_days = [0, 0, 5, 10][rng.random_range(0..4)];
    ContractTerms {
        late_fee: Some(ContractRemedy {
            charge: Charge::Interest {
                percent: percent.parse().expect("a decimal"),
                per,
            },
            grace_days,
            clause: format!("Late payment: {percent}% interest per {period}, section 9"),
        }),
        ..ContractTerms::default()
    }
}

/// Give some invoices early-payment terms: of those, some customers pay the discounted amount inside the
/// window, some a day or three after the deadline (and maybe the rest later); the others pay as planned.
fn offer_discount(rng: &mut ChaCha8Rng, invoice: &mut WorldInvoice, zone: Tz, workdays: Workdays) {
    if !rng.random_bool(0.25) {
        return;
    }
    let (percent, within_days) = [("2", 10_u32), ("3", 14), ("1.5", 7)][rng.random_range(0..3)];
    let terms = DiscountTerms {
        percent: percent.parse().expect("a percentage"),
        within_days,
    };
    let deadline = workdays.on_or_after(invoice.issue_date + Days::new(u64::from(within_days)));
    invoice.early_payment = Some((terms, deadline));
    let Some(discounted) = invoice.discounted_minor() else {
        return;
    };
    let day = match rng.random_range(0..100) {
        0..40 => {
            invoice.issue_date + Days::new(rng.random_range(0..=(deadline - invoice.issue_date).num_days()) as u64)
        }
        40..65 => deadline + Days::new(rng.random_range(1..4)),
        _ => return,
    };
    let at = local_instant(zone, day, rng.random_range(0..24), rng.random_range(0..60));
    let mut payment = plan(rng, at, discounted);
    // A bank debit clears days later, on a day of its own: the card or the transfer shows the day plainly.
    if matches!(payment.channel, Channel::Debit { .. }) {
        payment.channel = Channel::Card { stripe_invoice: false };
    }
    invoice.payments = vec![payment];
    if day > deadline && rng.random_bool(0.6) {
        let later = local_instant(zone, invoice.due_date + Days::new(rng.random_range(5..30)), 12, 0);
        let mut rest = plan(rng, later, 0);
        rest.rest = true;
        invoice.payments.push(rest);
    }
}

fn plan(rng: &mut ChaCha8Rng, at: DateTime<Utc>, minor: i64) -> PlannedPayment {
    let channel = match rng.random_range(0..100) {
        0..45 => Channel::Card { stripe_invoice: false },
        45..60 => Channel::Debit {
            fails: rng.random_bool(0.3),
        },
        _ => Channel::Transfer,
    };
    PlannedPayment {
        at,
        minor,
        channel,
        refund: None,
        rest: false,
    }
}

/// The instant of `hour:minute` on `day` in `zone` (the earlier one in a repeated hour, the first valid
/// minute after a skipped one).
pub fn local_instant(zone: Tz, day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(hour, minute, 0).expect("hour < 24, minute < 60");
    let mut local = day.and_time(time);
    loop {
        if let Some(instant) = zone.from_local_datetime(&local).earliest() {
            return instant.with_timezone(&Utc);
        }
        local += chrono::Duration::minutes(30);
    }
}
