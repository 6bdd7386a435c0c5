//! Bulk reactivation: [`Users::reactivate_many`] and its [`ReactivateMany`]
//! run, with [`BulkItem`], [`BulkReport`] and [`Progress`].
//!
//! Calls run concurrently up to a bound, optionally under a start-rate limit
//! (at most N calls start in any window of one second), and a rate-limit answer
//! with a retry hint pauses the start of new calls of the whole batch until the
//! hint has passed. Requests are drawn from the input lazily: memory is bounded
//! by the concurrency, not by the input.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::FuturesUnordered;
use futures_util::{Stream, StreamExt as _};
use serde::Serialize;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::outcome::Reactivated;
use crate::pacing::Pacer;
use crate::users::{self, ReactivateRequest, Users};

/// Calls in flight at most, unless [`ReactivateMany::concurrency`] says
/// otherwise.
pub const DEFAULT_BULK_CONCURRENCY: usize = 8;

/// The window of [`ReactivateMany::rate_limit`].
const WINDOW: Duration = Duration::from_secs(1);

type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// A bulk reactivation, configured; nothing is sent until [`ReactivateMany::run`]
/// or [`ReactivateMany::stream`]. Get one with [`Users::reactivate_many`].
#[must_use = "nothing is sent until .run() or .stream()"]
pub struct ReactivateMany<'a> {
    client: Arc<Config>,
    requests: Requests<'a>,
    total: Option<usize>,
    concurrency: usize,
    rate_limit: Option<u32>,
    request_rate: Option<u32>,
    on_progress: Option<ProgressFn>,
}

impl fmt::Debug for ReactivateMany<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReactivateMany")
            .field("client", &self.client)
            .field("total", &self.total)
            .field("concurrency", &self.concurrency)
            .field("rate_limit", &self.rate_limit)
            .field("request_rate", &self.request_rate)
            .field(
                "on_progress",
                &self.on_progress.as_ref().map(|_| "Fn(&Progress)"),
            )
            .finish_non_exhaustive()
    }
}

impl Users {
    /// Reactivates many users: each request as [`Users::reactivate`] would, up
    /// to [`DEFAULT_BULK_CONCURRENCY`] at a time (see
    /// [`ReactivateMany::concurrency`]). Nothing is sent until
    /// [`ReactivateMany::run`] or [`ReactivateMany::stream`].
    ///
    /// The input is read lazily, one request per started call, so it may be an
    /// unbounded iterator (lines of a file, a database cursor); it is read on
    /// the task that runs or polls the batch, so it may borrow (`ids.iter()`),
    /// and the run then lives no longer than what it borrows. It must be
    /// `Send`. An invalid request fails alone, as [`Error::InvalidRequest`],
    /// with nothing sent for it.
    ///
    /// ```no_run
    /// use userbridge::{Client, Provider, ReactivateRequest};
    ///
    /// # async fn run(client: Client) {
    /// let ids: Vec<String> = vec!["usr_a1".into(), "usr_b2".into(), "usr_c3".into()];
    /// let report = client
    ///     .users()
    ///     .reactivate_many(ids.iter().map(|id| ReactivateRequest::new(id).allow_already_active()))
    ///     .concurrency(16)
    ///     .rate_limit(50)
    ///     .on_progress(|p| eprintln!("{}/{:?} done, {} failed", p.done(), p.total(), p.failed()))
    ///     .run()
    ///     .await;
    /// println!("{} reactivated, {} failed", report.succeeded(), report.failed());
    /// for item in report.items().iter().filter(|i| i.result().is_err()) {
    ///     eprintln!("{}: {:?}", item.request().user_id(), item.result());
    /// }
    /// # }
    /// ```
    pub fn reactivate_many<'a, I>(&self, requests: I) -> ReactivateMany<'a>
    where
        I: IntoIterator,
        I::Item: Into<ReactivateRequest> + 'a,
        I::IntoIter: Send + 'a,
    {
        let requests = requests.into_iter();
        let total = match requests.size_hint() {
            (low, Some(high)) if low == high => Some(low),
            _ => None,
        };
        ReactivateMany {
            client: self.config.clone(),
            requests: Box::new(requests.map(Into::into)),
            total,
            concurrency: DEFAULT_BULK_CONCURRENCY,
            rate_limit: None,
            request_rate: None,
            on_progress: None,
        }
    }
}

impl<'a> ReactivateMany<'a> {
    /// Calls in flight at most (at least 1; default
    /// [`DEFAULT_BULK_CONCURRENCY`]).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// At most `per_second` calls (reactivations) start in any window of one
    /// second (at least 1). A call may make several HTTP requests (an Okta
    /// reactivation reads, transitions and reads back: three): to bound the
    /// requests, use [`ReactivateMany::request_rate`]. Retries of a call are
    /// not new calls: they follow the client's
    /// [`RetryPolicy`](crate::RetryPolicy).
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = Some(per_second.max(1));
        self
    }

    /// At most `per_second` HTTP requests start in any window of one second
    /// (at least 1): every request of every call counts, reads, writes and
    /// retries alike (a three-request Okta reactivation uses three).
    ///
    /// Without it, a run is still paced by the provider's own budget where the
    /// provider reports one (a limit/remaining/reset header triple, as Okta's
    /// `X-Rate-Limit-*` and Auth0's `x-ratelimit-*`): no more requests start
    /// than remain until the reset, counted across the client's clones. A rate
    /// set here stays an upper bound.
    ///
    /// The time a request waits for its start under this pacing (the rate, or
    /// the provider's budget until its reset) is the run's own, not the
    /// provider's: it counts against neither the client's per-attempt
    /// [`timeout`](crate::ClientBuilder::timeout) nor the call's
    /// [`deadline`](crate::ClientBuilder::deadline), which bound the time the
    /// provider takes to answer. A call that waited a minute for the
    /// provider's window to reset has its whole timeout and deadline left; its
    /// wall time is that much longer. (Likewise the wait for a call's own
    /// start, under [`ReactivateMany::rate_limit`] or the concurrency, is not
    /// the call's.)
    pub fn request_rate(mut self, per_second: u32) -> Self {
        self.request_rate = Some(per_second.max(1));
        self
    }

    /// Called after each finished item, from the task that finished it: keep it
    /// short (update a progress bar, a counter).
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(f));
        self
    }

    /// Runs every request and returns the report, items in input order.
    ///
    /// The calls run concurrently on the task that awaits `run` (as
    /// `buffer_unordered` would run them), at most `concurrency` at a time:
    /// nothing else waits between two items, so no per-call task is needed.
    /// Dropping the future cancels the calls in flight.
    pub async fn run(self) -> BulkReport {
        let (client, requests, concurrency, batch) = self.into_parts();
        let mut requests = requests.enumerate();
        let mut in_flight = FuturesUnordered::new();
        // A slot per request taken from the input, filled when its call ends:
        // the report is in input order without sorting. Room is reserved for
        // the announced input, up to a limit: an input may announce more items
        // than memory holds (`repeat_n(id, usize::MAX)`); past the limit,
        // the slots grow as requests are taken.
        let reserved = batch.total.unwrap_or(0).min(MAX_RESERVED_SLOTS);
        let mut slots: Vec<Option<BulkItem>> = Vec::with_capacity(reserved);
        loop {
            while in_flight.len() < concurrency && !batch.stop.is_set() {
                let Some((index, request)) = requests.next() else {
                    break;
                };
                slots.push(None);
                in_flight.push(item(&client, &batch, index, request));
            }
            let Some(done) = in_flight.next().await else {
                break;
            };
            if let Some(slot) = slots.get_mut(done.index) {
                *slot = Some(done);
            }
        }
        // A stopped run reports the rest of its input as not attempted.
        for (index, request) in requests {
            slots.push(Some(batch.not_attempted(&client, index, request)));
        }
        BulkReport {
            // `filter_map`, not `flatten`: std collects it in place (an
            // `Option<BulkItem>` is the size of a `BulkItem`), where `flatten`
            // would copy every item into a second buffer.
            #[allow(clippy::filter_map_identity)]
            items: slots.into_iter().filter_map(|slot| slot).collect(),
            stopped: batch.stop.cause(),
        }
    }

    /// The items as they finish (completion order).
    ///
    /// Each call runs as its own task on the current Tokio runtime, so calls in
    /// flight keep going while the consumer handles an item; at most
    /// `concurrency` items are started and not yet taken from the stream.
    /// Dropping the stream cancels the calls in flight and starts no further
    /// ones. Must be polled within a Tokio runtime.
    pub fn stream(self) -> impl Stream<Item = BulkItem> + Send + 'a {
        let (client, requests, concurrency, batch) = self.into_parts();
        BulkStream {
            client,
            requests: requests.enumerate(),
            exhausted: false,
            concurrency,
            tasks: JoinSet::new(),
            batch,
        }
    }

    /// The client, the input, the concurrency, and what the items share.
    fn into_parts(self) -> (Arc<Config>, Requests<'a>, usize, Arc<Batch>) {
        let ReactivateMany {
            client,
            requests,
            total,
            concurrency,
            rate_limit,
            request_rate,
            on_progress,
        } = self;
        let batch = Arc::new(Batch {
            gate: Gate::new(rate_limit),
            pacer: Arc::new(Pacer::new(request_rate, client.budget.clone())),
            total,
            tally: Mutex::new((0, 0)),
            on_progress,
            stop: Stop::default(),
        });
        (client, requests, concurrency, batch)
    }
}

/// The most report slots [`ReactivateMany::run`] reserves before it has taken
/// any request (264 MiB of 264-byte slots on 64-bit targets).
const MAX_RESERVED_SLOTS: usize = 1 << 20;

/// The input of a bulk run.
type Requests<'a> = Box<dyn Iterator<Item = ReactivateRequest> + Send + 'a>;

/// The call of one item, [`ReactivateMany::run`]'s and
/// [`ReactivateMany::stream`]'s alike: checked (an invalid request fails alone,
/// nothing sent), started when the batch's gate lets it, run as
/// [`Users::reactivate`] would, and counted in the progress.
///
/// (A plain function returning the future: an `async fn` would keep its
/// arguments twice. The future is allocated per item.)
#[allow(clippy::manual_async_fn)] // deliberate: see above
fn item<'a>(
    client: &'a Config,
    batch: &'a Batch,
    index: usize,
    request: ReactivateRequest,
) -> impl std::future::Future<Output = BulkItem> + Send + 'a {
    async move {
        // Not a `match` around the awaits below: its scrutinee would be kept
        // across them.
        if let Err(invalid) = users::check(client, &request) {
            batch.finished(false);
            return BulkItem {
                index,
                request,
                result: Err(invalid),
            };
        }
        batch.gate.wait_to_start().await;
        // The run may have stopped while this item waited to start.
        if batch.stop.is_set() {
            return batch.not_attempted(client, index, request);
        }
        let pause = |e: &Error| batch.gate.on_failed_attempt(e);
        let started = std::time::Instant::now();
        let result =
            users::reactivate_checked(client, &request, started, &pause, Some(&batch.pacer))
                .await
                .map(|done| done.named(request.user_id().to_string()));
        if let Err(e) = &result {
            batch.stop.on_failure(e);
        }
        batch.finished(result.is_ok());
        BulkItem {
            index,
            request,
            result,
        }
    }
}

/// The stream of [`ReactivateMany::stream`]: a task per started call.
struct BulkStream<'a> {
    client: Arc<Config>,
    requests: std::iter::Enumerate<Requests<'a>>,
    exhausted: bool,
    concurrency: usize,
    tasks: JoinSet<BulkItem>,
    batch: Arc<Batch>,
}

impl BulkStream<'_> {
    /// Starts calls until `concurrency` are started and not yet taken (none
    /// once the run stopped).
    fn fill(&mut self) {
        while !self.exhausted && self.tasks.len() < self.concurrency && !self.batch.stop.is_set() {
            let Some((index, request)) = self.requests.next() else {
                self.exhausted = true;
                return;
            };
            let (client, batch) = (self.client.clone(), self.batch.clone());
            self.tasks
                .spawn(async move { item(&client, &batch, index, request).await });
        }
    }
}

impl Stream for BulkStream<'_> {
    type Item = BulkItem;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<BulkItem>> {
        let this = &mut *self;
        loop {
            this.fill();
            return match this.tasks.poll_join_next(cx) {
                Poll::Ready(Some(Ok(item))) => Poll::Ready(Some(item)),
                // A task only fails by panicking (it is never aborted while the
                // stream lives): pass the panic on, as an awaited task would.
                Poll::Ready(Some(Err(e))) if e.is_panic() => {
                    std::panic::resume_unwind(e.into_panic())
                }
                Poll::Ready(Some(Err(_))) => continue,
                Poll::Ready(None) if this.exhausted => Poll::Ready(None),
                // Stopped, with nothing in flight: the rest of the input
                // comes out as not attempted, then the stream ends.
                Poll::Ready(None) if this.batch.stop.is_set() => match this.requests.next() {
                    Some((index, request)) => {
                        Poll::Ready(Some(this.batch.not_attempted(&this.client, index, request)))
                    }
                    None => {
                        this.exhausted = true;
                        Poll::Ready(None)
                    }
                },
                Poll::Ready(None) => continue,
                Poll::Pending => Poll::Pending,
            };
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (low, high) = self.requests.size_hint();
        let started = self.tasks.len();
        (low + started, high.map(|h| h + started))
    }
}

/// What the items of one run share.
struct Batch {
    gate: Gate,
    /// Paces the run's HTTP requests: the request rate, the provider's budget.
    pacer: Arc<Pacer>,
    total: Option<usize>,
    /// (done, succeeded), counted together so that every [`Progress`] is one
    /// consistent snapshot, whatever order concurrent items finish in.
    tally: Mutex<(usize, usize)>,
    on_progress: Option<ProgressFn>,
    /// Set by the first failure no other item can get past.
    stop: Stop,
}

/// Why a run stopped, once it has: the first failure that no other item of
/// the run could get past (the credentials refused after their renewal, a
/// misconfigured client). Per-user answers never stop a run.
#[derive(Default)]
struct Stop {
    set: AtomicBool,
    cause: Mutex<Option<Error>>,
}

impl Stop {
    fn is_set(&self) -> bool {
        self.set.load(Ordering::Acquire)
    }

    /// Stops the run if `e` is batch-wide (the first such failure is kept).
    fn on_failure(&self, e: &Error) {
        if !stops_run(e) {
            return;
        }
        let mut cause = self.cause.lock().unwrap_or_else(PoisonError::into_inner);
        if cause.is_none() {
            *cause = Some(e.clone());
        }
        self.set.store(true, Ordering::Release);
    }

    fn cause(&self) -> Option<Error> {
        self.cause
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Whether `e` fails every other item of the run too: `Unauthenticated` (the
/// SDK already renewed renewable credentials before giving it) and
/// `Misconfigured` (an unknown realm or tenant, a wrong endpoint).
fn stops_run(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Unauthenticated | ErrorKind::Misconfigured
    )
}

impl Batch {
    /// The item of `request`, not sent because the run stopped.
    fn not_attempted(&self, client: &Config, index: usize, request: ReactivateRequest) -> BulkItem {
        let reason = self
            .stop
            .cause()
            .map_or_else(|| "the run stopped".to_string(), |e| e.to_string());
        let result = Err(Error::NotAttempted {
            provider: client.provider,
            user_id: request.user_id().to_string(),
            reason,
        });
        self.finished(false);
        BulkItem {
            index,
            request,
            result,
        }
    }

    fn finished(&self, ok: bool) {
        // The tally is only read for the progress callback.
        let Some(f) = &self.on_progress else {
            return;
        };
        let (done, succeeded) = {
            let mut tally = self.tally.lock().unwrap_or_else(PoisonError::into_inner);
            tally.0 += 1;
            tally.1 += usize::from(ok);
            *tally
        };
        f(&Progress {
            done,
            total: self.total,
            succeeded,
            failed: done.saturating_sub(succeeded),
        });
    }
}

/// When new calls of a batch may start: the start-rate window, and a pause
/// until a provider's retry hint has passed.
struct Gate {
    per_second: Option<u32>,
    /// A pause was asked for at some point: until then, a batch without a
    /// start rate lets every call start without taking the lock.
    ever_paused: AtomicBool,
    state: Mutex<GateState>,
}

#[derive(Default)]
struct GateState {
    /// The starts within the last window, oldest first (at most `per_second`).
    starts: VecDeque<Instant>,
    /// No call starts before this.
    paused_until: Option<Instant>,
}

impl Gate {
    fn new(per_second: Option<u32>) -> Gate {
        Gate {
            per_second,
            ever_paused: AtomicBool::new(false),
            state: Mutex::new(GateState::default()),
        }
    }

    /// Waits until a call may start, and counts it as started.
    async fn wait_to_start(&self) {
        if self.per_second.is_none() && !self.ever_paused.load(Ordering::Acquire) {
            return;
        }
        loop {
            let wait = {
                let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                match (s.paused_until, self.per_second) {
                    (Some(until), _) if until > now => until - now,
                    (_, None) => return,
                    (_, Some(n)) => {
                        while s.starts.front().is_some_and(|t| now - *t >= WINDOW) {
                            s.starts.pop_front();
                        }
                        match s.starts.front() {
                            Some(oldest) if s.starts.len() >= n as usize => *oldest + WINDOW - now,
                            _ => {
                                s.starts.push_back(now);
                                return;
                            }
                        }
                    }
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// A failed attempt: a rate limit with a retry hint pauses every new start
    /// until the hint has passed.
    fn on_failed_attempt(&self, e: &Error) {
        let Error::RateLimited(api) = e else {
            return;
        };
        let Some(hint) = api.retry_after else {
            return;
        };
        let until = Instant::now() + hint;
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if s.paused_until.is_none_or(|t| t < until) {
            s.paused_until = Some(until);
        }
        self.ever_paused.store(true, Ordering::Release);
    }
}

/// One finished item of a bulk run.
#[derive(Clone, Debug, Serialize)]
pub struct BulkItem {
    index: usize,
    request: ReactivateRequest,
    result: Result<Reactivated, Error>,
}

impl BulkItem {
    /// Its position in the input (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The request.
    pub fn request(&self) -> &ReactivateRequest {
        &self.request
    }

    /// Its outcome, as [`Users::reactivate`] would have given it.
    pub fn result(&self) -> &Result<Reactivated, Error> {
        &self.result
    }

    /// The outcome, owned.
    pub fn into_result(self) -> Result<Reactivated, Error> {
        self.result
    }
}

/// Every item of a bulk run, in input order.
#[derive(Clone, Debug, Serialize)]
pub struct BulkReport {
    items: Vec<BulkItem>,
    stopped: Option<Error>,
}

impl FromIterator<BulkItem> for BulkReport {
    /// A report of `items` in any order (as a stream gives them), put in input
    /// order.
    fn from_iter<T: IntoIterator<Item = BulkItem>>(items: T) -> Self {
        let mut items: Vec<BulkItem> = items.into_iter().collect();
        items.sort_unstable_by_key(|item| item.index);
        // The stop's cause: the first failure (in input order) that stops a
        // run, when some item was not attempted.
        let stopped = items
            .iter()
            .any(|i| matches!(i.result, Err(Error::NotAttempted { .. })))
            .then(|| {
                items
                    .iter()
                    .find_map(|i| i.result.as_ref().err().filter(|e| stops_run(e)))
                    .cloned()
            })
            .flatten();
        BulkReport { items, stopped }
    }
}

impl BulkReport {
    /// The items, in input order.
    pub fn items(&self) -> &[BulkItem] {
        &self.items
    }

    /// The items, owned.
    pub fn into_items(self) -> Vec<BulkItem> {
        self.items
    }

    /// `Ok` results, already active and recovered ones included.
    pub fn succeeded(&self) -> usize {
        self.items.iter().filter(|i| i.result.is_ok()).count()
    }

    /// Errors, items not attempted included: `succeeded() + failed()` is the
    /// number of items.
    pub fn failed(&self) -> usize {
        self.items.len() - self.succeeded()
    }

    /// The failure that stopped the run, if it stopped: `Unauthenticated`
    /// (after the client renewed what credentials it could) or
    /// `Misconfigured` (an unknown realm, tenant or organization, a wrong
    /// endpoint), which no other item could get past. The calls in flight
    /// then finished; no new one started.
    pub fn stopped(&self) -> Option<&Error> {
        self.stopped.as_ref()
    }

    /// Items never sent because the run stopped ([`ErrorKind::NotAttempted`]).
    pub fn not_attempted(&self) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(i.result, Err(Error::NotAttempted { .. })))
            .count()
    }

    /// Successes whose user was already active
    /// ([`Reactivated::already_active`]).
    pub fn already_active(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.result.as_ref().is_ok_and(Reactivated::already_active))
            .count()
    }
}

/// Where a bulk run stands, after each finished item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    done: usize,
    total: Option<usize>,
    succeeded: usize,
    failed: usize,
}

impl Progress {
    /// Items finished so far.
    pub fn done(&self) -> usize {
        self.done
    }

    /// The number of items, when the input knew its size (an exact
    /// `size_hint`, as a `Vec` or a range has).
    pub fn total(&self) -> Option<usize> {
        self.total
    }

    /// Items finished with `Ok`.
    pub fn succeeded(&self) -> usize {
        self.succeeded
    }

    /// Items finished with an error.
    pub fn failed(&self) -> usize {
        self.failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Start times of `n` calls through a gate, in virtual time from the first.
    async fn starts(gate: &Gate, n: usize) -> Vec<Duration> {
        let t0 = Instant::now();
        let mut out = Vec::new();
        for _ in 0..n {
            gate.wait_to_start().await;
            out.push(Instant::now() - t0);
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn at_most_n_starts_in_any_window_of_one_second() {
        let gate = Gate::new(Some(3));
        let at = starts(&gate, 7).await;
        let ms: Vec<u128> = at.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [0, 0, 0, 1000, 1000, 1000, 2000]);
        for (i, t) in at.iter().enumerate() {
            let in_window = at[i..].iter().filter(|u| **u - *t < WINDOW).count();
            assert!(in_window <= 3, "{ms:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_retry_hint_pauses_every_start_once() {
        let gate = Gate::new(None);
        gate.wait_to_start().await;
        let mut api =
            crate::error::ApiError::new(crate::provider::Provider::ALL[0], 429, "slow down");
        api.retry_after = Some(Duration::from_millis(700));
        gate.on_failed_attempt(&Error::RateLimited(api.clone()));
        // A shorter hint later does not shorten the pause.
        api.retry_after = Some(Duration::from_millis(100));
        gate.on_failed_attempt(&Error::RateLimited(api));
        let ms: Vec<u128> = starts(&gate, 3)
            .await
            .iter()
            .map(Duration::as_millis)
            .collect();
        assert_eq!(ms, [700, 700, 700], "one pause, then no more waiting");
    }
}
