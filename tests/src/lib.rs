//! Shared support for the userbridge mock-server suite.
//!
//! - per-provider facts: the sample user, organization and token, how to build
//!   a client against a [`MockServer`], the request the provider must see
//!   ([`method`], [`expected_path`], [`path_template`]);
//! - reading `openapi/*.yaml` ([`spec`], [`spec_files`], [`operations`],
//!   [`media_examples`]): every documented response example
//!   ([`documented_examples`], [`spec_example`]), the HTTP status it is served
//!   with ([`served_status`], [`status_for_key`]), the answers other suites
//!   serve per provider ([`success_example`], [`not_deactivated_example`], ...),
//!   and extra cases the specs describe only in prose ([`extra_cases`]);
//! - the expected outcome of a response, written from the error-mapping table of
//!   ARCHITECTURE.md ([`expected_outcome`]): this is the specification under
//!   test, so it never calls SDK internals;
//! - a [`Runner`] abstraction, so the same case table runs against the async
//!   client ([`AsyncRunner`]) and the blocking client ([`BlockingRunner`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub use userbridge::{
    ApiError, Error, ErrorKind, Provider, ReactivateRequest, Reactivated, RetryPolicy,
};

/// The bearer token every test client sends.
pub const TOKEN: &str = "test-token-123";
/// The Aitronos organization of the documented examples.
pub const ORG: &str = "org_xyz789";

// ---------------------------------------------------------------------------
// Per-provider facts
// ---------------------------------------------------------------------------

/// The spec file of a provider, under `openapi/`.
pub fn spec_file(p: Provider) -> &'static str {
    match p {
        Provider::Aitronos => "aitronos.yaml",
        Provider::Flashback => "flashback.yaml",
        Provider::ZitadelV1 => "zitadel-v1.yaml",
        Provider::ZitadelV2 => "zitadel-v2.yaml",
        Provider::Nethesis => "nethesis.yaml",
        other => panic!("no spec known for {other:?}: add it to the test support"),
    }
}

/// A user id of the documented form, that needs no percent-encoding.
pub fn sample_user_id(p: Provider) -> &'static str {
    match p {
        Provider::Aitronos => "usr_abc123",
        Provider::Flashback => "550e8400-e29b-41d4-a716-446655440000",
        Provider::ZitadelV1 | Provider::ZitadelV2 => "69629023906488334",
        Provider::Nethesis => "usr_123456789",
        other => panic!("no sample id for {other:?}"),
    }
}

/// The base URL a client for `p` uses against a mock server at `uri`
/// (My Nethesis is served under `/api`).
pub fn base_url(p: Provider, uri: &str) -> String {
    match p {
        Provider::Nethesis => format!("{uri}/api"),
        _ => uri.to_string(),
    }
}

/// The HTTP method of the provider's reactivate call.
pub fn method(p: Provider) -> &'static str {
    match p {
        Provider::Nethesis => "PATCH",
        _ => "POST",
    }
}

/// The path template of the provider's reactivate operation in its spec
/// (relative to the spec's server URL: My Nethesis' lacks the `/api` prefix).
pub fn path_template(p: Provider) -> &'static str {
    match p {
        Provider::Aitronos => "/v1/organizations/{organization_id}/users/{user_id}/reactivate",
        Provider::Flashback => "/organization/users/{userId}/activate",
        Provider::ZitadelV1 => "/management/v1/users/{id}/_reactivate",
        Provider::ZitadelV2 => "/v2/users/{userId}/reactivate",
        Provider::Nethesis => "/users/{id}/reactivate",
        other => panic!("no path known for {other:?}"),
    }
}

/// The exact raw path the server must see, for an already percent-encoded user
/// id segment (`org` is used by Aitronos only).
pub fn expected_path(p: Provider, org: &str, encoded_user: &str) -> String {
    match p {
        Provider::Aitronos => {
            format!("/v1/organizations/{org}/users/{encoded_user}/reactivate")
        }
        Provider::Flashback => format!("/organization/users/{encoded_user}/activate"),
        Provider::ZitadelV1 => format!("/management/v1/users/{encoded_user}/_reactivate"),
        Provider::ZitadelV2 => format!("/v2/users/{encoded_user}/reactivate"),
        Provider::Nethesis => format!("/api/users/{encoded_user}/reactivate"),
        other => panic!("no path known for {other:?}"),
    }
}

/// The path a call for [`sample_user_id`] (organization [`ORG`]) reaches.
pub fn sample_path(p: Provider) -> String {
    expected_path(p, ORG, sample_user_id(p))
}

/// The client organization the suites configure: [`ORG`] for Aitronos (which
/// needs one), none for the others.
pub fn organization(p: Provider) -> Option<&'static str> {
    (p == Provider::Aitronos).then_some(ORG)
}

/// Retries with waits of a few milliseconds.
pub fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

/// Every provider the suite covers.
pub fn providers() -> [Provider; 5] {
    [
        Provider::Aitronos,
        Provider::Flashback,
        Provider::ZitadelV1,
        Provider::ZitadelV2,
        Provider::Nethesis,
    ]
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
            b = b.bearer_token(t.clone());
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
    /// token, organization `org_xyz789` for Aitronos (none for the others), and
    /// no retries so request counts are exact.
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
pub trait Runner {
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

    /// The body as text (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
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

// ---------------------------------------------------------------------------
// Documented examples, read from the specs
// ---------------------------------------------------------------------------

/// One documented response example.
#[derive(Clone, Debug)]
pub struct Example {
    /// The provider.
    pub provider: Provider,
    /// The response key in the spec: `200`, `5XX`, `default`, ...
    pub status_key: String,
    /// The example's name (`example` for a single unnamed example).
    pub name: String,
    /// The example body.
    pub body: Value,
}

/// The `openapi/` directory of the workspace.
pub fn openapi_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi")
}

fn spec_path(p: Provider) -> PathBuf {
    openapi_dir().join(spec_file(p))
}

/// Every spec in `openapi/` (`*.yaml`, `*.yml`), sorted.
pub fn spec_files() -> Vec<PathBuf> {
    let dir = openapi_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    files
}

fn yaml_to_json(v: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                json!(i)
            } else if let Some(u) = n.as_u64() {
                json!(u)
            } else {
                json!(n.as_f64())
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(s) => Value::Array(s.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        Y::Number(n) => n.to_string(),
                        Y::Bool(b) => b.to_string(),
                        other => panic!("unsupported YAML key {other:?}"),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => yaml_to_json(t.value),
    }
}

/// The spec at `path` as JSON.
pub fn read_spec(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    yaml_to_json(yaml)
}

/// The spec of `p` as JSON.
pub fn spec(p: Provider) -> Value {
    read_spec(&spec_path(p))
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of a spec.
#[derive(Clone, Debug)]
pub struct Operation {
    /// Its path template (`/v2/users/{userId}/reactivate`).
    pub path: String,
    /// Its method, lower case as in the spec (`post`).
    pub method: &'static str,
    /// The operation object.
    pub op: Value,
}

/// Every operation of the spec `doc`, in path order.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let paths = doc["paths"].as_object().expect("spec has paths");
    let mut out = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push(Operation {
                    path: path.clone(),
                    method,
                    op: op.clone(),
                });
            }
        }
    }
    out
}

/// `v`, or what its local `$ref` (`#/components/...`) points to in `doc`.
pub fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("unresolvable $ref {r}")),
        None => v,
    }
}

/// Every example of a media type object of `doc`: `example` (named
/// `example`), and each `examples.<name>.value`.
pub fn media_examples(doc: &Value, media: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Some(example) = media.get("example") {
        out.push(("example".to_string(), example.clone()));
    }
    if let Some(named) = media.get("examples").and_then(Value::as_object) {
        for (name, example) in named {
            let value = resolve(doc, example)
                .get("value")
                .unwrap_or_else(|| panic!("example `{name}` has no inline `value`"));
            out.push((name.clone(), value.clone()));
        }
    }
    out
}

/// The responses object of every operation of the spec `doc`.
fn responses(doc: &Value) -> Vec<BTreeMap<String, Value>> {
    operations(doc)
        .into_iter()
        .map(|o| {
            let r = o.op["responses"]
                .as_object()
                .expect("operation has responses");
            r.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        })
        .collect()
}

/// The response keys the spec of `p` documents (`200`, `5XX`, `default`, ...).
pub fn status_keys(p: Provider) -> Vec<String> {
    let mut keys: Vec<String> = responses(&spec(p))
        .into_iter()
        .flat_map(|r| r.into_keys())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Whether `status` is a documented response of `p` (exact key, `NXX` range or
/// `default`).
pub fn is_documented(p: Provider, status: u16) -> bool {
    status_keys(p).iter().any(|k| {
        k == "default"
            || *k == status.to_string()
            || (k.len() == 3
                && k.ends_with("XX")
                && k.starts_with(char::from(b'0' + (status / 100) as u8)))
    })
}

/// Every documented response example of `p`: `example` and
/// `examples.<name>.value` of every JSON response. A JSON response without any
/// example fails loudly (it would silently be an untested response).
pub fn documented_examples(p: Provider) -> Vec<Example> {
    let doc = spec(p);
    let mut out = Vec::new();
    for responses in responses(&doc) {
        for (key, resp) in responses {
            assert!(
                resp.get("$ref").is_none(),
                "{p:?} {key}: response $ref not supported by the loader"
            );
            let Some(content) = resp.get("content").and_then(Value::as_object) else {
                continue;
            };
            for (media, c) in content {
                if !media.contains("json") {
                    continue;
                }
                for (name, ex) in c
                    .get("examples")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    assert!(
                        ex.get("$ref").is_none(),
                        "{p:?} {key} {name}: example $ref not supported by the loader"
                    );
                }
                let examples = media_examples(&doc, c);
                assert!(
                    !examples.is_empty(),
                    "{p:?} response {key} ({media}) has no example: it would go untested"
                );
                out.extend(examples.into_iter().map(|(name, body)| Example {
                    provider: p,
                    status_key: key.clone(),
                    name,
                    body,
                }));
            }
        }
    }
    assert!(!out.is_empty(), "{p:?}: no documented examples found");
    out
}

/// The named example of response `status` (`"200"`, `"422"`, `"default"`, ...)
/// in `p`'s spec, asserting the spec's shape on the way: one path, the
/// documented template ([`path_template`]), one operation, the provider's
/// [`method`].
pub fn spec_example(p: Provider, status: &str, name: &str) -> Value {
    let file = spec_file(p);
    let doc = spec(p);
    let paths = doc["paths"].as_object().expect("paths");
    assert_eq!(paths.len(), 1, "{file}: one path expected");
    let item = paths
        .get(path_template(p))
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{file}: no path {}", path_template(p)));
    assert_eq!(item.len(), 1, "{file}: one operation expected");
    let op = &item[&method(p).to_ascii_lowercase()];
    op["responses"][status]["content"]["application/json"]["examples"][name]
        .get("value")
        .filter(|v| !v.is_null())
        .unwrap_or_else(|| panic!("{file}: no example {status}/{name}"))
        .clone()
}

/// The first documented example of response `key` of `p`.
pub fn first_example(p: Provider, key: &str) -> Example {
    documented_examples(p)
        .into_iter()
        .find(|e| e.status_key == key)
        .unwrap_or_else(|| panic!("{p:?} documents no {key}"))
}

/// A gRPC code from a Zitadel body's `code`: an integer or a lower-case name.
pub fn grpc_code(v: &Value) -> Option<u16> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => GRPC_NAMES
            .iter()
            .find(|(_, name)| *name == s.as_str())
            .map(|(c, _)| *c),
        _ => None,
    }
}

/// The gRPC codes the mapping table covers, with their lower-case names.
pub const GRPC_NAMES: [(u16, &str); 8] = [
    (3, "invalid_argument"),
    (5, "not_found"),
    (7, "permission_denied"),
    (8, "resource_exhausted"),
    (9, "failed_precondition"),
    (13, "internal"),
    (14, "unavailable"),
    (16, "unauthenticated"),
];

/// The HTTP status grpc-gateway answers a gRPC code with (the codes of the
/// mapping table, nothing else).
pub fn grpc_http_status(code: u16) -> Option<u16> {
    Some(match code {
        9 | 3 => 400,
        5 => 404,
        7 => 403,
        16 => 401,
        8 => 429,
        13 => 500,
        14 => 503,
        _ => return None,
    })
}

/// The HTTP status to serve an example of the response documented under `key`
/// with: the key itself, `NXX` -> `N00`, `default` -> from the body's gRPC code
/// (Zitadel). `what` names the example in failure messages.
pub fn status_for_key(what: &str, key: &str, body: &Value) -> u16 {
    match key {
        "default" => {
            let code = body.get("code").unwrap_or(&Value::Null);
            grpc_code(code)
                .and_then(grpc_http_status)
                .unwrap_or_else(|| {
                    panic!(
                        "{what}: cannot tell the HTTP status of a `default` example with \
                         code {code}: not a gRPC code of the table"
                    )
                })
        }
        "1XX" => 100,
        "2XX" => 200,
        "3XX" => 300,
        "4XX" => 400,
        "5XX" => 500,
        other => other
            .parse()
            .unwrap_or_else(|_| panic!("{what}: unsupported response key `{other}`")),
    }
}

/// The HTTP status an example is served with ([`status_for_key`]).
pub fn served_status(ex: &Example) -> u16 {
    status_for_key(
        &format!("{:?} example {}", ex.provider, ex.name),
        &ex.status_key,
        &ex.body,
    )
}

// ---------------------------------------------------------------------------
// Per-provider answers, from the specs where they document one
// ---------------------------------------------------------------------------

/// The spec's success example.
pub fn success_example(p: Provider) -> Value {
    match p {
        Provider::Flashback => spec_example(p, "200", "activated"),
        _ => spec_example(p, "200", "reactivated"),
    }
}

/// The spec's "user is not deactivated" answer: (status, body).
pub fn not_deactivated_example(p: Provider) -> (u16, Value) {
    match p {
        Provider::Aitronos => (422, spec_example(p, "422", "userNotDeactivated")),
        Provider::Flashback => (400, spec_example(p, "400", "userNotDeleted")),
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            (400, spec_example(p, "default", "notInactive"))
        }
        Provider::Nethesis => (400, spec_example(p, "400", "notSuspended")),
        other => panic!("no example for {other:?}"),
    }
}

/// The spec's 401 example where there is one; Flashback documents none, so its
/// envelope `{success, message}` is used.
pub fn unauthenticated_example(p: Provider) -> Value {
    match p {
        Provider::Aitronos => spec_example(p, "401", "unauthorized"),
        Provider::ZitadelV1 | Provider::ZitadelV2 => spec_example(p, "default", "unauthenticated"),
        Provider::Nethesis => spec_example(p, "401", "invalidToken"),
        _ => json!({"success": false, "message": "Unauthorized"}),
    }
}

/// A 5xx body in the provider's error shape: the spec's example where it has one
/// (Aitronos `5XX`, Flashback `500`), else the documented envelope.
pub fn server_error_body(p: Provider, status: u16) -> Value {
    match p {
        Provider::Aitronos => spec_example(p, "5XX", "internalError"),
        Provider::Flashback => spec_example(p, "500", "internalError"),
        // gRPC 14 Unavailable is answered as 503, 13 Internal as 500.
        Provider::ZitadelV1 | Provider::ZitadelV2 => zitadel_body(
            json!(if status == 503 { 14 } else { 13 }),
            "upstream failure",
            None,
        ),
        _ => json!({"code": status, "message": "internal server error", "data": null}),
    }
}

/// A 429 body in the provider's error shape (Aitronos: the spec's example; the
/// others document no rate limiting, so their envelope is used).
pub fn rate_limited_body(p: Provider) -> Value {
    match p {
        Provider::Aitronos => spec_example(p, "429", "rateLimited"),
        Provider::Flashback => json!({"success": false, "message": "Too many requests"}),
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            zitadel_body(json!(8), "resource exhausted", None)
        }
        _ => json!({"code": 429, "message": "too many requests", "data": null}),
    }
}

// ---------------------------------------------------------------------------
// The case table
// ---------------------------------------------------------------------------

/// One response to serve and the request to make.
#[derive(Clone, Debug)]
pub struct Case {
    /// The provider.
    pub provider: Provider,
    /// What the case is: `422 userNotDeactivated`, `extra: ...`.
    pub label: String,
    /// The answer the mock server gives.
    pub answer: Answer,
    /// The user id requested (needs no encoding).
    pub user_id: String,
}

impl Case {
    /// The expected outcome, from the mapping rules.
    pub fn expected(&self) -> Expected {
        expected_outcome(
            self.provider,
            self.answer.status,
            &self.answer.headers,
            &self.answer.body,
        )
    }
}

/// Every documented example of `p`, served as documented.
pub fn documented_cases(p: Provider) -> Vec<Case> {
    documented_examples(p)
        .into_iter()
        .map(|ex| Case {
            provider: p,
            label: format!("{} {}", ex.status_key, ex.name),
            answer: Answer::json(served_status(&ex), &ex.body),
            user_id: sample_user_id(p).to_string(),
        })
        .collect()
}

fn zitadel_body(code: Value, message: &str, id: Option<&str>) -> Value {
    let details: Vec<Value> = id
        .map(|id| {
            json!({
                "@type": "type.googleapis.com/zitadel.v1.ErrorDetail",
                "id": id,
                "message": message,
            })
        })
        .into_iter()
        .collect();
    let full = match id {
        Some(id) => format!("{message} ({id})"),
        None => message.to_string(),
    };
    json!({ "code": code, "message": full, "details": details })
}

/// Cases the specs describe in prose but not as examples: Zitadel's string
/// codes and the codes of the mapping table without an example, a 429 with
/// `Retry-After` for every provider, Aitronos' `x-request-id`, My Nethesis'
/// upstream 500, Flashback's undocumented 401.
pub fn extra_cases(p: Provider) -> Vec<Case> {
    let user = sample_user_id(p).to_string();
    let case = |label: &str, answer: Answer| Case {
        provider: p,
        label: format!("extra: {label}"),
        answer,
        user_id: user.clone(),
    };
    let mut out = Vec::new();
    match p {
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            // Every documented error example again, with `code` as its string name.
            for ex in documented_examples(p) {
                let Some(code) = ex.body.get("code").and_then(grpc_code) else {
                    continue;
                };
                let (_, name) = GRPC_NAMES
                    .iter()
                    .find(|(c, _)| *c == code)
                    .expect("documented code is in the table");
                let mut body = ex.body.clone();
                body["code"] = json!(name);
                out.push(case(
                    &format!("{} {} with code \"{name}\"", ex.status_key, ex.name),
                    Answer::json(served_status(&ex), &body),
                ));
            }
            // The table's codes, both forms, with their HTTP statuses.
            let samples: [(u16, &str, Option<&str>); 8] = [
                (3, "Errors.Invalid.Argument", Some("USER-asdf3")),
                (5, "User could not be found", Some("COMMAND-4M0sd")),
                (7, "No permission", Some("AUTHZ-HKJD33")),
                (8, "Quota exceeded", Some("QUOTA-B8cgt")),
                (9, "User is not inactive", Some("COMMAND-6M0sf")),
                (13, "Errors.Internal", Some("SQL-5nh0d")),
                (14, "Errors.Unavailable", None),
                (16, "auth header missing", None),
            ];
            for (code, message, id) in samples {
                let status = grpc_http_status(code).expect("table code");
                let (_, name) = GRPC_NAMES.iter().find(|(c, _)| *c == code).expect("name");
                out.push(case(
                    &format!("{status} gRPC {code}"),
                    Answer::json(status, &zitadel_body(json!(code), message, id)),
                ));
                out.push(case(
                    &format!("{status} gRPC \"{name}\""),
                    Answer::json(status, &zitadel_body(json!(name), message, id)),
                ));
            }
            out.push(case(
                "429 gRPC 8 with Retry-After: 7",
                Answer::json(429, &zitadel_body(json!(8), "Quota exceeded", None))
                    .header("retry-after", "7"),
            ));
        }
        Provider::Aitronos => {
            out.push(case(
                "429 rateLimited with Retry-After: 7",
                Answer::json(429, &first_example(p, "429").body).header("retry-after", "7"),
            ));
            let mut body = first_example(p, "422").body;
            body["error"]
                .as_object_mut()
                .expect("error object")
                .remove("trace_id");
            out.push(case(
                "422 without error.trace_id, x-request-id: req-42",
                Answer::json(422, &body).header("x-request-id", "req-42"),
            ));
        }
        Provider::Flashback => {
            out.push(case(
                "429 with Retry-After: 7 (undocumented)",
                Answer::json(429, &rate_limited_body(p)).header("retry-after", "7"),
            ));
            out.push(case(
                "401 (undocumented)",
                Answer::json(401, &unauthenticated_example(p)),
            ));
        }
        Provider::Nethesis => {
            out.push(case(
                "429 with Retry-After: 7 (undocumented)",
                Answer::json(429, &rate_limited_body(p)).header("retry-after", "7"),
            ));
            out.push(case(
                "500 failed to reactivate user (backend, undocumented)",
                Answer::json(
                    500,
                    &json!({"code": 500, "message": "failed to reactivate user", "data": null}),
                ),
            ));
        }
        _ => {}
    }
    out
}

/// Documented and extra cases of `p`.
pub fn all_cases(p: Provider) -> Vec<Case> {
    let mut v = documented_cases(p);
    v.extend(extra_cases(p));
    v
}

// ---------------------------------------------------------------------------
// The specification under test: ARCHITECTURE.md's error mapping
// ---------------------------------------------------------------------------

/// A field check: anything, or exactly this.
#[derive(Clone, Debug, PartialEq)]
pub enum Check<T> {
    /// Not constrained.
    Any,
    /// Must equal.
    Is(T),
}

/// A field error as `(field, message, value)`.
pub type Field = (String, String, Option<String>);

/// Zitadel: `(sequence, change_date, creation_date, resource_owner)`.
pub type ZitadelDetails = (Option<u64>, Option<String>, Option<String>, Option<String>);

/// What a successful call must give.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedOk {
    /// `Reactivated::message()`.
    pub message: Option<String>,
    /// Aitronos: the user object as served (compared field by field).
    pub user: Option<Value>,
    /// Zitadel's change details.
    pub details: Option<ZitadelDetails>,
}

/// What a failed call must give.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedErr {
    /// The kind.
    pub kind: ErrorKind,
    /// `ApiError::status`.
    pub status: u16,
    /// `ApiError::code`.
    pub code: Check<Option<String>>,
    /// `ApiError::error_id`.
    pub error_id: Check<Option<String>>,
    /// `ApiError::trace_id`.
    pub trace_id: Check<Option<String>>,
    /// `ApiError::message` (always non-empty).
    pub message: Check<String>,
    /// `ApiError::field_errors`.
    pub field_errors: Check<Vec<Field>>,
    /// `ApiError::retry_after`.
    pub retry_after: Check<Option<Duration>>,
    /// `ApiError::body`: the raw body.
    pub body: String,
}

/// The outcome a response must have.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// A success.
    Ok(ExpectedOk),
    /// An error.
    Err(ExpectedErr),
}

impl Expected {
    /// `ok` or the kind, for tables.
    pub fn summary(&self) -> String {
        match self {
            Expected::Ok(_) => "Ok".into(),
            Expected::Err(e) => format!("{:?}", e.kind),
        }
    }
}

/// The kind an HTTP status means on its own (ARCHITECTURE.md: "classified by
/// status, else UnexpectedResponse").
pub fn kind_by_status(status: u16) -> ErrorKind {
    match status {
        400 | 422 => ErrorKind::InvalidArgument,
        401 => ErrorKind::Unauthenticated,
        403 => ErrorKind::PermissionDenied,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::UnexpectedResponse,
    }
}

/// The kind of a gRPC code of the mapping table.
pub fn grpc_kind(code: u16) -> Option<ErrorKind> {
    Some(match code {
        9 => ErrorKind::NotDeactivated,
        5 => ErrorKind::NotFound,
        7 => ErrorKind::PermissionDenied,
        16 => ErrorKind::Unauthenticated,
        3 => ErrorKind::InvalidArgument,
        8 => ErrorKind::RateLimited,
        13 | 14 => ErrorKind::Server,
        _ => return None,
    })
}

fn opt_str(v: Option<&Value>) -> Result<Option<String>, ()> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(()),
    }
}

fn str_list(v: Option<&Value>) -> Result<(), ()> {
    match v {
        None => Ok(()),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => Ok(()),
        Some(_) => Err(()),
    }
}

fn success(p: Provider, body: &Value) -> Option<ExpectedOk> {
    let obj = body.as_object()?;
    let none = ExpectedOk {
        message: None,
        user: None,
        details: None,
    };
    match p {
        Provider::Aitronos => {
            obj.get("id")?.as_str()?;
            obj.get("account_state")?.as_str()?;
            for f in [
                "full_name",
                "email",
                "user_name",
                "organization_id",
                "invitation_link",
                "invited_at",
                "deactivated_at",
            ] {
                opt_str(obj.get(f)).ok()?;
            }
            str_list(obj.get("role_ids")).ok()?;
            str_list(obj.get("department_ids")).ok()?;
            Some(ExpectedOk {
                user: Some(body.clone()),
                ..none
            })
        }
        Provider::Flashback => {
            let ok = match obj.get("success") {
                None | Some(Value::Null) => true,
                Some(Value::Bool(b)) => *b,
                Some(_) => return None,
            };
            let message = opt_str(obj.get("message")).ok()?;
            // `success: false` on a 2xx is not a success.
            ok.then_some(ExpectedOk { message, ..none })
        }
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            let d = match obj.get("details") {
                None | Some(Value::Null) => serde_json::Map::new(),
                Some(Value::Object(d)) => d.clone(),
                Some(_) => return None,
            };
            let sequence = opt_str(d.get("sequence")).ok()?;
            Some(ExpectedOk {
                details: Some((
                    sequence.and_then(|s| s.parse().ok()),
                    opt_str(d.get("changeDate")).ok()?,
                    opt_str(d.get("creationDate")).ok()?,
                    opt_str(d.get("resourceOwner")).ok()?,
                )),
                ..none
            })
        }
        Provider::Nethesis => {
            match obj.get("code") {
                None | Some(Value::Null) => {}
                Some(c) if c.is_i64() || c.is_u64() => {}
                Some(_) => return None,
            }
            match obj.get("data") {
                None | Some(Value::Null) | Some(Value::Object(_)) => {}
                Some(_) => return None,
            }
            let message = opt_str(obj.get("message")).ok()?;
            Some(ExpectedOk { message, ..none })
        }
        _ => None,
    }
}

/// The expected outcome of a response with `status`, `headers` and `body` from
/// provider `p`, written from ARCHITECTURE.md's error-mapping table:
///
/// - 2xx: a body of the documented success shape is `Ok` with what it carries;
///   anything else is `UnexpectedResponse`, never `Ok`.
/// - the HTTP status decides first ([`kind_by_status`]); a documented error body
///   refines it: Aitronos 422 `USER_NOT_DEACTIVATED` -> `NotDeactivated`;
///   Flashback 400 `User is not deleted` -> `NotDeactivated`; Zitadel's gRPC
///   code (integer or lower-case name) decides when its HTTP status is the one
///   served; My Nethesis 400 `validation_error` -> `InvalidArgument`,
///   `external_api_error` -> `Server`, `user not found or not suspended` ->
///   `NotDeactivated`.
/// - kept: Aitronos `error.code`, `error.message`, `error.trace_id` (else the
///   `x-request-id` header); Zitadel code (as a number), detail id, message
///   without the appended id; Flashback/My Nethesis message; My Nethesis
///   `data.errors` as field errors; `Retry-After` seconds; the raw body always.
pub fn expected_outcome(
    p: Provider,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Expected {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let request_id = header("x-request-id");
    let raw = String::from_utf8_lossy(body).into_owned();

    if (200..300).contains(&status) {
        if let Some(ok) = json.as_ref().and_then(|j| success(p, j)) {
            return Expected::Ok(ok);
        }
    }

    let mut e = ExpectedErr {
        kind: kind_by_status(status),
        status,
        code: Check::Any,
        error_id: Check::Any,
        trace_id: Check::Is(request_id.clone()),
        message: Check::Any,
        field_errors: Check::Any,
        retry_after: match header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
            Some(s) => Check::Is(Some(Duration::from_secs(s))),
            None => Check::Any,
        },
        body: raw,
    };
    if (200..300).contains(&status) {
        // A 2xx whose body is not the documented success.
        e.kind = ErrorKind::UnexpectedResponse;
        return Expected::Err(e);
    }
    if !is_documented(p, status) {
        return Expected::Err(e);
    }
    // A documented error status: what its body says. Until it decodes, no code.
    e.code = Check::Is(None);
    e.error_id = Check::Is(None);
    e.field_errors = Check::Is(Vec::new());
    let obj = json.as_ref().and_then(Value::as_object);
    match p {
        Provider::Aitronos => {
            let err = obj.and_then(|o| o.get("error")).and_then(Value::as_object);
            let code = err.and_then(|e| e.get("code")).and_then(Value::as_str);
            let message = err.and_then(|e| e.get("message")).and_then(Value::as_str);
            if let (Some(err), Some(code), Some(message)) = (err, code, message) {
                if status == 422 && code == "USER_NOT_DEACTIVATED" {
                    e.kind = ErrorKind::NotDeactivated;
                }
                e.code = Check::Is(Some(code.to_string()));
                e.message = Check::Is(message.to_string());
                let trace = err.get("trace_id").and_then(Value::as_str);
                e.trace_id = Check::Is(trace.map(str::to_string).or(request_id));
            }
        }
        Provider::Flashback => {
            if let Some(o) = obj {
                if let Ok(Some(message)) = opt_str(o.get("message")) {
                    if status == 400 && message.to_ascii_lowercase().contains("is not deleted") {
                        e.kind = ErrorKind::NotDeactivated;
                    }
                    if !message.is_empty() {
                        e.message = Check::Is(message);
                    }
                }
            }
        }
        Provider::ZitadelV1 | Provider::ZitadelV2 => {
            if let Some(code) = obj.and_then(|o| o.get("code")).and_then(grpc_code) {
                let o = obj.expect("object");
                e.code = Check::Is(Some(code.to_string()));
                if grpc_http_status(code) == Some(status) {
                    if let Some(k) = grpc_kind(code) {
                        e.kind = k;
                    }
                }
                let id = o
                    .get("details")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .find_map(|d| d.get("id").and_then(Value::as_str))
                    .map(str::to_string);
                if let Some(m) = o.get("message").and_then(Value::as_str) {
                    let m = match &id {
                        Some(id) => m.strip_suffix(&format!(" ({id})")).unwrap_or(m),
                        None => m,
                    };
                    if !m.is_empty() {
                        e.message = Check::Is(m.to_string());
                    }
                }
                e.error_id = Check::Is(id);
            } else if obj.is_some() {
                // JSON without a known code: the status decides, nothing else is sure.
                e.code = Check::Any;
                e.error_id = Check::Any;
            }
        }
        Provider::Nethesis => {
            if let Some(o) = obj {
                let message = o.get("message").and_then(Value::as_str).unwrap_or("");
                let data = o.get("data").and_then(Value::as_object);
                let kind_of_data = data.and_then(|d| d.get("type")).and_then(Value::as_str);
                if status == 400 {
                    if message.to_ascii_lowercase().contains("not suspended") {
                        e.kind = ErrorKind::NotDeactivated;
                    }
                    match kind_of_data {
                        Some("validation_error") => e.kind = ErrorKind::InvalidArgument,
                        Some("external_api_error") => e.kind = ErrorKind::Server,
                        _ => {}
                    }
                }
                let fields: Vec<Field> = data
                    .and_then(|d| d.get("errors"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|fe| {
                        let s = |k: &str| fe.get(k).and_then(Value::as_str).map(str::to_string);
                        (
                            s("key").unwrap_or_default(),
                            s("message").unwrap_or_default(),
                            s("value"),
                        )
                    })
                    .collect();
                e.field_errors = Check::Is(fields);
                if !message.is_empty() {
                    e.message = Check::Is(message.to_string());
                }
                // The body's `code` echoes a status (wrongly, on the 404 page
                // example): not a machine code to keep.
                e.code = Check::Any;
            }
        }
        _ => {}
    }
    Expected::Err(e)
}

/// The architecture's table, for the documented examples: `(provider, response
/// key, example name, outcome)`; `None` is `Ok`. Used to cross-check
/// [`expected_outcome`] against the table as written.
pub fn architecture_table() -> Vec<(Provider, &'static str, &'static str, Option<ErrorKind>)> {
    use ErrorKind::*;
    use Provider::*;
    vec![
        (Aitronos, "200", "reactivated", None),
        (Aitronos, "401", "unauthorized", Some(Unauthenticated)),
        (Aitronos, "403", "forbidden", Some(PermissionDenied)),
        (Aitronos, "404", "userNotFound", Some(NotFound)),
        (Aitronos, "422", "userNotDeactivated", Some(NotDeactivated)),
        (Aitronos, "429", "rateLimited", Some(RateLimited)),
        (Aitronos, "5XX", "internalError", Some(Server)),
        (Flashback, "200", "activated", None),
        (Flashback, "400", "userNotDeleted", Some(NotDeactivated)),
        (
            Flashback,
            "403",
            "insufficientPermissions",
            Some(PermissionDenied),
        ),
        (Flashback, "404", "userNotFound", Some(NotFound)),
        (Flashback, "500", "internalError", Some(Server)),
        (ZitadelV1, "200", "reactivated", None),
        (ZitadelV1, "default", "notInactive", Some(NotDeactivated)),
        (ZitadelV1, "default", "notFound", Some(NotFound)),
        (
            ZitadelV1,
            "default",
            "permissionDenied",
            Some(PermissionDenied),
        ),
        (
            ZitadelV1,
            "default",
            "unauthenticated",
            Some(Unauthenticated),
        ),
        (ZitadelV2, "200", "reactivated", None),
        (ZitadelV2, "403", "permissionDenied", Some(PermissionDenied)),
        (ZitadelV2, "404", "notFound", Some(NotFound)),
        (ZitadelV2, "default", "notInactive", Some(NotDeactivated)),
        (
            ZitadelV2,
            "default",
            "unauthenticated",
            Some(Unauthenticated),
        ),
        (Nethesis, "200", "reactivated", None),
        (Nethesis, "200", "fromBackend", None),
        (Nethesis, "400", "validationError", Some(InvalidArgument)),
        (Nethesis, "400", "notSuspended", Some(NotDeactivated)),
        (Nethesis, "400", "externalApiError", Some(Server)),
        (Nethesis, "401", "invalidToken", Some(Unauthenticated)),
        (
            Nethesis,
            "403",
            "insufficientPermissions",
            Some(PermissionDenied),
        ),
        (Nethesis, "404", "pageExample", Some(NotFound)),
        (Nethesis, "404", "fromBackend", Some(NotFound)),
    ]
}

// ---------------------------------------------------------------------------
// Checking outcomes
// ---------------------------------------------------------------------------

/// A one-line summary of an observed outcome, for tables.
pub fn observed(result: &Result<Reactivated, Error>) -> String {
    match result {
        Ok(done) => {
            let mut s = "Ok".to_string();
            if let Some(m) = done.message() {
                let _ = write!(s, " message={m:?}");
            }
            if let Some(u) = done.user() {
                let _ = write!(s, " user={} account_state={}", u.id, u.account_state);
            }
            if let Some(d) = done.change_details() {
                let _ = write!(
                    s,
                    " sequence={:?} resource_owner={:?}",
                    d.sequence, d.resource_owner
                );
            }
            s
        }
        Err(e) => {
            let mut s = format!("{:?}", e.kind());
            if let Some(a) = e.api_error() {
                let _ = write!(s, " (HTTP {}", a.status);
                if let Some(c) = &a.code {
                    let _ = write!(s, ", code {c}");
                }
                if let Some(id) = &a.error_id {
                    let _ = write!(s, ", {id}");
                }
                if let Some(t) = &a.trace_id {
                    let _ = write!(s, ", trace {t}");
                }
                if !a.field_errors.is_empty() {
                    let _ = write!(s, ", {} field error(s)", a.field_errors.len());
                }
                if let Some(r) = a.retry_after {
                    let _ = write!(s, ", retry_after {}s", r.as_secs());
                }
                s.push(')');
            }
            s
        }
    }
}

/// Checks `Error`'s `Display`: one line, provider, HTTP status, code and message.
pub fn check_display(err: &Error, problems: &mut Vec<String>) {
    let line = err.to_string();
    if line.contains('\n') || line.contains('\r') {
        problems.push(format!("Display is not one line: {line:?}"));
    }
    let Some(api) = err.api_error() else {
        return;
    };
    let prefix = format!("{}: ", api.provider);
    if !line.starts_with(&prefix) {
        problems.push(format!("Display does not start with {prefix:?}: {line:?}"));
    }
    if !line.contains(&format!("(HTTP {}", api.status)) {
        problems.push(format!("Display lacks the HTTP status: {line:?}"));
    }
    if let Some(c) = api.error_id.as_ref().or(api.code.as_ref()) {
        if !line.contains(c.as_str()) {
            problems.push(format!("Display lacks the code {c}: {line:?}"));
        }
    }
    if !line.contains(api.message.as_str()) {
        problems.push(format!("Display lacks the message: {line:?}"));
    }
    if !api.user_id.is_empty() && !line.contains(&format!("user {}", api.user_id)) {
        problems.push(format!("Display lacks the user id: {line:?}"));
    }
    // What happened, in words (the architecture's example: "is not deactivated").
    let what: &[&str] = match err.kind() {
        ErrorKind::NotDeactivated => &["is not deactivated"],
        ErrorKind::NotFound => &["not found"],
        ErrorKind::PermissionDenied => &["permission", "not allowed", "forbidden"],
        ErrorKind::Unauthenticated => &["authenticat", "token"],
        ErrorKind::InvalidArgument => &["invalid", "rejected"],
        ErrorKind::RateLimited => &["rate limit", "too many"],
        ErrorKind::Server => &["fail", "server", "error"],
        ErrorKind::UnexpectedResponse => &["unexpected", "undocumented"],
        _ => &[],
    };
    let lower = line.to_ascii_lowercase();
    if !what.is_empty() && !what.iter().any(|w| lower.contains(w)) {
        problems.push(format!(
            "Display does not say what happened ({:?}): {line:?}",
            err.kind()
        ));
    }
    if line.to_ascii_lowercase().contains("service error") {
        problems.push(format!("Display says \"service error\": {line:?}"));
    }
}

fn check<T: PartialEq + std::fmt::Debug>(
    what: &str,
    expected: &Check<T>,
    got: &T,
    problems: &mut Vec<String>,
) {
    if let Check::Is(want) = expected {
        if want != got {
            problems.push(format!("{what}: expected {want:?}, got {got:?}"));
        }
    }
}

/// Compares an outcome with the expectation for a call on `user_id`; returns
/// the problems found (empty when it matches).
pub fn check_outcome(
    p: Provider,
    user_id: &str,
    expected: &Expected,
    result: &Result<Reactivated, Error>,
) -> Vec<String> {
    let mut problems = Vec::new();
    match (expected, result) {
        (Expected::Ok(want), Ok(done)) => {
            if done.provider() != p {
                problems.push(format!("provider {:?}", done.provider()));
            }
            if done.user_id() != user_id {
                problems.push(format!("user_id {:?}", done.user_id()));
            }
            if done.already_active() {
                problems.push("marked already_active".into());
            }
            if done.attempts() != 1 {
                problems.push(format!("attempts {}", done.attempts()));
            }
            if done.message() != want.message.as_deref() {
                problems.push(format!(
                    "message: expected {:?}, got {:?}",
                    want.message,
                    done.message()
                ));
            }
            match (&want.user, done.user()) {
                (None, None) => {}
                (Some(body), Some(u)) => {
                    let s = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
                    let list = |k: &str| -> Vec<String> {
                        body.get(k)
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    };
                    let got: [(&str, Option<String>); 9] = [
                        ("id", Some(u.id.clone())),
                        ("account_state", Some(u.account_state.clone())),
                        ("full_name", u.full_name.clone()),
                        ("email", u.email.clone()),
                        ("user_name", u.user_name.clone()),
                        ("organization_id", u.organization_id.clone()),
                        ("invitation_link", u.invitation_link.clone()),
                        ("invited_at", u.invited_at.clone()),
                        ("deactivated_at", u.deactivated_at.clone()),
                    ];
                    for (k, v) in got {
                        if v != s(k) {
                            problems.push(format!("user.{k}: expected {:?}, got {v:?}", s(k)));
                        }
                    }
                    if u.role_ids != list("role_ids") {
                        problems.push(format!("user.role_ids {:?}", u.role_ids));
                    }
                    if u.department_ids != list("department_ids") {
                        problems.push(format!("user.department_ids {:?}", u.department_ids));
                    }
                }
                (w, g) => problems.push(format!("user(): expected {w:?}, got {g:?}")),
            }
            match (&want.details, done.change_details()) {
                (None, None) => {}
                (Some((seq, change, creation, owner)), Some(d)) => {
                    let got = (
                        d.sequence,
                        d.change_date.clone(),
                        d.creation_date.clone(),
                        d.resource_owner.clone(),
                    );
                    let want = (*seq, change.clone(), creation.clone(), owner.clone());
                    if got != want {
                        problems.push(format!(
                            "change_details (sequence, change, creation, owner): expected \
                             {want:?}, got {got:?}"
                        ));
                    }
                }
                (w, g) => problems.push(format!("change_details(): expected {w:?}, got {g:?}")),
            }
        }
        (Expected::Err(want), Err(err)) => {
            if err.kind() != want.kind {
                problems.push(format!(
                    "kind: expected {:?}, got {:?}",
                    want.kind,
                    err.kind()
                ));
            }
            if err.provider() != Some(p) {
                problems.push(format!("Error::provider() {:?}", err.provider()));
            }
            if err.status() != Some(want.status) {
                problems.push(format!("Error::status() {:?}", err.status()));
            }
            match err.api_error() {
                None => problems.push(format!("no ApiError in {err:?}")),
                Some(a) => {
                    if a.provider != p {
                        problems.push(format!("ApiError.provider {:?}", a.provider));
                    }
                    if a.user_id != user_id {
                        problems.push(format!("ApiError.user_id {:?}", a.user_id));
                    }
                    if a.attempts != 1 {
                        problems.push(format!("ApiError.attempts {}", a.attempts));
                    }
                    check("status", &Check::Is(want.status), &a.status, &mut problems);
                    check("code", &want.code, &a.code, &mut problems);
                    check("error_id", &want.error_id, &a.error_id, &mut problems);
                    check("trace_id", &want.trace_id, &a.trace_id, &mut problems);
                    check("message", &want.message, &a.message, &mut problems);
                    if a.message.trim().is_empty() {
                        problems.push("empty message".into());
                    }
                    let fields: Vec<Field> = a
                        .field_errors
                        .iter()
                        .map(|f| (f.field.clone(), f.message.clone(), f.value.clone()))
                        .collect();
                    check("field_errors", &want.field_errors, &fields, &mut problems);
                    check(
                        "retry_after",
                        &want.retry_after,
                        &a.retry_after,
                        &mut problems,
                    );
                    check(
                        "body",
                        &Check::Is(want.body.clone()),
                        &a.body,
                        &mut problems,
                    );
                }
            }
            check_display(err, &mut problems);
        }
        (Expected::Ok(_), Err(err)) => problems.push(format!("expected Ok, got {err:?}")),
        (Expected::Err(want), Ok(done)) => {
            problems.push(format!("expected {:?}, got Ok({done:?})", want.kind))
        }
    }
    problems
}

/// The result of one case.
#[derive(Debug)]
pub struct CaseRun {
    /// The observed outcome, summarized.
    pub observed: String,
    /// Mismatches with the expectation (empty: the case passed).
    pub problems: Vec<String>,
}

/// Serves `case` on a fresh mock server, makes the call through `runner`,
/// checks the one request the server saw (method, path) and the outcome.
pub fn run_case(runner: &dyn Runner, case: &Case) -> CaseRun {
    let (result, reqs) = call_with(
        runner,
        case.provider,
        &case.answer,
        ReactivateRequest::new(case.user_id.as_str()),
    );
    let mut problems = Vec::new();
    if reqs.len() != 1 {
        problems.push(format!("server saw {} requests, expected 1", reqs.len()));
    }
    if let Some(r) = reqs.first() {
        let want_path = expected_path(case.provider, ORG, &case.user_id);
        if r.method.as_str() != method(case.provider) || r.url.path() != want_path {
            problems.push(format!(
                "request {} {}, expected {} {want_path}",
                r.method,
                r.url.path(),
                method(case.provider)
            ));
        }
    }
    problems.extend(check_outcome(
        case.provider,
        &case.user_id,
        &case.expected(),
        &result,
    ));
    CaseRun {
        observed: observed(&result),
        problems,
    }
}

/// Runs every case through `runner`, prints the observed table, and panics
/// with every mismatch (all cases run first).
pub fn run_table(runner: &dyn Runner, cases: &[Case]) {
    assert!(!cases.is_empty(), "no cases");
    let mut failures = Vec::new();
    let mut table = String::new();
    for case in cases {
        let run = run_case(runner, case);
        let expected = case.expected().summary();
        let _ = writeln!(
            table,
            "| {} | {} | HTTP {} | expected {} | observed {} | {}",
            case.provider,
            case.label,
            case.answer.status,
            expected,
            run.observed,
            if run.problems.is_empty() {
                "pass"
            } else {
                "FAIL"
            }
        );
        if !run.problems.is_empty() {
            failures.push(format!(
                "[{}] {} {} (HTTP {}): {}",
                runner.name(),
                case.provider,
                case.label,
                case.answer.status,
                run.problems.join("; ")
            ));
        }
    }
    println!("{table}");
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Runs the documented and extra cases of `p` through `runner`.
pub fn run_provider(runner: &dyn Runner, p: Provider) {
    run_table(runner, &all_cases(p));
}

/// Finds a documented example.
pub fn example(p: Provider, key: &str, name: &str) -> Example {
    documented_examples(p)
        .into_iter()
        .find(|e| e.status_key == key && e.name == name)
        .unwrap_or_else(|| panic!("{p:?} has no documented example {key} {name}"))
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

/// The first documented 200 example of `p`, as an answer.
pub fn success_answer(p: Provider) -> Answer {
    Answer::json(200, &first_example(p, "200").body)
}

/// Spot checks of the mapping's key rules with literal values (so a mistake
/// shared by [`expected_outcome`] and the SDK cannot hide), run through `runner`.
pub fn spot_checks(runner: &dyn Runner) {
    let err = |p: Provider, key: &str, name: &str, user: &str| -> Error {
        let ex = example(p, key, name);
        let (r, reqs) = call_with(
            runner,
            p,
            &Answer::json(served_status(&ex), &ex.body),
            ReactivateRequest::new(user),
        );
        assert_eq!(reqs.len(), 1);
        r.expect_err("an error")
    };
    let ok = |p: Provider, key: &str, name: &str| -> Reactivated {
        let ex = example(p, key, name);
        let (r, reqs) = call_with(
            runner,
            p,
            &Answer::json(served_status(&ex), &ex.body),
            ReactivateRequest::new(sample_user_id(p)),
        );
        assert_eq!(reqs.len(), 1);
        r.expect("a success")
    };

    // Zitadel v2, not inactive: the Display line of the architecture.
    let e = err(Provider::ZitadelV2, "default", "notInactive", "123");
    assert_eq!(e.kind(), ErrorKind::NotDeactivated);
    assert!(matches!(e, Error::NotDeactivated(_)));
    assert_eq!(
        e.to_string(),
        "Zitadel v2: user 123 is not deactivated (HTTP 400, COMMAND-s5qqcz97hf): User is not inactive"
    );
    let a = e.api_error().expect("api error");
    assert_eq!(a.code.as_deref(), Some("9"));
    assert_eq!(a.error_id.as_deref(), Some("COMMAND-s5qqcz97hf"));

    let e = err(Provider::ZitadelV1, "default", "notInactive", "123");
    assert_eq!(e.kind(), ErrorKind::NotDeactivated);
    let a = e.api_error().expect("api error");
    assert_eq!(a.status, 400);
    assert_eq!(a.error_id.as_deref(), Some("COMMAND-6M0sf"));
    assert_eq!(a.message, "User is not inactive");

    let e = err(Provider::ZitadelV1, "default", "notFound", "123");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        e.api_error().and_then(|a| a.error_id.as_deref()),
        Some("COMMAND-4M0sd")
    );

    // Aitronos 422: code and trace id kept.
    let e = err(
        Provider::Aitronos,
        "422",
        "userNotDeactivated",
        "usr_abc123",
    );
    assert_eq!(e.kind(), ErrorKind::NotDeactivated);
    let a = e.api_error().expect("api error");
    assert_eq!(a.status, 422);
    assert_eq!(a.code.as_deref(), Some("USER_NOT_DEACTIVATED"));
    assert_eq!(a.trace_id.as_deref(), Some("abc-123-def"));
    assert_eq!(
        a.message,
        "This user account is not deactivated and cannot be reactivated."
    );
    let e = err(Provider::Aitronos, "5XX", "internalError", "usr_abc123");
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(
        e.api_error().and_then(|a| a.code.as_deref()),
        Some("INTERNAL_ERROR")
    );

    // Flashback.
    let e = err(Provider::Flashback, "400", "userNotDeleted", "u1");
    assert_eq!(e.kind(), ErrorKind::NotDeactivated);
    assert_eq!(
        e.api_error().map(|a| a.message.as_str()),
        Some("User is not deleted")
    );

    // My Nethesis: the 404 page example says "code": 400 and is NotFound.
    let e = err(Provider::Nethesis, "404", "pageExample", "u1");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.status(), Some(404));
    let e = err(Provider::Nethesis, "400", "validationError", "u1");
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    let f = &e.api_error().expect("api error").field_errors;
    assert_eq!(f.len(), 1);
    assert_eq!(
        (
            f[0].field.as_str(),
            f[0].message.as_str(),
            f[0].value.as_deref()
        ),
        ("username", "required", Some("string"))
    );
    let e = err(Provider::Nethesis, "400", "notSuspended", "u1");
    assert_eq!(e.kind(), ErrorKind::NotDeactivated);
    let e = err(Provider::Nethesis, "400", "externalApiError", "u1");
    assert_eq!(e.kind(), ErrorKind::Server);

    // Successes.
    let done = ok(Provider::Aitronos, "200", "reactivated");
    let u = done.user().expect("Aitronos user");
    assert_eq!(u.id, "usr_abc123");
    assert_eq!(u.account_state, "active");
    assert_eq!(u.role_ids, vec!["role_admin1".to_string()]);
    assert_eq!(u.department_ids, vec!["dept_eng001".to_string()]);
    assert_eq!(u.deactivated_at, None);
    for p in [Provider::ZitadelV1, Provider::ZitadelV2] {
        let done = ok(p, "200", "reactivated");
        let d = done.change_details().expect("change details");
        assert_eq!(d.sequence, Some(2));
        assert_eq!(d.resource_owner.as_deref(), Some("69629023906488334"));
        assert!(d.change_date.is_some());
        assert_eq!(done.message(), None);
    }
    let done = ok(Provider::Flashback, "200", "activated");
    assert_eq!(done.message(), Some("User activated successfully"));
    let done = ok(Provider::Nethesis, "200", "fromBackend");
    assert_eq!(done.message(), Some("user reactivated successfully"));
}

/// The case-table tests of one [`Runner`]: every provider's documented and
/// extra cases ([`run_provider`]) and the [`spot_checks`], one `#[test]` each
/// (`aitronos_cases`, ..., `key_rules_with_literal_values`), so the async and
/// blocking suites run the same table.
#[macro_export]
macro_rules! runner_case_tests {
    ($runner:expr) => {
        $crate::runner_case_tests!(@provider $runner;
            aitronos_cases: Aitronos,
            flashback_cases: Flashback,
            zitadel_v1_cases: ZitadelV1,
            zitadel_v2_cases: ZitadelV2,
            nethesis_cases: Nethesis,
        );

        #[test]
        fn key_rules_with_literal_values() {
            $crate::spot_checks(&$runner);
        }
    };
    (@provider $runner:expr; $($name:ident: $provider:ident,)*) => {$(
        #[test]
        fn $name() {
            $crate::run_provider(&$runner, $crate::Provider::$provider);
        }
    )*};
}
