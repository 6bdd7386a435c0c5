//! What the Okta and Auth0 suites (`okta.rs`, `auth0.rs`) share, on public
//! APIs only: one call through the async or the blocking client, and the spec
//! harness that serves every documented example of a provider's spec as the
//! flow of calls it belongs to (`x-userbridge-flow`) and checks that the SDK
//! comes to its `x-userbridge-outcome`.
#![allow(dead_code)] // each test binary uses a different part of it

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};
use userbridge::{
    Client, ClientBuilder, Error, Provider, ReactivateRequest, Reactivated, RetryPolicy,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A shared multi-thread runtime: wiremock servers and simulators keep serving
/// from its workers while a blocking client waits on the test thread.
pub fn rt() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

/// How the token is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    Bearer,
    /// `ClientBuilder::api_token` (Okta: `SSWS`).
    ApiToken,
}

/// A client configuration, built the same way for both clients.
#[derive(Clone, Debug)]
pub struct Cfg {
    pub provider: Provider,
    pub base_url: String,
    pub token: String,
    pub auth: Auth,
    pub retry: RetryPolicy,
    pub timeout: Duration,
}

impl Cfg {
    pub fn new(provider: Provider, base_url: impl Into<String>, token: impl Into<String>) -> Cfg {
        Cfg {
            provider,
            base_url: base_url.into(),
            token: token.into(),
            auth: Auth::Bearer,
            retry: RetryPolicy::none(),
            timeout: Duration::from_secs(10),
        }
    }

    pub fn api_token(mut self) -> Cfg {
        self.auth = Auth::ApiToken;
        self
    }

    pub fn retry(mut self, policy: RetryPolicy) -> Cfg {
        self.retry = policy;
        self
    }

    pub fn timeout(mut self, t: Duration) -> Cfg {
        self.timeout = t;
        self
    }

    pub fn async_builder(&self) -> ClientBuilder {
        let b = Client::builder(self.provider)
            .base_url(&self.base_url)
            .retry_policy(self.retry.clone())
            .timeout(self.timeout);
        match self.auth {
            Auth::Bearer => b.bearer_token(&self.token),
            Auth::ApiToken => b.api_token(&self.token),
        }
    }

    pub fn blocking_builder(&self) -> userbridge_blocking::ClientBuilder {
        let b = userbridge_blocking::Client::builder(self.provider)
            .base_url(&self.base_url)
            .retry_policy(self.retry.clone())
            .timeout(self.timeout);
        match self.auth {
            Auth::Bearer => b.bearer_token(&self.token),
            Auth::ApiToken => b.api_token(&self.token),
        }
    }
}

/// The async or the blocking client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runner {
    Async,
    Blocking,
}

pub const RUNNERS: [Runner; 2] = [Runner::Async, Runner::Blocking];

impl Runner {
    /// One reactivation, through a client built from `cfg`.
    pub fn reactivate(
        self,
        cfg: &Cfg,
        req: impl Into<ReactivateRequest>,
    ) -> Result<Reactivated, Error> {
        let req = req.into();
        match self {
            Runner::Async => {
                let client = cfg.async_builder().build()?;
                rt().block_on(client.users().reactivate(req))
            }
            Runner::Blocking => cfg.blocking_builder().build()?.users().reactivate(req),
        }
    }
}

/// A result in the form `x-userbridge-outcome` describes: the serde form of the
/// error, or of the success with `kind: ok`.
pub fn outcome_json(result: &Result<Reactivated, Error>) -> Value {
    match result {
        Ok(done) => {
            let mut v = serde_json::to_value(done).expect("a result serializes");
            v["kind"] = json!("ok");
            v
        }
        Err(e) => serde_json::to_value(e).expect("an error serializes"),
    }
}

/// Asserts that `want` is a subset of `got`: every key of an object, every
/// value otherwise.
pub fn assert_subset(want: &Value, got: &Value, what: &str) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, v) in w {
                let inner = g
                    .get(k)
                    .unwrap_or_else(|| panic!("{what}: no `{k}` in {got}"));
                assert_subset(v, inner, &format!("{what}.{k}"));
            }
        }
        _ => assert_eq!(want, got, "{what}"),
    }
}

// ---------------------------------------------------------------------------
// The spec harness
// ---------------------------------------------------------------------------

/// A provider's spec, `openapi/<name>.yaml`, as JSON values.
pub fn spec(p: Provider) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../openapi")
        .join(format!("{}.yaml", p.as_str()));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Follows local `$ref`s.
fn resolve<'a>(spec: &'a Value, mut v: &'a Value) -> &'a Value {
    while let Some(r) = v.get("$ref").and_then(Value::as_str) {
        v = spec
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("unresolvable {r}"));
    }
    v
}

/// The path prefix of the spec's server URL (`/api/v2` for Auth0).
pub fn server_path(spec: &Value) -> String {
    let url = spec["servers"][0]["url"].as_str().expect("a server URL");
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or(String::new(), |i| {
        after_scheme[i..].trim_end_matches('/').to_string()
    })
}

/// An operation of the spec.
#[derive(Clone, Debug)]
pub struct Operation {
    pub id: String,
    pub method: String,
    /// The path with the user parameter's example in place.
    pub path: String,
    pub op: Value,
}

/// Every operation, with its path parameter's example filled in (the
/// parameters marked `x-userbridge-param: user` must have one).
pub fn operations(spec: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (template, item) in spec["paths"].as_object().expect("paths") {
        for m in ["get", "post", "patch", "put", "delete"] {
            let Some(op) = item.get(m) else { continue };
            let params = item
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .chain(op.get("parameters").and_then(Value::as_array))
                .flatten()
                .map(|p| resolve(spec, p));
            let mut p = template.clone();
            for param in params.filter(|p| p["in"] == "path") {
                assert_eq!(
                    param["x-userbridge-param"], "user",
                    "{template}: path parameters are marked x-userbridge-param"
                );
                let example = param["example"].as_str().expect("a path parameter example");
                assert!(
                    example
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)),
                    "{template}: the example `{example}` needs no percent-encoding"
                );
                p = p.replace(
                    &format!("{{{}}}", param["name"].as_str().unwrap_or_default()),
                    example,
                );
            }
            out.push(Operation {
                id: op["operationId"].as_str().expect("operationId").to_string(),
                method: m.to_uppercase(),
                path: p,
                op: op.clone(),
            });
        }
    }
    out
}

/// One answer of a flow.
#[derive(Clone, Debug)]
pub struct Step {
    pub operation: String,
    pub status: u16,
    /// The example's name, if the answer has a body.
    pub example: Option<String>,
    pub body: Option<Value>,
}

/// One documented example and the flow it is served in.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub flow: Vec<Step>,
    pub outcome: Value,
}

/// The answer `operation` gives with `example` (or, without one, with `status`).
fn step(
    spec: &Value,
    ops: &[Operation],
    operation: &str,
    example: Option<&str>,
    status: Option<&str>,
) -> Step {
    let op = ops
        .iter()
        .find(|o| o.id == operation)
        .unwrap_or_else(|| panic!("no operation {operation}"));
    for (code, response) in op.op["responses"].as_object().expect("responses") {
        let response = resolve(spec, response);
        let examples = response
            .pointer("/content/application~1json/examples")
            .and_then(Value::as_object);
        match (example, examples) {
            (Some(name), Some(examples)) => {
                if let Some(ex) = examples.get(name) {
                    return Step {
                        operation: operation.to_string(),
                        status: code.parse().expect("explicit status codes"),
                        example: Some(name.to_string()),
                        body: Some(resolve(spec, ex)["value"].clone()),
                    };
                }
            }
            (None, _) if Some(code.as_str()) == status => {
                return Step {
                    operation: operation.to_string(),
                    status: code.parse().expect("explicit status codes"),
                    example: None,
                    body: None,
                };
            }
            _ => {}
        }
    }
    panic!("{operation}: no example {example:?} / status {status:?}")
}

fn flow_of(spec: &Value, ops: &[Operation], flow: &Value) -> Vec<Step> {
    flow.as_array()
        .expect("x-userbridge-flow is a list")
        .iter()
        .map(|s| {
            step(
                spec,
                ops,
                s["operation"].as_str().expect("flow operation"),
                s.get("example").and_then(Value::as_str),
                s.get("status").and_then(Value::as_str),
            )
        })
        .collect()
}

/// Every example with an `x-userbridge-outcome`, with the flow it is served in:
/// its own `x-userbridge-flow`, or the calls that lead to its operation in the
/// first documented flow that reaches it, then the example.
pub fn cases(spec: &Value) -> Vec<Case> {
    let ops = operations(spec);
    let mut flows: Vec<Vec<Step>> = Vec::new();
    let mut examples = Vec::new();
    for op in &ops {
        for (code, response) in op.op["responses"].as_object().expect("responses") {
            let response = resolve(spec, response);
            let Some(exs) = response
                .pointer("/content/application~1json/examples")
                .and_then(Value::as_object)
            else {
                continue;
            };
            for (name, ex) in exs {
                let ex = resolve(spec, ex);
                let outcome = ex
                    .get("x-userbridge-outcome")
                    .unwrap_or_else(|| panic!("{} {code} {name}: no x-userbridge-outcome", op.id))
                    .clone();
                assert!(
                    outcome.get("kind").is_some(),
                    "{} {code} {name}: no kind",
                    op.id
                );
                let flow = ex.get("x-userbridge-flow").map(|f| flow_of(spec, &ops, f));
                if let Some(f) = &flow {
                    flows.push(f.clone());
                }
                examples.push((op.id.clone(), code.clone(), name.clone(), flow, outcome));
            }
        }
    }
    examples
        .into_iter()
        .map(|(op, code, name, flow, outcome)| {
            let flow = flow.unwrap_or_else(|| {
                let mut lead_in: Vec<Step> = flows
                    .iter()
                    .find_map(|f| {
                        let at = f.iter().position(|s| s.operation == op)?;
                        Some(f[..at].to_vec())
                    })
                    .unwrap_or_default();
                lead_in.push(step(spec, &ops, &op, Some(&name), None));
                lead_in
            });
            Case {
                name: format!("{op} {code} {name}"),
                flow,
                outcome,
            }
        })
        .collect()
}

/// Serves `flow` on `server` (under `prefix`), each answer once and in order.
pub async fn serve(server: &MockServer, spec: &Value, prefix: &str, flow: &[Step]) {
    let ops = operations(spec);
    for (i, s) in flow.iter().enumerate() {
        let op = ops.iter().find(|o| o.id == s.operation).expect("operation");
        let mut answer = ResponseTemplate::new(s.status);
        if let Some(body) = &s.body {
            answer = answer.set_body_json(body);
        }
        Mock::given(method(op.method.as_str()))
            .and(path(format!("{prefix}{}", op.path)))
            .respond_with(answer)
            .up_to_n_times(1)
            .with_priority(u8::try_from(i + 1).unwrap_or(u8::MAX))
            .expect(1)
            .named(format!("step {i}: {} {}", s.operation, s.status))
            .mount(server)
            .await;
    }
}

/// Runs every case of `p`'s spec through both clients against a wiremock
/// server, checking the outcome and that every call of the flow was made.
pub fn check_spec_examples(p: Provider) {
    let spec = spec(p);
    let prefix = server_path(&spec);
    let user = user_example(&spec);
    let cases = cases(&spec);
    assert!(!cases.is_empty());
    for case in &cases {
        for runner in RUNNERS {
            let server = rt().block_on(async {
                let server = MockServer::start().await;
                serve(&server, &spec, &prefix, &case.flow).await;
                server
            });
            let cfg = Cfg::new(
                p,
                format!("{}{prefix}", server.uri()),
                "spec-harness-token-1",
            );
            let result = runner.reactivate(&cfg, user.as_str());
            let what = format!("[{runner:?}] {p} {}", case.name);
            assert_subset(&case.outcome, &outcome_json(&result), &what);
            rt().block_on(server.verify());
        }
    }
}

/// The example of the spec's user path parameter.
pub fn user_example(spec: &Value) -> String {
    spec["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| {
            let ops = ["get", "post", "patch", "put", "delete"]
                .into_iter()
                .filter_map(|m| item.get(m))
                .filter_map(|op| op.get("parameters").and_then(Value::as_array))
                .flatten();
            item.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .chain(ops)
                .map(|p| resolve(spec, p).clone())
                .collect::<Vec<_>>()
        })
        .find(|p| p["x-userbridge-param"] == "user")
        .and_then(|p| p["example"].as_str().map(str::to_string))
        .expect("a user parameter with an example")
}
