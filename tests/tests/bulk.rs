//! Issue 14: bulk reactivation (`Users::reactivate_many`), async and blocking.
//!
//! Outcomes are checked against every provider's simulator. The scheduling
//! rules (the concurrency bound, the one-second start window, the batch-wide
//! pause on a retry hint, dropping the stream) do not depend on the provider:
//! they are checked on a wiremock server that records when each request
//! arrived, answering with the documented success of one single-call provider
//! (Flashback, read from its spec). Assertions are on counts and on arrival
//! order relative to the server's own answers; any slowness of the machine
//! only spreads requests out, so it cannot make them fail.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use userbridge_tests::Credentials;

use futures_util::StreamExt as _;
use serde_json::Value;
use userbridge::mock::{Simulator, UserState};
use userbridge::{
    BulkReport, Client, ErrorKind, Progress, Provider, ReactivateRequest, RetryPolicy,
    DEFAULT_BULK_CONCURRENCY,
};
use userbridge_tests::runtime;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn client_for(sim: &Simulator) -> Client {
    Client::builder(sim.provider())
        .base_url(sim.base_url())
        .credentials(sim.provider(), sim.token())
        .organization(sim.organization())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

fn blocking_client_for(sim: &Simulator) -> userbridge_blocking::Client {
    userbridge_blocking::Client::builder(sim.provider())
        .base_url(sim.base_url())
        .credentials(sim.provider(), sim.token())
        .organization(sim.organization())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

/// `n` deactivated users `usr_bulk<i>`, every third one unknown to the
/// simulator, and two invalid ids: (requests, expected kind per index).
fn mixed_input(sim: &Simulator, n: usize) -> (Vec<String>, Vec<Option<ErrorKind>>) {
    let mut ids = Vec::new();
    let mut expected = Vec::new();
    for i in 0..n {
        let id = format!("usr_bulk{i}");
        if i % 3 == 2 {
            expected.push(Some(ErrorKind::NotFound));
        } else {
            sim.add_user(id.as_str(), sim.organization(), UserState::Deactivated);
            expected.push(None);
        }
        ids.push(id);
    }
    for bad in [" usr_padded ", ""] {
        ids.push(bad.to_string());
        expected.push(Some(ErrorKind::InvalidRequest));
    }
    (ids, expected)
}

fn check_report(
    what: &str,
    report: &userbridge::BulkReport,
    ids: &[String],
    expected: &[Option<ErrorKind>],
) {
    assert_eq!(report.items().len(), ids.len(), "{what}");
    for (i, item) in report.items().iter().enumerate() {
        assert_eq!(item.index(), i, "{what}: input order");
        assert_eq!(item.request().user_id(), ids[i], "{what}");
        if let Ok(done) = item.result() {
            assert_eq!(done.user_id(), ids[i], "{what}: the success names its user");
        }
        let got = item.result().as_ref().err().map(|e| e.kind());
        assert_eq!(got, expected[i], "{what} item {i}: {:?}", item.result());
        if got == Some(ErrorKind::InvalidRequest) {
            let e = item.result().as_ref().err().map(|e| e.attempts());
            assert_eq!(e, Some(0), "{what}: nothing sent for an invalid item");
        }
    }
    let failed = expected.iter().filter(|e| e.is_some()).count();
    assert_eq!(report.failed(), failed, "{what}");
    assert_eq!(report.succeeded(), ids.len() - failed, "{what}");
    assert_eq!(report.already_active(), 0, "{what}");
}

#[test]
fn run_reports_every_item_in_input_order_on_every_provider() {
    let rt = runtime();
    for p in Provider::ALL {
        for runner in ["async", "blocking"] {
            let sim = rt.block_on(Simulator::start(p));
            let (ids, expected) = mixed_input(&sim, 30);
            let progress = Arc::new(Mutex::new(Vec::<Progress>::new()));
            let seen = progress.clone();
            let record = move |p: &Progress| seen.lock().expect("progress").push(*p);
            let report = if runner == "async" {
                let client = client_for(&sim);
                let many = client
                    .users()
                    .reactivate_many(ids.clone())
                    .concurrency(4)
                    .on_progress(record);
                rt.block_on(many.run())
            } else {
                blocking_client_for(&sim)
                    .users()
                    .reactivate_many(ids.clone())
                    .concurrency(4)
                    .on_progress(record)
                    .run()
            };
            let what = format!("[{runner}] {p:?}");
            check_report(&what, &report, &ids, &expected);
            // Only valid requests reached the server (each at least once: a
            // provider that reads first makes more than one call).
            let valid = expected
                .iter()
                .filter(|e| **e != Some(ErrorKind::InvalidRequest))
                .count();
            let seen = sim.requests();
            assert!(seen.len() >= valid, "{what}: {} requests", seen.len());
            assert!(
                seen.iter().all(|r| !r.path.contains("usr_padded")),
                "{what}: an invalid item was sent"
            );
            for (i, id) in ids.iter().enumerate() {
                if expected[i].is_none() {
                    assert_eq!(sim.user_state(id), Some(UserState::Active), "{what} {id}");
                }
            }
            // Progress after each item: done counts up to the total it knew.
            let progress = progress.lock().expect("progress");
            assert_eq!(progress.len(), ids.len(), "{what}");
            let mut dones: Vec<usize> = progress.iter().map(Progress::done).collect();
            dones.sort_unstable();
            assert_eq!(dones, (1..=ids.len()).collect::<Vec<_>>(), "{what}");
            assert!(
                progress.iter().all(|p| p.total() == Some(ids.len())),
                "{what}"
            );
            assert!(progress
                .iter()
                .all(|p| p.succeeded() + p.failed() == p.done()));
            let last = progress
                .iter()
                .max_by_key(|p| p.done())
                .expect("a last one");
            assert_eq!(last.succeeded(), report.succeeded(), "{what}");
            assert_eq!(last.failed(), report.failed(), "{what}");
        }
    }
}

#[test]
fn already_active_users_count_as_succeeded_when_allowed() {
    let rt = runtime();
    for p in Provider::ALL {
        let sim = rt.block_on(Simulator::start(p));
        sim.add_user("usr_on1", sim.organization(), UserState::Active);
        sim.add_user("usr_off1", sim.organization(), UserState::Deactivated);
        let reqs =
            ["usr_on1", "usr_off1"].map(|id| ReactivateRequest::new(id).allow_already_active());
        let report = rt.block_on(client_for(&sim).users().reactivate_many(reqs).run());
        assert_eq!(report.succeeded(), 2, "{p:?}");
        assert_eq!(report.already_active(), 1, "{p:?}");
        assert!(report.items()[0]
            .result()
            .as_ref()
            .is_ok_and(|r| r.already_active()));
    }
}

#[test]
fn empty_input_sends_nothing() {
    let rt = runtime();
    let sim = rt.block_on(Simulator::start(Provider::ALL[0]));
    let client = client_for(&sim);
    let report = rt.block_on(client.users().reactivate_many(Vec::<String>::new()).run());
    assert!(report.items().is_empty());
    assert_eq!((report.succeeded(), report.failed()), (0, 0));
    let streamed: Vec<_> = rt.block_on(
        client
            .users()
            .reactivate_many(std::iter::empty::<&'static str>())
            .stream()
            .collect::<Vec<_>>(),
    );
    assert!(streamed.is_empty());
    let blocking = blocking_client_for(&sim);
    assert!(blocking
        .users()
        .reactivate_many(Vec::<String>::new())
        .run()
        .items()
        .is_empty());
    assert_eq!(
        blocking
            .users()
            .reactivate_many(Vec::<String>::new())
            .iter()
            .count(),
        0
    );
    assert!(sim.requests().is_empty());
}

#[test]
fn a_lazy_input_is_read_no_further_ahead_than_the_concurrency() {
    let rt = runtime();
    let sim = rt.block_on(Simulator::start(Provider::ALL[0]));
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let ahead = Arc::new(AtomicUsize::new(0));
    let max_ahead = ahead.clone();
    let watched = pulled.clone();
    // Unknown users: each call is a quick 404, so the input is the only cost.
    let input = (0..200).map(move |i| {
        counter.fetch_add(1, Ordering::SeqCst);
        format!("usr_lazy{i}")
    });
    let report = rt.block_on(
        client_for(&sim)
            .users()
            .reactivate_many(input)
            .concurrency(5)
            .on_progress(move |p| {
                let read = watched.load(Ordering::SeqCst);
                max_ahead.fetch_max(read - p.done(), Ordering::SeqCst);
            })
            .run(),
    );
    assert_eq!(report.items().len(), 200);
    assert_eq!(pulled.load(Ordering::SeqCst), 200);
    let ahead = ahead.load(Ordering::SeqCst);
    // When an item finishes, the others started are at most concurrency - 1.
    assert!(
        ahead < 5,
        "read {ahead} requests ahead of the finished ones"
    );
    assert_eq!(
        report.items()[0].result().as_ref().err().map(|e| e.kind()),
        Some(ErrorKind::NotFound)
    );
}

// ------------------------------------------------------------ scheduling

/// A server that answers every request with the vehicle's success after a
/// per-user delay, or a 429 with `retry-after-ms` the first time a chosen user
/// calls; it records when each request arrived and when it sent each 429.
struct Recorder {
    success: Value,
    delay: Box<dyn Fn(&str) -> Duration + Send + Sync>,
    limited: Option<(String, u64)>,
    log: Arc<Mutex<Vec<(Instant, String, u16)>>>,
}

impl Respond for Recorder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let user = request
            .url
            .path_segments()
            .and_then(|s| s.rev().nth(1))
            .unwrap_or_default()
            .to_string();
        let mut log = self.log.lock().expect("log");
        let first_time = !log.iter().any(|(_, u, _)| *u == user);
        let status = match &self.limited {
            Some((who, _)) if *who == user && first_time => 429,
            _ => 200,
        };
        log.push((Instant::now(), user.clone(), status));
        if status == 429 {
            let ms = self.limited.as_ref().map_or(0, |(_, ms)| *ms);
            return ResponseTemplate::new(429)
                .insert_header("retry-after-ms", ms.to_string().as_str())
                .set_body_json(
                    serde_json::json!({"success": false, "message": "Too many requests"}),
                );
        }
        ResponseTemplate::new(200)
            .set_body_json(self.success.clone())
            .set_delay((self.delay)(&user))
    }
}

/// The vehicle: Flashback (one call per reactivation, no organization) and its
/// documented success, from its spec.
fn vehicle() -> (Provider, Value) {
    let p: Provider = "flashback".parse().expect("a provider");
    (p, userbridge_tests::spec(p).example_of("ok").body.clone())
}

type Log = Arc<Mutex<Vec<(Instant, String, u16)>>>;

fn recording_server(
    rt: &tokio::runtime::Runtime,
    delay: impl Fn(&str) -> Duration + Send + Sync + 'static,
    limited: Option<(&str, u64)>,
) -> (MockServer, Log, Client, userbridge_blocking::Client) {
    let (p, success) = vehicle();
    let log: Log = Arc::default();
    let server = rt.block_on(MockServer::start());
    rt.block_on(
        Mock::given(wiremock::matchers::any())
            .respond_with(Recorder {
                success,
                delay: Box::new(delay),
                limited: limited.map(|(u, ms)| (u.to_string(), ms)),
                log: log.clone(),
            })
            .mount(&server),
    );
    let retry = RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(1));
    let client = Client::builder(p)
        .base_url(server.uri())
        .bearer_token("bulk-token-123")
        .retry_policy(retry.clone())
        .build()
        .expect("client");
    let blocking = userbridge_blocking::Client::builder(p)
        .base_url(server.uri())
        .bearer_token("bulk-token-123")
        .retry_policy(retry)
        .build()
        .expect("client");
    (server, log, client, blocking)
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("u{i}")).collect()
}

/// The most requests that arrived within any window of `width`.
fn most_in_window(log: &Log, width: Duration) -> usize {
    let mut at: Vec<Instant> = log
        .lock()
        .expect("log")
        .iter()
        .map(|(t, _, _)| *t)
        .collect();
    at.sort();
    (0..at.len())
        .map(|i| at[i..].iter().take_while(|t| **t - at[i] < width).count())
        .max()
        .unwrap_or(0)
}

#[test]
fn no_more_than_the_concurrency_is_in_flight() {
    let rt = runtime();
    let delay = Duration::from_millis(60);
    // run() drives its calls itself; stream() and the blocking iter() run a
    // task per call: each keeps the bound.
    for (runner, concurrency) in [
        ("async run", 3),
        ("async stream", 4),
        ("blocking run", 5),
        ("blocking iter", 2),
        ("async run", DEFAULT_BULK_CONCURRENCY),
    ] {
        let (_server, log, client, blocking) = recording_server(rt, move |_| delay, None);
        let async_many = || {
            client
                .users()
                .reactivate_many(ids(30))
                .concurrency(concurrency)
        };
        let blocking_many = || {
            blocking
                .users()
                .reactivate_many(ids(30))
                .concurrency(concurrency)
        };
        let report: BulkReport = match runner {
            "async run" => rt.block_on(async_many().run()),
            "async stream" => rt
                .block_on(async_many().stream().collect::<Vec<_>>())
                .into_iter()
                .collect(),
            "blocking run" => blocking_many().run(),
            _ => blocking_many().iter().collect(),
        };
        assert_eq!(report.succeeded(), 30, "[{runner}]");
        assert_eq!(log.lock().expect("log").len(), 30, "[{runner}]");
        // A call starts only after an earlier one got its answer, `delay` after
        // that one arrived: within any `delay`, at most `concurrency` arrive.
        let most = most_in_window(&log, delay);
        assert!(
            most <= concurrency,
            "[{runner}] {most} requests within {delay:?}"
        );
        assert!(most >= 2, "[{runner}] the calls did overlap ({most})");
    }
}

#[test]
fn at_most_n_calls_start_in_any_window_of_one_second() {
    let rt = runtime();
    let (_server, log, client, blocking) = recording_server(rt, |_| Duration::ZERO, None);
    let report = rt.block_on(
        client
            .users()
            .reactivate_many(ids(9))
            .concurrency(9)
            .rate_limit(4)
            .run(),
    );
    assert_eq!(report.succeeded(), 9);
    // Starts are exactly one second apart per four; arrivals may be closer by
    // the network's jitter, hence a window a little under a second.
    assert_eq!(most_in_window(&log, Duration::from_millis(950)), 4);
    log.lock().expect("log").clear();
    let report = blocking
        .users()
        .reactivate_many(ids(5))
        .concurrency(5)
        .rate_limit(2)
        .run();
    assert_eq!(report.succeeded(), 5);
    assert_eq!(most_in_window(&log, Duration::from_millis(950)), 2);
}

#[test]
fn a_retry_hint_pauses_the_whole_batch_once() {
    let rt = runtime();
    for runner in ["async", "blocking"] {
        // u0 answers late, u1 is limited once (retry-after-ms 600), the others
        // answer after 100 ms: slots free up during the pause.
        let delay = |u: &str| match u {
            "u0" => Duration::from_millis(300),
            _ => Duration::from_millis(100),
        };
        let (_server, log, client, blocking) = recording_server(rt, delay, Some(("u1", 600)));
        let report = if runner == "async" {
            rt.block_on(client.users().reactivate_many(ids(6)).concurrency(3).run())
        } else {
            blocking
                .users()
                .reactivate_many(ids(6))
                .concurrency(3)
                .run()
        };
        assert_eq!(report.succeeded(), 6, "[{runner}] {:?}", report.items());
        let limited = &report.items()[1];
        assert_eq!(
            limited.result().as_ref().map(|r| r.attempts()).ok(),
            Some(2)
        );
        let log = log.lock().expect("log");
        assert_eq!(log.len(), 7, "[{runner}] 6 calls and one retry");
        let (t429, _, _) = *log.iter().find(|(_, _, s)| *s == 429).expect("a 429");
        // Calls started before the client had the 429 arrive within a few
        // milliseconds of it; from 50 ms on, until the hint has nearly passed,
        // nothing may arrive (without the pause, u3 would at about 100 ms).
        let during: Vec<&String> = log
            .iter()
            .filter(|(t, _, _)| {
                *t > t429
                    && *t - t429 > Duration::from_millis(50)
                    && *t - t429 < Duration::from_millis(500)
            })
            .map(|(_, u, _)| u)
            .collect();
        assert!(
            during.is_empty(),
            "[{runner}] calls started during the pause: {during:?}"
        );
        // Nothing was waiting needlessly: every item started, u1 once more.
        let u1 = log.iter().filter(|(_, u, _)| u == "u1").count();
        assert_eq!(u1, 2, "[{runner}]");
    }
}

#[test]
fn dropping_the_stream_or_iterator_starts_no_further_calls() {
    let rt = runtime();
    let delay = Duration::from_millis(40);
    let (_server, log, client, blocking) = recording_server(rt, move |_| delay, None);
    let taken = rt.block_on(async {
        let stream = client
            .users()
            .reactivate_many(ids(50))
            .concurrency(2)
            .stream();
        let taken: Vec<_> = stream.take(3).collect().await;
        taken.len()
    });
    assert_eq!(taken, 3);
    std::thread::sleep(Duration::from_millis(300));
    let after_async = log.lock().expect("log").len();
    assert!(
        after_async <= 3 + 2,
        "{after_async} requests after taking 3 of 50"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        log.lock().expect("log").len(),
        after_async,
        "no call started after the drop"
    );

    log.lock().expect("log").clear();
    let mut iter = blocking
        .users()
        .reactivate_many(ids(50))
        .concurrency(2)
        .iter();
    let first: Vec<_> = iter.by_ref().take(3).collect();
    assert_eq!(first.len(), 3);
    drop(iter);
    std::thread::sleep(Duration::from_millis(300));
    let after_blocking = log.lock().expect("log").len();
    assert!(
        after_blocking <= 3 + 2 + 1,
        "{after_blocking} requests after taking 3 of 50"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(log.lock().expect("log").len(), after_blocking);
}

#[test]
fn iter_yields_in_completion_order_and_covers_every_item() {
    let rt = runtime();
    // u0 answers last although it is first in the input.
    let delay = |u: &str| match u {
        "u0" => Duration::from_millis(250),
        _ => Duration::from_millis(10),
    };
    let (_server, _log, client, blocking) = recording_server(rt, delay, None);
    let order: Vec<usize> = blocking
        .users()
        .reactivate_many(ids(5))
        .concurrency(5)
        .iter()
        .map(|item| item.index())
        .collect();
    assert_eq!(order.len(), 5);
    assert_eq!(order.last(), Some(&0), "{order:?}");
    let streamed: Vec<usize> = rt.block_on(
        client
            .users()
            .reactivate_many(ids(5))
            .concurrency(5)
            .stream()
            .map(|item| item.index())
            .collect(),
    );
    assert_eq!(streamed.last(), Some(&0), "{streamed:?}");
}

#[test]
fn a_blocking_iterator_keeps_working_after_its_client_is_dropped() {
    // `client.users().reactivate_many(ids).iter()` with a client that is a
    // temporary: the iterator alone must keep the background thread running.
    let sim = Simulator::start_blocking(Provider::Flashback).expect("simulator");
    let ids: Vec<String> = (0..20).map(|i| format!("usr_kept{i}")).collect();
    for id in &ids {
        sim.add_user(id.as_str(), sim.organization(), UserState::Deactivated);
    }
    let iter = blocking_client_for(&sim)
        .users()
        .reactivate_many(ids.clone())
        .concurrency(4)
        .iter();
    let mut done: Vec<String> = iter
        .map(|item| {
            assert!(item.result().is_ok(), "{:?}", item.result());
            item.request().user_id().to_string()
        })
        .collect();
    done.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(
        done, expected,
        "every item, although the client was dropped"
    );
    for id in &ids {
        assert_eq!(sim.user_state(id), Some(UserState::Active), "{id}");
    }
}

#[test]
fn an_input_announcing_usize_max_items_is_run_without_reserving_for_them() {
    // `repeat_n(id, usize::MAX)` says exactly how long it is: run() must
    // not try to reserve room for that many items up front (a capacity
    // overflow), only for what it gets. Dropping the run stops it.
    let rt = runtime();
    let sim = rt.block_on(Simulator::start(Provider::Flashback));
    sim.add_user("usr_many", sim.organization(), UserState::Deactivated);
    let client = client_for(&sim);
    let input = std::iter::repeat_n("usr_many", usize::MAX);
    let run = client.users().reactivate_many(input).concurrency(2).run();
    rt.block_on(async {
        tokio::select! {
            _ = run => panic!("an endless run ended"),
            _ = async {
                while sim.requests().len() < 5 {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            } => {}
        }
    });
    assert!(sim.requests().len() >= 5);
}
