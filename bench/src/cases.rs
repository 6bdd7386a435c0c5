//! The measured cases, each for the hand-written baseline and for userbridge:
//! the same ids, the same server, the same concurrency. One case compares the
//! SDK with itself instead: [`Case::Token`], a token from a `token_source`'s
//! cache against a static bearer token.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use userbridge::Provider;

use crate::raw::{Raw, RawBlocking};

/// The token both sides send (the server does not check it).
pub const TOKEN: &str = "bench-token-0123456789abcdef";

/// The concurrency of the concurrent case (issue 14).
pub const CONCURRENCY: usize = 32;
/// The concurrency of the bulk case (issue 14).
pub const BULK_CONCURRENCY: usize = 64;

/// Which implementation makes the calls: the baseline (the ratio's
/// denominator) or the measured one. For [`Case::Token`] both are the SDK:
/// `Raw` is its client with a static bearer token, `Sdk` its client with a
/// cached token ([`Case::side_name`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Raw,
    Sdk,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Raw => "raw",
            Side::Sdk => "sdk",
        }
    }
}

/// What is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// One call after the other, async.
    Sequential,
    /// `buffer_unordered(32)` over single calls.
    Concurrent,
    /// One call after the other, blocking, from the main thread.
    Blocking,
    /// SDK: `reactivate_many(ids).concurrency(64).run()`; raw:
    /// `buffer_unordered(64)`.
    Bulk,
    /// One call after the other, async, SDK against SDK: a client whose
    /// token comes from its `token_source`'s (warm) cache, inserted per
    /// request, against one with a static `bearer_token` (a default header
    /// of its HTTP client).
    Token,
}

impl Case {
    pub const ALL: [Case; 5] = [
        Case::Sequential,
        Case::Concurrent,
        Case::Blocking,
        Case::Bulk,
        Case::Token,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Case::Sequential => "seq",
            Case::Concurrent => "conc",
            Case::Blocking => "blocking",
            Case::Bulk => "bulk",
            Case::Token => "token",
        }
    }

    /// What `side` is in this case: `raw` or `sdk`, or for [`Case::Token`]
    /// `static` (the static-token client) or `token` (the cached token).
    pub fn side_name(self, side: Side) -> &'static str {
        match (self, side) {
            (Case::Token, Side::Raw) => "static",
            (Case::Token, Side::Sdk) => "token",
            (_, side) => side.name(),
        }
    }

    pub fn parse(s: &str) -> Option<Case> {
        Case::ALL.into_iter().find(|c| c.key() == s)
    }
}

/// Every client of one benchmark run, built once (pools stay warm).
pub struct Clients {
    pub raw: Arc<Raw>,
    pub sdk: userbridge::Client,
    /// The SDK client of [`Case::Token`]: the same settings as `sdk`, its
    /// token from a `token_source`.
    pub sdk_token: userbridge::Client,
    /// How often `sdk_token`'s source was asked for a token (once, when the
    /// cache works: the token does not expire and is never refused).
    pub token_fetches: Arc<AtomicUsize>,
    pub raw_blocking: RawBlocking,
    pub sdk_blocking: userbridge_blocking::Client,
}

impl Clients {
    /// Builds all five. Must not run inside an async runtime
    /// (`reqwest::blocking` would panic).
    pub fn new(base: &str) -> Result<Clients, String> {
        let token_fetches = Arc::new(AtomicUsize::new(0));
        Ok(Clients {
            raw: Arc::new(Raw::new(base, TOKEN).map_err(|e| e.to_string())?),
            sdk: sdk_client(base)?,
            sdk_token: sdk_token_client(base, token_fetches.clone())?,
            token_fetches,
            raw_blocking: RawBlocking::new(base, TOKEN).map_err(|e| e.to_string())?,
            sdk_blocking: userbridge_blocking::Client::builder(Provider::Flashback)
                .base_url(base)
                .bearer_token(TOKEN)
                .build()
                .map_err(|e| e.to_string())?,
        })
    }
}

/// The SDK client as a user configures it: default retry policy, timeouts and
/// limits.
pub fn sdk_client(base: &str) -> Result<userbridge::Client, String> {
    userbridge::Client::builder(Provider::Flashback)
        .base_url(base)
        .bearer_token(TOKEN)
        .build()
        .map_err(|e| e.to_string())
}

/// [`sdk_client`] with its token from a `token_source` instead: [`TOKEN`],
/// without an expiry (kept until refused, which the server never does), so
/// that after the first call every call takes it from the cache. `fetches`
/// counts the source's calls.
pub fn sdk_token_client(
    base: &str,
    fetches: Arc<AtomicUsize>,
) -> Result<userbridge::Client, String> {
    userbridge::Client::builder(Provider::Flashback)
        .base_url(base)
        .token_source(move || {
            fetches.fetch_add(1, Ordering::Relaxed);
            async { Ok(userbridge::AccessToken::new(TOKEN, None)) }
        })
        .build()
        .map_err(|e| e.to_string())
}

/// `n` user ids, `usr_00000000` onwards.
pub fn ids(n: usize) -> Arc<[String]> {
    (0..n).map(|i| format!("usr_{i:08}")).collect()
}

/// The client runtime: a multi-thread runtime (as `#[tokio::main]` builds)
/// with `workers` worker threads.
pub fn client_runtime(workers: usize) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .thread_name("bench-client")
        .enable_all()
        .build()
}

/// Runs `fut` as a task on `rt` (on a worker thread, as an application's task
/// runs) and waits for it.
fn on_runtime<T: Send + 'static>(
    rt: &tokio::runtime::Runtime,
    fut: impl Future<Output = T> + Send + 'static,
) -> T {
    match rt.block_on(rt.spawn(fut)) {
        Ok(out) => out,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Runs `case` once for `side` over the first `n` ids; the time it took.
pub fn run(
    rt: &tokio::runtime::Runtime,
    clients: &Clients,
    ids: &Arc<[String]>,
    case: Case,
    side: Side,
    n: usize,
) -> Result<Duration, String> {
    assert!(n <= ids.len(), "not enough ids");
    let ids = ids.clone();
    match (case, side) {
        (Case::Sequential, Side::Raw) => {
            let raw = clients.raw.clone();
            on_runtime(rt, async move {
                let started = Instant::now();
                for id in &ids[..n] {
                    raw.reactivate(id).await?;
                }
                Ok(started.elapsed())
            })
        }
        (Case::Sequential, Side::Sdk) | (Case::Token, _) => {
            // The token case's static side is the sequential case's SDK client.
            let sdk = if (case, side) == (Case::Token, Side::Sdk) {
                clients.sdk_token.clone()
            } else {
                clients.sdk.clone()
            };
            on_runtime(rt, async move {
                let started = Instant::now();
                for id in &ids[..n] {
                    sdk.users()
                        .reactivate(id.as_str())
                        .await
                        .map_err(|e| e.to_string())?;
                }
                Ok(started.elapsed())
            })
        }
        (Case::Concurrent | Case::Bulk, Side::Raw) => {
            let level = if case == Case::Bulk {
                BULK_CONCURRENCY
            } else {
                CONCURRENCY
            };
            let raw = clients.raw.clone();
            on_runtime(rt, async move {
                let started = Instant::now();
                // Indexes, not `&String`s: a stream of references trips the
                // compiler's `Send` check of the spawned future.
                futures_util::stream::iter(0..n)
                    .map(|i| raw.reactivate(&ids[i]))
                    .buffer_unordered(level)
                    .fold(Count::default(), Count::add)
                    .await
                    .finish(n)?;
                Ok(started.elapsed())
            })
        }
        (Case::Concurrent, Side::Sdk) => {
            let sdk = clients.sdk.clone();
            on_runtime(rt, async move {
                let started = Instant::now();
                futures_util::stream::iter(0..n)
                    .map(|i| sdk.users().reactivate(ids[i].as_str()))
                    .buffer_unordered(CONCURRENCY)
                    .fold(Count::default(), |count, r| {
                        Count::add(count, r.map(drop).map_err(|e| e.to_string()))
                    })
                    .await
                    .finish(n)?;
                Ok(started.elapsed())
            })
        }
        (Case::Bulk, Side::Sdk) => {
            let sdk = clients.sdk.clone();
            // The owned input a caller hands over, made before the clock starts.
            let input: Vec<String> = ids[..n].to_vec();
            on_runtime(rt, async move {
                let started = Instant::now();
                let report = sdk
                    .users()
                    .reactivate_many(input)
                    .concurrency(BULK_CONCURRENCY)
                    .run()
                    .await;
                let elapsed = started.elapsed();
                if report.items().len() != n || report.succeeded() != n {
                    let first = report
                        .items()
                        .iter()
                        .find_map(|i| i.result().as_ref().err())
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    return Err(format!(
                        "bulk: {} items, {} succeeded of {n}; first error: {first}",
                        report.items().len(),
                        report.succeeded()
                    ));
                }
                Ok(elapsed)
            })
        }
        (Case::Blocking, Side::Raw) => {
            let started = Instant::now();
            for id in &ids[..n] {
                clients.raw_blocking.reactivate(id)?;
            }
            Ok(started.elapsed())
        }
        (Case::Blocking, Side::Sdk) => {
            let started = Instant::now();
            for id in &ids[..n] {
                clients
                    .sdk_blocking
                    .users()
                    .reactivate(id.as_str())
                    .map_err(|e| e.to_string())?;
            }
            Ok(started.elapsed())
        }
    }
}

/// Successes and the first failure of a concurrent run.
#[derive(Default)]
struct Count {
    ok: usize,
    first_error: Option<String>,
}

impl Count {
    async fn add(mut self, result: Result<(), String>) -> Count {
        match result {
            Ok(()) => self.ok += 1,
            Err(e) => {
                self.first_error.get_or_insert(e);
            }
        }
        self
    }

    fn finish(self, n: usize) -> Result<(), String> {
        match self.first_error {
            None if self.ok == n => Ok(()),
            first => Err(format!(
                "{} of {n} calls succeeded; first error: {}",
                self.ok,
                first.unwrap_or_default()
            )),
        }
    }
}
