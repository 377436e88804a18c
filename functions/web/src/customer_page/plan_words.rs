//! The words of the payment plan on the customer page, per message language, like
//! [`super::answer_words`]. `{…}` marks a value filled in by [`super::answer_words::fill`].

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct PlanWords {
    /// The form's summary.
    pub title: &'static str,
    pub instalments: &'static str,
    pub every: &'static str,
    /// weekly, fortnightly, monthly.
    pub frequencies: [&'static str; 3],
    pub first: &'static str,
    /// The section showing a plan.
    pub yours: &'static str,
    pub number: &'static str,
    pub due: &'static str,
    pub amount: &'static str,
    pub paid: &'static str,
    pub states: PlanStates,
    #[serde(skip)]
    pub agreed_title: &'static str,
    #[serde(skip)]
    pub agreed_next: &'static str,
    #[serde(skip)]
    pub requested_title: &'static str,
    #[serde(skip)]
    pub requested_next: &'static str,
    #[serde(skip)]
    pub problems: PlanProblems,
}

#[derive(Debug, Serialize)]
pub struct PlanStates {
    pub requested: &'static str,
    pub active: &'static str,
    pub completed: &'static str,
    pub broken: &'static str,
    pub cancelled: &'static str,
}

#[derive(Debug)]
pub struct PlanProblems {
    pub invoices: &'static str,
    pub instalments: &'static str,
    pub every: &'static str,
    pub first: &'static str,
}

pub static EN: PlanWords = PlanWords {
    title: "I would like to pay in instalments",
    instalments: "Number of instalments (up to {n} are agreed at once; for more, our team decides)",
    every: "How often",
    frequencies: ["Weekly", "Every two weeks", "Monthly"],
    first: "Date of the first instalment",
    yours: "Your payment plan",
    number: "Instalment",
    due: "Due",
    amount: "Amount",
    paid: "Paid",
    states: PlanStates {
        requested: "Asked for: our team will reply by email",
        active: "Agreed",
        completed: "Paid in full – thank you",
        broken: "Ended: an instalment was not paid",
        cancelled: "Not agreed",
    },
    agreed_title: "Your payment plan is agreed",
    agreed_next: "{count} instalments; the first, {amount}, is due on {day}. We will send a short note before each one, and no reminders about these invoices while the plan is kept.",
    requested_title: "Thank you for your request",
    requested_next: "A plan of {count} instalments from {day} needs a look from our team; we will reply by email. Until then nothing changes.",
    problems: PlanProblems {
        invoices: "Please tick at least one invoice that is not already in a plan.",
        instalments: "Please choose how many instalments.",
        every: "Please choose how often.",
        first: "Please choose a date from {from} to {to}.",
    },
};

pub static DE: PlanWords = PlanWords {
    title: "Ich möchte in Raten zahlen",
    instalments: "Anzahl der Raten (bis zu {n} werden sofort vereinbart; über mehr entscheidet unser Team)",
    every: "Wie oft",
    frequencies: ["Wöchentlich", "Alle zwei Wochen", "Monatlich"],
    first: "Datum der ersten Rate",
    yours: "Ihr Zahlungsplan",
    number: "Rate",
    due: "Fällig",
    amount: "Betrag",
    paid: "Bezahlt",
    states: PlanStates {
        requested: "Angefragt: unser Team antwortet Ihnen per E-Mail",
        active: "Vereinbart",
        completed: "Vollständig bezahlt – vielen Dank",
        broken: "Beendet: eine Rate wurde nicht bezahlt",
        cancelled: "Nicht vereinbart",
    },
    agreed_title: "Ihr Zahlungsplan ist vereinbart",
    agreed_next: "{count} Raten; die erste über {amount} ist am {day} fällig. Vor jeder Rate senden wir einen kurzen Hinweis, und solange der Plan eingehalten wird, keine Erinnerungen zu diesen Rechnungen.",
    requested_title: "Vielen Dank für Ihre Anfrage",
    requested_next: "Ein Plan mit {count} Raten ab dem {day} braucht einen Blick unseres Teams; wir antworten Ihnen per E-Mail. Bis dahin ändert sich nichts.",
    problems: PlanProblems {
        invoices: "Bitte wählen Sie mindestens eine Rechnung, die nicht schon in einem Plan ist.",
        instalments: "Bitte wählen Sie die Anzahl der Raten.",
        every: "Bitte wählen Sie, wie oft.",
        first: "Bitte wählen Sie einen Tag vom {from} bis zum {to}.",
    },
};

/// The words in `language` (English unless German).
pub fn of(language: &str) -> &'static PlanWords {
    if language == "de" { &DE } else { &EN }
}
