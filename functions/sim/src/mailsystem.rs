//! The mail system's side of the world: what becomes of each message once the provider accepted it, and
//! the feedback it sends back. Each address has a fate drawn from the seed — most are fine; some are dead
//! from the start or die on a day of the year (every message bounces; some are on the provider's
//! suppression list); some mailboxes are full for a stretch of days (transient bounces); a few recipients
//! mark a message as spam. Each notification is delivered to kindly after hours or days, now and then
//! twice, and retried until kindly takes it, as a queue would.

use crate::faults::Delivery;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use kindly_core::feedback::{BounceKind, BouncedRecipient, MailEvent, MailEventKind};
use kindly_core::{Customer, ReminderId};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// What happens to messages sent to one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Fine,
    /// From `from` on every message bounces for good; `suppressed`: the provider's suppression list answers.
    Dead {
        from: DateTime<Utc>,
        suppressed: bool,
    },
    /// The mailbox is full from `from` until `until`: messages bounce for now.
    Full {
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    },
    /// The recipient marks the `nth` message they get as spam.
    Complains {
        nth: u32,
    },
}

/// One notification the mail system sends about one message.
#[derive(Debug, Clone)]
pub struct Notification {
    pub event: MailEvent,
    pub customer: usize,
    /// kindly answered it without an error at least once.
    pub taken: bool,
}

/// When a notification reaches kindly: its first delivery, and a second one now and then.
pub struct Scheduled {
    pub notification: usize,
    pub first: Duration,
    pub again: Option<Duration>,
}

pub struct MailSystem {
    fates: BTreeMap<String, Fate>,
    /// Messages each address got (for the complaint about its n-th).
    received: BTreeMap<String, u32>,
    pub notifications: Vec<Notification>,
    pub rng: ChaCha8Rng,
}

const SUPPRESSED: &str = "Amazon SES did not send the message to this address: it is on the suppression list";

impl MailSystem {
    /// Fates for the customers' billing and escalation addresses, over `days` days from `start`.
    pub fn generate(mut rng: ChaCha8Rng, customers: &[Customer], start: NaiveDate, days: u32) -> MailSystem {
        let begin = crate::world::local_instant(chrono_tz::UTC, start, 0, 0);
        let day = |rng: &mut ChaCha8Rng, from: u32| {
            begin
                + Duration::days(i64::from(rng.random_range(from..days.max(from + 1))))
                + Duration::minutes(rng.random_range(0..24 * 60))
        };
        let mut fates = BTreeMap::new();
        for customer in customers {
            for contact in &customer.billing_contacts {
                let fate = match rng.random_range(0..100) {
                    0..4 => Fate::Dead {
                        from: begin - Duration::days(1),
                        suppressed: rng.random_bool(0.3),
                    },
                    4..9 => Fate::Dead {
                        from: day(&mut rng, 20),
                        suppressed: rng.random_bool(0.3),
                    },
                    9..16 => {
                        let from = day(&mut rng, 0);
                        Fate::Full {
                            from,
                            until: from + Duration::days(rng.random_range(3..25)),
                        }
                    }
                    16..18 => Fate::Complains {
                        nth: rng.random_range(1..4),
                    },
                    _ => Fate::Fine,
                };
                fates.insert(contact.email.to_ascii_lowercase(), fate);
            }
            if let Some(contact) = &customer.escalation_contact
                && rng.random_bool(0.03)
            {
                let fate = Fate::Dead {
                    from: day(&mut rng, 0),
                    suppressed: false,
                };
                fates.insert(contact.email.to_ascii_lowercase(), fate);
            }
        }
        MailSystem {
            fates,
            received: BTreeMap::new(),
            notifications: Vec::new(),
            rng,
        }
    }

    pub fn fate(&self, address: &str) -> Fate {
        self.fates
            .get(&address.to_ascii_lowercase())
            .copied()
            .unwrap_or(Fate::Fine)
    }

    /// A working address (one staff found for a customer).
    pub fn works(&mut self, address: &str) {
        self.fates.insert(address.to_ascii_lowercase(), Fate::Fine);
    }

    /// Whether a message reached anyone it went to (a customer who got nothing cannot answer it).
    pub fn reached_someone(&self, delivery: &Delivery) -> bool {
        !self.reached(delivery).is_empty()
    }

    /// The addresses a message reached (the only ones that can reply to it).
    pub fn reached(&self, delivery: &Delivery) -> Vec<String> {
        delivery
            .to
            .iter()
            .filter(|address| bounce_of(self.fate(address), delivery.at).is_none())
            .cloned()
            .collect()
    }

    /// The notifications about one accepted message of customer `customer`, and when each reaches kindly.
    pub fn feedback(&mut self, delivery: &Delivery, customer: usize) -> Vec<Scheduled> {
        let at = delivery.at + Duration::seconds(self.rng.random_range(2..600));
        let mut delivered = Vec::new();
        let mut bounced: BTreeMap<u8, (BounceKind, Vec<BouncedRecipient>)> = BTreeMap::new();
        let mut complained = Vec::new();
        for address in &delivery.to {
            let fate = self.fate(address);
            match bounce_of(fate, delivery.at) {
                Some((kind, status, diagnostic)) => {
                    let order = kind as u8;
                    bounced
                        .entry(order)
                        .or_insert((kind, Vec::new()))
                        .1
                        .push(BouncedRecipient {
                            email: address.clone(),
                            status: Some(status.into()),
                            diagnostic: Some(diagnostic.into()),
                        });
                }
                None => {
                    delivered.push(address.clone());
                    let count = self.received.entry(address.to_ascii_lowercase()).or_default();
                    *count += 1;
                    if fate == (Fate::Complains { nth: *count }) {
                        complained.push(address.clone());
                    }
                }
            }
        }
        let mut kinds = Vec::new();
        if !delivered.is_empty() {
            kinds.push((at, MailEventKind::Delivered { recipients: delivered }));
        }
        for (_, (bounce, recipients)) in bounced {
            kinds.push((at, MailEventKind::Bounced { bounce, recipients }));
        }
        if !complained.is_empty() {
            let later = at + Duration::minutes(self.rng.random_range(10..2 * 24 * 60));
            kinds.push((
                later,
                MailEventKind::Complained {
                    recipients: complained,
                    feedback_type: Some("abuse".into()),
                },
            ));
        }
        let mut scheduled = Vec::new();
        for (when, kind) in kinds {
            let notification = self.notifications.len();
            let event = MailEvent {
                // Unique per notification, the same each time it is delivered (SES's notification id).
                event_id: format!("ses-{notification:07}-{}", kind_name(&kind)),
                reminder: Some(ReminderId(delivery.reminder.clone())),
                at: when,
                kind,
            };
            self.notifications.push(Notification {
                event,
                customer,
                taken: false,
            });
            let lead = when - delivery.at;
            let first = lead + self.delay();
            let again = self.rng.random_bool(0.08).then(|| lead + self.delay());
            scheduled.push(Scheduled {
                notification,
                first,
                again,
            });
        }
        scheduled
    }

    /// How long a notification takes to reach kindly: mostly minutes, often hours, now and then two days.
    fn delay(&mut self) -> Duration {
        match self.rng.random_range(0..100) {
            0..50 => Duration::minutes(self.rng.random_range(1..120)),
            50..92 => Duration::hours(self.rng.random_range(2..24)),
            _ => Duration::hours(self.rng.random_range(24..54)),
        }
    }

    /// When a notification kindly failed to take is offered again (the queue's visibility timeout, growing).
    pub fn retry_after(attempt: u32) -> Duration {
        Duration::minutes(5 * i64::from(attempt.min(12)))
    }
}

/// How a message to an address with `fate` sent at `at` bounces: kind, status and diagnostic.
fn bounce_of(fate: Fate, at: DateTime<Utc>) -> Option<(BounceKind, &'static str, &'static str)> {
    match fate {
        Fate::Dead { from, suppressed } if at >= from => Some(if suppressed {
            (BounceKind::Suppressed, "5.1.1", SUPPRESSED)
        } else {
            (BounceKind::Permanent, "5.1.1", "smtp; 550 5.1.1 user unknown")
        }),
        Fate::Full { from, until } if (from..until).contains(&at) => {
            Some((BounceKind::Transient, "4.2.2", "smtp; 452 4.2.2 mailbox full"))
        }
        _ => None,
    }
}

fn kind_name(kind: &MailEventKind) -> &'static str {
    match kind {
        MailEventKind::Delivered { .. } => "delivery",
        MailEventKind::Bounced { .. } => "bounce",
        MailEventKind::Complained { .. } => "complaint",
        _ => "other",
    }
}

/// A one-line account of a notification for the trace.
pub fn summary(event: &MailEvent) -> String {
    match &event.kind {
        MailEventKind::Delivered { recipients } => format!("delivered to {}", recipients.join(", ")),
        MailEventKind::Bounced { bounce, recipients } => {
            let emails: Vec<&str> = recipients.iter().map(|r| r.email.as_str()).collect();
            format!("{bounce:?} bounce of {}", emails.join(", "))
        }
        MailEventKind::Complained { recipients, .. } => format!("complaint by {}", recipients.join(", ")),
        MailEventKind::Replied(reply) => match &reply.automatic {
            None => format!("reply from {} written {}", reply.from, event.at.format("%m-%d %H:%M")),
            Some(auto) => format!(
                "automatic reply from {} (out of office: {}, back: {})",
                reply.from,
                auto.out_of_office,
                auto.returns_on.map_or("-".to_owned(), |day| day.to_string())
            ),
        },
        other => format!("{other:?}"),
    }
}

/// The day after `at` (for fates' tests).
#[cfg(test)]
fn next_day(at: DateTime<Utc>) -> DateTime<Utc> {
    at + Duration::days(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn delivery(to: &[&str], at: DateTime<Utc>) -> Delivery {
        Delivery {
            step: 1,
            at,
            reminder: "rem_1".into(),
            stage: "first".into(),
            customer: "C0000".into(),
            numbers: vec![],
            reported_failed: false,
            to: to.iter().map(|to| to.to_string()).collect(),
        }
    }

    #[test]
    fn each_fate_gives_its_feedback_with_ids_unique_per_notification() {
        let at: DateTime<Utc> = "2026-03-02T10:00:00Z".parse().unwrap();
        let mut system = MailSystem {
            fates: BTreeMap::new(),
            received: BTreeMap::new(),
            notifications: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(1),
        };
        system.fates.insert(
            "dead@x.example".into(),
            Fate::Dead {
                from: at,
                suppressed: false,
            },
        );
        system.fates.insert(
            "full@x.example".into(),
            Fate::Full {
                from: at,
                until: next_day(at),
            },
        );
        system
            .fates
            .insert("angry@x.example".into(), Fate::Complains { nth: 1 });
        let scheduled = system.feedback(
            &delivery(
                &["dead@x.example", "full@x.example", "ok@x.example", "angry@x.example"],
                at,
            ),
            0,
        );
        let kinds: Vec<String> = scheduled
            .iter()
            .map(|s| summary(&system.notifications[s.notification].event))
            .collect();
        assert_eq!(
            kinds,
            [
                "delivered to ok@x.example, angry@x.example",
                "Permanent bounce of dead@x.example",
                "Transient bounce of full@x.example",
                "complaint by angry@x.example",
            ]
        );
        let ids: std::collections::BTreeSet<&str> =
            system.notifications.iter().map(|n| n.event.event_id.as_str()).collect();
        assert_eq!(ids.len(), 4);
        // The mailbox empties: the next day's message arrives; the complaint was about the first only.
        let later = system.feedback(&delivery(&["full@x.example", "angry@x.example"], next_day(at)), 0);
        assert_eq!(later.len(), 1);
        assert!(system.reached_someone(&delivery(&["dead@x.example", "ok@x.example"], at)));
        assert!(!system.reached_someone(&delivery(&["dead@x.example"], at)));
    }
}
