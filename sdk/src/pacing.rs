//! Pacing of a bulk run's HTTP requests, below the adapters: the transport
//! asks a [`Pacer`] before each request it sends and hands it each answer's
//! headers.
//!
//! A pacer keeps two bounds: a rate the user set (at most N requests start in
//! any window of one second), and the provider's own budget, read from the
//! answers (a limit/remaining/reset triple, as Okta's `X-Rate-Limit-*` and
//! Auth0's `x-ratelimit-*`): no more requests start than remain until the
//! reset. The budget is the tenant's: a [`Budget`] lives in the client's
//! configuration and is shared by its clones and by every run on them.
//!
//! Only bulk runs carry a pacer; a single call's context has none, and its
//! requests pay one `Option` check.
//!
//! The time a request waits for its start is the run's own pacing, not the
//! provider's time: it counts against neither the per-attempt timeout nor the
//! call's overall deadline ([`PacedCall`]). A request's timer starts when it
//! is sent; a call that waited 40 s for the provider's window to reset still
//! has its whole timeout and deadline for the provider's answers.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// The window of a request rate.
const WINDOW: Duration = Duration::from_secs(1);

/// The longest the budget makes a request wait (a reset further away is
/// read as a clock disagreement, not as a reason to wait longer).
const MAX_WAIT: Duration = Duration::from_secs(3600);

/// The limit/remaining/reset header triples read, lower-case, in order.
const TRIPLES: [[&str; 3]; 2] = [
    [
        "x-rate-limit-limit",
        "x-rate-limit-remaining",
        "x-rate-limit-reset",
    ],
    [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ],
];

/// When the requests of one bulk run may start.
#[derive(Debug)]
pub(crate) struct Pacer {
    /// At most this many requests start in any window of one second.
    per_second: Option<u32>,
    /// The starts within the last window, oldest first.
    starts: Mutex<VecDeque<Instant>>,
    /// The provider's budget, shared by the client's clones.
    budget: Arc<Budget>,
}

impl Pacer {
    pub(crate) fn new(per_second: Option<u32>, budget: Arc<Budget>) -> Pacer {
        Pacer {
            per_second: per_second.map(|n| n.max(1)),
            starts: Mutex::new(VecDeque::new()),
            budget,
        }
    }

    /// Waits until a request may start, and counts it as started.
    pub(crate) async fn wait_to_start(&self) {
        loop {
            let notified = self.budget.answers.notified();
            let wait = match self.budget.wait() {
                // Spent, with no reset known: until the next answer says more.
                (None, _) => {
                    notified.await;
                    continue;
                }
                // Spent as far as known, with requests in flight: their
                // answers may say more before the reset.
                (Some(wait), true) => {
                    let _ = tokio::time::timeout(wait, notified).await;
                    continue;
                }
                (Some(wait), false) => self.rate_wait().max(wait),
            };
            if wait.is_zero() {
                // Both bounds let it start now: count it in both at once, so
                // that a concurrent request sees it.
                if self.take_rate() && self.budget.take() {
                    return;
                }
                // Another request took the last unit in between: look again.
                tokio::task::yield_now().await;
                continue;
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// How long until the user's rate lets a request start (zero: now).
    fn rate_wait(&self) -> Duration {
        let Some(n) = self.per_second else {
            return Duration::ZERO;
        };
        let mut starts = self.starts.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        while starts.front().is_some_and(|t| now - *t >= WINDOW) {
            starts.pop_front();
        }
        match starts.front() {
            Some(oldest) if starts.len() >= n as usize => *oldest + WINDOW - now,
            _ => Duration::ZERO,
        }
    }

    /// Counts a start against the user's rate, if it still has room.
    fn take_rate(&self) -> bool {
        let Some(n) = self.per_second else {
            return true;
        };
        let mut starts = self.starts.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        while starts.front().is_some_and(|t| now - *t >= WINDOW) {
            starts.pop_front();
        }
        if starts.len() >= n as usize {
            return false;
        }
        starts.push_back(now);
        true
    }

    /// A request's answer arrived: its headers may say where the budget stands.
    pub(crate) fn answered(&self, headers: &HeaderMap) {
        self.budget.answered(headers);
    }

    /// A request ended without an answer (it counted as in flight).
    pub(crate) fn lost(&self) {
        self.budget.lost();
    }
}

/// One call of a bulk run under the run's [`Pacer`]: its requests wait for
/// their starts here, and the time they waited moves the call's deadline and
/// the current attempt's end back by as much (see the module docs).
#[derive(Debug)]
pub(crate) struct PacedCall {
    pacer: Arc<Pacer>,
    /// Nanoseconds waited in the attempts before the current one.
    earlier: AtomicU64,
    /// Nanoseconds waited in the current attempt.
    current: AtomicU64,
}

impl PacedCall {
    pub(crate) fn new(pacer: Arc<Pacer>) -> PacedCall {
        PacedCall {
            pacer,
            earlier: AtomicU64::new(0),
            current: AtomicU64::new(0),
        }
    }

    /// Waits until a request may start ([`Pacer::wait_to_start`]), and counts
    /// the wait as the current attempt's.
    pub(crate) async fn wait_to_start(&self) {
        let asked = Instant::now();
        self.pacer.wait_to_start().await;
        let waited = u64::try_from(asked.elapsed().as_nanos()).unwrap_or(u64::MAX);
        if waited > 0 {
            self.current.fetch_add(waited, Ordering::Relaxed);
        }
    }

    /// A new attempt starts: the waits so far move the deadline only (the
    /// attempt's end is set afresh from now).
    pub(crate) fn next_attempt(&self) {
        let current = self.current.swap(0, Ordering::Relaxed);
        self.earlier.fetch_add(current, Ordering::Relaxed);
    }

    /// The time the current attempt's requests waited for their starts.
    pub(crate) fn attempt_waited(&self) -> Duration {
        Duration::from_nanos(self.current.load(Ordering::Relaxed))
    }

    /// The time all the call's requests waited for their starts.
    pub(crate) fn waited(&self) -> Duration {
        Duration::from_nanos(
            self.earlier
                .load(Ordering::Relaxed)
                .saturating_add(self.current.load(Ordering::Relaxed)),
        )
    }

    /// [`Pacer::answered`].
    pub(crate) fn answered(&self, headers: &HeaderMap) {
        self.pacer.answered(headers);
    }

    /// [`Pacer::lost`].
    pub(crate) fn lost(&self) {
        self.pacer.lost();
    }
}

/// The provider's request budget as the answers report it: what remained at
/// the last observation, until when, and the requests started since.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    state: Mutex<BudgetState>,
    /// Woken on every answer (and lost request).
    answers: tokio::sync::Notify,
}

#[derive(Debug, Default)]
struct BudgetState {
    /// Requests that may still start before `reset` (already less the ones
    /// started since the observation); `None`: no budget known.
    left: Option<u64>,
    /// When the provider's window resets: then `limit` requests may start
    /// until the next answer says more.
    reset: Option<Instant>,
    /// The provider's limit per window, as last reported.
    limit: u64,
    /// The lowest `remaining` reported in the current window.
    lowest: u64,
    /// The reset as the provider wrote it (Unix seconds): tells a new window
    /// from the current one.
    reset_unix: u64,
    /// Requests sent and not yet answered.
    in_flight: u64,
}

impl Budget {
    /// How long until the budget lets a request start (zero: now, or no budget
    /// known); `None`: spent, with no reset known (after a reset the next
    /// answers tell), until the next answer. With it, whether an answer may
    /// shorten the wait (requests are in flight, and count as spent until
    /// answered).
    fn wait(&self) -> (Option<Duration>, bool) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        s.expire(now);
        let answers_pending = s.in_flight > 0;
        match (s.left, s.reset) {
            (Some(0), Some(reset)) => (Some(reset.saturating_duration_since(now)), answers_pending),
            // Nothing in flight to tell more: one request finds out.
            (Some(0), None) if answers_pending => (None, true),
            _ => (Some(Duration::ZERO), false),
        }
    }

    /// Counts a start, if the budget has room (or is unknown).
    fn take(&self) -> bool {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        s.expire(Instant::now());
        let finds_out = s.in_flight == 0 && s.reset.is_none();
        match &mut s.left {
            // Spent, nothing in flight, no reset known: one request finds out.
            Some(0) if finds_out => {}
            Some(0) => return false,
            Some(left) => *left -= 1,
            None => {}
        }
        s.in_flight += 1;
        true
    }

    fn lost(&self) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        s.in_flight = s.in_flight.saturating_sub(1);
        drop(s);
        self.answers.notify_waiters();
    }

    fn answered(&self, headers: &HeaderMap) {
        self.observe(observe(headers));
        self.answers.notify_waiters();
    }

    fn observe(&self, observed: Option<(u64, u64, u64)>) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        s.in_flight = s.in_flight.saturating_sub(1);
        let Some((limit, remaining, reset_unix)) = observed else {
            return;
        };
        let now = Instant::now();
        s.expire(now);
        let until_reset = until_unix(reset_unix);
        if until_reset.is_zero() || reset_unix < s.reset_unix {
            // A late answer from a window that is over.
            return;
        }
        // Answers come back out of order: the lowest count of the window is
        // the newest, and every answered request is in it. The requests still
        // in flight may not be counted yet: they count as spent (the budget
        // errs on the side of waiting, and is exact once they are answered).
        let lowest = if s.reset_unix == reset_unix && s.reset.is_some() {
            s.lowest.min(remaining)
        } else {
            remaining
        };
        s.lowest = lowest;
        s.left = Some(lowest.saturating_sub(s.in_flight));
        s.reset_unix = reset_unix;
        s.limit = limit;
        s.reset = Some(now + until_reset);
    }
}

impl BudgetState {
    /// Past the reset a new window holds the limit, until the next answer
    /// says more.
    fn expire(&mut self, now: Instant) {
        if self.reset.is_some_and(|r| r <= now) {
            self.left = Some(self.limit);
            self.reset = None;
        }
    }
}

/// `(limit, remaining, reset as Unix seconds)` of a limit/remaining/reset
/// triple ([`TRIPLES`]), if the answer has one.
fn observe(headers: &HeaderMap) -> Option<(u64, u64, u64)> {
    let number =
        |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
    TRIPLES.iter().find_map(|[limit, remaining, reset]| {
        Some((number(limit)?, number(remaining)?, number(reset)?))
    })
}

/// The time from now until the Unix time `at` (seconds), at most
/// [`MAX_WAIT`]; zero if past.
fn until_unix(at: u64) -> Duration {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    Duration::from_secs(at).saturating_sub(now).min(MAX_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn triple(names: [&'static str; 3], limit: u64, remaining: u64, reset: u64) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, v) in names.into_iter().zip([limit, remaining, reset]) {
            h.insert(name, HeaderValue::from(v));
        }
        h
    }

    fn unix_now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_counts_requests() {
        let pacer = Pacer::new(Some(3), Arc::default());
        let t0 = Instant::now();
        let mut at = Vec::new();
        for _ in 0..7 {
            pacer.wait_to_start().await;
            at.push((Instant::now() - t0).as_millis());
        }
        assert_eq!(at, [0, 0, 0, 1000, 1000, 1000, 2000]);
    }

    #[tokio::test(start_paused = true)]
    async fn remaining_zero_starts_nothing_until_the_reset() {
        let budget = Arc::new(Budget::default());
        let pacer = Pacer::new(None, budget.clone());
        pacer.wait_to_start().await;
        let reset = unix_now() + 30;
        pacer.answered(&triple(TRIPLES[0], 10, 0, reset));
        let waiting = tokio::spawn(async move {
            pacer.wait_to_start().await;
        });
        tokio::time::sleep(Duration::from_secs(28)).await;
        assert!(!waiting.is_finished(), "started before the reset");
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert!(waiting.is_finished(), "not started after the reset");
    }

    #[tokio::test(start_paused = true)]
    async fn the_budget_counts_starts_since_the_observation_and_is_shared() {
        let budget = Arc::new(Budget::default());
        let (a, b) = (
            Pacer::new(None, budget.clone()),
            Pacer::new(None, budget.clone()),
        );
        a.wait_to_start().await;
        a.answered(&triple(TRIPLES[1], 10, 4, unix_now() + 60));
        // Four remain: two pacers on one budget start four between them.
        let mut started = 0;
        for p in [&a, &b, &a, &b, &a] {
            let go = tokio::time::timeout(Duration::from_secs(1), p.wait_to_start()).await;
            started += usize::from(go.is_ok());
        }
        assert_eq!(started, 4);
    }

    #[tokio::test(start_paused = true)]
    async fn a_paced_call_counts_its_waits_by_attempt() {
        let call = PacedCall::new(Arc::new(Pacer::new(Some(1), Arc::default())));
        call.wait_to_start().await;
        call.wait_to_start().await;
        assert_eq!(call.attempt_waited(), Duration::from_secs(1));
        call.next_attempt();
        assert_eq!(call.attempt_waited(), Duration::ZERO);
        call.wait_to_start().await;
        assert_eq!(call.attempt_waited(), Duration::from_secs(1));
        assert_eq!(call.waited(), Duration::from_secs(2));
    }

    #[test]
    fn answers_without_a_triple_leave_the_budget_unknown() {
        let budget = Budget::default();
        assert!(budget.take());
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-remaining", HeaderValue::from(0));
        budget.answered(&h);
        assert_eq!(budget.wait(), (Some(Duration::ZERO), false));
        assert!(budget.take());
    }
}
