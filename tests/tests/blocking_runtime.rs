//! Issue 4: the blocking client under load from many threads, and inside Tokio
//! runtimes (the classic `reqwest::blocking` panic). sdk-blocking documents that
//! building, calling and dropping it inside a runtime all work (its work runs on
//! its own thread), so these tests expect successful calls there.

use std::sync::Arc;

use serde_json::json;
use userbridge_blocking::{Client, ErrorKind, Provider, ReactivateRequest, Reactivated};
use userbridge_tests::{
    received, runtime, serve, start_server, success_answer, Config, Error, TOKEN,
};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

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

/// Answers Zitadel v2 reactivations by echoing the user id: ids ending in 0
/// get 400 "not inactive" (gRPC 9), the others 200 with the id as
/// `resourceOwner` and its number as `sequence`; so each caller can check it
/// got its own answer.
fn echo(req: &Request) -> ResponseTemplate {
    let segs: Vec<&str> = req.url.path().split('/').collect();
    // ["", "v2", "users", "<id>", "reactivate"]
    let id = segs.get(3).copied().unwrap_or("");
    let n: u64 = id.trim_start_matches("u-").parse().unwrap_or(u64::MAX);
    if id.ends_with('0') {
        ResponseTemplate::new(400).set_body_json(json!({
            "code": 9,
            "message": format!("User is not inactive (COMMAND-{id})"),
            "details": [{"@type": "type.googleapis.com/zitadel.v1.ErrorDetail",
                         "id": format!("COMMAND-{id}"), "message": "User is not inactive"}]
        }))
    } else {
        ResponseTemplate::new(200).set_body_json(json!({
            "details": {"sequence": n.to_string(), "resourceOwner": id,
                        "changeDate": "2025-03-05T21:29:22.038Z"}
        }))
    }
}

fn check_answer(i: u64, id: &str, result: Result<Reactivated, userbridge_blocking::Error>) {
    if id.ends_with('0') {
        let e = result.expect_err("not inactive");
        assert_eq!(e.kind(), ErrorKind::NotDeactivated, "{id}: {e}");
        let a = e.api_error().expect("api error");
        assert_eq!(a.user_id, id);
        assert_eq!(
            a.error_id.as_deref(),
            Some(format!("COMMAND-{id}").as_str())
        );
    } else {
        let done = result.unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(done.user_id(), id);
        let d = done.change_details().expect("details");
        assert_eq!(d.resource_owner.as_deref(), Some(id));
        assert_eq!(d.sequence, Some(i));
    }
}

#[test]
fn eight_threads_times_fifty_calls_on_one_client() {
    let server = runtime().block_on(zitadel_server());
    let client = Config::for_server(Provider::ZitadelV2, &server.uri())
        .blocking_builder()
        .build()
        .expect("client");
    let answered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    std::thread::scope(|s| {
        for t in 0..8u64 {
            let client = client.clone();
            let answered = Arc::clone(&answered);
            s.spawn(move || {
                for k in 0..50u64 {
                    let i = 1000 + t * 50 + k;
                    let id = format!("u-{i}");
                    let result = client
                        .users()
                        .reactivate(ReactivateRequest::new(id.as_str()));
                    check_answer(i, &id, result);
                    answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            });
        }
    });
    assert_eq!(answered.load(std::sync::atomic::Ordering::SeqCst), 400);
    let reqs = received(&server);
    assert_eq!(reqs.len(), 400, "the server saw exactly 400 requests");
    let mut paths: Vec<String> = reqs.iter().map(|r| r.url.path().to_string()).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), 400, "each call sent once");
    for r in &reqs {
        assert_eq!(
            r.headers.get("authorization").map(|v| v.as_bytes()),
            Some(format!("Bearer {TOKEN}").as_bytes())
        );
    }
}

/// Mounts a Zitadel v2 success on a server started inside a runtime.
async fn zitadel_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(echo)
        .mount(&server)
        .await;
    server
}

/// Build, call (success and a mapped error) and drop, wherever this runs.
fn build_call_drop(uri: &str) {
    let client = Client::builder(Provider::ZitadelV2)
        .base_url(uri)
        .bearer_token(TOKEN)
        .retry_policy(userbridge::RetryPolicy::none())
        .build()
        .expect("builds inside a runtime");
    check_answer(7, "u-7", client.users().reactivate("u-7"));
    check_answer(10, "u-10", client.users().reactivate("u-10"));
    let clone = client.clone();
    drop(client);
    check_answer(11, "u-11", clone.users().reactivate("u-11"));
    drop(clone);
}

/// Runs [`build_call_drop`] against a fresh [`zitadel_server`], on the test's
/// runtime thread or in `spawn_blocking`; the server sees the three calls.
async fn three_calls_reach_the_server(in_spawn_blocking: bool) {
    let server = zitadel_server().await;
    let uri = server.uri();
    if in_spawn_blocking {
        tokio::task::spawn_blocking(move || build_call_drop(&uri))
            .await
            .expect("no panic in spawn_blocking");
    } else {
        build_call_drop(&uri);
    }
    assert_eq!(
        server.received_requests().await.expect("recording").len(),
        3
    );
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
    let server = start_server();
    serve(&server, &success_answer(Provider::Nethesis));
    let client = Config::for_server(Provider::Nethesis, &server.uri())
        .blocking_builder()
        .build()
        .expect("client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let done = client.users().reactivate("usr_1").expect("reactivated");
        assert_eq!(
            done.message(),
            Some("user reactivated successfully"),
            "{done:?}"
        );
        drop(client);
    });
    drop(rt);
    assert_eq!(received(&server).len(), 1);
}

#[test]
fn built_inside_a_runtime_used_and_dropped_outside() {
    let server = start_server();
    serve(&server, &success_answer(Provider::Flashback));
    let cfg = Config::for_server(Provider::Flashback, &server.uri());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let client = rt.block_on(async move { cfg.blocking_builder().build().expect("client") });
    drop(rt);
    let done = client.users().reactivate("u1").expect("reactivated");
    assert_eq!(done.message(), Some("User activated successfully"));
    drop(client);
    assert_eq!(received(&server).len(), 1);
}

#[test]
fn plain_threads_without_any_runtime() {
    // From a plain thread (as from `fn main`), errors are mapped as in async.
    let server = start_server();
    serve(
        &server,
        &userbridge_tests::Answer::json(
            400,
            &json!({"code": 400, "message": "user not found or not suspended", "data": null}),
        ),
    );
    let uri = server.uri();
    let err = std::thread::spawn(move || {
        let client = Config::for_server(Provider::Nethesis, &uri)
            .blocking_builder()
            .build()
            .expect("client");
        client
            .users()
            .reactivate("usr_1")
            .expect_err("not suspended")
    })
    .join()
    .expect("no panic");
    assert_eq!(err.kind(), ErrorKind::NotDeactivated);
    assert_eq!(received(&server).len(), 1);
}
