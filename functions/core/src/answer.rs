//! Customers' answers from their own page: "already paid", a question or dispute, a promise to pay by a
//! date, "wrong person", "received, thank you". Each answer steers the ladder: it holds the invoices it
//! names for a while (or until staff act), is acknowledged once, and is remembered, so later messages
//! refer to it ("On 3 March you told us you had paid…"). Pure: the services store and act on these.

use crate::actor::Actor;
use crate::calendar::Calendar;
use crate::customer::{CustomerId, email_problem};
use crate::error::CoreError;
use crate::invoice::InvoiceId;
use crate::limits;
use crate::policy::Policy;
use crate::reminder::ReminderId;
use chrono::{DateTime, Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// An answer's id. Derived from the customer, the message whose link was used and the form's one-time
/// value, so a form submitted twice (a double click, a reload) records once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AnswerId(pub String);

impl std::fmt::Display for AnswerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AnswerId {
    pub fn for_form(customer: &CustomerId, via: &ReminderId, form: &str) -> AnswerId {
        let mut hasher = Sha256::new();
        for part in [customer.0.as_str(), via.0.as_str(), form] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        AnswerId(format!("ans_{}", &hex::encode(hasher.finalize())[..24]))
    }
}

/// What a question or dispute is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeCategory {
    Amount,
    NotReceived,
    MissingPo,
    Duplicate,
    Other,
}

impl DisputeCategory {
    pub const ALL: [DisputeCategory; 5] = [
        DisputeCategory::Amount,
        DisputeCategory::NotReceived,
        DisputeCategory::MissingPo,
        DisputeCategory::Duplicate,
        DisputeCategory::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DisputeCategory::Amount => "amount",
            DisputeCategory::NotReceived => "not_received",
            DisputeCategory::MissingPo => "missing_po",
            DisputeCategory::Duplicate => "duplicate",
            DisputeCategory::Other => "other",
        }
    }
}

impl std::str::FromStr for DisputeCategory {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        DisputeCategory::ALL
            .into_iter()
            .find(|category| category.as_str() == text)
            .ok_or_else(|| format!("`{text}` is not a category (amount, not_received, missing_po, duplicate, other)"))
    }
}

/// What the customer told us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnswerKind {
    /// "We have paid": when, and optionally how much and with which reference.
    AlreadyPaid {
        paid_on: NaiveDate,
        #[serde(default)]
        amount: Option<Decimal>,
        #[serde(default)]
        reference: Option<String>,
    },
    /// A question or dispute about the invoices named.
    Dispute { category: DisputeCategory, text: String },
    /// "We will pay by this date."
    Promise { pay_by: NaiveDate },
    /// "Write to someone else": the right contact.
    WrongPerson {
        #[serde(default)]
        name: Option<String>,
        email: String,
    },
    /// "We received the invoice", and optionally the day it is scheduled for payment (a promise).
    ConfirmReceipt {
        #[serde(default)]
        scheduled_for: Option<NaiveDate>,
    },
    /// A person wrote back to one of our messages by email: a person reads it before kindly writes again.
    Reply {
        from: String,
        subject: String,
        text: String,
    },
    /// The recipient at `email` marked one of our messages as spam (a complaint report): a person looks
    /// at the customer before kindly writes again.
    Complaint {
        email: String,
        #[serde(default)]
        feedback_type: Option<String>,
    },
    /// Their mailbox answered by itself (an out-of-office note): the day its person is back, if it says.
    AutoReply {
        from: String,
        subject: String,
        #[serde(default)]
        returns_on: Option<NaiveDate>,
    },
}

impl AnswerKind {
    /// The kind's name, as in the store, the wire and the reasons report.
    pub fn name(&self) -> &'static str {
        match self {
            AnswerKind::AlreadyPaid { .. } => "already_paid",
            AnswerKind::Dispute { .. } => "dispute",
            AnswerKind::Promise { .. } => "promise",
            AnswerKind::WrongPerson { .. } => "wrong_person",
            AnswerKind::ConfirmReceipt { .. } => "confirm_receipt",
            AnswerKind::Reply { .. } => "reply",
            AnswerKind::AutoReply { .. } => "auto_reply",
            AnswerKind::Complaint { .. } => "complaint",
        }
    }

    /// Whether it came by email (a reply to a message) rather than from the customer's page: it gets no
    /// acknowledgement, and messages do not quote it back.
    pub fn is_email(&self) -> bool {
        matches!(
            self,
            AnswerKind::Reply { .. } | AnswerKind::AutoReply { .. } | AnswerKind::Complaint { .. }
        )
    }

    /// The day by which the customer said they would pay, if they named one.
    pub fn promised_day(&self) -> Option<NaiveDate> {
        match self {
            AnswerKind::Promise { pay_by } => Some(*pay_by),
            AnswerKind::ConfirmReceipt { scheduled_for } => *scheduled_for,
            _ => None,
        }
    }
}

/// Where an answer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerState {
    /// Waiting: for staff (a claimed payment, a dispute, a new contact) or for its date (a promise).
    Open,
    /// A promise paid in time.
    Kept,
    /// A promise whose day passed with money still owed.
    Broken,
    /// Staff confirmed it: the payment arrived, the dispute is upheld, the new contact is right. A receipt
    /// confirmation without a payment date is confirmed at once.
    Confirmed,
    /// Staff rejected it (with a reason): the ladder resumes.
    Rejected,
}

impl AnswerState {
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerState::Open => "open",
            AnswerState::Kept => "kept",
            AnswerState::Broken => "broken",
            AnswerState::Confirmed => "confirmed",
            AnswerState::Rejected => "rejected",
        }
    }
}

/// Who settled an answer, when, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub by: Actor,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub note: Option<String>,
}

/// One answer from a customer's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub id: AnswerId,
    pub customer_id: CustomerId,
    /// The message whose link the customer followed.
    pub via: ReminderId,
    /// The invoices it is about (none for "wrong person", which is about the customer).
    pub invoices: Vec<InvoiceId>,
    pub kind: AnswerKind,
    pub at: DateTime<Utc>,
    /// The customer's local date when they answered.
    pub local_date: NaiveDate,
    /// The last day the invoices are held; `None` while [`AnswerState::Open`]: until staff act.
    #[serde(default)]
    pub hold_until: Option<NaiveDate>,
    pub state: AnswerState,
    #[serde(default)]
    pub settled: Option<Settlement>,
    /// The acknowledgement message queued for it.
    #[serde(default)]
    pub acknowledgement: Option<ReminderId>,
    /// Bumped by every write, so a change can be conditional on nothing having changed.
    #[serde(default)]
    pub revision: u64,
}

impl Answer {
    /// Whether a person must act on it: an open payment claim, dispute or new contact.
    pub fn needs_staff(&self) -> bool {
        self.state == AnswerState::Open
            && matches!(
                self.kind,
                AnswerKind::AlreadyPaid { .. }
                    | AnswerKind::Dispute { .. }
                    | AnswerKind::WrongPerson { .. }
                    | AnswerKind::Reply { .. }
                    | AnswerKind::Complaint { .. }
            )
    }

    /// Whether it holds its invoices on the customer-local `day`: open (or an upheld dispute, until the
    /// corrected invoice arrives) and not past its hold.
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        let upheld_dispute = self.state == AnswerState::Confirmed && matches!(self.kind, AnswerKind::Dispute { .. });
        (self.state == AnswerState::Open || upheld_dispute) && self.hold_until.is_none_or(|until| day <= until)
    }

    /// Whether it holds every message to the customer on the customer-local `day`, not only about its
    /// invoices: a contact in question (until staff decide), a reply (until a person has read it, or its
    /// last day), an out-of-office note (until its person is back).
    pub fn holds_customer_on(&self, day: NaiveDate) -> bool {
        let until = self.hold_until.is_none_or(|until| day <= until);
        match self.kind {
            AnswerKind::WrongPerson { .. } | AnswerKind::Complaint { .. } => self.state == AnswerState::Open,
            AnswerKind::Reply { .. } => self.state == AnswerState::Open && until,
            AnswerKind::AutoReply { .. } => self.hold_until.is_some() && until,
            _ => false,
        }
    }

    /// Mark it settled: `state`, by whom, when, why. Only an open answer (or an upheld dispute, which a
    /// corrected invoice ends) may be settled.
    pub fn settle(
        &mut self,
        state: AnswerState,
        by: Actor,
        at: DateTime<Utc>,
        note: Option<String>,
    ) -> Result<(), CoreError> {
        let upheld_dispute = self.state == AnswerState::Confirmed && matches!(self.kind, AnswerKind::Dispute { .. });
        if !(self.state == AnswerState::Open || upheld_dispute) || state == AnswerState::Open {
            return Err(CoreError::Conflict(format!(
                "answer {} is {}; it cannot become {}",
                self.id,
                self.state.as_str(),
                state.as_str()
            )));
        }
        self.state = state;
        self.settled = Some(Settlement { by, at, note });
        self.revision += 1;
        Ok(())
    }
}

/// The last day an answer given on `today` holds its invoices: a promise until its day, a claimed payment
/// for the policy's business days (in the customer's `calendar`); `None` for what waits for staff (a
/// dispute, a new contact).
pub fn hold_until(policy: &Policy, kind: &AnswerKind, today: NaiveDate, calendar: Calendar) -> Option<NaiveDate> {
    let business_days = |days: u32| calendar.add_business_days(today, i32::try_from(days).unwrap_or(i32::MAX));
    match kind {
        AnswerKind::AlreadyPaid { .. } => Some(business_days(policy.answers.payment_claim_days)),
        AnswerKind::Promise { pay_by } => Some(*pay_by),
        AnswerKind::ConfirmReceipt { scheduled_for } => Some(scheduled_for.unwrap_or(today)),
        AnswerKind::Reply { .. } => Some(business_days(policy.mail_feedback.reply_pause_days)),
        // Back on that day: the next message goes on the first business day after it.
        AnswerKind::AutoReply { returns_on, .. } => returns_on.map(|back| calendar.after(back) - Days::new(1)),
        AnswerKind::Dispute { .. } | AnswerKind::WrongPerson { .. } | AnswerKind::Complaint { .. } => None,
    }
}

/// What is wrong with `kind` as an answer given on the customer-local `today`, naming the form field.
pub fn check(policy: &Policy, kind: &AnswerKind, today: NaiveDate) -> Result<(), CoreError> {
    let invalid = |field: &'static str, problem: String| CoreError::InvalidField {
        record: "answer",
        id: kind.name().to_owned(),
        field,
        problem,
    };
    let text = |field: &'static str, value: &str, max: usize| {
        if value.chars().count() > max {
            Err(invalid(field, format!("is longer than {max} characters")))
        } else if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            Err(invalid(field, "contains control characters".into()))
        } else {
            Ok(())
        }
    };
    let limit = today + Days::new(u64::from(policy.answers.promise_limit_days));
    let in_window = |field: &'static str, day: NaiveDate| {
        if day < today {
            Err(invalid(field, format!("{day} has passed; name a day from today on")))
        } else if day > limit {
            Err(invalid(
                field,
                format!("{day} is too far ahead; name a day by {limit} or write to us"),
            ))
        } else {
            Ok(())
        }
    };
    match kind {
        AnswerKind::AlreadyPaid {
            paid_on,
            amount,
            reference,
        } => {
            if *paid_on > today {
                return Err(invalid("paid_on", format!("{paid_on} is in the future")));
            }
            if *paid_on < today - Days::new(366) {
                return Err(invalid("paid_on", format!("{paid_on} is more than a year ago")));
            }
            if amount.is_some_and(|amount| amount <= Decimal::ZERO) {
                return Err(invalid("amount", "must be more than zero".into()));
            }
            if let Some(reference) = reference {
                text("reference", reference, limits::NUMBER)?;
            }
        }
        AnswerKind::Dispute { text: said, .. } => {
            if said.trim().is_empty() {
                return Err(invalid("text", "is empty; tell us what is wrong".into()));
            }
            text("text", said, limits::ANSWER_TEXT)?;
        }
        AnswerKind::Promise { pay_by } => in_window("pay_by", *pay_by)?,
        AnswerKind::ConfirmReceipt { scheduled_for } => {
            if let Some(day) = scheduled_for {
                in_window("scheduled_for", *day)?;
            }
        }
        AnswerKind::WrongPerson { name, email } => {
            if let Some(name) = name {
                text("name", name, limits::NAME)?;
            }
            if let Some(problem) = email_problem(email) {
                return Err(invalid("email", problem.to_owned()));
            }
        }
        // What arrived by email is what it is; the parser already bounded its size.
        AnswerKind::Reply { .. } | AnswerKind::AutoReply { .. } | AnswerKind::Complaint { .. } => {}
    }
    Ok(())
}

/// An answer given on `today` by a customer keeping `calendar`, as first stored: open (or settled at once, for a bare receipt
/// confirmation), holding its invoices for as long as [`hold_until`] says.
#[allow(clippy::too_many_arguments)]
pub fn new_answer(
    policy: &Policy,
    customer: &CustomerId,
    via: &ReminderId,
    form: &str,
    invoices: Vec<InvoiceId>,
    kind: AnswerKind,
    at: DateTime<Utc>,
    today: NaiveDate,
    calendar: Calendar,
) -> Result<Answer, CoreError> {
    check(policy, &kind, today)?;
    // Nothing for anyone to decide: a bare receipt confirmation, an automatic reply.
    let bare_receipt = matches!(
        kind,
        AnswerKind::ConfirmReceipt { scheduled_for: None } | AnswerKind::AutoReply { .. }
    );
    let mut answer = Answer {
        id: AnswerId::for_form(customer, via, form),
        customer_id: customer.clone(),
        via: via.clone(),
        invoices,
        hold_until: hold_until(policy, &kind, today, calendar),
        kind,
        at,
        local_date: today,
        state: AnswerState::Open,
        settled: None,
        acknowledgement: None,
        revision: 0,
    };
    if bare_receipt {
        answer.state = AnswerState::Confirmed;
        if !matches!(answer.kind, AnswerKind::AutoReply { .. }) {
            answer.hold_until = None;
        }
    }
    Ok(answer)
}

/// What a promise came to, judged on the customer-local `today` with `owed` telling whether any of its
/// invoices is still owed: kept once nothing is owed, broken once its day passed; still open otherwise.
pub fn promise_outcome(answer: &Answer, owed: bool, today: NaiveDate) -> Option<AnswerState> {
    let day = answer.kind.promised_day()?;
    if answer.state != AnswerState::Open {
        return None;
    }
    if !owed {
        return Some(if today <= day {
            AnswerState::Kept
        } else {
            AnswerState::Broken
        });
    }
    (today > day).then_some(AnswerState::Broken)
}

#[cfg(test)]
#[path = "answer_tests.rs"]
mod tests;
