//! The words of the answers on the customer page, per message language, typed like [`super::Words`]:
//! the five forms, what happens next, the customer's earlier answers, and what is wrong with a field.
//! `{…}` marks a value filled in by [`fill`].

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct AnswerWords {
    pub title: &'static str,
    pub intro: &'static str,
    pub send: &'static str,
    pub choose: &'static str,
    pub which_invoices: &'static str,
    pub optional: &'static str,
    // The five answers: the summary that opens each, then its fields.
    pub paid_title: &'static str,
    pub paid_on: &'static str,
    pub amount: &'static str,
    pub reference: &'static str,
    pub dispute_title: &'static str,
    pub category: &'static str,
    pub categories: [&'static str; 5],
    pub text: &'static str,
    pub promise_title: &'static str,
    pub pay_by: &'static str,
    pub wrong_person_title: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub receipt_title: &'static str,
    pub scheduled_for: &'static str,
    // After an answer: the banner.
    pub thanks: &'static str,
    pub confirmation_sent: &'static str,
    #[serde(skip)]
    pub next: Next,
    // Earlier answers.
    pub earlier: &'static str,
    pub no_earlier: &'static str,
    pub kinds: [&'static str; 5],
    #[serde(skip)]
    pub said: Said,
    // Errors.
    pub check_below: &'static str,
    #[serde(skip)]
    pub problems: Problems,
    pub too_many_title: &'static str,
    pub too_many_body: &'static str,
    pub refused_title: &'static str,
    pub refused_body: &'static str,
    #[serde(skip)]
    pub invoice: (&'static str, &'static str),
    #[serde(skip)]
    pub and: &'static str,
}

/// What happens next, after each kind of answer.
#[derive(Debug)]
pub struct Next {
    pub paid: &'static str,
    pub dispute: &'static str,
    pub promise: &'static str,
    pub wrong_person: &'static str,
    pub receipt_scheduled: &'static str,
    pub receipt: &'static str,
}

/// An earlier answer's details and where it stands.
#[derive(Debug)]
pub struct Said {
    pub paid_on: &'static str,
    pub pay_by: &'static str,
    pub scheduled_for: &'static str,
    pub open_until: &'static str,
    pub open_with_staff: &'static str,
    pub kept: &'static str,
    pub broken: &'static str,
    pub confirmed: &'static str,
    pub rejected: &'static str,
}

/// What is wrong with a field, said so that the customer can put it right.
#[derive(Debug)]
pub struct Problems {
    pub invoices: &'static str,
    pub paid_on: &'static str,
    pub amount: &'static str,
    pub reference: &'static str,
    pub category: &'static str,
    pub text: &'static str,
    pub day: &'static str,
    pub name: &'static str,
    pub email: &'static str,
}

pub const EN: AnswerWords = AnswerWords {
    title: "Answer us",
    intro: "Tell us where things stand: choose what fits. We confirm every answer by email.",
    send: "Send",
    choose: "Please choose",
    which_invoices: "Which invoices?",
    optional: "optional",
    paid_title: "I have already paid",
    paid_on: "Date of payment",
    amount: "Amount paid",
    reference: "Payment reference",
    dispute_title: "I have a question or see a problem",
    category: "What is it about?",
    categories: [
        "The amount is not right",
        "Goods or services not received",
        "A purchase order number is missing",
        "The invoice is a duplicate",
        "Something else",
    ],
    text: "Please tell us more",
    promise_title: "I will pay by a date",
    pay_by: "I will pay by",
    wrong_person_title: "I am not the right person",
    name: "Name of the right contact",
    email: "Their email address",
    receipt_title: "I have received the invoice",
    scheduled_for: "Scheduled for payment on",
    thanks: "Thank you, we have your answer.",
    confirmation_sent: "We are sending you a confirmation by email.",
    next: Next {
        paid: "We will not send reminders about {invoices} until {until} while we look for your payment.",
        dispute: "A member of our team is looking into {invoices}; until we have answered you, we will not send \
                  reminders about it.",
        promise: "We will not send reminders about {invoices} until {until}.",
        wrong_person: "A member of our team will confirm the change to {email}; until then we will not send \
                       reminders, and nothing goes to the new address before a person has checked it.",
        receipt_scheduled: "We will not send reminders about {invoices} until {until}.",
        receipt: "We have noted that you received {invoices}.",
    },
    earlier: "What you told us",
    no_earlier: "You have not sent us an answer here yet.",
    kinds: [
        "Already paid",
        "Question or problem",
        "Promise to pay",
        "Not the right person",
        "Invoice received",
    ],
    said: Said {
        paid_on: "paid on {day}",
        pay_by: "to be paid by {day}",
        scheduled_for: "scheduled for {day}",
        open_until: "No reminders until {day}",
        open_with_staff: "Our team is looking into it",
        kept: "Paid as promised, thank you",
        broken: "The payment had not reached us by the date",
        confirmed: "Confirmed",
        rejected: "Not accepted",
    },
    check_below: "Please check the answer marked below; nothing has been recorded yet.",
    problems: Problems {
        invoices: "Please choose at least one of your open invoices.",
        paid_on: "Please give the date you paid: today or earlier, within the last year.",
        amount: "Please give the amount as a number above zero, like 1234.56.",
        reference: "Please keep the reference to {n} characters of plain text.",
        category: "Please choose what it is about.",
        text: "Please tell us what is wrong, in up to {n} characters.",
        day: "Please choose a day from {from} to {to}.",
        name: "Please keep the name to {n} characters.",
        email: "Please give an email address like name@example.com.",
    },
    too_many_title: "We have your answers",
    too_many_body: "You have sent us many answers today, and we have them all. If anything else has changed, \
                    please get in touch, or try again tomorrow.",
    refused_title: "This answer could not be sent",
    refused_body: "Please open your page again from the link in our message and try once more, or get in touch.",
    invoice: ("invoice {list}", "invoices {list}"),
    and: "and",
};

pub const DE: AnswerWords = AnswerWords {
    title: "Ihre Antwort",
    intro: "Teilen Sie uns mit, wie es steht: Wählen Sie, was zutrifft. Jede Antwort bestätigen wir per E-Mail.",
    send: "Senden",
    choose: "Bitte wählen",
    which_invoices: "Welche Rechnungen?",
    optional: "freiwillig",
    paid_title: "Ich habe bereits bezahlt",
    paid_on: "Zahlungsdatum",
    amount: "Gezahlter Betrag",
    reference: "Verwendungszweck",
    dispute_title: "Ich habe eine Frage oder ein Problem",
    category: "Worum geht es?",
    categories: [
        "Der Betrag stimmt nicht",
        "Ware oder Leistung nicht erhalten",
        "Die Bestellnummer fehlt",
        "Die Rechnung ist doppelt",
        "Etwas anderes",
    ],
    text: "Bitte beschreiben Sie es uns",
    promise_title: "Ich zahle bis zu einem Datum",
    pay_by: "Ich zahle bis zum",
    wrong_person_title: "Ich bin nicht die richtige Ansprechperson",
    name: "Name der richtigen Ansprechperson",
    email: "E-Mail-Adresse der Ansprechperson",
    receipt_title: "Ich habe die Rechnung erhalten",
    scheduled_for: "Zahlung vorgesehen am",
    thanks: "Vielen Dank, Ihre Antwort ist bei uns eingegangen.",
    confirmation_sent: "Wir senden Ihnen eine Bestätigung per E-Mail.",
    next: Next {
        paid: "Bis zum {until} senden wir zu {invoices} keine Erinnerungen, während wir Ihre Zahlung zuordnen.",
        dispute: "Jemand aus unserem Team kümmert sich um Ihr Anliegen zu {invoices}; bis wir Ihnen geantwortet haben, senden wir \
                  dazu keine Erinnerungen.",
        promise: "Bis zum {until} senden wir zu {invoices} keine Erinnerungen.",
        wrong_person: "Jemand aus unserem Team bestätigt die Änderung auf {email}; bis dahin senden wir keine \
                       Erinnerungen, und an die neue Adresse geht nichts, bevor ein Mensch sie geprüft hat.",
        receipt_scheduled: "Bis zum {until} senden wir zu {invoices} keine Erinnerungen.",
        receipt: "Wir haben vermerkt, dass Sie {invoices} erhalten haben.",
    },
    earlier: "Ihre Antworten an uns",
    no_earlier: "Sie haben uns hier noch keine Antwort gesendet.",
    kinds: [
        "Bereits bezahlt",
        "Frage oder Problem",
        "Zahlungszusage",
        "Nicht die richtige Ansprechperson",
        "Rechnung erhalten",
    ],
    said: Said {
        paid_on: "bezahlt am {day}",
        pay_by: "Zahlung bis zum {day}",
        scheduled_for: "Zahlung vorgesehen am {day}",
        open_until: "Bis zum {day} keine Erinnerungen",
        open_with_staff: "Unser Team kümmert sich darum",
        kept: "Wie zugesagt bezahlt, vielen Dank",
        broken: "Die Zahlung war bis zum Termin nicht eingegangen",
        confirmed: "Bestätigt",
        rejected: "Nicht angenommen",
    },
    check_below: "Bitte prüfen Sie die unten markierte Antwort; gespeichert wurde noch nichts.",
    problems: Problems {
        invoices: "Bitte wählen Sie mindestens eine Ihrer offenen Rechnungen.",
        paid_on: "Bitte geben Sie das Zahlungsdatum an: heute oder früher, höchstens ein Jahr zurück.",
        amount: "Bitte geben Sie den Betrag als Zahl größer als null an, etwa 1234,56.",
        reference: "Bitte geben Sie den Verwendungszweck mit höchstens {n} Zeichen an.",
        category: "Bitte wählen Sie, worum es geht.",
        text: "Bitte beschreiben Sie das Anliegen in höchstens {n} Zeichen.",
        day: "Bitte wählen Sie einen Tag vom {from} bis zum {to}.",
        name: "Bitte geben Sie den Namen mit höchstens {n} Zeichen an.",
        email: "Bitte geben Sie eine E-Mail-Adresse wie name@example.com an.",
    },
    too_many_title: "Ihre Antworten liegen uns vor",
    too_many_body: "Sie haben uns heute schon viele Antworten gesendet, und alle liegen uns vor. Wenn sich noch \
                    etwas geändert hat, melden Sie sich bitte, oder versuchen Sie es morgen wieder.",
    refused_title: "Diese Antwort konnte nicht gesendet werden",
    refused_body: "Bitte öffnen Sie Ihre Seite noch einmal über den Link in unserer Nachricht und versuchen Sie es \
                   erneut, oder melden Sie sich.",
    invoice: ("Rechnung {list}", "Rechnungen {list}"),
    and: "und",
};

/// `text` with each `{name}` replaced by its value.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_owned(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

impl AnswerWords {
    /// "invoice INV-1", "invoices INV-1, INV-2 and INV-3".
    pub fn invoices(&self, numbers: &[String]) -> String {
        let list = match numbers {
            [] => String::new(),
            [one] => one.clone(),
            [first @ .., last] => format!("{} {} {last}", first.join(", "), self.and),
        };
        let form = if numbers.len() == 1 {
            self.invoice.0
        } else {
            self.invoice.1
        };
        fill(form, &[("list", &list)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoices_are_listed_as_a_sentence_says_them() {
        let numbers = |list: &[&str]| list.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(EN.invoices(&numbers(&["INV-1"])), "invoice INV-1");
        assert_eq!(
            EN.invoices(&numbers(&["INV-1", "INV-2", "INV-3"])),
            "invoices INV-1, INV-2 and INV-3"
        );
        assert_eq!(DE.invoices(&numbers(&["R-1", "R-2"])), "Rechnungen R-1 und R-2");
        assert_eq!(
            fill(
                EN.next.promise,
                &[("invoices", "invoice INV-1042"), ("until", "March 14, 2026")]
            ),
            "We will not send reminders about invoice INV-1042 until March 14, 2026."
        );
    }
}
