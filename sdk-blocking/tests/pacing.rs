//! A blocking bulk run is paced like an async one (issue 31): by HTTP
//! requests under `request_rate`, and by the budget the provider reports on
//! its answers. The simulators' quotas count the requests as they arrive
//! and answer 429 over the quota: no 429 means the run kept within it.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use userbridge_blocking::mock::{Simulator, UserState};
use userbridge_blocking::{BulkReport, Client, Provider, ReactivateRequest, RetryPolicy};

fn client_for(sim: &Simulator) -> Client {
    Client::builder(sim.provider())
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .organization(sim.organization())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

fn deactivated(sim: &Simulator, ids: &[String]) -> Vec<ReactivateRequest> {
    ids.iter()
        .map(|id| {
            sim.add_user(id.as_str(), sim.organization(), UserState::Deactivated);
            ReactivateRequest::new(id.as_str())
        })
        .collect()
}

/// Sleeps until 20 ms past the next boundary of `window` (the quota windows
/// are aligned on Unix time).
fn just_after_a_boundary(window: Duration) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let w = window.as_nanos();
    let left = w - now.as_nanos() % w + 20_000_000;
    std::thread::sleep(Duration::from_nanos(left as u64));
}

#[test]
fn request_rate_paces_a_blocking_run_by_requests() {
    // Keycloak reports no budget: only the rate paces. Its simulator takes
    // three requests a second and answers the fourth 429; a Keycloak
    // reactivation is more than one request.
    let sim = Simulator::start_blocking(Provider::Keycloak).expect("simulator");
    let client = client_for(&sim);
    let ids: Vec<String> = (0..4)
        .map(|i| format!("7d0e4c1a-2b3c-4d5e-8f90-a1b2c3d4e5{i:02}"))
        .collect();
    let requests = deactivated(&sim, &ids);
    let (by_requests, by_calls) = requests.split_at(2);
    sim.set_quota(3, Duration::from_secs(1));

    just_after_a_boundary(Duration::from_secs(1));
    let report = client
        .users()
        .reactivate_many(by_requests.to_vec())
        .concurrency(2)
        .request_rate(3)
        .run();
    assert_eq!(report.succeeded(), 2, "{report:?}");
    let sent = sim.requests().len();
    assert!(sent >= 4, "two reactivations, {sent} requests");
    assert_eq!(sim.quota_refusals(), 0, "a request over three a second");

    // The same number as calls a second: both calls start at once, and
    // their requests overrun the quota.
    just_after_a_boundary(Duration::from_secs(1));
    let report: BulkReport = client
        .users()
        .reactivate_many(by_calls.to_vec())
        .concurrency(2)
        .rate_limit(3)
        .run();
    assert!(report.failed() > 0, "{report:?}");
    assert!(sim.quota_refusals() > 0);
}

#[test]
fn the_providers_budget_paces_a_blocking_run() {
    // Okta reports its budget on every answer. Under four requests per two
    // seconds, two three-request reactivations at once need the next
    // window: the run waits for the reset rather than draw a 429.
    let sim = Simulator::start_blocking(Provider::Okta).expect("simulator");
    let client = client_for(&sim);
    let ids: Vec<String> = (0..2).map(|i| format!("00upaceblocking{i}")).collect();
    let requests = deactivated(&sim, &ids);
    let window = Duration::from_secs(2);
    sim.set_quota(4, window);
    just_after_a_boundary(window);
    let started = Instant::now();
    let report = client
        .users()
        .reactivate_many(requests)
        .concurrency(2)
        .run();
    assert_eq!(report.succeeded(), 2, "{report:?}");
    assert_eq!(sim.requests().len(), 6);
    assert_eq!(sim.quota_refusals(), 0, "a request over the budget");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the last requests waited for the reset"
    );
}
