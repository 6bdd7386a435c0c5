//! Issue 10, points 4, 5 and 10: what a user testing their own code needs from
//! the simulators (`userbridge::mock`), through the async client. Every test
//! loops over [`Provider::ALL`]; nothing here is particular to a provider.
//!
//! - custom answers: [`Simulator::respond_next`], [`Failure::Custom`], mocks
//!   mounted on [`Simulator::server`];
//! - failures for one user ([`Simulator::fail_user`]) under concurrency;
//! - the new failures and the SDK's outcome for each;
//! - sub-second rate-limit waits (`retry-after-ms`).
//!
//! The blocking side is `mock_for_users_blocking.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use userbridge_tests::Credentials;

use userbridge::mock::wiremock::matchers::any;
use userbridge::mock::wiremock::{Mock, ResponseTemplate};
use userbridge::mock::{Answer, Failure, Simulator, UserState};
use userbridge::{Client, ClientBuilder, Error, ErrorKind, Provider, RetryPolicy};
use userbridge_tests::sim::normal_statuses;

/// A valid user id for every provider (Aitronos ids are `usr_*`).
const USER: &str = "usr_abc123";

/// A builder for the simulator: its base URL, token and organization, a 10 s
/// timeout, no retries.
fn builder(sim: &Simulator) -> ClientBuilder {
    Client::builder(sim.provider())
        .base_url(sim.base_url())
        .credentials(sim.provider(), sim.token())
        .organization(sim.organization())
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
}

fn client(sim: &Simulator) -> Client {
    builder(sim).build().unwrap()
}

/// A client that retries quickly: 3 attempts, 1 ms backoffs.
fn retrying_client(sim: &Simulator) -> Client {
    builder(sim)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(1))
                .jitter(false),
        )
        .build()
        .unwrap()
}

/// A simulator of `provider` with the deactivated users `ids`.
async fn sim_with(provider: Provider, ids: &[&str]) -> Simulator {
    let sim = Simulator::start(provider).await;
    for id in ids {
        sim.add_user(*id, sim.organization(), UserState::Deactivated);
    }
    sim
}

fn statuses(sim: &Simulator) -> Vec<u16> {
    sim.requests().iter().map(|r| r.status).collect()
}

// ------------------------------------------------------------ custom answers

#[tokio::test]
async fn respond_next_serves_the_answer_as_built() {
    for provider in Provider::ALL {
        let sim = sim_with(provider, &[USER]).await;
        let body = serde_json::json!({"error": "teapot", "detail": "custom"});
        sim.respond_next(
            1,
            Answer::new(418)
                .json(&body)
                .header("x-request-id", "custom-trace-1"),
        );
        let err = client(&sim).users().reactivate(USER).await.unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::UnexpectedResponse,
            "{provider}: {err}"
        );
        assert_eq!(err.status(), Some(418), "{provider}");
        let api = err.api_error().unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&api.body).unwrap(),
            body,
            "{provider}"
        );
        assert_eq!(
            api.trace_id.as_deref(),
            Some("custom-trace-1"),
            "{provider}"
        );
        // Nothing changed; the answer is recorded with its status.
        assert_eq!(sim.user_state(USER), Some(UserState::Deactivated));
        assert_eq!(statuses(&sim), [418], "{provider}");
        client(&sim).users().reactivate(USER).await.unwrap();
    }
}

#[tokio::test]
async fn custom_html_gateway_page_is_a_server_error() {
    for provider in Provider::ALL {
        let sim = sim_with(provider, &[USER]).await;
        sim.fail_next(
            1,
            Failure::Custom(
                Answer::new(502)
                    .header("content-type", "text/html")
                    .body("<html><body><h1>502 Bad Gateway</h1></body></html>"),
            ),
        );
        let err = client(&sim).users().reactivate(USER).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server, "{provider}: {err}");
        assert_eq!(err.status(), Some(502), "{provider}");
        assert!(
            err.api_error().unwrap().body.contains("<h1>502"),
            "{provider}"
        );
    }
}

#[tokio::test]
async fn mocks_mounted_on_the_server_answer_first() {
    for provider in Provider::ALL {
        let sim = sim_with(provider, &[USER]).await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(504).set_body_string("gateway timeout"))
            .up_to_n_times(1)
            .mount(sim.server())
            .await;
        let err = client(&sim).users().reactivate(USER).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server, "{provider}: {err}");
        assert_eq!(err.status(), Some(504), "{provider}");
        // The mounted mock answered: the simulator saw nothing.
        assert!(sim.requests().is_empty(), "{provider}");
        assert_eq!(sim.user_state(USER), Some(UserState::Deactivated));
        // Once the mock is used up, the simulator answers again.
        client(&sim).users().reactivate(USER).await.unwrap();
        assert_eq!(statuses(&sim), normal_statuses(provider), "{provider}");
    }
}

// -------------------------------------------------------- failures for a user

/// Ten users reactivated concurrently; one of them fails with each kind of
/// failure in turn. Only that user fails, whatever order the calls arrive in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targeted_failure_hits_only_its_user_under_concurrency() {
    let ids: Vec<String> = (0..10).map(|i| format!("usr_concurrent{i}")).collect();
    let target = ids[6].clone();
    let cases = [
        (Failure::ServerError, ErrorKind::Server, 500),
        (Failure::ConnectionReset, ErrorKind::Network, 0),
        (
            Failure::TooManyRequests { retry_after: None },
            ErrorKind::RateLimited,
            429,
        ),
    ];
    for provider in Provider::ALL {
        for (failure, kind, recorded) in cases.clone() {
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let sim = Arc::new(sim_with(provider, &refs).await);
            sim.fail_user(target.clone(), 1, failure.clone());
            let client = client(&sim);
            let calls: Vec<_> = ids
                .iter()
                .map(|id| {
                    let (users, user) = (client.users(), id.clone());
                    let call = async move { users.reactivate(user).await };
                    (id.clone(), tokio::spawn(call))
                })
                .collect();
            let mut results = BTreeMap::new();
            for (id, call) in calls {
                results.insert(id, call.await.unwrap());
            }
            for (id, result) in &results {
                if *id == target {
                    let err = result.as_ref().unwrap_err();
                    assert_eq!(err.kind(), kind, "{provider} {failure:?}: {err}");
                    assert_eq!(sim.user_state(id), Some(UserState::Deactivated));
                } else {
                    assert!(result.is_ok(), "{provider} {failure:?} {id}: {result:?}");
                    assert_eq!(sim.user_state(id), Some(UserState::Active));
                }
            }
            // One reactivation's requests per user (one call, or a read and a
            // write); the target's first answered with the failure, ending it.
            let normal = normal_statuses(provider);
            let seen = sim.requests();
            assert_eq!(
                seen.len(),
                (ids.len() - 1) * normal.len() + 1,
                "{provider} {failure:?}"
            );
            for id in &ids {
                let mine: Vec<u16> = seen
                    .iter()
                    // The id in the path, or (Firebase) in the JSON body.
                    .filter(|r| {
                        r.path.split('/').any(|segment| segment == id)
                            || String::from_utf8_lossy(&r.body).contains(&format!("\"{id}\""))
                    })
                    .map(|r| r.status)
                    .collect();
                let want = if *id == target {
                    vec![recorded]
                } else {
                    normal.clone()
                };
                assert_eq!(mine, want, "{provider} {failure:?} {id}");
            }
            // Used up: the target succeeds now.
            client.users().reactivate(target.as_str()).await.unwrap();
        }
    }
}

#[tokio::test]
async fn user_failures_go_before_general_ones_and_queue_up() {
    for provider in Provider::ALL {
        let sim = sim_with(provider, &["usr_a", "usr_b"]).await;
        sim.fail_next(1, Failure::ServiceUnavailable);
        sim.fail_user("usr_b", 2, Failure::BadGateway);
        sim.fail_user("usr_nobody", 1, Failure::ServerError);
        let client = client(&sim);
        let status = |r: Result<_, Error>| r.map(|_| 200).unwrap_or_else(|e| e.status().unwrap());
        // usr_b takes its own failures first; usr_a the general one.
        assert_eq!(status(client.users().reactivate("usr_b").await), 502);
        assert_eq!(status(client.users().reactivate("usr_b").await), 502);
        assert_eq!(status(client.users().reactivate("usr_a").await), 503);
        assert_eq!(status(client.users().reactivate("usr_b").await), 200);
        assert_eq!(status(client.users().reactivate("usr_a").await), 200);
        // Another user's failure never fired.
        let normal = normal_statuses(provider);
        let want: Vec<u16> = [502, 502, 503]
            .into_iter()
            .chain(normal.iter().copied())
            .chain(normal.iter().copied())
            .collect();
        assert_eq!(statuses(&sim), want, "{provider}");
        // Zero failures is a no-op.
        sim.fail_user("usr_a", 0, Failure::ServerError);
        assert_eq!(
            client.users().reactivate("usr_a").await.unwrap_err().kind(),
            ErrorKind::NotDeactivated
        );
    }
}

// -------------------------------------------------------------- new failures

/// Each new failure, for every provider: the SDK's kind and status, the
/// recorded status, no change of state, and (when retryable) a retry succeeds.
#[tokio::test]
async fn each_new_failure_gives_the_documented_outcome() {
    let cases = [
        (Failure::ServerError, ErrorKind::Server, Some(500), 500),
        (Failure::BadGateway, ErrorKind::Server, Some(502), 502),
        (
            Failure::MalformedBody,
            ErrorKind::UnexpectedResponse,
            Some(200),
            200,
        ),
        (Failure::ConnectionReset, ErrorKind::Network, None, 0),
    ];
    for provider in Provider::ALL {
        for (failure, kind, status, recorded) in cases.clone() {
            let sim = sim_with(provider, &[USER]).await;
            sim.fail_next(1, failure.clone());
            let err = client(&sim).users().reactivate(USER).await.unwrap_err();
            let what = format!("{provider} {failure:?}: {err}");
            assert_eq!(err.kind(), kind, "{what}");
            assert_eq!(err.status(), status, "{what}");
            assert_eq!(err.provider(), Some(provider), "{what}");
            assert_eq!(statuses(&sim), [recorded], "{what}");
            assert_eq!(sim.user_state(USER), Some(UserState::Deactivated), "{what}");
            if let Error::Network { connected, .. } = &err {
                // The connection was made, then dropped without an answer.
                assert!(*connected, "{what}");
            }
            if kind == ErrorKind::Server {
                // In the provider's own (JSON) error shape, not a proxy's page.
                let body = &err.api_error().unwrap().body;
                assert!(
                    serde_json::from_str::<serde_json::Value>(body).is_ok_and(|v| v.is_object()),
                    "{what}: {body}"
                );
            }

            // Retryable failures are retried, and the retry succeeds.
            sim.fail_next(1, failure.clone());
            let result = retrying_client(&sim).users().reactivate(USER).await;
            if err.is_retryable() {
                let done = result.unwrap_or_else(|e| panic!("{what}; retry: {e}"));
                assert_eq!(done.attempts(), 2, "{what}");
            } else {
                assert_eq!(result.unwrap_err().kind(), kind, "{what}");
            }
        }
    }
}

// -------------------------------------------------------------- short waits

/// A 1 ms wait is sent as `Retry-After: 1` (whole seconds, rounded up) and
/// `retry-after-ms: 1`; waits of a second or more as `Retry-After` only.
#[tokio::test]
async fn rate_limit_waits_on_the_wire() {
    for provider in Provider::ALL {
        let sim = Simulator::start(provider).await;
        let http = reqwest::Client::new();
        for (wait, seconds, millis) in [
            (Duration::from_millis(1), "1", Some("1")),
            (Duration::from_micros(2500), "1", Some("2.5")),
            (Duration::ZERO, "0", Some("0")),
            (Duration::from_millis(1500), "2", None),
        ] {
            sim.fail_next(
                1,
                Failure::TooManyRequests {
                    retry_after: Some(wait),
                },
            );
            // Any request takes the next failure; the answer's headers matter.
            let answer = http
                .post(format!("{}/anything", sim.base_url()))
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 429, "{provider}");
            let header = |name: &str| {
                answer
                    .headers()
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_string())
            };
            assert_eq!(header("retry-after").as_deref(), Some(seconds), "{wait:?}");
            assert_eq!(header("retry-after-ms").as_deref(), millis, "{wait:?}");
        }
    }
}

/// The SDK reads the 1 ms wait, not the rounded-up second: the error carries
/// 1 ms, and a client that honours hints of at most 100 ms retries (a 1 s hint
/// would end its retries, and its 10 s backoff would outlast its deadline).
#[tokio::test]
async fn one_millisecond_retry_after_is_one_millisecond_to_the_sdk() {
    let one_ms = Failure::TooManyRequests {
        retry_after: Some(Duration::from_millis(1)),
    };
    for provider in Provider::ALL {
        let sim = sim_with(provider, &[USER]).await;
        sim.fail_next(1, one_ms.clone());
        let err = client(&sim).users().reactivate(USER).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RateLimited, "{provider}: {err}");
        assert_eq!(
            err.api_error().unwrap().retry_after,
            Some(Duration::from_millis(1)),
            "{provider}"
        );

        sim.fail_user(USER, 2, one_ms.clone());
        let done = builder(&sim)
            .deadline(Duration::from_secs(5))
            .retry_policy(
                RetryPolicy::default()
                    .max_attempts(3)
                    .initial_backoff(Duration::from_secs(10))
                    .max_wait(Duration::from_millis(100)),
            )
            .build()
            .unwrap()
            .users()
            .reactivate(USER)
            .await
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert_eq!(done.attempts(), 3, "{provider}");
        let want: Vec<u16> = [429, 429, 429]
            .into_iter()
            .chain(normal_statuses(provider))
            .collect();
        assert_eq!(statuses(&sim), want, "{provider}");
    }
}

// ------------------------------------------------------------------ starting

/// `start_blocking` works inside a runtime as well (it starts on a thread of
/// its own), and the simulator serves async clients.
#[tokio::test]
async fn start_blocking_inside_a_runtime() {
    for provider in Provider::ALL {
        let sim = Simulator::start_blocking(provider).unwrap();
        sim.add_user(USER, sim.organization(), UserState::Deactivated);
        client(&sim).users().reactivate(USER).await.unwrap();
        assert_eq!(sim.user_state(USER), Some(UserState::Active));
    }
}

/// Dropping a simulator closes its address.
#[tokio::test]
async fn a_dropped_simulator_stops_listening() {
    let sim = sim_with(Provider::ZitadelV2, &[USER]).await;
    let client = client(&sim);
    client.users().reactivate(USER).await.unwrap();
    drop(sim);
    // The front door's thread stops shortly after; give it a moment.
    let mut kind = None;
    for _ in 0..50 {
        match client.users().reactivate(USER).await {
            Err(e) if e.kind() == ErrorKind::Network => {
                kind = Some(e.kind());
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    assert_eq!(kind, Some(ErrorKind::Network));
}

/// On the wire, a connection reset sends not a single byte of an answer, and
/// the relay keeps requests on other connections (and the next request on a
/// new one) working.
#[tokio::test]
async fn connection_reset_sends_nothing() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    for provider in Provider::ALL {
        let sim = sim_with(provider, &[USER]).await;
        sim.fail_next(1, Failure::ConnectionReset);
        let address = sim.base_url();
        let address = address
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
        socket
            .write_all(b"POST /anything HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(10), socket.read_to_end(&mut answer))
            .await
            .expect("the connection is dropped at once, not held open");
        // A reset, with nothing read before it.
        assert!(
            read.as_ref()
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
            "{provider}: {read:?}"
        );
        assert!(
            answer.is_empty(),
            "{provider}: {}",
            String::from_utf8_lossy(&answer)
        );
        assert_eq!(statuses(&sim), [0], "{provider}");
        client(&sim).users().reactivate(USER).await.unwrap();
    }
}

// ------------------------------------------------------------------ limits

/// `Duration::MAX` as the timeout and the deadline ("no limit") is accepted
/// and works, on every provider, with retries too: no instant arithmetic
/// overflows.
#[tokio::test]
async fn unbounded_timeout_and_deadline_work() {
    for provider in Provider::ALL {
        let sim = sim_with(provider, &[USER]).await;
        sim.fail_user(
            USER,
            1,
            Failure::TooManyRequests {
                retry_after: Some(Duration::from_millis(1)),
            },
        );
        let client = builder(&sim)
            .timeout(Duration::MAX)
            .deadline(Duration::MAX)
            .retry_policy(
                RetryPolicy::default()
                    .max_attempts(2)
                    .initial_backoff(Duration::from_millis(1))
                    .jitter(false),
            )
            .build()
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        let done = client
            .users()
            .reactivate(USER)
            .await
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert_eq!(done.attempts(), 2, "{provider}");
        assert_eq!(sim.user_state(USER), Some(UserState::Active), "{provider}");
    }
}

/// Backoffs of `Duration::MAX` are accepted: the first one outlasts the
/// deadline, so the call ends with the attempt's error instead of waiting.
#[tokio::test]
async fn unbounded_backoffs_end_the_call_at_the_deadline() {
    for provider in Provider::ALL {
        let sim = sim_with(provider, &[USER]).await;
        sim.fail_user(USER, 1, Failure::ServiceUnavailable);
        let client = builder(&sim)
            .deadline(Duration::from_secs(5))
            .retry_policy(
                RetryPolicy::default()
                    .max_attempts(u32::MAX)
                    .initial_backoff(Duration::MAX)
                    .max_backoff(Duration::MAX)
                    .max_wait(Duration::MAX),
            )
            .build()
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        let err = client.users().reactivate(USER).await.unwrap_err();
        assert_eq!(
            (err.kind(), err.status()),
            (ErrorKind::Server, Some(503)),
            "{provider}: {err}"
        );
        assert_eq!(err.attempts(), 1, "{provider}: no second attempt");
        assert_eq!(
            sim.user_state(USER),
            Some(UserState::Deactivated),
            "{provider}"
        );
    }
}
