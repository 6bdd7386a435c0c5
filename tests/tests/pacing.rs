//! Issue 31: bulk runs paced by HTTP requests and by the provider's own
//! budget (rate-limit headers), and the simulators' quotas.
//!
//! Assertions are on counts (requests, 429 answers), never on how long
//! something took: where an order in time is checked, it is a lower bound
//! (a request that must wait for a reset), which a slow machine only
//! satisfies more easily.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use userbridge_tests::Credentials;

use userbridge::mock::{Simulator, UserState};
use userbridge::{Client, Provider, ReactivateRequest, RetryPolicy};

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
    // transition, read back): at three requests a second, the second user's
    // requests all start a second or more after the first user's first.
    let sim = Simulator::start(Provider::Okta).await;
    let requests = deactivated(&sim, "00urate", 2);
    let client = client_for(&sim);
    let started = std::time::Instant::now();
    let report = client
        .users()
        .reactivate_many(requests)
        .concurrency(2)
        .request_rate(3)
        .run()
        .await;
    assert_eq!(report.succeeded(), 2, "{report:?}");
    assert_eq!(sim.requests().len(), 6);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "six requests at three a second take a second at least"
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
        sim.set_quota(per_call as u32, Duration::from_secs(2));
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
        sim.set_quota(5, Duration::from_secs(1));
        // A first run tells the client where the budget stands.
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
