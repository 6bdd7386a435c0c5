//! Bulk runs stop on batch-wide failures: a refused token (after renewal, when
//! the credentials can renew) or a misconfigured client (an unknown realm, a
//! wrong endpoint) starts no new calls; the calls in flight finish; every item
//! not sent is in the report, in input order, as `NotAttempted`. Per-user
//! answers never stop a run. The same through `stream()` and the blocking
//! `iter()`.

use futures_util::StreamExt as _;
use serde_json::json;
use userbridge::mock::{Simulator, UserState};
use userbridge::{BulkReport, Client, ErrorKind, Provider, RetryPolicy, DEFAULT_BULK_CONCURRENCY};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const N: usize = 400;

fn ids() -> Vec<String> {
    (0..N)
        .map(|i| format!("550e8400-e29b-41d4-a716-{i:012}"))
        .collect()
}

/// A Flashback client on `server` with retries on (they must not matter).
fn client(server: &MockServer) -> Client {
    Client::builder(Provider::Flashback)
        .base_url(server.uri())
        .bearer_token("bulk-stop-token")
        .build()
        .expect("a client")
}

async fn server_answering(answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(answer).mount(&server).await;
    server
}

/// The report is whole and in input order; it stopped on `cause`, and every
/// item after the stop is `NotAttempted` naming the cause.
fn assert_stopped(report: &BulkReport, cause: ErrorKind, sent: usize) {
    assert_eq!(report.items().len(), N);
    for (i, item) in report.items().iter().enumerate() {
        assert_eq!(item.index(), i);
    }
    assert_eq!(report.stopped().map(|e| e.kind()), Some(cause));
    assert_eq!(report.succeeded() + report.failed(), N);
    assert_eq!(report.failed(), N);
    let not_attempted = report
        .items()
        .iter()
        .filter(|i| {
            i.result()
                .as_ref()
                .is_err_and(|e| e.kind() == ErrorKind::NotAttempted)
        })
        .count();
    assert_eq!(report.not_attempted(), not_attempted);
    assert_eq!(not_attempted + sent, N, "every item sent or not attempted");
    let last = report
        .items()
        .last()
        .and_then(|i| i.result().as_ref().err());
    let line = last.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        line.contains("was not attempted: the bulk run stopped"),
        "{line}"
    );
    assert_eq!(last.map(|e| e.attempts()), Some(0));
}

#[tokio::test]
async fn a_401_storm_stops_the_run_within_two_rounds_of_the_concurrency() {
    let server = server_answering(ResponseTemplate::new(401).set_body_json(json!({
        "code": 401, "message": "invalid token"
    })))
    .await;
    let report = client(&server).users().reactivate_many(ids()).run().await;
    let sent = server.received_requests().await.unwrap_or_default().len();
    eprintln!("401 storm: {sent} requests sent for {N} items");
    // The bound is 40; the run's own is two rounds of the concurrency.
    assert!(sent <= 40, "{sent} requests sent after the first 401");
    assert!(
        sent <= 2 * DEFAULT_BULK_CONCURRENCY,
        "{sent} requests sent after the first 401"
    );
    assert_stopped(&report, ErrorKind::Unauthenticated, sent);
}

#[tokio::test]
async fn a_wrong_endpoint_stops_the_run() {
    let server = server_answering(
        ResponseTemplate::new(404)
            .insert_header("content-type", "text/html")
            .set_body_string("<html><body><h1>404 Not Found</h1></body></html>"),
    )
    .await;
    let report = client(&server).users().reactivate_many(ids()).run().await;
    let sent = server.received_requests().await.unwrap_or_default().len();
    eprintln!("wrong endpoint: {sent} requests sent for {N} items");
    assert!(sent <= 40, "{sent}");
    assert_stopped(&report, ErrorKind::Misconfigured, sent);
    let cause = report.stopped().map(|e| e.to_string()).unwrap_or_default();
    assert!(cause.contains("base URL"), "{cause}");
}

#[tokio::test]
async fn the_stream_ends_the_same_way() {
    let server = server_answering(
        ResponseTemplate::new(401).set_body_json(json!({"code": 401, "message": "bad token"})),
    )
    .await;
    let items: Vec<_> = client(&server)
        .users()
        .reactivate_many(ids())
        .concurrency(4)
        .stream()
        .collect()
        .await;
    let sent = server.received_requests().await.unwrap_or_default().len();
    assert!(sent <= 8, "{sent}");
    let report: BulkReport = items.into_iter().collect();
    assert_stopped(&report, ErrorKind::Unauthenticated, sent);
}

#[test]
fn the_blocking_iter_ends_the_same_way() {
    let sim = Simulator::start_blocking(Provider::Flashback).expect("a simulator");
    let client = userbridge_blocking::Client::builder(Provider::Flashback)
        .base_url(sim.base_url())
        .bearer_token("not-a-token-the-simulator-knows")
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client");
    let report: BulkReport = client.users().reactivate_many(ids()).iter().collect();
    assert_stopped(&report, ErrorKind::Unauthenticated, sim.requests().len());
    assert!(sim.requests().len() <= 2 * DEFAULT_BULK_CONCURRENCY);
    let run = client.users().reactivate_many(ids()).run();
    assert_eq!(
        run.stopped().map(|e| e.kind()),
        Some(ErrorKind::Unauthenticated)
    );
}

/// A Keycloak realm that does not exist is a misconfiguration: the run stops
/// instead of reporting every user "not found".
#[tokio::test]
async fn an_unknown_realm_stops_the_run() {
    let sim = Simulator::start(Provider::Keycloak).await;
    let client = Client::builder(Provider::Keycloak)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .realm("no-such-realm")
        .build()
        .expect("a client");
    let ids: Vec<String> = (0..50)
        .map(|i| format!("3f1c2a9e-5b7d-4e8f-9a6b-{i:012}"))
        .collect();
    let report = client.users().reactivate_many(ids).run().await;
    let stopped = report.stopped().expect("stopped");
    assert_eq!(stopped.kind(), ErrorKind::Misconfigured, "{stopped}");
    assert!(stopped.to_string().contains(".realm("), "{stopped}");
    assert!(report.not_attempted() >= 50 - 2 * DEFAULT_BULK_CONCURRENCY);
}

/// Per-user answers (not found, permission denied for one user, not
/// deactivated) never stop a run.
#[tokio::test]
async fn per_user_failures_run_to_the_end() {
    let sim = Simulator::start(Provider::Flashback).await;
    let ids = ids();
    for (i, id) in ids.iter().enumerate().take(100) {
        match i % 4 {
            0 => {} // unknown: 404
            1 => sim.add_user(id, sim.organization(), UserState::Active),
            _ => sim.add_user(id, sim.organization(), UserState::Deactivated),
        }
    }
    sim.add_token("one-user-denied-token-000");
    sim.deny_permission("one-user-denied-token-000");
    let client = Client::builder(Provider::Flashback)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client");
    let report = client
        .users()
        .reactivate_many(ids[..100].to_vec())
        .run()
        .await;
    assert!(report.stopped().is_none());
    assert_eq!(report.not_attempted(), 0);
    assert_eq!(report.items().len(), 100);
    assert_eq!(report.succeeded(), 50);
    let denied = Client::builder(Provider::Flashback)
        .base_url(sim.base_url())
        .bearer_token("one-user-denied-token-000")
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("a client");
    let report = denied
        .users()
        .reactivate_many(ids[100..140].to_vec())
        .run()
        .await;
    assert!(report.stopped().is_none(), "{:?}", report.stopped());
    assert_eq!(report.not_attempted(), 0);
    assert!(report.items().iter().all(|i| i
        .result()
        .as_ref()
        .is_err_and(|e| e.kind() != ErrorKind::NotAttempted)));
}
