//! Issue 4: the blocking client under load from many threads, and inside Tokio
//! runtimes (the classic `reqwest::blocking` panic), for every provider.
//! sdk-blocking documents that building, calling and dropping it inside a
//! runtime all work (its work runs on its own thread), so these tests expect
//! successful calls there.

use std::sync::Arc;

use serde_json::Value;
use userbridge_blocking::{Client, ReactivateRequest, Reactivated};
use userbridge_tests::single_call_providers;
use userbridge_tests::{
    check_outcome, received, runtime, serve, spec, start_server, Config, Error, Provider, TOKEN,
};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const _: () = {
    const fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Client>();
    assert_traits::<userbridge_blocking::Users>();
    assert_traits::<userbridge_blocking::ClientBuilder>();
    assert_traits::<userbridge::Client>();
};
const _: () = {
    const fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Error>();
    assert_send_sync::<Reactivated>();
};

/// The strings of `v`, depth first.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        Value::Object(o) => o.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Answers a provider's reactivations with its spec's answers, marked with the
/// user id of the request: ids ending in 0 get the "not deactivated" answer
/// with the id after its message, the others the success with the id after a
/// string its outcome names; so each caller can check it got its own answer.
#[derive(Clone)]
struct Echo {
    provider: Provider,
    /// Where the user id is in the path's segments.
    user_segment: usize,
    ok_body: String,
    ok_outcome: String,
    ok_mark: String,
    nd_status: u16,
    nd_body: String,
    nd_outcome: String,
    nd_mark: String,
}

impl Echo {
    fn new(p: Provider) -> Echo {
        let spec = spec(p);
        let path = spec.path(spec.sample_organization().unwrap_or("o"), "@user@");
        let user_segment = path
            .split('/')
            .position(|s| s == "@user@")
            .expect("the user id is a path segment");
        let ok = spec.example_of("ok");
        let ok_body = ok.body.to_string();
        let mut named = Vec::new();
        strings(&ok.outcome, &mut named);
        let ok_mark = named
            .into_iter()
            .filter(|s| s.len() > 3)
            .find(|s| ok_body.contains(&format!("\"{s}\"")))
            .unwrap_or_else(|| panic!("{}: names no string of its body", ok.label()));
        let nd = spec.example_of("not_deactivated");
        let nd_mark = nd.outcome["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: names no message", nd.label()))
            .to_string();
        Echo {
            provider: p,
            user_segment,
            ok_outcome: ok.outcome.to_string(),
            ok_body,
            ok_mark,
            nd_status: nd.status(),
            nd_body: nd.body.to_string(),
            nd_outcome: nd.expectation(&[]).to_string(),
            nd_mark,
        }
    }

    /// The id `i` of this provider's form; ids of `i` ending in 0 are answered
    /// "not deactivated".
    fn id(&self, i: u64) -> String {
        format!("{}-{i}", spec(self.provider).sample_user_id())
    }

    /// The answer for `id`: (status, body).
    fn answer(&self, id: &str) -> (u16, String) {
        if id.ends_with('0') {
            let marked = format!("{} {id}", self.nd_mark);
            (self.nd_status, self.nd_body.replace(&self.nd_mark, &marked))
        } else {
            let (from, to) = (
                format!("\"{}\"", self.ok_mark),
                format!("\"{}-{id}\"", self.ok_mark),
            );
            (200, self.ok_body.replace(&from, &to))
        }
    }

    /// What the call for `id` must give.
    fn expected(&self, id: &str) -> Value {
        let text = if id.ends_with('0') {
            let marked = format!("{} {id}", self.nd_mark);
            self.nd_outcome.replace(&self.nd_mark, &marked)
        } else {
            let (from, to) = (
                format!("\"{}\"", self.ok_mark),
                format!("\"{}-{id}\"", self.ok_mark),
            );
            self.ok_outcome.replace(&from, &to)
        };
        serde_json::from_str(&text).expect("JSON")
    }

    fn check(&self, id: &str, result: Result<Reactivated, userbridge_blocking::Error>) {
        let want = self.expected(id);
        let problems = check_outcome(self.provider, id, &want, &result, None);
        assert!(problems.is_empty(), "{} {id}: {problems:?}", self.provider);
    }
}

impl Respond for Echo {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let id = req
            .url
            .path()
            .split('/')
            .nth(self.user_segment)
            .unwrap_or("")
            .to_string();
        let (status, body) = self.answer(&id);
        ResponseTemplate::new(status).set_body_raw(body, "application/json")
    }
}

/// A server answering every request with `echo`, started inside a runtime.
async fn echo_server(echo: &Echo) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(echo.clone())
        .mount(&server)
        .await;
    server
}

#[test]
fn eight_threads_times_fifty_calls_on_one_client() {
    for p in single_call_providers() {
        let echo = Echo::new(p);
        let server = runtime().block_on(echo_server(&echo));
        let client = Config::for_server(p, &server.uri())
            .blocking_builder()
            .build()
            .expect("client");
        let answered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        std::thread::scope(|s| {
            for t in 0..8u64 {
                let client = client.clone();
                let answered = Arc::clone(&answered);
                let echo = &echo;
                s.spawn(move || {
                    for k in 0..50u64 {
                        let id = echo.id(1000 + t * 50 + k);
                        let result = client
                            .users()
                            .reactivate(ReactivateRequest::new(id.as_str()));
                        echo.check(&id, result);
                        answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                });
            }
        });
        assert_eq!(answered.load(std::sync::atomic::Ordering::SeqCst), 400);
        let reqs = received(&server);
        assert_eq!(reqs.len(), 400, "{p}: the server saw exactly 400 requests");
        let mut paths: Vec<String> = reqs.iter().map(|r| r.url.path().to_string()).collect();
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), 400, "{p}: each call sent once");
        for r in &reqs {
            assert_eq!(
                r.headers.get("authorization").map(|v| v.as_bytes()),
                Some(format!("Bearer {TOKEN}").as_bytes())
            );
        }
    }
}

/// Build, call (success and a mapped error) and drop, wherever this runs.
fn build_call_drop(echo: &Echo, uri: &str) {
    let client = Config::for_server(echo.provider, uri)
        .blocking_builder()
        .build()
        .expect("builds inside a runtime");
    let id = |i| echo.id(i);
    echo.check(&id(7), client.users().reactivate(id(7)));
    echo.check(&id(10), client.users().reactivate(id(10)));
    let clone = client.clone();
    drop(client);
    echo.check(&id(11), clone.users().reactivate(id(11)));
    drop(clone);
}

/// Runs [`build_call_drop`] for every provider against a fresh echo server, on
/// the test's runtime thread or in `spawn_blocking`; the server sees the three
/// calls.
async fn three_calls_reach_the_server(in_spawn_blocking: bool) {
    for p in single_call_providers() {
        let echo = Echo::new(p);
        let server = echo_server(&echo).await;
        let uri = server.uri();
        if in_spawn_blocking {
            tokio::task::spawn_blocking(move || build_call_drop(&echo, &uri))
                .await
                .expect("no panic in spawn_blocking");
        } else {
            build_call_drop(&echo, &uri);
        }
        assert_eq!(
            server.received_requests().await.expect("recording").len(),
            3,
            "{p}"
        );
    }
}

#[tokio::test]
async fn inside_a_current_thread_runtime() {
    three_calls_reach_the_server(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_a_multi_thread_runtime() {
    three_calls_reach_the_server(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_spawn_blocking() {
    three_calls_reach_the_server(true).await;
}

#[tokio::test]
async fn inside_spawn_blocking_on_a_current_thread_runtime() {
    three_calls_reach_the_server(true).await;
}

#[test]
fn built_outside_used_and_dropped_inside_a_runtime() {
    for p in single_call_providers() {
        let ok = spec(p).example_of("ok");
        let server = start_server();
        serve(&server, &ok.answer());
        let client = Config::for_server(p, &server.uri())
            .blocking_builder()
            .build()
            .expect("client");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let user = spec(p).sample_user_id();
        rt.block_on(async move {
            let result = client.users().reactivate(user);
            let problems = check_outcome(p, user, &ok.expectation(&[]), &result, None);
            assert!(problems.is_empty(), "{p}: {problems:?}");
            drop(client);
        });
        drop(rt);
        assert_eq!(received(&server).len(), 1);
    }
}

#[test]
fn built_inside_a_runtime_used_and_dropped_outside() {
    for p in single_call_providers() {
        let ok = spec(p).example_of("ok");
        let server = start_server();
        serve(&server, &ok.answer());
        let cfg = Config::for_server(p, &server.uri());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let client = rt.block_on(async move { cfg.blocking_builder().build().expect("client") });
        drop(rt);
        let user = spec(p).sample_user_id();
        let result = client.users().reactivate(user);
        let problems = check_outcome(p, user, &ok.expectation(&[]), &result, None);
        assert!(problems.is_empty(), "{p}: {problems:?}");
        drop(client);
        assert_eq!(received(&server).len(), 1);
    }
}

#[test]
fn plain_threads_without_any_runtime() {
    // From a plain thread (as from `fn main`), errors are mapped as in async.
    for p in single_call_providers() {
        let not_deactivated = spec(p).example_of("not_deactivated");
        let server = start_server();
        serve(&server, &not_deactivated.answer());
        let uri = server.uri();
        let user = spec(p).sample_user_id();
        let result = std::thread::spawn(move || {
            let client = Config::for_server(p, &uri)
                .blocking_builder()
                .build()
                .expect("client");
            client.users().reactivate(user)
        })
        .join()
        .expect("no panic");
        let want = not_deactivated.expectation(&[]);
        let body = not_deactivated.answer().body_text();
        let problems = check_outcome(p, user, &want, &result, Some(&body));
        assert!(problems.is_empty(), "{p}: {problems:?}");
        assert_eq!(received(&server).len(), 1);
    }
}

#[test]
fn inside_another_executors_block_on() {
    // A blocking call from a future that another executor's `block_on` runs
    // (here the one the client itself waits with, nested): it completes, and
    // the answer is mapped as anywhere else.
    for p in single_call_providers() {
        let ok = spec(p).example_of("ok");
        let server = start_server();
        serve(&server, &ok.answer());
        let client = Config::for_server(p, &server.uri())
            .blocking_builder()
            .build()
            .expect("client");
        let user = spec(p).sample_user_id();
        let result = futures_lite::future::block_on(async { client.users().reactivate(user) });
        let problems = check_outcome(p, user, &ok.expectation(&[]), &result, None);
        assert!(problems.is_empty(), "{p}: {problems:?}");
        assert_eq!(received(&server).len(), 1);
    }
}
