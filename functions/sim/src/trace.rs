//! The run's trace: one line per thing that happened, hashed as it grows (two runs of one seed must give
//! the same hash), and searchable by customer or invoice to explain a violation.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// One step's record: what happened, and which customers and invoices it touched.
#[derive(Debug, Clone)]
pub struct Event {
    pub step: u64,
    pub at: DateTime<Utc>,
    pub text: String,
    pub touched: BTreeSet<String>,
}

impl Event {
    pub fn line(&self) -> String {
        format!("#{} {} {}", self.step, self.at.format("%Y-%m-%d %H:%M:%S"), self.text)
    }
}

#[derive(Default)]
pub struct Trace {
    events: Vec<Event>,
    hasher: Sha256,
}

impl Trace {
    pub fn record(&mut self, step: u64, at: DateTime<Utc>, text: String, touched: BTreeSet<String>) {
        let event = Event {
            step,
            at,
            text,
            touched,
        };
        self.hasher.update(event.line().as_bytes());
        self.hasher.update(b"\n");
        for id in &event.touched {
            self.hasher.update(id.as_bytes());
            self.hasher.update(b",");
        }
        self.events.push(event);
    }

    /// The hash of every line so far: equal for two runs exactly when they did the same things.
    pub fn hash(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The last `n` lines that touched any of `ids` (a customer, its invoices, a reminder), oldest first.
    pub fn excerpt(&self, ids: &[String], n: usize) -> Vec<String> {
        let mut lines: Vec<String> = self
            .events
            .iter()
            .rev()
            .filter(|event| ids.iter().any(|id| event.touched.contains(id)))
            .take(n)
            .map(Event::line)
            .collect();
        lines.reverse();
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touched(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|id| id.to_string()).collect()
    }

    #[test]
    fn the_hash_follows_content_and_the_excerpt_follows_ids() {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let mut one = Trace::default();
        let mut two = Trace::default();
        for trace in [&mut one, &mut two] {
            trace.record(1, at, "pay C1".into(), touched(&["C1", "I1"]));
            trace.record(2, at, "pay C2".into(), touched(&["C2"]));
        }
        assert_eq!(one.hash(), two.hash());
        two.record(3, at, "send".into(), touched(&["C1"]));
        assert_ne!(one.hash(), two.hash());
        assert_eq!(two.excerpt(&["C1".into()], 5).len(), 2);
        assert_eq!(two.excerpt(&["I1".into()], 5), vec!["#1 1970-01-01 00:00:00 pay C1"]);
    }
}
