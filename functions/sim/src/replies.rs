//! Customers who write back by email. Now and then a person answers a reminder in their own words, some
//! minutes to days after it reached them; some mailboxes answer by themselves — a person away for a
//! spell of days (their note names the day they are back, or names none; one left on after the return
//! names a day gone by), or a ticket system that says "we received your message" to everything. Each
//! reply is one more notification of the mail system's ([`crate::mailsystem`]): it reaches kindly after
//! minutes or hours, now and then twice, and is retried until kindly takes it.

use crate::faults::Delivery;
use crate::mailsystem::Notification;
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use kindly_core::feedback::{AutoReply, MailEvent, MailEventKind, Reply};
use kindly_core::{Customer, ReminderId};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// How often a person answers a ladder message that reached them, in their own words.
const PERSON_RATE: f64 = 0.025;
/// How often an address is sometimes away (with one to three spells in the year), and how often a
/// mailbox acknowledges everything by itself.
const AWAY_RATE: f64 = 0.12;
const ACKNOWLEDGING_RATE: f64 = 0.02;
/// How often a reply reaches kindly twice (the inbound queue delivers at least once).
const TWICE: f64 = 0.08;

/// A spell its person is away, in the customer's local days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Away {
    pub first: NaiveDate,
    /// The day they are back at work.
    pub back: NaiveDate,
    /// The day the note names: `None` for a note that names none.
    pub names: Option<NaiveDate>,
    /// The first day the note is off (after `back` when it was forgotten).
    pub off_from: NaiveDate,
}

/// Who wrote a reply, as the world knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    Person,
    /// A mailbox, by itself; `returns_on`: the day its note names.
    Mailbox {
        out_of_office: bool,
        returns_on: Option<NaiveDate>,
    },
}

/// One reply the world wrote, as a notification with its deliveries to kindly (after the message).
pub struct Written {
    pub notification: Notification,
    pub writer: Writer,
    pub deliveries: Vec<Duration>,
}

pub struct Replies {
    rng: ChaCha8Rng,
    away: BTreeMap<String, Vec<Away>>,
    acknowledging: BTreeSet<String>,
    written: usize,
}

impl Replies {
    /// The billing addresses' habits over `days` days from `start`.
    pub fn generate(mut rng: ChaCha8Rng, customers: &[Customer], start: NaiveDate, days: u32) -> Replies {
        let mut away = BTreeMap::new();
        let mut acknowledging = BTreeSet::new();
        for contact in customers.iter().flat_map(|customer| &customer.billing_contacts) {
            let address = contact.email.to_ascii_lowercase();
            if rng.random_bool(ACKNOWLEDGING_RATE) {
                acknowledging.insert(address.clone());
            }
            if !rng.random_bool(AWAY_RATE) {
                continue;
            }
            let spells = (0..rng.random_range(1..=3))
                .map(|_| {
                    let first = start + Days::new(rng.random_range(0..u64::from(days.max(1))));
                    let back = first + Days::new(rng.random_range(2..15));
                    let names = match rng.random_range(0..100) {
                        0..70 => Some(back),
                        // Someone who names the day before they are back at their desk.
                        70..80 => Some(back - Days::new(1)),
                        _ => None,
                    };
                    // A note left on after the return names a day gone by.
                    let forgotten = rng.random_bool(0.1);
                    let off_from = back + Days::new(if forgotten { rng.random_range(1..6) } else { 0 });
                    Away {
                        first,
                        back,
                        names,
                        off_from,
                    }
                })
                .collect();
            away.insert(address, spells);
        }
        Replies {
            rng,
            away,
            acknowledging,
            written: 0,
        }
    }

    /// The replies to `delivery` (at stage `stage`, to customer `customer` in `zone`), from the addresses
    /// it `reached`: a mailbox answers at once; a person now and then, to a ladder message only.
    pub fn replies_to(
        &mut self,
        delivery: &Delivery,
        reached: &[String],
        customer: usize,
        zone: Tz,
        ladder: bool,
    ) -> Vec<Written> {
        let local = delivery.at.with_timezone(&zone).date_naive();
        let mut written = Vec::new();
        for address in reached {
            let lower = address.to_ascii_lowercase();
            let away = self.away.get(&lower).and_then(|spells| {
                spells
                    .iter()
                    .find(|spell| (spell.first..spell.off_from).contains(&local))
                    .copied()
            });
            let writer = match away {
                Some(spell) => Writer::Mailbox {
                    out_of_office: true,
                    returns_on: spell.names,
                },
                None if self.acknowledging.contains(&lower) => Writer::Mailbox {
                    out_of_office: false,
                    returns_on: None,
                },
                None => continue,
            };
            let at = delivery.at + Duration::seconds(self.rng.random_range(1..300));
            written.push(self.write(delivery, address, customer, writer, at));
        }
        if ladder && !reached.is_empty() && self.rng.random_bool(PERSON_RATE) {
            let at = delivery.at + Duration::minutes(self.rng.random_range(10..3 * 24 * 60));
            let from = reached[self.rng.random_range(0..reached.len())].clone();
            written.push(self.write(delivery, &from, customer, Writer::Person, at));
        }
        written
    }

    fn write(
        &mut self,
        delivery: &Delivery,
        from: &str,
        customer: usize,
        writer: Writer,
        at: DateTime<Utc>,
    ) -> Written {
        self.written += 1;
        let n = self.written;
        let (event_id, subject, text, automatic) = match writer {
            Writer::Person => (
                format!("<reply-{n:06}@c{customer:04}.example>"),
                format!("Re: {}", delivery.stage),
                "We are looking into this and will come back to you.".to_owned(),
                None,
            ),
            Writer::Mailbox {
                out_of_office,
                returns_on,
            } => (
                format!("<auto-{n:06}@c{customer:04}.example>"),
                format!("Automatic reply: {}", delivery.stage),
                match returns_on {
                    Some(day) => format!("I am out of the office until {day}."),
                    None if out_of_office => "I am out of the office.".to_owned(),
                    None => "Thank you, we have received your message.".to_owned(),
                },
                Some(AutoReply {
                    out_of_office,
                    returns_on,
                }),
            ),
        };
        let event = MailEvent {
            event_id,
            reminder: Some(ReminderId(delivery.reminder.clone())),
            at,
            kind: MailEventKind::Replied(Reply {
                from: from.to_owned(),
                from_name: Some(format!("Accounts payable {customer:04}")),
                subject,
                text,
                automatic,
            }),
        };
        let lead = at - delivery.at;
        let first = lead + self.delay();
        let mut deliveries = vec![first];
        if self.rng.random_bool(TWICE) {
            deliveries.push(lead + self.delay());
        }
        Written {
            notification: Notification {
                event,
                customer,
                taken: false,
            },
            writer,
            deliveries,
        }
    }

    /// How long staff take to read a person's reply: hours to days, or never (its pause runs out then).
    pub fn reading_time(&mut self) -> Option<Duration> {
        self.rng
            .random_bool(0.7)
            .then(|| Duration::hours(self.rng.random_range(1..72)))
    }

    /// How long a reply takes from its writer's mailbox through the inbound pipeline to kindly.
    fn delay(&mut self) -> Duration {
        match self.rng.random_range(0..100) {
            0..70 => Duration::seconds(self.rng.random_range(5..1800)),
            70..95 => Duration::hours(self.rng.random_range(1..12)),
            _ => Duration::hours(self.rng.random_range(12..40)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn delivery(at: &str) -> Delivery {
        Delivery {
            step: 1,
            at: at.parse().unwrap(),
            reminder: "rem_1".into(),
            stage: "overdue_direct".into(),
            customer: "C0001".into(),
            numbers: vec!["SIM-0001-00".into()],
            reported_failed: false,
            to: vec!["ap@c0001.example".into()],
        }
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn an_away_mailbox_answers_each_message_in_its_spell_and_only_then() {
        let mut replies = Replies {
            rng: ChaCha8Rng::seed_from_u64(1),
            away: BTreeMap::new(),
            acknowledging: BTreeSet::from(["desk@c0001.example".to_owned()]),
            written: 0,
        };
        let spell = Away {
            first: day("2026-03-09"),
            back: day("2026-03-16"),
            names: Some(day("2026-03-16")),
            off_from: day("2026-03-18"),
        };
        replies.away.insert("ap@c0001.example".into(), vec![spell]);
        let zone = chrono_tz::Europe::London;
        let reached = ["AP@c0001.example".to_owned(), "desk@c0001.example".to_owned()];
        let during = replies.replies_to(&delivery("2026-03-10T10:00:00Z"), &reached, 1, zone, false);
        let writers: Vec<Writer> = during.iter().map(|written| written.writer).collect();
        assert_eq!(
            writers,
            [
                Writer::Mailbox {
                    out_of_office: true,
                    returns_on: Some(day("2026-03-16"))
                },
                Writer::Mailbox {
                    out_of_office: false,
                    returns_on: None
                },
            ]
        );
        // The note left on names a day gone by; once it is off, only the ticket system answers.
        assert_eq!(
            replies
                .replies_to(&delivery("2026-03-17T10:00:00Z"), &reached, 1, zone, false)
                .len(),
            2
        );
        assert_eq!(
            replies
                .replies_to(&delivery("2026-03-18T10:00:00Z"), &reached, 1, zone, false)
                .len(),
            1
        );
        // Each reply is its own notification about the message, delivered after it was written.
        let ids: BTreeSet<String> = during
            .iter()
            .map(|written| written.notification.event.event_id.clone())
            .collect();
        assert_eq!(ids.len(), 2);
        for written in &during {
            let event = &written.notification.event;
            assert_eq!(event.reminder, Some(ReminderId("rem_1".into())));
            assert!(
                written
                    .deliveries
                    .iter()
                    .all(|after| *after >= event.at - delivery("2026-03-10T10:00:00Z").at)
            );
        }
    }

    #[test]
    fn people_reply_to_ladder_messages_now_and_then() {
        let mut replies = Replies {
            rng: ChaCha8Rng::seed_from_u64(2),
            away: BTreeMap::new(),
            acknowledging: BTreeSet::new(),
            written: 0,
        };
        let reached = ["ap@c0001.example".to_owned()];
        let zone = chrono_tz::Europe::London;
        let mut people = 0;
        for _ in 0..2000 {
            let message = delivery("2026-03-10T10:00:00Z");
            for written in replies.replies_to(&message, &reached, 1, zone, true) {
                assert_eq!(written.writer, Writer::Person);
                assert!(written.notification.event.at > message.at);
                people += 1;
            }
            assert!(replies.replies_to(&message, &reached, 1, zone, false).is_empty());
            assert!(replies.replies_to(&message, &[], 1, zone, true).is_empty());
        }
        assert!((20..90).contains(&people), "{people} replies to 2000 messages");
    }
}
