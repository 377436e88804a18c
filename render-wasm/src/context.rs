//! The render context: everything a message shows, already formatted for the reader's locale.
//!
//! Callers (the core planner natively, the approval page in the browser) build or receive this value;
//! the renderer only lays it out. Keeping formatting out of the templates is what makes native and
//! WASM output byte-identical: both run the same template code over the same strings.

use serde::{Deserialize, Serialize};

/// A display name and an email address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    pub name: String,
    pub email: String,
}

/// The sending company, shown in every footer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyView {
    pub name: String,
    /// Postal address, one line each.
    pub address_lines: Vec<String>,
    pub website: Option<String>,
}

/// Who signs the message: the billing team, or the company head for the personal-touch stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureView {
    pub name: String,
    pub title: String,
    pub email: String,
    pub phone: Option<String>,
}

/// The customer as the message addresses them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerView {
    /// The organisation's name, e.g. "Acme GmbH".
    pub display_name: String,
    /// The person the message greets, e.g. "Jamie Lee"; `None` greets the organisation's team.
    pub contact_name: Option<String>,
    /// How a formal greeting names that person: `mr` or `ms` with `surname` ("Sehr geehrter Herr Weber");
    /// `None`: by name, or the formal greeting to all ("Sehr geehrte Damen und Herren").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salutation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// The same for the escalation contact in `cc`, when one is copied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cc_salutation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cc_surname: Option<String>,
}

/// One invoice line, every figure formatted in the reader's locale and the invoice's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLineView {
    pub number: String,
    pub po_number: Option<String>,
    pub issue_date: String,
    pub due_date: String,
    /// Negative before the due date, 0 on it, positive after.
    pub days_overdue: i64,
    pub total: String,
    pub balance: String,
    pub payment_link: Option<String>,
    /// What was paid beyond the total (an overpayment), e.g. "$10.00"; only a thank-you shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

/// What a message says about interest and fees, exactly as the core computed them (never "may apply"):
/// after the due date, what has accrued; before it, only a neutral reminder of the terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterestView {
    /// One line per covered invoice on which something has accrued, in the invoices' order; empty before
    /// the due date.
    pub lines: Vec<InterestLineView>,
    /// Interest and fees together, per currency, formatted, e.g. `["£51.64"]`.
    pub totals: Vec<String>,
    /// The last day to pay everything for the interest and fees to be waived, formatted; `None`: no offer.
    #[serde(default)]
    pub waive_by: Option<String>,
    /// Before the due date: the contracts' clauses that will apply to the covered invoices, quoted, each
    /// once (never an amount).
    #[serde(default)]
    pub clauses: Vec<String>,
    /// Before the due date: the statute that will apply to those with no clause (its key).
    #[serde(default)]
    pub statute: Option<String>,
}

/// What has accrued on one invoice, and under what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterestLineView {
    /// The invoice's number.
    pub invoice: String,
    /// The interest accrued, e.g. "£11.64"; `None` when only a fee applies.
    #[serde(default)]
    pub interest: Option<String>,
    /// The first day charged, formatted.
    pub since: String,
    /// The rate, e.g. "8.5%" (on the last day, when it changed with the half-years); with `interest`.
    #[serde(default)]
    pub rate: Option<String>,
    /// The period the rate is quoted for: `year` or `month`.
    #[serde(default)]
    pub per: Option<String>,
    /// The rate changed with the half-years since `since` (a statute's reference rate).
    #[serde(default)]
    pub rate_varied: bool,
    /// A statute's fixed compensation, or the contract's one-time or fixed fee, e.g. "£70.00".
    #[serde(default)]
    pub fee: Option<String>,
    /// The contract's clause, quoted; `None` under a statute.
    #[serde(default)]
    pub clause: Option<String>,
    /// The statute's key (`uk_late_payment_act_1998`, `eu_late_payment_directive`, `de_bgb_288`); each
    /// language names it in its own words.
    #[serde(default)]
    pub statute: Option<String>,
}

/// An early-payment discount that is still open on the day of the message, on every invoice it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlyDiscountView {
    /// e.g. "2%" or "2 %", in the reader's locale.
    pub percent: String,
    /// The last day the discount applies, formatted.
    pub pay_by: String,
    /// What to pay if paid by then, e.g. "$1,209.87".
    pub discounted_amount: String,
    /// What is owed after that day, e.g. "$1,234.57"; absent in drafts stored before messages said it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_amount: Option<String>,
}

/// How to pay, beyond the per-invoice payment links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentInstructionsView {
    /// e.g. "Bank transfer".
    pub method: String,
    /// One detail per line: account holder, IBAN, reference to quote...
    pub lines: Vec<String>,
}

/// A customer's answer from their own page, formatted: what an acknowledgement confirms, or what a later
/// message refers to ("On 3 March you told us you had paid…").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerView {
    /// `already_paid`, `dispute`, `promise`, `wrong_person` or `confirm_receipt`; for a payment plan,
    /// `instalment` (a note before one), `instalment_missed` or `plan` (it broke; `day` is the missed date).
    pub kind: String,
    /// The day they told us.
    pub said_on: String,
    /// The day they named: paid on, pay by, scheduled for payment.
    #[serde(default)]
    pub day: Option<String>,
    /// The last day reminders wait; `None`: until we have looked into it.
    #[serde(default)]
    pub until: Option<String>,
    /// The numbers of the invoices it is about.
    pub invoices: Vec<String>,
    /// What a question or dispute is about: `amount`, `not_received`, `missing_po`, `duplicate`, `other`.
    #[serde(default)]
    pub category: Option<String>,
    /// `open`, `kept`, `broken`, `confirmed` or `rejected`.
    pub state: String,
    /// Why we could not agree, when staff rejected it.
    #[serde(default)]
    pub reason: Option<String>,
    /// The contact they named (wrong person).
    #[serde(default)]
    pub contact: Option<String>,
    /// A payment plan's instalment (`instalment`, `instalment_missed`): what is left of it, its number
    /// from 1, and how many the plan has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instalment: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instalments: Option<u32>,
}

/// Everything one message needs. Serialised as JSON, this is what the approval page receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageContext {
    /// The stage's template, e.g. `"friendly_nudge"`; see [`crate::template_names`].
    pub template: String,
    /// The message language, e.g. `"en"` or `"de"`.
    pub language: String,
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub company: CompanyView,
    pub signature: SignatureView,
    pub customer: CustomerView,
    /// The invoices this message covers, oldest due date first.
    pub invoices: Vec<InvoiceLineView>,
    /// Balance due per currency, formatted, e.g. `["$1,234.56", "980,00 €"]`.
    pub totals: Vec<String>,
    /// In a message that lists invoices both overdue and not yet due (a conversation's "also due"): the
    /// overdue part of the balance per currency, formatted. Empty otherwise — all of one kind, or a draft
    /// stored before messages separated them — and then the message lists its invoices as one group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overdue_totals: Vec<String>,
    /// The most days any covered invoice is overdue (negative: days until the earliest due date).
    pub max_days_overdue: i64,
    pub payment: PaymentInstructionsView,
    /// The interest and fees accrued, from the policy's first interest stage on; before the due date, the
    /// terms alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interest: Option<InterestView>,
    pub early_discount: Option<EarlyDiscountView>,
    /// A note typed by finance staff on the approval page; rendered as plain escaped text.
    pub personal_note: Option<String>,
    /// The day the message is written, formatted.
    pub date: String,
    /// The answer an acknowledgement (or a promise's eve note) is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<AnswerView>,
    /// The customer's answers since the last message about these invoices, which this one refers to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_answers: Vec<AnswerView>,
    /// The customer's own page (statement, payment, questions), opened by a signed link; every message
    /// shows it when present. Absent in drafts stored before messages carried it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_page: Option<String>,
    /// A final-tone message's deadline, formatted: the last day to pay or to get in touch, counted in the
    /// customer's business days; `None` in every other message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// With a deadline, the day of the ladder's next step, formatted: when staff decide what becomes of
    /// the overdue invoices (write-off, plan or hand-over); `None` when the ladder has no later step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step_on: Option<String>,
}
