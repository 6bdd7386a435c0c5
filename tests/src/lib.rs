//! Shared support for the userbridge mock-server suite.
//!
//! Nothing here knows a provider: what a provider is (its request, its sample ids,
//! its documented answers and the outcome of each) is read from its spec
//! ([`spec`]); the rules every provider follows are generic ([`outcome`]). A
//! provider's own rules live in its test file (`tests/tests/<provider>.rs`).
//!
//! - [`spec`]: `openapi/{provider}.yaml` and the test facts it carries
//!   ([`schema`]: whether a body has a documented shape);
//! - [`outcome`]: expectations (JSON subsets of the serialized result), the
//!   generic rules, the checks of a call against them;
//! - [`cases`]: case tables served by a mock server, through a [`Runner`];
//! - a [`Runner`] abstraction, so the same case table runs against the async
//!   client ([`AsyncRunner`]) and the blocking client ([`BlockingRunner`]);
//! - [`wire`]: wiremock routes, a raw TCP server and helpers of the fault suites;
//! - [`hostile`], [`classify`], [`generated`], [`sim`]: the engines of the
//!   hostile, classification, generated-client and simulator suites, which
//!   provider test files reuse with their own cases.

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub use userbridge::{
    ApiError, Error, ErrorKind, Provider, ReactivateRequest, Reactivated, RetryPolicy,
};

pub mod aws;
pub mod cases;
pub mod classify;
pub mod firebase_emulator;
pub mod generated;
pub mod hostile;
pub mod outcome;
pub mod schema;
pub mod sim;
pub mod spec;
pub mod tokens;
pub mod tools;
pub mod wire;

pub use cases::{run_providers, run_table, Case};
pub use outcome::{
    assert_spec_agrees_with_architecture, check_display, check_outcome, generic_expectation,
    kind_by_status, kind_name, observed,
};
pub use spec::{single_call_providers, spec, Example, ProviderSpec};

/// The bearer token every test client sends.
pub const TOKEN: &str = "test-token-123";

// ---------------------------------------------------------------------------
// Per-provider facts, from the spec
// ---------------------------------------------------------------------------

/// The user id the suite reactivates: the spec's example of the user parameter.
pub fn sample_user_id(p: Provider) -> &'static str {
    spec(p).sample_user_id()
}

/// The HTTP method of the provider's reactivate call (`POST`).
pub fn method(p: Provider) -> &'static str {
    spec(p).method()
}

/// The exact raw path the server sees, for an already percent-encoded user id
/// segment (`org` is used where the organization is a path parameter).
pub fn expected_path(p: Provider, org: &str, encoded_user: &str) -> String {
    spec(p).path(org, encoded_user)
}

/// The path a call for [`sample_user_id`] (in the sample organization) reaches.
pub fn sample_path(p: Provider) -> String {
    spec(p).sample_path()
}

/// The organization the suites configure on clients: the sample organization
/// where the provider requires one, none otherwise.
pub fn organization(p: Provider) -> Option<&'static str> {
    spec(p).required_organization()
}

/// The base URL a client for `p` uses against a mock server at `uri`: the root
/// plus the path of the spec's server URL (`/api` for a `https://{host}/api`).
pub fn base_url(p: Provider, uri: &str) -> String {
    format!("{uri}{}", spec(p).server_prefix())
}

/// The spec's (first) success example, as an answer.
pub fn success_answer(p: Provider) -> Answer {
    spec(p).example_of("ok").answer()
}

/// The body of the spec's (first) success example.
pub fn success_body(p: Provider) -> Value {
    spec(p).example_of("ok").body.clone()
}

/// The spec's (first) answer whose outcome is `kind`, e.g. `not_deactivated`.
pub fn answer_of(p: Provider, kind: &str) -> Answer {
    spec(p).example_of(kind).answer()
}

/// The region of the test clients of a provider that signs with AWS
/// credentials.
pub const AWS_REGION: &str = "us-east-1";
/// The secret access key of those clients (the simulators do not verify
/// signatures; moto does, in `tests/tests/cognito.rs`).
pub const AWS_SECRET: &str = "userbridge-test-secret-access-key";

/// The credentials of a test client, for any provider: `.bearer_token(token)`,
/// or, for a provider whose requests are signed with AWS credentials
/// ([`Provider::takes_aws_credentials`]), `token` as the access key id (what
/// the simulators accept) with [`AWS_SECRET`] and [`AWS_REGION`].
pub trait Credentials: Sized {
    /// See the trait.
    fn credentials(self, p: Provider, token: &str) -> Self;
}

impl Credentials for userbridge::ClientBuilder {
    fn credentials(self, p: Provider, token: &str) -> Self {
        if p.takes_aws_credentials() {
            self.region(AWS_REGION).aws_credentials(token, AWS_SECRET)
        } else {
            self.bearer_token(token)
        }
    }
}

impl Credentials for userbridge_blocking::ClientBuilder {
    fn credentials(self, p: Provider, token: &str) -> Self {
        if p.takes_aws_credentials() {
            self.region(AWS_REGION).aws_credentials(token, AWS_SECRET)
        } else {
            self.bearer_token(token)
        }
    }
}

/// Retries with waits of a few milliseconds.
pub fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

// ---------------------------------------------------------------------------
// Client configuration and runners
// ---------------------------------------------------------------------------

/// A client configuration, applied through each client's own builder methods.
#[derive(Clone, Debug)]
pub struct Config {
    /// The provider.
    pub provider: Provider,
    /// `.base_url(..)`, if set.
    pub base_url: Option<String>,
    /// `.bearer_token(..)`, if set.
    pub token: Option<String>,
    /// `.organization(..)`, if set.
    pub organization: Option<String>,
    /// `.timeout(..)`, if set.
    pub timeout: Option<Duration>,
    /// `.retry_policy(..)`.
    pub retry: RetryPolicy,
}

/// Applies a [`Config`] through a builder's own methods (the async and the
/// blocking builders have the same methods, but no common trait).
macro_rules! configure {
    ($cfg:expr, $builder:expr) => {{
        let cfg: &Config = $cfg;
        let mut b = $builder.retry_policy(cfg.retry.clone());
        if let Some(u) = &cfg.base_url {
            b = b.base_url(u);
        }
        if let Some(t) = &cfg.token {
            b = $crate::Credentials::credentials(b, cfg.provider, t);
        }
        if let Some(o) = &cfg.organization {
            b = b.organization(o.clone());
        }
        if let Some(t) = cfg.timeout {
            b = b.timeout(t);
        }
        b
    }};
}

impl Config {
    /// A client for `p` against the mock server at `uri`: its base URL, the test
    /// token, the sample organization where the provider requires one, and no
    /// retries so request counts are exact.
    pub fn for_server(p: Provider, uri: &str) -> Config {
        Config {
            provider: p,
            base_url: Some(base_url(p, uri)),
            token: Some(TOKEN.to_string()),
            organization: organization(p).map(str::to_string),
            timeout: Some(Duration::from_secs(10)),
            retry: RetryPolicy::none(),
        }
    }

    /// The same configuration with a different organization.
    pub fn organization(mut self, org: Option<&str>) -> Config {
        self.organization = org.map(str::to_string);
        self
    }

    /// The async builder, configured.
    pub fn async_builder(&self) -> userbridge::ClientBuilder {
        configure!(self, userbridge::Client::builder(self.provider))
    }

    /// The blocking builder, configured through its own methods.
    pub fn blocking_builder(&self) -> userbridge_blocking::ClientBuilder {
        configure!(self, userbridge_blocking::Client::builder(self.provider))
    }
}

/// Runs calls through one of the two clients, so one case table covers both.
pub trait Runner: Sync {
    /// `async` or `blocking`, for failure messages.
    fn name(&self) -> &'static str;
    /// Builds a client (and drops it): the builder's verdict.
    fn build(&self, cfg: &Config) -> Result<(), Error>;
    /// Builds a client and makes one call; a build failure is returned as is.
    fn reactivate(&self, cfg: &Config, req: ReactivateRequest) -> Result<Reactivated, Error>;
}

/// The async client, driven by `block_on` on the suite's runtime.
pub struct AsyncRunner;

impl Runner for AsyncRunner {
    fn name(&self) -> &'static str {
        "async"
    }

    fn build(&self, cfg: &Config) -> Result<(), Error> {
        // Building needs no runtime; do it outside one, as a caller may.
        cfg.async_builder().build().map(drop)
    }

    fn reactivate(&self, cfg: &Config, req: ReactivateRequest) -> Result<Reactivated, Error> {
        let builder = cfg.async_builder();
        runtime().block_on(async move {
            let client = builder.build()?;
            client.users().reactivate(req).await
        })
    }
}

/// The blocking client, called from the test thread (no runtime around).
pub struct BlockingRunner;

impl Runner for BlockingRunner {
    fn name(&self) -> &'static str {
        "blocking"
    }

    fn build(&self, cfg: &Config) -> Result<(), Error> {
        cfg.blocking_builder().build().map(drop)
    }

    fn reactivate(&self, cfg: &Config, req: ReactivateRequest) -> Result<Reactivated, Error> {
        let client = cfg.blocking_builder().build()?;
        client.users().reactivate(req)
    }
}

/// Both runners.
pub fn runners() -> Vec<Box<dyn Runner>> {
    vec![Box::new(AsyncRunner), Box::new(BlockingRunner)]
}

/// Runs `f` for every provider on its own thread and reports every failure
/// together, naming the provider (`f` returns the problems it found).
pub fn for_every_provider(f: impl Fn(Provider) -> Vec<String> + Sync) {
    let f = &f;
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = single_call_providers()
            .into_iter()
            .map(|p| (p, s.spawn(move || f(p))))
            .collect();
        handles
            .into_iter()
            .flat_map(|(p, h)| match h.join() {
                Ok(problems) => problems,
                Err(panic) => vec![format!("{p}: panicked: {}", panic_text(&panic))],
            })
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The text of a caught panic.
pub fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Mock server helpers (usable from plain `#[test]` functions)
// ---------------------------------------------------------------------------

/// The suite's runtime for mock-server set-up and the async runner.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("test runtime")
    })
}

/// A fresh mock server (it runs on its own thread).
pub fn start_server() -> MockServer {
    runtime().block_on(MockServer::start())
}

/// A canned answer.
#[derive(Clone, Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
    /// `content-type`.
    pub content_type: String,
    /// Raw body.
    pub body: Vec<u8>,
}

impl Answer {
    /// A JSON answer.
    pub fn json(status: u16, body: &Value) -> Answer {
        Answer::raw(status, "application/json", body.to_string().into_bytes())
    }

    /// An answer with any body.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            content_type: content_type.to_string(),
            body: body.into(),
        }
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The same answer with another status.
    pub fn with_status(mut self, status: u16) -> Answer {
        self.status = status;
        self
    }

    /// The body as text (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn body_json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// The answer as a wiremock response.
    pub fn template(&self) -> ResponseTemplate {
        let mut t = ResponseTemplate::new(self.status);
        for (k, v) in &self.headers {
            t = t.insert_header(k.as_str(), v.as_str());
        }
        t.set_body_raw(self.body.clone(), &self.content_type)
    }
}

/// Answers every request to `server` with `answer`, from inside a runtime.
pub async fn mount(server: &MockServer, answer: &Answer) {
    Mock::given(any())
        .respond_with(answer.template())
        .mount(server)
        .await;
}

/// Answers every request to `server` with `answer` (outside a runtime).
pub fn serve(server: &MockServer, answer: &Answer) {
    runtime().block_on(mount(server, answer));
}

/// Every request the server received.
pub fn received(server: &MockServer) -> Vec<wiremock::Request> {
    runtime()
        .block_on(server.received_requests())
        .expect("request recording is on")
}

/// A header of a received request, as text.
pub fn req_header(req: &wiremock::Request, name: &str) -> Option<String> {
    req.headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// Serves `answer` on a fresh mock server and makes the call `req` through
/// `runner`, with [`Config::for_server`] adjusted by `configure`; returns the
/// outcome and the requests the server saw.
pub fn call_configured(
    runner: &dyn Runner,
    p: Provider,
    answer: &Answer,
    configure: impl FnOnce(Config) -> Config,
    req: ReactivateRequest,
) -> (Result<Reactivated, Error>, Vec<wiremock::Request>) {
    let server = start_server();
    serve(&server, answer);
    let cfg = configure(Config::for_server(p, &server.uri()));
    let result = runner.reactivate(&cfg, req);
    (result, received(&server))
}

/// [`call_configured`] with the default configuration.
pub fn call_with(
    runner: &dyn Runner,
    p: Provider,
    answer: &Answer,
    req: ReactivateRequest,
) -> (Result<Reactivated, Error>, Vec<wiremock::Request>) {
    call_configured(runner, p, answer, |cfg| cfg, req)
}

/// Serves the spec's example `key`/`name` of `p` and reactivates `user` through
/// `runner`; asserts that one request was sent.
pub fn call_example(
    runner: &dyn Runner,
    p: Provider,
    key: &str,
    name: &str,
    user: &str,
) -> Result<Reactivated, Error> {
    let answer = spec(p).example(key, name).answer();
    let (r, reqs) = call_with(runner, p, &answer, ReactivateRequest::new(user));
    assert_eq!(reqs.len(), 1, "[{}] {p} {key} {name}", runner.name());
    r
}

/// Makes the call against a server that would answer with the spec's success,
/// and asserts it was rejected before sending: `InvalidRequest` for `p`, attempts
/// 0, not retryable, one line, and the server saw no request. Returns the
/// error's text.
pub fn rejected(
    runner: &dyn Runner,
    p: Provider,
    cfg_org: Option<&str>,
    req: ReactivateRequest,
) -> String {
    let what = format!("[{}] {p:?} {req:?} (client org {cfg_org:?})", runner.name());
    let (result, reqs) = call_configured(
        runner,
        p,
        &success_answer(p),
        |cfg| cfg.organization(cfg_org),
        req,
    );
    let err = result
        .map(|done| panic!("{what}: accepted: {done:?}"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{what}: {err}");
    assert!(matches!(err, Error::InvalidRequest { .. }), "{what}");
    assert_eq!(err.provider(), Some(p), "{what}");
    assert_eq!(err.attempts(), 0, "{what}");
    assert_eq!(err.status(), None, "{what}");
    assert!(!err.is_retryable(), "{what}");
    let n = reqs.len();
    assert_eq!(n, 0, "{what}: the server saw {n} request(s)");
    let line = err.to_string();
    assert!(!line.contains('\n'), "{what}: one line: {line:?}");
    line
}

/// Makes the call (the client configured with the organization the provider
/// requires, if any) and asserts it succeeded with exactly one request on the
/// raw `path`.
pub fn accepted(runner: &dyn Runner, p: Provider, req: ReactivateRequest, path: &str) {
    let what = format!("[{}] {p:?} {req:?}", runner.name());
    let user = req.user_id().to_string();
    let (result, reqs) = call_with(runner, p, &success_answer(p), req);
    let done = result.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(done.user_id(), user, "{what}");
    assert_eq!(reqs.len(), 1, "{what}");
    assert_eq!(reqs[0].url.path(), path, "{what}: raw path");
}
