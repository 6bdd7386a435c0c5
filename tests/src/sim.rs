//! Helpers for the embedded provider simulators (`userbridge::mock`): clients
//! for a simulator, the documented request sent by hand, and the simulator's
//! answer to each situation of the lifecycle ([`simulator_answers`]).

use crate::Credentials;
use std::time::Duration;

use serde_json::Value;
use userbridge::mock::{Failure, ReceivedRequest, Simulator, UserState};
use userbridge::{ApiError, Client, ClientBuilder, Error, Provider, RetryPolicy};

use crate::{fast_retry, spec};

/// The user the scenarios reactivate: the spec's sample user id.
pub fn user(p: Provider) -> &'static str {
    spec::spec(p).sample_user_id()
}

/// A user the simulator does not know, or one of another organization (of the
/// form the provider insists on).
pub fn other_user(p: Provider) -> String {
    format!("{}-2", user(p))
}

/// An organization the default token is not in (of the form the provider
/// insists on).
pub fn other_org(p: Provider) -> String {
    format!(
        "{}other",
        spec::spec(p).organization_id_prefix().unwrap_or("")
    )
}

/// A builder for the simulator with `token`: its base URL and organization,
/// a 10 s timeout, retries off.
pub fn builder(sim: &Simulator, token: &str) -> ClientBuilder {
    Client::builder(sim.provider())
        .base_url(sim.base_url())
        .credentials(sim.provider(), token)
        .organization(sim.organization())
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::none())
}

/// A client with `token`, retries off.
pub fn client_for(sim: &Simulator, token: &str) -> Client {
    builder(sim, token).build().unwrap()
}

/// A client with the simulator's token, retries off.
pub fn client(sim: &Simulator) -> Client {
    client_for(sim, sim.token())
}

/// A client with the simulator's token and millisecond backoffs (3 attempts).
pub fn retrying_client(sim: &Simulator) -> Client {
    builder(sim, sim.token())
        .retry_policy(fast_retry(3))
        .build()
        .unwrap()
}

/// A fresh simulator of `provider` with [`user`] deactivated in its
/// organization.
pub async fn with_deactivated_user(provider: Provider) -> Simulator {
    let sim = Simulator::start(provider).await;
    sim.add_user(user(provider), sim.organization(), UserState::Deactivated);
    sim
}

/// The documented method and path on the wire. `org` is used where the
/// organization is a path parameter.
pub fn wire_route(provider: Provider, org: &str, id: &str) -> (&'static str, String) {
    let spec = spec::spec(provider);
    (spec.method(), spec.path(org, id))
}

/// The simulator's server root (`http://127.0.0.1:port`, without the path of
/// the spec's server URL), to which [`wire_route`]'s paths are relative.
pub fn server_root(sim: &Simulator) -> String {
    let prefix = spec::spec(sim.provider()).server_prefix();
    sim.base_url().trim_end_matches(&prefix).to_string()
}

/// The answer an error carries.
pub fn api(e: &Error) -> &ApiError {
    e.api_error()
        .unwrap_or_else(|| panic!("expected a provider answer, got {e:?}"))
}

/// The statuses the simulator answered with, in order.
pub fn statuses(requests: &[ReceivedRequest]) -> Vec<u16> {
    requests.iter().map(|r| r.status).collect()
}

/// A raw answer.
#[derive(Debug)]
pub struct RawAnswer {
    /// Its status.
    pub status: u16,
    /// Its headers.
    pub headers: reqwest::header::HeaderMap,
    /// Its body.
    pub body: Vec<u8>,
}

impl RawAnswer {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "HTTP {} body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// Sends the documented request by hand (optionally without a token): the
/// spec's method and path, `org` in the organization parameter (path or
/// header), and the spec's request body example if it has one.
pub async fn send(sim: &Simulator, token: Option<&str>, org: &str, id: &str) -> RawAnswer {
    let provider = sim.provider();
    let spec = spec::spec(provider);
    let (method, path) = wire_route(provider, org, id);
    let root = server_root(sim);
    let mut req = reqwest::Client::new().request(method.parse().unwrap(), format!("{root}{path}"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(header) = spec.organization_header() {
        req = req.header(header, org);
    }
    if let Some(body) = spec.request_body_example() {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    RawAnswer {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.bytes().await.unwrap().to_vec(),
    }
}

/// The situations of [`simulator_answers`], in order.
pub const SITUATIONS: [&str; 9] = [
    "ok",
    "again",
    "unknown",
    "missing token",
    "wrong token",
    "no permission",
    "other organization",
    "429",
    "503",
];

/// The simulator's raw answer to each of [`SITUATIONS`], each on a fresh
/// simulator: the user deactivated (`ok`), already active (`again`), unknown,
/// no or a wrong token, a token without permission, the user in another
/// organization (named in the path where the organization is a path parameter),
/// an injected 429 (`Retry-After: 3`) and 503. Each simulator saw one request.
pub async fn simulator_answers(provider: Provider) -> Vec<(&'static str, RawAnswer)> {
    let mut answers = Vec::new();
    for situation in SITUATIONS {
        let sim = Simulator::start(provider).await;
        let org = sim.organization().to_string();
        let mut token = Some(sim.token().to_string());
        let mut path_org = org.clone();
        match situation {
            "again" => sim.add_user(user(provider), &org, UserState::Active),
            "unknown" => {}
            "missing token" => token = None,
            "wrong token" => token = Some("wrong".into()),
            "no permission" => {
                sim.deny_permission("reader");
                token = Some("reader".into());
            }
            "other organization" => {
                sim.add_user(user(provider), other_org(provider), UserState::Deactivated);
                if spec::spec(provider).organization_in_path() {
                    path_org = other_org(provider);
                }
            }
            "429" => sim.fail_next(
                1,
                Failure::TooManyRequests {
                    retry_after: Some(Duration::from_secs(3)),
                },
            ),
            "503" => sim.fail_next(1, Failure::ServiceUnavailable),
            _ => {}
        }
        if !matches!(situation, "again" | "unknown" | "other organization") {
            sim.add_user(user(provider), &org, UserState::Deactivated);
        }
        let answer = send(&sim, token.as_deref(), &path_org, user(provider)).await;
        assert_eq!(sim.requests().len(), 1, "{provider}: {situation}");
        assert_eq!(sim.requests()[0].status, answer.status);
        answers.push((situation, answer));
    }
    answers
}

/// The answer to `situation` among [`simulator_answers`].
pub fn answer_to<'a>(answers: &'a [(&str, RawAnswer)], situation: &str) -> &'a RawAnswer {
    &answers
        .iter()
        .find(|(n, _)| *n == situation)
        .unwrap_or_else(|| panic!("no situation {situation}"))
        .1
}

/// Asserts the kind and status of an error, and that the raw body the SDK kept
/// contains `text`.
pub fn assert_error(e: &Error, kind: userbridge::ErrorKind, status: u16, text: &str) {
    assert_eq!(e.kind(), kind, "{e}");
    assert_eq!(e.status(), Some(status), "{e}");
    assert!(
        api(e).body.contains(text),
        "body {:?} lacks {text:?}",
        api(e).body
    );
}

/// Whether `e` has what the spec's outcome `want` states of `fields` (`kind`,
/// `status`, `code`, ...; fields the outcome does not state are not compared);
/// `Err` names the first difference.
pub fn like_outcome(e: &Error, want: &Value, fields: &[&str]) -> Result<(), String> {
    let got = serde_json::to_value(e).expect("Error serializes");
    for field in fields {
        if let Some(w) = want.get(*field) {
            if got.get(*field) != Some(w) {
                return Err(format!("{field}: expected {w}, got {:?}", got.get(*field)));
            }
        }
    }
    Ok(())
}

/// Asserts [`like_outcome`]; `what` names the case.
pub fn assert_like_outcome(what: &str, e: &Error, want: &Value, fields: &[&str]) {
    if let Err(why) = like_outcome(e, want, fields) {
        panic!("{what}: {why} ({e})");
    }
}

/// Runs `scenario` for every provider concurrently (each on its own task) and
/// reports every provider whose scenario panicked, together.
pub async fn for_every_provider<F, Fut>(scenario: F)
where
    F: Fn(Provider) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let tasks: Vec<_> = crate::spec::single_call_providers()
        .into_iter()
        .map(|p| (p, tokio::spawn(scenario(p))))
        .collect();
    let mut failures = Vec::new();
    for (p, task) in tasks {
        if let Err(e) = task.await {
            let why = match e.try_into_panic() {
                Ok(panic) => crate::panic_text(&panic),
                Err(e) => e.to_string(),
            };
            failures.push(format!("{p}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One successful reactivation of a deactivated user on `provider`'s simulator,
/// as its simulator saw it: `(method, status)` of each request, in order (one
/// call for most providers; a read and a write, or more, for those that look at
/// the user first). Suites that count requests compare with it instead of
/// assuming one request per call.
pub fn normal_flow(provider: Provider) -> Vec<(String, u16)> {
    let sim = match Simulator::start_blocking(provider) {
        Ok(sim) => sim,
        Err(e) => panic!("{provider}: the simulator could not start: {e}"),
    };
    sim.add_user("usr_flow1", sim.organization(), UserState::Deactivated);
    let client = userbridge_blocking::Client::builder(provider)
        .base_url(sim.base_url())
        .credentials(provider, sim.token())
        .organization(sim.organization())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap_or_else(|e| panic!("{provider}: {e}"));
    client
        .users()
        .reactivate("usr_flow1")
        .unwrap_or_else(|e| panic!("{provider}: {e}"));
    sim.requests()
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect()
}

/// The statuses of [`normal_flow`].
pub fn normal_statuses(provider: Provider) -> Vec<u16> {
    normal_flow(provider).into_iter().map(|(_, s)| s).collect()
}

/// How many requests of a reactivation on `provider` come before its first
/// write: the requests a dry run sends (it stops before the write), none for
/// a provider that does not read first. Not "the first request that is not a
/// `GET`": some APIs read with a `POST` (Firebase's `accounts:lookup`). A
/// failure injected after that many untouched requests hits the write.
pub fn requests_before_the_write(provider: Provider) -> usize {
    if !provider.reads_users() {
        return 0;
    }
    let sim = match Simulator::start_blocking(provider) {
        Ok(sim) => sim,
        Err(e) => panic!("{provider}: the simulator could not start: {e}"),
    };
    sim.add_user("usr_flow1", sim.organization(), UserState::Deactivated);
    let client = userbridge_blocking::Client::builder(provider)
        .base_url(sim.base_url())
        .credentials(provider, sim.token())
        .organization(sim.organization())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap_or_else(|e| panic!("{provider}: {e}"));
    client
        .users()
        .reactivate(userbridge::ReactivateRequest::new("usr_flow1").dry_run())
        .unwrap_or_else(|e| panic!("{provider}: {e}"));
    let reads = sim.requests().len();
    assert!(
        reads < normal_flow(provider).len(),
        "{provider}: a reactivation without a write"
    );
    reads
}

/// One answer of [`wire`]: the status, the headers (lower-case names) and
/// the body as JSON (`Value::Null` when it is not JSON), with its text.
#[derive(Debug)]
pub struct Wire {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Wire {
    /// A header's value, `""` when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// Sends `method url` with `headers` and `body` as an official SDK would
/// (no userbridge client in between) and reads the whole answer.
pub async fn wire(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Wire {
    let http = reqwest::Client::new();
    let mut request = http.request(method.parse().expect("a method"), url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    let answer = request.send().await.expect("the simulator answers");
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    let text = answer.text().await.unwrap_or_default();
    Wire {
        status,
        headers,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}
