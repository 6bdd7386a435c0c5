//! The [`RetryPolicy`] a client's calls follow: a value at the bottom of the
//! house (the client's configuration holds it, the call path reads it).

use std::time::Duration;

/// How failed attempts are retried: exponential backoff with jitter on rate
/// limits, 502/503/504, network failures and timeouts; never on answers that will
/// not change. Waits honour the provider's `Retry-After` (and `retry-after-ms`,
/// and on a 429 the Unix-time resets `x-ratelimit-reset` / `X-Rate-Limit-Reset`
/// of Aitronos, Auth0 and Okta), capped by [`RetryPolicy::max_wait`]
/// and by the client's overall deadline.
///
/// ```
/// use std::time::Duration;
/// use userbridge::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(100))
///     .max_wait(Duration::from_secs(10));
/// assert_eq!(policy.max_attempts, 5);
/// assert_eq!(policy.max_wait, Duration::from_secs(10));
/// assert_eq!(RetryPolicy::none().max_attempts, 1);
/// ```
///
/// Its settings are public fields, read (and written) as they are; the
/// methods of the same names set them builder-style.
#[must_use = "a policy does nothing until given to ClientBuilder::retry_policy"]
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (0 counts as 1).
    pub max_attempts: u32,
    /// The first backoff; later ones double up to `max_backoff`.
    pub initial_backoff: Duration,
    /// The longest computed backoff.
    pub max_backoff: Duration,
    /// The longest wait honoured from a provider's retry hint; a longer hint
    /// ends the retries with the rate-limit error.
    pub max_wait: Duration,
    /// Whether each backoff is randomized.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 200 ms doubling up to 5 s, with jitter; a
    /// provider's `Retry-After` is honoured up to 30 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_wait: Duration::from_secs(30),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retries: one attempt.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The first backoff; later ones double up to [`RetryPolicy::max_backoff`].
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The longest computed backoff.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// The longest wait honoured from a provider's retry hint; a longer hint ends
    /// the retries with the rate-limit error.
    pub fn max_wait(mut self, d: Duration) -> Self {
        self.max_wait = d;
        self
    }

    /// Randomizes each backoff (default on).
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// Attempts in all.
    #[deprecated(since = "0.1.1", note = "read the field `max_attempts`")]
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The first backoff.
    #[deprecated(since = "0.1.1", note = "read the field `initial_backoff`")]
    pub fn get_initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The longest computed backoff.
    #[deprecated(since = "0.1.1", note = "read the field `max_backoff`")]
    pub fn get_max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The longest wait honoured from a provider's retry hint.
    #[deprecated(since = "0.1.1", note = "read the field `max_wait`")]
    pub fn get_max_wait(&self) -> Duration {
        self.max_wait
    }

    /// Whether backoffs are randomized.
    #[deprecated(since = "0.1.1", note = "read the field `jitter`")]
    pub fn get_jitter(&self) -> bool {
        self.jitter
    }

    /// Attempts in all.
    #[deprecated(since = "0.1.1", note = "read the field `max_attempts`")]
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The longest wait honoured from a provider's retry hint.
    #[deprecated(since = "0.1.1", note = "read the field `max_wait`")]
    pub fn longest_wait(&self) -> Duration {
        self.max_wait
    }

    /// The computed backoffs between attempts (one fewer than the attempts).
    pub(crate) fn backoffs(&self) -> impl Iterator<Item = Duration> {
        use backon::BackoffBuilder as _;
        let mut b = backon::ExponentialBuilder::default()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .with_factor(2.0)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize);
        if self.jitter {
            b = b.with_jitter();
        }
        b.build()
    }
}
