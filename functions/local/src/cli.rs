//! The command line: what `kindly --help` says.

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// kindly collects overdue invoices without damaging the customer relationship.
///
/// This command runs kindly's whole main job on one machine: an embedded SQLite store and a file outbox
/// that receives every message as an .eml file instead of sending it. Start with `kindly demo`.
#[derive(Debug, Parser)]
#[command(name = "kindly", version, propagate_version = true)]
pub struct Cli {
    /// The database file.
    #[arg(long, global = true, env = "KINDLY_DB", default_value = "kindly.db")]
    pub db: PathBuf,
    /// Where messages are written as .eml files.
    #[arg(long, global = true, env = "KINDLY_OUTBOX", default_value = "outbox")]
    pub outbox: PathBuf,
    /// The reminder policy (TOML); the shipped default policy when not given. See `kindly policy`.
    #[arg(long, global = true, env = "KINDLY_POLICY")]
    pub policy: Option<PathBuf>,
    /// Where customers reach `kindly serve` (say, a tunnel's address): the base of the link to the
    /// customer's own page that every message carries, and of `kindly link`'s. Default
    /// http://127.0.0.1:8080; `kindly serve` defaults to its own address.
    #[arg(long, global = true, value_name = "URL", env = "KINDLY_PUBLIC_URL")]
    pub public_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a fresh demo database with realistic customers and invoices at every stage, record one card
    /// payment as the Stripe webhook would (that customer is thanked, not reminded), run one pass as of
    /// today, and show what happened. Messages land in the outbox; nothing is sent anywhere.
    ///
    /// The weeks before today are kindly's own work, not written by hand: each invoice arrives on its issue
    /// date and kindly runs every day — the pass at noon UTC, every draft approved by "Riley (finance)", the
    /// messages going out in the afternoon. Those past messages are written to the outbox's history/ folder,
    /// dated when they went out. The same --today gives the same demo. Every message links to its
    /// customer's own page (under --public-url); the demo prints one customer's link at the end.
    ///
    /// The database (--db) is replaced on every demo run, but only if an earlier demo made it: a database
    /// holding your own imported data is never touched. Then try `kindly drafts`, `kindly show ID`,
    /// `kindly approve ID` and `kindly run`.
    Demo {
        /// The demo's "today" (YYYY-MM-DD); the real today when not given.
        #[arg(long)]
        today: Option<NaiveDate>,
    },
    /// Import customers or invoices from a CSV or JSON file. Every row is checked first; if any is invalid,
    /// each problem is listed with its line and field and nothing is imported.
    ///
    /// CSV: the header tells the kind. Customers: id, display_name, legal_name, locale, time_zone,
    /// country (ISO 3166-1, for public holidays; else the locale's region), business_hours (e.g. 8-16;
    /// else the policy's), contact_name, contact_email (several separated by ';'), contact_phone, escalation_name,
    /// escalation_email, paused_until, paused, late_fee_monthly_percent, late_fee_grace_days,
    /// late_fee_clause, statute (none, uk_late_payment_act_1998, eu_late_payment_directive or de_bgb_288:
    /// over the policy's statute), discount_percent, discount_within_days. Invoices: id, number, customer_id,
    /// currency, total, paid, issue_date, due_date, status, payment_link, po_number, payment_reference,
    /// processor_payments, discount_percent, discount_within_days (early-payment terms, e.g. 2 and 10 for
    /// 2/10; without them, the customer's).
    /// JSON: {"customers": [{...}], "invoices": [{...}]} with the same keys.
    Import {
        /// A .csv or .json file.
        file: PathBuf,
        /// Import the valid rows and report the invalid ones, instead of importing nothing.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Run a pass: plan today's reminders, store them as drafts (auto-approved stages are approved at
    /// once), then send every approved reminder to the outbox.
    ///
    /// Every message carries a link to its customer's own page under --public-url, signed with the key file
    /// next to the database (see `kindly link`).
    Run {
        /// Plan as of this date (YYYY-MM-DD) instead of now.
        #[arg(long)]
        today: Option<NaiveDate>,
        /// Show what would be planned; write nothing and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// List the reminders waiting for approval.
    Drafts,
    /// Show one reminder: its message exactly as it will be sent, its content hash and its history.
    Show {
        /// The reminder id (rem_...).
        id: String,
    },
    /// Approve a reminder, bound to the content `kindly show` displayed. It goes out on the next `kindly run`.
    Approve {
        id: String,
        /// Who approves (recorded with the approval).
        #[arg(long, env = "USER", default_value = "staff")]
        by: String,
        /// The content hash you reviewed (from `kindly show`); the stored draft's hash when not given.
        #[arg(long)]
        hash: Option<String>,
    },
    /// Decide not to send a reminder. The customer is not asked again at that stage.
    Skip {
        id: String,
        /// Why (recorded in the reminder's history).
        #[arg(long)]
        reason: Option<String>,
        #[arg(long, env = "USER", default_value = "staff")]
        by: String,
    },
    /// List the reminders whose sending failed, with the reason. Each holds its customer's reminders until
    /// a person says whether it went out after all: `kindly resolve ID --went-out | --not-sent`.
    Failed,
    /// Say whether a failed reminder went out after all (look in the mail provider's log).
    ///
    /// --went-out records it as sent: the customer's reminders move on from the day it failed.
    /// --not-sent cancels it: the next `kindly run` plans it again with that day's facts.
    #[command(group(clap::ArgGroup::new("outcome").required(true).args(["went_out", "not_sent"])))]
    Resolve {
        /// The reminder id (rem_...), from `kindly failed`.
        id: String,
        /// It went out after all.
        #[arg(long)]
        went_out: bool,
        /// It did not go out.
        #[arg(long)]
        not_sent: bool,
        /// What you found (recorded in the reminder's history).
        #[arg(long)]
        note: Option<String>,
        /// Who resolves (recorded in the reminder's history).
        #[arg(long, visible_alias = "as", env = "USER", default_value = "staff")]
        by: String,
    },
    /// Take mail the way a mail server hands it over: delivery status notifications (bounces, delays,
    /// deliveries; RFC 3464), complaint reports (ARF) and replies to kindly's messages, each an .eml file.
    ///
    /// A bounce blocks the address (a transient one counts towards the policy's soft_bounce_limit); a
    /// message that bounced at every address is undelivered: it does not count as said, and `kindly tasks`
    /// asks for a new address. A complaint blocks the address too. A reply (matched by its In-Reply-To to
    /// the message it answers) holds the customer's reminders until someone has read it (`kindly tasks`)
    /// or the policy's reply_pause_days pass, and is forwarded to the policy's forward_replies_to mailbox
    /// (into the outbox, once); an out-of-office note holds them until its person is back.
    /// The same file twice changes nothing. Each file gets one line saying what came of it; a file that is
    /// not one of these is reported, and the others are still taken.
    Receive {
        /// The .eml files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the tasks that wait for a person, oldest first: customers' answers (a claimed payment, a
    /// dispute, a new contact), the policy's manual tasks (e.g. call accounts payable) and payment reviews,
    /// failed sends, and messages that bounced; then the answers people settled in the last 14 days, with
    /// who did what when.
    Tasks,
    /// Do one task from `kindly tasks`: DECISION is one of the decisions it lists.
    ///
    /// Answers: confirm_payment (the invoices are paid and thanked) or reject_payment; uphold_dispute or
    /// reject_dispute; confirm_contact (write to the contact they named) or reject_contact. Rejecting needs
    /// --reason, which the customer reads. Manual tasks: done (recorded on the next `kindly run`). Failed
    /// sends: went_out or not_sent, as `kindly resolve`. Messages that bounced: fix_contact --email NEW
    /// (the next `kindly run` plans the message again, to the new address). The ladder's last step:
    /// write_off, hand_over or keep_chasing here; agree_plan with its terms through `kindly plan create
    /// CUSTOMER --task ID …`. A payment plan a customer asked for outside the policy's limits: agree_plan
    /// (as asked) or decline_plan.
    Task {
        /// The task's id (ans_... or rem_...), from `kindly tasks`.
        id: String,
        /// What you decide (e.g. confirm_payment, reject_dispute, done, went_out; for the ladder's last
        /// step: write_off, hand_over, agree_plan, keep_chasing; for a plan request: agree_plan,
        /// decline_plan).
        decision: String,
        /// Why (needed to reject and to write_off; the agency for hand_over; optional to uphold a
        /// dispute, resolve a failure, keep chasing or decline a plan).
        #[arg(long)]
        reason: Option<String>,
        /// The address to write to instead of the one that bounced (needed to fix_contact).
        #[arg(long)]
        email: Option<String>,
        /// The day to chase again from (needed to keep_chasing, YYYY-MM-DD, after the customer's today):
        /// nothing is sent before it, and the decision comes back then.
        #[arg(long, value_name = "DATE")]
        until: Option<NaiveDate>,
        /// Where to write the dossier for the agency (needed to hand_over): a new .zip with summary.html,
        /// one .eml per message sent and the records.
        #[arg(long, value_name = "PATH")]
        dossier: Option<std::path::PathBuf>,
        /// Who decides (recorded with the decision).
        #[arg(long, visible_alias = "as", env = "USER", default_value = "staff")]
        by: String,
    },
    /// Payment plans: agree one with a customer (their invoices leave the ladder while it is kept), or list
    /// a customer's plans with their instalments.
    Plan {
        #[command(subcommand)]
        action: PlanAction,
    },
    /// Show a customer's timeline, newest first: messages sent, their answers and how each was settled,
    /// tasks, payments and the notes people left.
    Timeline {
        /// The customer id.
        customer: String,
    },
    /// Serve the approval page on this machine: staff see every draft rendered in the browser exactly as it
    /// will be sent, add a personal note, and approve, skip or snooze it.
    ///
    /// Listens on 127.0.0.1 only and prints a one-time login link; opening it signs that browser in (a
    /// session cookie). Approvals are recorded under --as. Approved reminders go out on the next `kindly run`.
    /// The same server takes accounting systems' PUT /api/customers/ID and PUT /api/invoices/ID (signed in),
    /// and, with --stripe-secrets-file, Stripe's webhook at POST /webhooks/stripe. It also serves customers'
    /// own pages at /c/TOKEN (see `kindly link`), signed with the key file next to the database, and takes
    /// the answers customers give there (POST /c/TOKEN/answer); their acknowledgements go out on the next
    /// `kindly run`. The messages it plans again link there under --public-url, or else this server's own
    /// address.
    Serve {
        /// The port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Who approves (recorded with every approval made through this server).
        #[arg(long = "as", value_name = "NAME", env = "USER", default_value = "staff")]
        approver: String,
        /// Accept Stripe's webhook at POST /webhooks/stripe, verified with the signing secrets in this file
        /// (the endpoint's whsec_... secrets, one per line: several while one is rotated; anything else in the
        /// file stops the server from starting). Without it the webhook answers 404.
        #[arg(long, value_name = "FILE", env = "KINDLY_STRIPE_SECRETS_FILE")]
        stripe_secrets_file: Option<PathBuf>,
        /// How far (seconds) a webhook signature's timestamp may be from now.
        #[arg(long, default_value_t = kindly_web::DEFAULT_TOLERANCE_SECS)]
        stripe_tolerance_secs: i64,
    },
    /// Print a link to a customer's own page, for their latest message: their open invoices, with pay
    /// links, and the messages sent so far, without a login. `kindly serve` serves it.
    ///
    /// The link is signed with the first key in the key file next to the database (DB.link-keys, made
    /// with a random key on first use; one key per line, the first signs and every one is accepted, so a
    /// new key can be put first while old links keep working). It stops working after the policy's
    /// customer_link_days (default 90). Every message kindly writes carries such a link too; --public-url
    /// sets the base (where customers reach `kindly serve`).
    Link {
        /// The customer id.
        customer: String,
    },
    /// Turn the interest and fees accrued on an invoice into a fee invoice for the accounting system: it is
    /// appended to a CSV file to import there, and the invoice records it, so no later message or fee
    /// invoice charges it again. kindly never adds interest to an invoice by itself.
    FeeInvoice {
        /// The invoice id.
        invoice: String,
        /// Days the customer has to pay the fee invoice.
        #[arg(long, default_value_t = 14)]
        payment_days: u32,
        /// As of this date (YYYY-MM-DD, noon UTC); now when not given.
        #[arg(long)]
        today: Option<NaiveDate>,
        /// The CSV file to append the fee invoice to (with a header when new).
        #[arg(long, default_value = "fee-invoices.csv")]
        csv: PathBuf,
    },
    /// Reports on what is owed: aging, DSO, CEI, expected receipts, what was given up on, and why
    /// customers pay late. Amounts are never added across currencies: each report has a row per currency.
    ///
    /// DSO and CEI need to know what was owed at each past month's end, so they read when payments arrived:
    /// kindly dates every change to an invoice's `paid` from the day it first stores the invoice. Payments
    /// on invoices stored before that are undated; the reports count them as made all along and say how
    /// many invoices that concerns.
    Report {
        #[arg(value_enum)]
        report: Report,
        /// As of this date (YYYY-MM-DD); today when not given.
        #[arg(long)]
        today: Option<NaiveDate>,
        /// For `reasons`, `dso` and `cei`: how many months up to this one (1-36; 6 when not given).
        #[arg(long)]
        months: Option<u32>,
        /// For `aging`: one row per customer and currency, each followed by the invoices behind it.
        #[arg(long)]
        by_customer: bool,
    },
    /// Check a policy file and print its ladder (the default policy when no file is given).
    Policy {
        /// A policy TOML file.
        file: Option<PathBuf>,
        /// Print the shipped default policy's TOML, to start your own from.
        #[arg(long, conflicts_with = "file")]
        print_default: bool,
        /// Check the reference-rate tables as of this date (YYYY-MM-DD); today when not given.
        #[arg(long)]
        today: Option<NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlanAction {
    /// Agree a plan: the open balances of the invoices named, in even instalments (the remainder on the
    /// last), from --first. While it is kept the invoices leave the ladder; each instalment gets a gentle
    /// note before its date, a missed one a single courteous reminder, and after the policy's days
    /// (`[payment_plans] break_after_days`) the plan breaks and the ladder resumes where it stood. Payments
    /// count towards the instalments in order, whether the webhook or an import brings them.
    Create {
        /// The customer id.
        customer: String,
        /// An invoice of theirs to include (repeat for several; one currency per plan). None named: the
        /// --task's invoices still owed, or else everything the customer owes.
        #[arg(long = "invoice", value_name = "ID")]
        invoices: Vec<String>,
        /// How many instalments (2-120).
        #[arg(long)]
        instalments: u32,
        /// weekly, fortnightly or monthly.
        #[arg(long, value_name = "FREQUENCY")]
        every: String,
        /// The first instalment's date (YYYY-MM-DD, not before the customer's today).
        #[arg(long, value_name = "DATE")]
        first: NaiveDate,
        /// The ladder's last-step decision task (rem_...) this plan decides: it is marked done.
        #[arg(long, value_name = "TASK")]
        task: Option<String>,
        /// As of this date (YYYY-MM-DD, noon UTC); now when not given.
        #[arg(long)]
        today: Option<NaiveDate>,
        /// Who agrees it (recorded with the plan).
        #[arg(long, visible_alias = "as", env = "USER", default_value = "staff")]
        by: String,
    },
    /// A customer's plans, newest first: state, instalments, and what is paid of each.
    List {
        /// The customer id.
        customer: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Report {
    /// Unsettled balances per currency: current, 1-30, 31-60, 61-90 and 90+ days past due; beside them
    /// what was written off or handed over. With --by-customer: per customer, with their invoices.
    Aging,
    /// Days sales outstanding per currency at each month's end (this month: today), by the countback
    /// method: the days of the months, newest first, whose credit sales make up what was owed then, the
    /// oldest of them in proportion. "≥" marks a month whose balances go back further than the sales
    /// kindly knows (12 months before the first month shown).
    Dso,
    /// The collection effectiveness index per currency and month: (owed at the start + sales − owed at
    /// the end) / (owed at the start + sales − owed at the end but not yet due) × 100. "—" when nothing
    /// could be collected.
    Cei,
    /// The money expected over the next 30 days, by day: open promises whose day has not passed (the
    /// balance of the invoices they name) and the unpaid part of running payment plans' instalments.
    Receipts,
    /// What was written off and handed over, per currency, and each invoice with who decided, when and why.
    Outcomes,
    /// Why customers pay late, per month: their answers by reason and dispute category, promises kept and
    /// broken (also per customer), and the median days from the first message to the first answer.
    Reasons,
}
