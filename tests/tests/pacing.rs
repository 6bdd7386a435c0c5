//! Issue 31: bulk runs paced by HTTP requests and by the provider's own
//! budget (rate-limit headers), and the simulators' quotas.
//!
//! Assertions are on counts (requests, 429 answers), never on how long
//! something took: where an order in time is checked, it is a lower bound
//! (a request that must wait for a reset), which a slow machine only
//! satisfies more easily.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use userbridge_tests::Credentials;

use userbridge::mock::{Failure, Simulator, UserState};
use userbridge::{Client, ErrorKind, Provider, ReactivateRequest, RetryPolicy};

fn client_for(sim: &Simulator) -> Client {
    Client::builder(sim.provider())
        .base_url(sim.base_url())
        .credentials(sim.provider(), sim.token())
        .organization(sim.organization())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

fn deactivated(sim: &Simulator, prefix: &str, n: usize) -> Vec<ReactivateRequest> {
    (0..n)
        .map(|i| {
            let id = format!("{prefix}{i}");
            sim.add_user(id.as_str(), sim.organization(), UserState::Deactivated);
            ReactivateRequest::new(id)
        })
        .collect()
}

/// The prefix of the simulated users' ids (an id every provider accepts).
const PREFIX: &str = "usr_pace";

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The providers whose simulators keep a quota: their rate-limit headers
/// and the path of a user read, relative to the simulator's base URL.
const QUOTA_PROVIDERS: [(Provider, [&str; 3], &str); 2] = [
    (
        Provider::Okta,
        [
            "x-rate-limit-limit",
            "x-rate-limit-remaining",
            "x-rate-limit-reset",
        ],
        "/api/v1/users/",
    ),
    (
        Provider::Auth0,
        [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ],
        "/users/",
    ),
];

#[tokio::test]
async fn a_simulated_quota_sends_the_providers_headers_and_its_own_429() {
    for (provider, [limit, remaining, reset], users) in QUOTA_PROVIDERS {
        let sim = Simulator::start(provider).await;
        // A window of a day: the test does not straddle two (but at midnight).
        sim.set_quota(3, Duration::from_secs(86_400));
        let http = reqwest::Client::new();
        let url = format!("{}{users}nobody", sim.base_url());
        let mut seen = Vec::new();
        for _ in 0..4 {
            let r = http
                .get(&url)
                .bearer_auth(sim.token())
                .send()
                .await
                .expect("answer");
            let h = |name: &str| {
                r.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or_else(|| panic!("{provider}: {name} on every answer"))
            };
            seen.push((r.status().as_u16(), h(limit), h(remaining), h(reset)));
        }
        let statuses: Vec<u16> = seen.iter().map(|s| s.0).collect();
        assert_eq!(statuses[3], 429, "{provider}: over the quota");
        assert!(statuses[..3].iter().all(|s| *s != 429), "{provider}");
        let remaining: Vec<u64> = seen.iter().map(|s| s.2).collect();
        assert_eq!(remaining, [2, 1, 0, 0], "{provider}");
        assert!(seen.iter().all(|s| s.1 == 3), "{provider}: the limit");
        assert!(
            seen.iter().all(|s| s.3 == seen[0].3),
            "{provider}: one window"
        );
        assert!(seen[0].3 >= unix_now(), "{provider}: a reset to come");
        assert_eq!(sim.quota_refusals(), 1, "{provider}");
    }
}

#[tokio::test]
async fn a_request_rate_counts_every_request_of_a_reactivation() {
    // An Okta reactivation of a deprovisioned user is three requests (read,
    // transition, read back), three units of the rate: at one request a
    // second, its second and third requests each wait for a unit, two
    // seconds in all. (Were one of them not counted, a second would do;
    // were the call counted, nothing would wait.)
    let sim = Simulator::start(Provider::Okta).await;
    let requests = deactivated(&sim, "00urate", 1);
    let client = client_for(&sim);
    let started = std::time::Instant::now();
    let report = client
        .users()
        .reactivate_many(requests)
        .request_rate(1)
        .run()
        .await;
    assert_eq!(report.succeeded(), 1, "{report:?}");
    let methods: Vec<String> = sim.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["GET", "POST", "GET"]);
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "three requests at one a second take two seconds at least"
    );
}

#[tokio::test]
async fn with_remaining_zero_nothing_starts_until_the_reset() {
    for (provider, _, _) in QUOTA_PROVIDERS {
        let sim = Simulator::start(provider).await;
        let client = client_for(&sim);
        // One reactivation's requests fill the quota: its last answer says
        // `Remaining: 0`. The second run's requests wait for the reset: none
        // is refused.
        let first = deactivated(&sim, &format!("{}a", PREFIX), 1);
        let second = deactivated(&sim, &format!("{}b", PREFIX), 2);
        let per_call = {
            let probe = Simulator::start(provider).await;
            probe.add_user(
                format!("{}probe", PREFIX).as_str(),
                probe.organization(),
                UserState::Deactivated,
            );
            client_for(&probe)
                .users()
                .reactivate(format!("{}probe", PREFIX))
                .await
                .expect("probe");
            probe.requests().len()
        };
        let window = Duration::from_secs(2);
        sim.set_quota(per_call as u32, window);
        // Both runs in one window: the second one's starts wait for its reset.
        just_after_a_boundary(window).await;
        let report = client.users().reactivate_many(first).run().await;
        assert_eq!(report.succeeded(), 1, "{provider}: {report:?}");
        let report = client
            .users()
            .reactivate_many(second)
            .concurrency(4)
            .run()
            .await;
        assert_eq!(report.succeeded(), 2, "{provider}: {report:?}");
        assert_eq!(
            sim.quota_refusals(),
            0,
            "{provider}: a request over the quota"
        );
        assert_eq!(sim.requests().len(), 3 * per_call, "{provider}");
    }
}

#[tokio::test]
async fn two_clones_running_at_once_share_the_budget() {
    for (provider, _, _) in QUOTA_PROVIDERS {
        let sim = Simulator::start(provider).await;
        let client = client_for(&sim);
        let clone = client.clone();
        let window = Duration::from_secs(1);
        sim.set_quota(5, window);
        // A first run tells the client where the budget stands (the runs
        // start in the same window).
        just_after_a_boundary(window).await;
        let first = deactivated(&sim, &format!("{}first", PREFIX), 1);
        let report = client.users().reactivate_many(first).run().await;
        assert_eq!(report.succeeded(), 1, "{provider}: {report:?}");
        let a = deactivated(&sim, &format!("{}a", PREFIX), 3);
        let b = deactivated(&sim, &format!("{}b", PREFIX), 3);
        let (ra, rb) = tokio::join!(
            client.users().reactivate_many(a).concurrency(8).run(),
            clone.users().reactivate_many(b).concurrency(8).run(),
        );
        assert_eq!(
            ra.succeeded() + rb.succeeded(),
            6,
            "{provider}: {ra:?} {rb:?}"
        );
        assert_eq!(
            sim.quota_refusals(),
            0,
            "{provider}: a request over the quota"
        );
    }
}

/// Sleeps until 50 ms past the next boundary of `window` (the simulators'
/// quota windows are aligned on Unix time): a run started then has nearly
/// the whole window before the reset.
async fn just_after_a_boundary(window: Duration) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    let w = window.as_nanos();
    let left = w - now.as_nanos() % w + 50_000_000;
    tokio::time::sleep(Duration::from_nanos(left as u64)).await;
}

#[tokio::test]
async fn waits_for_the_pace_count_against_neither_the_timeout_nor_the_deadline() {
    // An Okta reactivation is three requests. Under a quota of four per two
    // seconds, the first user's three and the second user's read fill the
    // window: the second user's transition waits for the reset (over a
    // second), and its read-back starts at once after it. The client gives
    // an attempt 600 ms and a call 800 ms, retries nothing; the simulator
    // answers each of the second user's requests after 100 ms. The second
    // call lasts far longer than its deadline, all of it but 300 ms of
    // answers spent waiting for the pace, and succeeds, its status read back:
    // the read-back still has the 300 ms of the attempt that the provider did
    // not use (a read-back that fails leaves the success with a message).
    let sim = Simulator::start(Provider::Okta).await;
    let client = Client::builder(Provider::Okta)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .timeout(Duration::from_millis(600))
        .deadline(Duration::from_millis(800))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let requests = deactivated(&sim, "00upacedeadline", 2);
    sim.fail_user(
        "00upacedeadline1",
        3,
        Failure::Slow(Duration::from_millis(100)),
    );
    let window = Duration::from_secs(2);
    sim.set_quota(4, window);
    just_after_a_boundary(window).await;
    let started = std::time::Instant::now();
    let report = client
        .users()
        .reactivate_many(requests)
        .concurrency(1)
        .run()
        .await;
    assert_eq!(report.succeeded(), 2, "{report:?}");
    for item in report.items() {
        let done = item.result().as_ref().expect("reactivated");
        assert_eq!(done.message(), None, "the status read back: {done:?}");
    }
    assert_eq!(sim.requests().len(), 6);
    assert_eq!(sim.quota_refusals(), 0, "a request over the quota");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the second user's transition waited for the reset"
    );
}

#[tokio::test]
async fn after_a_wait_for_the_pace_the_answer_still_has_the_timeout_only() {
    // The pace is not the provider's time, the provider's time still is: a
    // request that waited a second for its start, then got no answer within
    // the attempt's 300 ms, times out (the simulator answers after 2 s).
    let sim = Simulator::start(Provider::Okta).await;
    let client = Client::builder(Provider::Okta)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let requests = deactivated(&sim, "00upaceslow", 2);
    // The second user's first request starts a second after the first
    // user's last (one request a second).
    sim.fail_user("00upaceslow1", 1, Failure::Slow(Duration::from_secs(2)));
    let report = client
        .users()
        .reactivate_many(requests)
        .concurrency(1)
        .request_rate(1)
        .run()
        .await;
    assert_eq!(report.succeeded(), 1, "{report:?}");
    let slow = report.items()[1].result().as_ref().expect_err("timed out");
    assert_eq!(slow.kind(), ErrorKind::Timeout, "{slow:?}");
}

#[tokio::test]
async fn a_retry_after_a_wait_for_the_pace_still_has_the_deadline() {
    // Under a quota of three per two seconds the first user's reactivation
    // fills the window; the second user's read waits for the reset (over a
    // second) and is answered 503. The call's deadline is 500 ms: counted
    // from its start, it would be over and the 503 would stand; the wait was
    // the pace's, so the call retries and succeeds.
    let sim = Simulator::start(Provider::Okta).await;
    let client = Client::builder(Provider::Okta)
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .timeout(Duration::from_millis(500))
        .deadline(Duration::from_millis(500))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(50)),
        )
        .build()
        .expect("client");
    let requests = deactivated(&sim, "00upaceretry", 2);
    sim.fail_user("00upaceretry1", 1, Failure::ServiceUnavailable);
    let window = Duration::from_secs(2);
    sim.set_quota(3, window);
    just_after_a_boundary(window).await;
    let report = client
        .users()
        .reactivate_many(requests)
        .concurrency(1)
        .run()
        .await;
    assert_eq!(report.succeeded(), 2, "{report:?}");
    let retried = report.items()[1].result().as_ref().expect("reactivated");
    assert_eq!(retried.attempts(), 2, "{retried:?}");
    let statuses: Vec<u16> = sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 200, 200, 503, 200, 200, 200]);
    assert_eq!(sim.quota_refusals(), 0, "a request over the quota");
}
