//! The reminder policy: an ordered ladder of stages relative to the due date, loaded from TOML and
//! validated against the rules that keep reminders polite.

use crate::calendar::{BusinessHours, Calendar};
use crate::catalog::{RendererCatalog, TemplateCatalog};
use crate::error::CoreError;
use crate::interest_policy::InterestRules;
use crate::tone::{Approval, Tone};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One rung of the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub id: String,
    /// Days from the due date: negative before it.
    pub offset_days: i64,
    pub tone: Tone,
    /// The message template; `None` for a stage that is only a task for staff.
    #[serde(default)]
    pub template: Option<String>,
    /// A key of [`Policy::senders`].
    pub sender: String,
    #[serde(default)]
    pub cc_escalation: bool,
    pub approval: Approval,
    /// The older way to say from which stage messages state interest: the first stage with it set is
    /// [`InterestRules::from_stage`] when that is not given.
    #[serde(default)]
    pub mention_late_fees: bool,
    /// Something a person should do at this stage, e.g. "call the AP contact".
    #[serde(default)]
    pub task: Option<String>,
}

/// Who a message comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SenderIdentity {
    pub name: String,
    pub title: String,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// Where replies go, when not to `email` (the head's note may route replies to billing).
    #[serde(default)]
    pub reply_to: Option<String>,
    /// The name and title in other message languages, keyed by language (`de`); messages in a language
    /// without an entry use `name` and `title`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, TranslatedSender>,
}

/// A sender's name and title in one more language; either may be left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslatedSender {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
}

impl SenderIdentity {
    /// The name and title for a message in `language`.
    pub fn in_language(&self, language: &str) -> (&str, &str) {
        let translated = self.translations.get(language);
        (
            translated.and_then(|t| t.name.as_deref()).unwrap_or(&self.name),
            translated.and_then(|t| t.title.as_deref()).unwrap_or(&self.title),
        )
    }
}

/// The sending company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub name: String,
    pub address_lines: Vec<String>,
    #[serde(default)]
    pub website: Option<String>,
}

/// How customers pay, printed in every message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentInstructions {
    pub method: String,
    pub lines: Vec<String>,
    /// The same instructions in other message languages, keyed by language (`de`); messages in a
    /// language without an entry use `method` and `lines`.
    #[serde(default)]
    pub translations: BTreeMap<String, TranslatedPayment>,
}

/// Payment instructions in one more language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslatedPayment {
    pub method: String,
    pub lines: Vec<String>,
}

impl PaymentInstructions {
    /// The method and lines for a message in `language`.
    pub fn in_language(&self, language: &str) -> (&str, &[String]) {
        match self.translations.get(language) {
            Some(translated) => (&translated.method, &translated.lines),
            None => (&self.method, &self.lines),
        }
    }
}

/// A whole policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The fewest days between two messages to one customer.
    #[serde(default = "default_min_gap_days")]
    pub min_gap_days: u32,
    /// How many days a payment may stay pending (a bank debit clearing) before kindly stops waiting for
    /// the processor's outcome: the invoice is then held for staff to check the payment.
    #[serde(default = "default_pending_payment_days")]
    pub pending_payment_days: u32,
    /// How many days the link to the customer's own page, written into a message, keeps working.
    #[serde(default = "default_customer_link_days")]
    pub customer_link_days: u32,
    /// The business days, in the customer's calendar, that a final-tone message gives to pay or to get in
    /// touch; it names that day, and the day of the ladder's next step.
    #[serde(default = "default_final_notice_days")]
    pub final_notice_days: u32,
    /// How customers' answers from their page steer the ladder.
    #[serde(default)]
    pub answers: AnswerRules,
    #[serde(default)]
    pub mail_feedback: MailFeedbackRules,
    /// What customers may agree on their own page, and when a plan's notes go out and it breaks.
    #[serde(default)]
    pub payment_plans: crate::instalments::PlanRules,
    /// Interest and fees for late payment: the statute, its rate tables, and which stages state them.
    #[serde(default)]
    pub interest: InterestRules,
    pub company: Company,
    pub payment: PaymentInstructions,
    pub senders: BTreeMap<String, SenderIdentity>,
    pub stages: Vec<Stage>,
    /// Thank customers once an invoice is paid in full; no thank-you when absent.
    #[serde(default)]
    pub thank_you: Option<ThankYou>,
    /// A note before an early-payment discount's deadline ([`crate::discount`]); none when absent.
    #[serde(default)]
    pub discounts: Option<crate::discount::DiscountNotes>,
    /// The customer-local hours in which messages go out, set by the deployment (on AWS from
    /// `KINDLY_BUSINESS_HOURS`), not by the policy file; `None` (locally): at any hour. Planning reads it to
    /// plan each customer for the local day their message goes out on ([`crate::calendar::sending_day`]).
    #[serde(skip)]
    pub sending_hours: Option<BusinessHours>,
    /// The links to customers' own pages written into every message, set by the deployment with its keys
    /// (never from the policy file; `Debug` shows no key); `None`: messages carry no link.
    #[serde(skip)]
    pub customer_links: Option<crate::link::CustomerLinks>,
    /// The domain that receives replies, set by the deployment (on AWS from `KINDLY_REPLY_DOMAIN`), never
    /// by the policy file. With it (and `customer_links`' keys), each message's Reply-To is its own signed
    /// address there ([`crate::feedback::reply_local_part`]), under the sender's name, so a reply names the
    /// message it answers; `None`: the sender's `reply_to`, and replies are matched by their In-Reply-To.
    #[serde(skip)]
    pub reply_domain: Option<String>,
}

/// How customers' answers steer the ladder ([`crate::answer`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnswerRules {
    /// After "already paid", the business days reminders wait for the payment before the ladder resumes.
    pub payment_claim_days: u32,
    /// The furthest ahead, in days, a customer may promise to pay without writing to us.
    pub promise_limit_days: u32,
    /// A courteous note the business day before a promised day.
    pub promise_eve_note: bool,
    /// The most answers one customer may give in a day; more are refused politely.
    pub per_customer_per_day: u32,
}

impl Default for AnswerRules {
    fn default() -> Self {
        AnswerRules {
            payment_claim_days: 5,
            promise_limit_days: 30,
            promise_eve_note: true,
            per_customer_per_day: 10,
        }
    }
}

/// What the mail system's feedback does ([`crate::feedback`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailFeedbackRules {
    /// Transient bounces of one address within `soft_bounce_days` that count as a hard bounce.
    pub soft_bounce_limit: u32,
    pub soft_bounce_days: u32,
    /// After a person's reply by email, the business days the customer's reminders wait for someone to
    /// read it (doing its task ends the wait sooner).
    pub reply_pause_days: u32,
    /// The billing mailbox a person's reply by email is forwarded to, once, so people who work from their
    /// mail client see it there too (Reply-To: the customer); `None`: replies show in the tasks inbox only.
    pub forward_replies_to: Option<String>,
}

impl Default for MailFeedbackRules {
    fn default() -> Self {
        MailFeedbackRules {
            soft_bounce_limit: 3,
            soft_bounce_days: 14,
            reply_pause_days: 3,
            forward_replies_to: None,
        }
    }
}

/// The stage id of an acknowledgement of a customer's answer; no ladder stage may use it.
pub const ACKNOWLEDGEMENT_STAGE: &str = "acknowledgement";

/// The stage id of the courteous note the business day before a promised payment; no ladder stage may use it.
pub const PROMISE_EVE_STAGE: &str = "promise_eve";

/// The stage ids of a payment plan's messages: the gentle note before an instalment, the one courteous
/// reminder after a missed one, and the task asking staff to decide a plan a customer asked for outside the
/// policy's limits. No ladder stage may use them.
pub const INSTALMENT_NOTE_STAGE: &str = "instalment_note";
pub const INSTALMENT_MISSED_STAGE: &str = "instalment_missed";
pub const PLAN_REQUEST_STAGE: &str = "plan_request";

/// The stage id thank-you messages carry; no ladder stage may use it.
pub const THANK_YOU_STAGE: &str = "thank_you";

/// The stage id of a task asking staff to settle a payment kindly could not apply by itself (see
/// [`crate::payment`]); no ladder stage may use it.
pub const PAYMENT_REVIEW_STAGE: &str = "payment_review";

/// The stage id of the note before an early-payment discount's deadline; no ladder stage may use it.
pub const DISCOUNT_NOTE_STAGE: &str = "discount_note";

/// The stage ids kindly gives its own messages and tasks, which no ladder stage may use.
pub const KINDLYS_OWN_STAGES: [&str; 5] = [
    THANK_YOU_STAGE,
    PAYMENT_REVIEW_STAGE,
    ACKNOWLEDGEMENT_STAGE,
    PROMISE_EVE_STAGE,
    DISCOUNT_NOTE_STAGE,
];

/// A thank-you after payment: not a rung of the ladder, so it has no offset and moves no invoice along it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThankYou {
    #[serde(default = "default_thank_you_template")]
    pub template: String,
    /// A key of [`Policy::senders`].
    pub sender: String,
    pub approval: Approval,
    /// Thank only for invoices the customer was reminded about (the default): paying on time needs no mail.
    #[serde(default = "default_true")]
    pub only_after_reminders: bool,
}

fn default_thank_you_template() -> String {
    kindly_render::THANK_YOU_TEMPLATE.to_owned()
}

fn default_true() -> bool {
    true
}

impl ThankYou {
    /// The thank-you as a stage, for composing its message: courteous, no fees, nobody copied.
    pub fn as_stage(&self) -> Stage {
        Stage {
            id: THANK_YOU_STAGE.to_owned(),
            offset_days: 0,
            tone: Tone::Courteous,
            template: Some(self.template.clone()),
            sender: self.sender.clone(),
            cc_escalation: false,
            approval: self.approval,
            mention_late_fees: false,
            task: None,
        }
    }
}

/// A quarter: long enough for a slow payer to come back to an old message, short enough that a forwarded
/// or leaked link stops showing the account.
fn default_customer_link_days() -> u32 {
    90
}

/// A working week: time for a payment run or a call about a plan, and over before the shipped ladder's
/// last step, ten days after its final notice.
fn default_final_notice_days() -> u32 {
    5
}

fn default_min_gap_days() -> u32 {
    3
}

/// A SEPA debit may take up to 14 days to settle; ACH a few business days.
fn default_pending_payment_days() -> u32 {
    14
}

/// Words that belong only in a final-tone message. A trailing `*` matches any word that starts so
/// (German compounds: "Inkassounternehmen").
const COLLECTIONS_WORDS: &[&str] = &[
    "collection agency",
    "collections",
    "debt collector*",
    "legal action",
    "legal proceedings",
    "lawyer*",
    "attorney*",
    "court",
    "courts",
    "inkasso*",
    "rechtliche schritte",
    "anwalt*",
    "gericht*",
    "mahnverfahren",
];

/// The first collections/legal word in `text`, matched on word boundaries ("court" is not "courteous").
fn collections_word(text: &str) -> Option<&'static str> {
    let words: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let padded = format!(" {} ", words.split_whitespace().collect::<Vec<_>>().join(" "));
    COLLECTIONS_WORDS
        .iter()
        .copied()
        .find(|word| match word.strip_suffix('*') {
            Some(prefix) => padded.contains(&format!(" {prefix}")),
            None => padded.contains(&format!(" {word} ")),
        })
}

/// A stage's template is a ladder message (not one of the messages kindly sends by itself about answers
/// and plans, which the approval page's renderer leaves out), exists in every language and, below the final
/// tone, says nothing of collections.
fn check_template(stage: &Stage, catalog: &dyn TemplateCatalog) -> Result<(), String> {
    let Some(template) = &stage.template else {
        return Ok(());
    };
    if template.contains('/') {
        return Err(format!(
            "template `{template}` is not a ladder message: a stage names one of the templates at the top of a \
             language's folder"
        ));
    }
    for language in catalog.languages() {
        if !catalog.has_template(&language, template) {
            return Err(format!("template `{template}` is missing in language `{language}`"));
        }
        let source = catalog.source(&language, template).unwrap_or_default();
        if stage.tone != Tone::Final
            && let Some(word) = collections_word(&source)
        {
            return Err(format!(
                "template `{template}` ({language}) uses collections/legal wording (\"{word}\"), allowed only at \
                 the final tone"
            ));
        }
    }
    Ok(())
}

/// The policy kindly ships with, following good practice (see `default-policy.toml`).
pub const DEFAULT_POLICY_TOML: &str = include_str!("../default-policy.toml");

impl Policy {
    /// Parse and validate a policy file against the shipped templates.
    pub fn from_toml(text: &str) -> Result<Policy, CoreError> {
        Self::from_toml_with(text, &RendererCatalog)
    }

    /// Parse and validate against any template catalog.
    pub fn from_toml_with(text: &str, catalog: &dyn TemplateCatalog) -> Result<Policy, CoreError> {
        let policy: Policy = toml::from_str(text).map_err(|e| CoreError::PolicySyntax(e.to_string()))?;
        policy.validate(catalog)?;
        Ok(policy)
    }

    /// The shipped default policy (parsed and validated once per process).
    pub fn default_policy() -> Policy {
        static DEFAULT: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
        DEFAULT
            .get_or_init(|| Policy::from_toml(DEFAULT_POLICY_TOML).expect("the shipped policy is valid (tested)"))
            .clone()
    }

    /// Check every rule; the error names the stage and the rule broken.
    pub fn validate(&self, catalog: &dyn TemplateCatalog) -> Result<(), CoreError> {
        if self.stages.is_empty() {
            return Err(CoreError::Policy("needs at least one stage".into()));
        }
        if self.min_gap_days == 0 {
            return Err(CoreError::Policy("min_gap_days must be at least 1".into()));
        }
        if self.pending_payment_days == 0 {
            return Err(CoreError::Policy("pending_payment_days must be at least 1".into()));
        }
        if self.customer_link_days == 0 {
            return Err(CoreError::Policy("customer_link_days must be at least 1".into()));
        }
        if !(1..=60).contains(&self.final_notice_days) {
            return Err(CoreError::Policy(
                "final_notice_days must be between 1 and 60 business days".into(),
            ));
        }
        if self.answers.promise_limit_days == 0 {
            return Err(CoreError::Policy(
                "answers.promise_limit_days must be at least 1".into(),
            ));
        }
        if self.answers.per_customer_per_day == 0 {
            return Err(CoreError::Policy(
                "answers.per_customer_per_day must be at least 1".into(),
            ));
        }
        if let Some((field, problem)) = self.payment_plans.problem() {
            return Err(CoreError::Policy(format!("payment_plans.{field}: {problem}")));
        }
        for (name, sender) in &self.senders {
            if !crate::customer::looks_like_email(&sender.email) {
                return Err(CoreError::Policy(format!(
                    "sender `{name}`: `{}` is not an email address",
                    sender.email
                )));
            }
        }
        if let Some(mailbox) = &self.mail_feedback.forward_replies_to
            && !crate::customer::looks_like_email(mailbox)
        {
            return Err(CoreError::Policy(format!(
                "mail_feedback.forward_replies_to: `{mailbox}` is not an email address"
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for (index, stage) in self.stages.iter().enumerate() {
            let broken = |rule: String| CoreError::PolicyStage {
                stage: stage.id.clone(),
                rule,
            };
            if stage.id.trim().is_empty() {
                return Err(CoreError::Policy(format!("stage {} has an empty id", index + 1)));
            }
            if !seen.insert(stage.id.as_str()) {
                return Err(broken("stage ids must be unique".into()));
            }
            if KINDLYS_OWN_STAGES.contains(&stage.id.as_str()) {
                return Err(broken(format!(
                    "`{}` is kindly's own id (thank-yous, payment reviews, acknowledgements), not a ladder stage's",
                    stage.id
                )));
            }
            if !self.senders.contains_key(&stage.sender) {
                return Err(broken(format!(
                    "sender `{}` is not defined under [senders]",
                    stage.sender
                )));
            }
            if stage.template.is_none() && stage.task.is_none() {
                return Err(broken("a stage needs a template, a task, or both".into()));
            }
            if stage.mention_late_fees && stage.offset_days <= 0 {
                return Err(broken("late fees may only be mentioned after the due date".into()));
            }
            match index.checked_sub(1).map(|previous| &self.stages[previous]) {
                None if stage.tone != Tone::Courteous => {
                    return Err(broken("the first stage must be courteous".into()));
                }
                Some(previous) if stage.offset_days <= previous.offset_days => {
                    return Err(broken(format!(
                        "offsets must strictly increase (this one is {} days, the stage before `{}` is {})",
                        stage.offset_days, previous.id, previous.offset_days
                    )));
                }
                Some(previous) if stage.tone < previous.tone => {
                    return Err(broken(format!(
                        "tone may not fall back from {} to {}",
                        previous.tone, stage.tone
                    )));
                }
                Some(previous) if stage.tone.level() > previous.tone.level() + 1 => {
                    return Err(broken(format!(
                        "tone may rise at most one level per stage (from {} to {} skips a step)",
                        previous.tone, stage.tone
                    )));
                }
                _ => {}
            }
            check_template(stage, catalog).map_err(broken)?;
        }
        let offset = |id: &str| {
            self.stages
                .iter()
                .find(|stage| stage.id == id)
                .map(|stage| stage.offset_days)
        };
        if let Some(problem) = self.interest.problem(offset) {
            return Err(CoreError::Policy(problem));
        }
        if let Some(thank_you) = &self.thank_you {
            let stage = thank_you.as_stage();
            let broken = |rule: String| CoreError::PolicyStage {
                stage: THANK_YOU_STAGE.into(),
                rule,
            };
            if !self.senders.contains_key(&stage.sender) {
                return Err(broken(format!(
                    "sender `{}` is not defined under [senders]",
                    stage.sender
                )));
            }
            check_template(&stage, catalog).map_err(broken)?;
        }
        if let Some(stage) = self.discount_note_stage() {
            let broken = |field: &str, problem: String| CoreError::Policy(format!("discounts.{field}: {problem}"));
            if let Some((field, problem)) = self.discounts.as_ref().and_then(|notes| notes.problem()) {
                return Err(broken(field, problem));
            }
            if !self.senders.contains_key(&stage.sender) {
                return Err(broken(
                    "sender",
                    format!("`{}` is not defined under [senders]", stage.sender),
                ));
            }
            check_template(&stage, catalog).map_err(|problem| broken("template", problem))?;
        }
        Ok(())
    }

    /// The discount note as a stage, for composing its message: courteous, automatic, no fees, nobody
    /// copied, from its own sender or the ladder's first. `None` without a `[discounts]` table.
    pub fn discount_note_stage(&self) -> Option<Stage> {
        let notes = self.discounts.as_ref()?;
        let first_sender = || {
            self.stages
                .first()
                .map(|stage| stage.sender.clone())
                .unwrap_or_default()
        };
        Some(Stage {
            id: DISCOUNT_NOTE_STAGE.to_owned(),
            offset_days: 0,
            tone: Tone::Courteous,
            template: Some(notes.template.clone()),
            sender: notes.sender.clone().unwrap_or_else(first_sender),
            cc_escalation: false,
            approval: Approval::Auto,
            mention_late_fees: false,
            task: None,
        })
    }

    pub fn stage_index(&self, stage_id: &str) -> Option<usize> {
        self.stages.iter().position(|stage| stage.id == stage_id)
    }

    /// Whether messages at `stage` state the interest and fees accrued: ladder stages from
    /// [`InterestRules::from_stage`] on (or, without it, from the first stage marked `mention_late_fees`).
    pub fn states_interest(&self, stage: &Stage) -> bool {
        let from = match &self.interest.from_stage {
            Some(id) => self.stage_index(id),
            None => self.stages.iter().position(|stage| stage.mention_late_fees),
        };
        from.zip(self.stage_index(&stage.id))
            .is_some_and(|(from, index)| index >= from)
    }

    pub fn sender(&self, stage: &Stage) -> &SenderIdentity {
        &self.senders[&stage.sender]
    }

    /// The day a stage falls due for an invoice due on `due_date`, for a customer keeping `calendar`: a
    /// stage that falls on a day off moves to the next business day, a courtesy note before the due date
    /// to the previous one (it must still come before the due date).
    pub fn stage_date(stage: &Stage, due_date: NaiveDate, calendar: Calendar) -> NaiveDate {
        let date = Self::calendar_stage_date(stage, due_date);
        if stage.offset_days < 0 {
            calendar.on_or_before(date)
        } else {
            calendar.on_or_after(date)
        }
    }

    /// The earliest day a stage can fall due in any calendar kindly knows: the stores index invoices by
    /// it, since they do not know the customer's. A day off moves a stage after the due date forward only;
    /// one before it may move back across the longest run of days off in the data.
    fn earliest_stage_date(stage: &Stage, due_date: NaiveDate) -> NaiveDate {
        let date = Self::calendar_stage_date(stage, due_date);
        if stage.offset_days < 0 {
            let days_off = crate::holidays::longest_days_off();
            date.checked_sub_days(Days::new(u64::from(days_off)))
                .unwrap_or(NaiveDate::MIN)
        } else {
            date
        }
    }

    /// `stage.offset_days` calendar days from `due_date`.
    fn calendar_stage_date(stage: &Stage, due_date: NaiveDate) -> NaiveDate {
        let days = Days::new(stage.offset_days.unsigned_abs());
        if stage.offset_days >= 0 {
            due_date.checked_add_days(days).unwrap_or(NaiveDate::MAX)
        } else {
            due_date.checked_sub_days(days).unwrap_or(NaiveDate::MIN)
        }
    }

    /// The stages after the last one done for an invoice (all of them when none was done).
    pub fn stages_after(&self, last_stage: Option<&str>) -> usize {
        last_stage
            .and_then(|id| self.stage_index(id))
            .map_or(0, |index| index + 1)
    }

    /// The day the next stage falls due for an invoice, or `None` when the ladder is finished or the
    /// invoice is not remindable. Stores index open invoices by this date.
    /// A payment-pending invoice's next action is the day kindly stops waiting for its oldest pending
    /// payment (`pending_payment_days` after the processor said it was on its way).
    pub fn next_action_on(&self, invoice: &crate::invoice::Invoice) -> Option<NaiveDate> {
        if invoice.status == crate::invoice::InvoiceStatus::PaymentPending {
            let waiting_since = invoice
                .bookkeeping
                .payments_in_flight
                .values()
                .filter(|payment| payment.pending)
                .map(|payment| payment.at)
                .min()?;
            return Some((waiting_since + chrono::Duration::days(i64::from(self.pending_payment_days))).date_naive());
        }
        if !invoice.is_remindable() {
            return None;
        }
        let next = self.stages_after(invoice.dunning.last_stage.as_deref());
        // Held by an answer: from the day after the hold, or not at all until staff act.
        let held_until = match invoice.bookkeeping.hold.as_ref().filter(|hold| !hold.lifted) {
            Some(hold) => Some(hold.until?.succ_opt()?),
            None => None,
        };
        let ladder = self
            .stages
            .get(next)
            .map(|stage| Self::earliest_stage_date(stage, invoice.due_date));
        // The discount note's day, while the invoice awaits one; it leaves the ladder's days as they are.
        let note = self
            .discounts
            .as_ref()
            .and_then(|notes| crate::discount::earliest_note_day(invoice, notes.note_business_days_before));
        [ladder, note]
            .into_iter()
            .flatten()
            .min()
            .map(|date| date.max(invoice.dunning.snoozed_until.unwrap_or(date)))
            .map(|date| date.max(held_until.unwrap_or(date)))
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
