//! Pacing: no more than `rate` sends per second, evenly spaced, shared by every task of one process.

use std::sync::Arc;
use tokio::sync::Mutex;
use tokio::time::{Duration, Instant};

/// The longest wait between two sends: a minute.
pub const SLOWEST: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Pacer {
    interval: Duration,
    next: Arc<Mutex<Instant>>,
}

impl Pacer {
    /// `rate` sends per second; a rate of zero or less (unlimited) never waits. Sends are never spaced more
    /// than [`SLOWEST`] apart, whatever the rate (a rate near zero, or one that is not a number, would
    /// otherwise stop the sender for ever or make no duration at all).
    pub fn new(rate: f64) -> Pacer {
        let interval = if rate > 0.0 {
            Duration::try_from_secs_f64(1.0 / rate).map_or(SLOWEST, |interval| interval.min(SLOWEST))
        } else if rate.is_nan() {
            SLOWEST
        } else {
            Duration::ZERO
        };
        Pacer {
            interval,
            next: Arc::new(Mutex::new(Instant::now())),
        }
    }

    /// Wait for this send's slot.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = (*next).max(now);
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn sends_are_spaced_at_the_rate() {
        let pacer = Pacer::new(10.0);
        let start = Instant::now();
        for _ in 0..21 {
            pacer.wait().await;
        }
        // 21 sends at 10/s: the first at once, the last two seconds later.
        assert_eq!(Instant::now() - start, Duration::from_secs(2));
    }

    #[test]
    fn any_rate_makes_a_pacer() {
        for rate in [1e-300, f64::MIN_POSITIVE, f64::NAN, f64::INFINITY, -1.0, 0.0, 14.0] {
            let pacer = Pacer::new(rate);
            assert!(pacer.interval <= SLOWEST, "{rate}: {:?}", pacer.interval);
        }
        assert_eq!(Pacer::new(1e-300).interval, SLOWEST);
        assert_eq!(Pacer::new(f64::INFINITY).interval, Duration::ZERO);
    }
}
