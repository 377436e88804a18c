//! What the mail system has told kindly about one address: that it does not take mail (a hard bounce, or
//! several transient ones in a short time), or that its owner complained. A leaf: it imports nothing of
//! the domain.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// An address's standing with the mail system. The default: nothing heard, write to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailStanding {
    /// Why the address is no longer written to, and since when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<Blocked>,
    /// Transient bounces heard within the policy's window, each once (by the notification's id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub soft_bounces: Vec<SoftBounce>,
}

/// Why an address is no longer written to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    pub at: DateTime<Utc>,
    pub why: BlockedBecause,
    /// The receiving server's words, e.g. `smtp; 550 5.1.1 user unknown`.
    #[serde(default)]
    pub diagnostic: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockedBecause {
    /// A permanent bounce, or the provider's suppression list.
    Bounced,
    /// Transient bounces, as many as the policy allows within its window.
    KeptBouncing,
    /// Its owner marked a message as spam.
    Complained,
}

impl BlockedBecause {
    pub fn as_str(self) -> &'static str {
        match self {
            BlockedBecause::Bounced => "bounced",
            BlockedBecause::KeptBouncing => "kept bouncing",
            BlockedBecause::Complained => "complained",
        }
    }
}

/// One transient bounce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoftBounce {
    pub event_id: String,
    pub at: DateTime<Utc>,
}

impl MailStanding {
    /// Nothing heard: the stored form leaves it out.
    pub fn is_clear(&self) -> bool {
        self.blocked.is_none() && self.soft_bounces.is_empty()
    }

    /// Record a transient bounce `event_id` at `at`, once, forgetting those older than `window`; blocks the
    /// address when `limit` (at least one) fall within the window. Returns whether it is blocked now.
    pub fn soft_bounce(&mut self, event_id: &str, at: DateTime<Utc>, limit: u32, window: Duration) -> bool {
        if !self.soft_bounces.iter().any(|soft| soft.event_id == event_id) {
            self.soft_bounces.push(SoftBounce {
                event_id: event_id.to_owned(),
                at,
            });
        }
        let latest = self.soft_bounces.iter().map(|soft| soft.at).max().unwrap_or(at);
        self.soft_bounces.retain(|soft| latest - soft.at < window);
        if self.blocked.is_none() && self.soft_bounces.len() >= limit.max(1) as usize {
            self.blocked = Some(Blocked {
                at,
                why: BlockedBecause::KeptBouncing,
                diagnostic: None,
            });
        }
        self.blocked.is_some()
    }

    /// Block the address for `why` (the first reason heard stands).
    pub fn block(&mut self, at: DateTime<Utc>, why: BlockedBecause, diagnostic: Option<String>) {
        if self.blocked.is_none() {
            self.blocked = Some(Blocked { at, why, diagnostic });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        format!("2026-03-{day:02}T10:00:00Z").parse().unwrap()
    }

    #[test]
    fn transient_bounces_block_once_enough_fall_within_the_window_each_counted_once() {
        let window = Duration::days(14);
        let mut standing = MailStanding::default();
        assert!(!standing.soft_bounce("e1", at(1), 3, window));
        assert!(
            !standing.soft_bounce("e1", at(1), 3, window),
            "the same notification again"
        );
        assert!(!standing.soft_bounce("e2", at(5), 3, window));
        assert!(standing.soft_bounce("e3", at(10), 3, window));
        assert_eq!(standing.blocked.as_ref().unwrap().why, BlockedBecause::KeptBouncing);
    }

    #[test]
    fn transient_bounces_far_apart_do_not_block() {
        let window = Duration::days(14);
        let mut standing = MailStanding::default();
        for (index, day) in [1, 16, 31].into_iter().enumerate() {
            assert!(!standing.soft_bounce(&format!("e{index}"), at(day), 3, window));
        }
        assert_eq!(standing.soft_bounces.len(), 1, "older ones are forgotten");
    }

    #[test]
    fn the_first_reason_stands() {
        let mut standing = MailStanding::default();
        standing.block(at(2), BlockedBecause::Bounced, Some("550 5.1.1".into()));
        standing.block(at(3), BlockedBecause::Complained, None);
        let blocked = standing.blocked.unwrap();
        assert_eq!((blocked.at, blocked.why), (at(2), BlockedBecause::Bounced));
    }
}
