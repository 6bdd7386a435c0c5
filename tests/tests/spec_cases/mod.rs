//! The documented cases of a provider's spec, read from `openapi/<provider>.yaml`
//! with no knowledge of any provider: what the Prism suite and the per-provider
//! suites share.
//!
//! A spec opts in by annotating it (see the provider brief):
//! - every path parameter has an `example` and `x-userbridge-param: user` or
//!   `x-userbridge-param: organization`;
//! - every response example (or, for a response without a body, the response
//!   itself) has `x-userbridge-outcome`: `kind` (`ok` or the snake_case
//!   `ErrorKind`), `status` when the response key is `default` or a range, and a
//!   JSON subset of the SDK's serialized result (`code`, `message`, `trace_id`,
//!   `retry_after_ms`, `field_errors`, `details`, ...);
//! - where a reactivation makes several calls (read, then write),
//!   `x-userbridge-flow` beside the outcome: `{operationId: {status, example}}`,
//!   the answers of the other calls of that case. Calls not listed must not be
//!   made.
//!
//! One case is one example (or one bodiless response): the plan of the case is its
//! flow plus its own answer, and the SDK's result must match the outcome.
#![allow(dead_code)] // each test binary uses a different part of it

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use userbridge::{Error, Provider, Reactivated};

/// HTTP methods an OpenAPI path item may hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The spec file of a provider.
pub fn spec_path(p: Provider) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("openapi")
        .join(format!("{}.yaml", p.as_str()))
}

/// One operation of a spec.
#[derive(Clone, Debug)]
pub struct Operation {
    pub id: String,
    /// Upper-case.
    pub method: String,
    /// The path template, relative to the server URL (`/users/{user-id}`).
    pub template: String,
    /// The operation, `$ref`s of its parameters resolved.
    pub raw: Value,
}

impl Operation {
    /// Whether a raw request path (relative to the server URL, query removed)
    /// is this operation's: literal segments equal, placeholders non-empty.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if !self.method.eq_ignore_ascii_case(method) {
            return false;
        }
        let want: Vec<&str> = self.template.trim_start_matches('/').split('/').collect();
        let got: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        want.len() == got.len()
            && want.iter().zip(&got).all(|(w, g)| {
                if w.starts_with('{') && w.ends_with('}') {
                    !g.is_empty()
                } else {
                    w == g
                }
            })
    }
}

/// The answer of one call: a response key and, for a response with a body, the
/// name of one of its examples.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Answer {
    pub status: String,
    pub example: Option<String>,
}

/// One documented case.
/// One call of a list-form flow: (operation, status, example).
type Step = (String, Option<String>, Option<String>);

#[derive(Clone, Debug)]
pub struct Case {
    /// The operation whose response this case is about.
    pub operation: String,
    pub answer: Answer,
    /// `x-userbridge-outcome`.
    pub outcome: Value,
    /// Every call the reactivation makes in this case, with its answers in
    /// the order the calls come (an operation called twice, as Okta's read
    /// before and after the transition, has two).
    pub plan: BTreeMap<String, Vec<Answer>>,
}

impl Case {
    /// `operation status example`, for messages.
    pub fn name(&self) -> String {
        format!(
            "{} {}{}",
            self.operation,
            self.answer.status,
            self.answer
                .example
                .as_deref()
                .map(|e| format!(" `{e}`"))
                .unwrap_or_default()
        )
    }

    /// The HTTP status of the case's own answer.
    pub fn status(&self) -> Result<u16, String> {
        status_of(&self.answer.status, &self.outcome)
    }
}

/// A served answer: status, headers and body.
#[derive(Clone, Debug)]
pub struct Served {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<(String, Vec<u8>)>,
}

/// A spec read for its documented cases.
#[derive(Debug)]
pub struct Spec {
    pub provider: Provider,
    pub doc: Value,
    pub operations: Vec<Operation>,
    /// The path of the server URL (`/v1.0`, or empty).
    pub base_path: String,
    /// The example of the user parameter.
    pub user_id: String,
    /// The example of the organization parameter, if the spec has one.
    pub organization: Option<String>,
}

/// Why a spec is not covered (as opposed to wrong).
#[derive(Debug)]
pub enum NotCovered {
    /// No `openapi/<name>.yaml`.
    NoSpec,
    /// The spec does not annotate its path parameters.
    NotAnnotated(String),
}

impl Spec {
    /// Reads the spec of `p`. `Ok(Err(..))`: the spec does not opt in;
    /// `Err(..)`: it opts in but is inconsistent.
    pub fn load(p: Provider) -> Result<Result<Spec, NotCovered>, String> {
        let path = spec_path(p);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(Err(NotCovered::NoSpec));
        };
        let doc: Value = serde_yaml::from_str(&text)
            .map_err(|e| format!("{}: not YAML: {e}", path.display()))?;
        let mut operations = Vec::new();
        let mut user_id = None;
        let mut organization = None;
        let paths = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{}: no paths", path.display()))?;
        for (template, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let mut raw = op.clone();
                let mut params: Vec<Value> = Vec::new();
                for list in [item.get("parameters"), op.get("parameters")]
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_array)
                {
                    for p in list {
                        params.push(resolve(&doc, p).clone());
                    }
                }
                for param in params.iter().filter(|p| p["in"] == "path") {
                    let name = param["name"].as_str().unwrap_or("?");
                    let Some(role) = param.get("x-userbridge-param").and_then(Value::as_str) else {
                        return Ok(Err(NotCovered::NotAnnotated(format!(
                            "path parameter `{name}` of {} {template} has no x-userbridge-param",
                            method.to_uppercase()
                        ))));
                    };
                    let example = param
                        .get("example")
                        .and_then(Value::as_str)
                        .ok_or_else(|| format!("path parameter `{name}` has no example"))?;
                    let slot = match role {
                        "user" => &mut user_id,
                        "organization" => &mut organization,
                        other => return Err(format!("x-userbridge-param `{other}` is unknown")),
                    };
                    match slot {
                        Some(seen) if seen != example => {
                            return Err(format!(
                                "the {role} examples disagree: `{seen}` and `{example}`"
                            ))
                        }
                        _ => *slot = Some(example.to_string()),
                    }
                }
                // Ids the request body carries (AWS JSON 1.1: every call is
                // `POST /`): properties of its schema marked the same way.
                let body_schema = op
                    .pointer("/requestBody/content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.values().next())
                    .and_then(|m| m.get("schema"))
                    .map(|s| resolve(&doc, s));
                for prop in body_schema
                    .and_then(|s| s.get("properties"))
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|p| p.values())
                {
                    let Some(role) = prop.get("x-userbridge-param").and_then(Value::as_str) else {
                        continue;
                    };
                    // Another form (an array: Firebase's `localId`) is read
                    // below, by `body_user`.
                    let Some(example) = prop.get("example").and_then(Value::as_str) else {
                        continue;
                    };
                    let slot = match role {
                        "user" => &mut user_id,
                        "organization" => &mut organization,
                        other => return Err(format!("x-userbridge-param `{other}` is unknown")),
                    };
                    *slot = Some(example.to_string());
                }
                raw["parameters"] = Value::Array(params);
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{} {template}: no operationId", method))?;
                operations.push(Operation {
                    id: id.to_string(),
                    method: method.to_uppercase(),
                    template: template.clone(),
                    raw,
                });
            }
        }
        // A user named in the request body (Firebase's `localId`): a property
        // of a JSON request body marked `x-userbridge-param: user`.
        if user_id.is_none() {
            user_id = operations.iter().find_map(|op| body_user(&doc, &op.raw));
        }
        let user_id = user_id.ok_or("no path parameter (or request body property) is the user")?;
        let base_path = doc
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .map(server_path)
            .unwrap_or_default();
        Ok(Ok(Spec {
            provider: p,
            doc,
            operations,
            base_path,
            user_id,
            organization,
        }))
    }

    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.id == id)
    }

    /// The operation a request (path relative to the server URL) is for.
    pub fn operation_for(&self, method: &str, path: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.matches(method, path))
    }

    /// The responses of an operation, `$ref`s resolved.
    fn responses(&self, op: &Operation) -> Vec<(String, Value)> {
        op.raw
            .get("responses")
            .and_then(Value::as_object)
            .map(|r| {
                r.iter()
                    .map(|(k, v)| (k.clone(), resolve(&self.doc, v).clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every documented case; `Err` lists what is missing.
    pub fn cases(&self) -> Result<Vec<Case>, String> {
        let mut cases = Vec::new();
        let mut problems = Vec::new();
        // Answers that are steps of another example's flow (the list form of
        // `x-userbridge-flow`): they need no outcome of their own.
        let mut steps: Vec<Step> = Vec::new();
        // The list-form flows themselves: an error answer of a later call, with
        // no flow of its own, comes after the calls that lead to it in one.
        let mut flows: Vec<Vec<Step>> = Vec::new();
        // Map-form flows, the other way round: the answer that leads to a call
        // (a read's example whose flow names the write), by the call's id.
        let mut leads: BTreeMap<String, (String, Answer)> = BTreeMap::new();
        for op in &self.operations {
            for (status, response) in self.responses(op) {
                let holders: Vec<Value> = json_media(&response)
                    .and_then(|m| m.get("examples"))
                    .and_then(Value::as_object)
                    .map(|e| e.values().map(|v| resolve(&self.doc, v).clone()).collect())
                    .unwrap_or_else(|| vec![response.clone()]);
                for holder in &holders {
                    if let Some(map) = holder.get("x-userbridge-flow").and_then(Value::as_object) {
                        let name = json_media(&response)
                            .and_then(|m| m.get("examples"))
                            .and_then(Value::as_object)
                            .and_then(|e| {
                                e.iter()
                                    .find(|(_, v)| resolve(&self.doc, v) == holder)
                                    .map(|(k, _)| k.clone())
                            });
                        for other in map.keys() {
                            leads.entry(other.clone()).or_insert((
                                op.id.clone(),
                                Answer {
                                    status: status.clone(),
                                    example: name.clone(),
                                },
                            ));
                        }
                    }
                }
                for holder in holders {
                    let mut flow = Vec::new();
                    for step in holder
                        .get("x-userbridge-flow")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let s = |k: &str| match &step[k] {
                            Value::String(s) => Some(s.clone()),
                            Value::Null => None,
                            v => Some(v.to_string()),
                        };
                        let step = (
                            s("operation").unwrap_or_default(),
                            s("status"),
                            s("example"),
                        );
                        steps.push(step.clone());
                        flow.push(step);
                    }
                    if !flow.is_empty() {
                        flows.push(flow);
                    }
                }
            }
        }
        for op in &self.operations {
            for (status, response) in self.responses(op) {
                let examples = json_media(&response)
                    .and_then(|m| m.get("examples"))
                    .and_then(Value::as_object);
                let mut holders: Vec<(Option<String>, Value)> = Vec::new();
                match (json_media(&response), examples) {
                    (None, _) => holders.push((None, response.clone())),
                    (Some(_), Some(examples)) => {
                        for (name, ex) in examples {
                            holders.push((Some(name.clone()), resolve(&self.doc, ex).clone()));
                        }
                    }
                    (Some(_), None) => problems.push(format!(
                        "{} {status}: give the body's examples under `examples` (by name)",
                        op.id
                    )),
                }
                for (example, holder) in holders {
                    let answer = Answer {
                        status: status.clone(),
                        example,
                    };
                    let Some(outcome) = holder.get("x-userbridge-outcome").cloned() else {
                        let is_step = steps.iter().any(|(o, st, ex)| {
                            *o == op.id
                                && (ex.is_some() && *ex == answer.example
                                    || ex.is_none() && st.as_deref() == Some(status.as_str()))
                        });
                        if !is_step {
                            problems.push(format!(
                                "{} {status} {:?}: no x-userbridge-outcome",
                                op.id, answer.example
                            ));
                        }
                        continue;
                    };
                    let mut plan: BTreeMap<String, Vec<Answer>> = BTreeMap::new();
                    match holder.get("x-userbridge-flow") {
                        // `{operationId: {status, example}}`: the other calls.
                        Some(Value::Object(flow)) => {
                            for (other, a) in flow {
                                plan.entry(other.clone()).or_default().push(Answer {
                                    status: match &a["status"] {
                                        Value::String(s) => s.clone(),
                                        v => v.to_string(),
                                    },
                                    example: a
                                        .get("example")
                                        .and_then(Value::as_str)
                                        .map(str::to_string),
                                });
                            }
                            plan.entry(op.id.clone()).or_default().push(answer.clone());
                        }
                        // `[{operation, example | status}, ...]`: every call in
                        // order, this answer among them.
                        Some(Value::Array(flow)) => {
                            for step in flow {
                                let other = step["operation"].as_str().unwrap_or_default();
                                let example = step
                                    .get("example")
                                    .and_then(Value::as_str)
                                    .map(str::to_string);
                                let status = match &step["status"] {
                                    Value::String(s) => Some(s.clone()),
                                    Value::Null => None,
                                    v => Some(v.to_string()),
                                };
                                let status = match (status, &example) {
                                    (Some(s), _) => s,
                                    (None, Some(e)) => {
                                        self.status_of_example(other, e).unwrap_or_default()
                                    }
                                    (None, None) => String::new(),
                                };
                                plan.entry(other.to_string())
                                    .or_default()
                                    .push(Answer { status, example });
                            }
                        }
                        _ => {
                            // The calls that lead to this one, in the first
                            // flow where it comes after others.
                            let before = flows.iter().find_map(|f| {
                                let at = f.iter().position(|(o, _, _)| *o == op.id)?;
                                (at > 0).then(|| f[..at].to_vec())
                            });
                            // A write's answer with no flow of its own follows
                            // the read whose flow names it.
                            let write = !op.method.eq_ignore_ascii_case("get");
                            if before.is_none() && write {
                                if let Some((lead_op, lead)) = leads.get(&op.id) {
                                    plan.entry(lead_op.clone()).or_default().push(lead.clone());
                                }
                            }
                            for (other, st, ex) in before.unwrap_or_default() {
                                let status = match (st, &ex) {
                                    (Some(s), _) => s,
                                    (None, Some(e)) => {
                                        self.status_of_example(&other, e).unwrap_or_default()
                                    }
                                    (None, None) => String::new(),
                                };
                                plan.entry(other).or_default().push(Answer {
                                    status,
                                    example: ex,
                                });
                            }
                            plan.entry(op.id.clone()).or_default().push(answer.clone());
                        }
                    }
                    let case = Case {
                        operation: op.id.clone(),
                        answer,
                        outcome,
                        plan,
                    };
                    for (other, answers) in &case.plan {
                        for a in answers {
                            if let Err(e) = self.served(other, a) {
                                problems.push(format!("{}: flow: {e}", case.name()));
                            }
                        }
                    }
                    if let Err(e) = case.status() {
                        problems.push(format!("{}: {e}", case.name()));
                    }
                    cases.push(case);
                }
            }
        }
        if problems.is_empty() {
            Ok(cases)
        } else {
            Err(problems.join("\n"))
        }
    }

    /// What the spec says the answer `a` of operation `op` is.
    pub fn served(&self, op: &str, a: &Answer) -> Result<Served, String> {
        let operation = self
            .operation(op)
            .ok_or_else(|| format!("no operation `{op}`"))?;
        let response = self
            .responses(operation)
            .into_iter()
            .find(|(k, _)| *k == a.status)
            .map(|(_, r)| r)
            .ok_or_else(|| format!("{op} has no response `{}`", a.status))?;
        let holder = match (&a.example, json_media(&response)) {
            (Some(name), Some(media)) => media
                .pointer(&format!("/examples/{name}"))
                .map(|e| resolve(&self.doc, e).clone())
                .ok_or_else(|| format!("{op} {} has no example `{name}`", a.status))?,
            (None, None) => response.clone(),
            (None, Some(_)) => return Err(format!("{op} {}: name an example", a.status)),
            (Some(name), None) => {
                return Err(format!("{op} {} has no body for `{name}`", a.status))
            }
        };
        let outcome = holder
            .get("x-userbridge-outcome")
            .cloned()
            .unwrap_or(json!({}));
        let status = status_of(&a.status, &outcome)?;
        let mut headers = Vec::new();
        if let Some(h) = response.get("headers").and_then(Value::as_object) {
            for (name, header) in h {
                let header = resolve(&self.doc, header);
                let value = header
                    .get("example")
                    .or_else(|| header.pointer("/schema/example"));
                match value {
                    Some(Value::String(s)) => headers.push((name.clone(), s.clone())),
                    Some(v) => headers.push((name.clone(), v.to_string())),
                    None => {}
                }
            }
        }
        let body = match a.example {
            Some(_) => {
                let value = holder
                    .get("value")
                    .ok_or_else(|| format!("{op} {}: the example has no value", a.status))?;
                Some((
                    "application/json".to_string(),
                    serde_json::to_vec(value).map_err(|e| e.to_string())?,
                ))
            }
            None => None,
        };
        Ok(Served {
            status,
            headers,
            body,
        })
    }
}

impl Spec {
    /// The base URL of a client for a mock server at `root`: the root and the
    /// server URL's path.
    pub fn base_url(&self, root: &str) -> String {
        format!("{root}{}", self.base_path)
    }

    /// A regex for the raw paths of an operation's requests (under the server
    /// URL's path; a placeholder is one non-empty segment).
    pub fn path_regex(&self, op: &Operation) -> String {
        let mut re = String::from("^");
        re.push_str(&regex_escape(&self.base_path));
        for segment in op.template.trim_start_matches('/').split('/') {
            re.push('/');
            if segment.starts_with('{') && segment.ends_with('}') {
                re.push_str("[^/]+");
            } else {
                re.push_str(&regex_escape(segment));
            }
        }
        re.push('$');
        re
    }

    /// Mounts on `server` the planned answer of every call of `case`. A call the
    /// case does not plan gets wiremock's empty 404.
    pub async fn mount(&self, server: &wiremock::MockServer, case: &Case) -> Result<(), String> {
        for (op_id, answers) in &case.plan {
            for (i, answer) in answers.iter().enumerate() {
                self.mount_one(server, op_id, answer, i + 1 < answers.len())
                    .await?;
            }
        }
        Ok(())
    }

    /// Mounts one planned answer; `once`: it answers one call only (an earlier
    /// answer of a sequence).
    async fn mount_one(
        &self,
        server: &wiremock::MockServer,
        op_id: &str,
        answer: &Answer,
        once: bool,
    ) -> Result<(), String> {
        {
            let op = self
                .operation(op_id)
                .ok_or_else(|| format!("no operation `{op_id}`"))?;
            let served = self.served(op_id, answer)?;
            let mut template = wiremock::ResponseTemplate::new(served.status);
            for (name, value) in &served.headers {
                template = template.insert_header(name.as_str(), value.as_str());
            }
            if let Some((content_type, body)) = served.body {
                template = template.set_body_raw(body, &content_type);
            }
            let mock = wiremock::Mock::given(wiremock::matchers::method(op.method.as_str()))
                .and(wiremock::matchers::path_regex(self.path_regex(op)))
                .respond_with(template);
            let mock = if once { mock.up_to_n_times(1) } else { mock };
            mock.mount(server).await;
        }
        Ok(())
    }

    /// The status of the response of `op` that holds the example `name`.
    pub fn status_of_example(&self, op: &str, name: &str) -> Option<String> {
        let op = self.operation(op)?;
        self.responses(op)
            .into_iter()
            .find_map(|(status, response)| {
                json_media(&response)?
                    .get("examples")?
                    .get(name)
                    .map(|_| status.clone())
            })
    }
}

/// The example of the request body property marked `x-userbridge-param:
/// user` (a string, or the first of an array), if the operation has one.
fn body_user(doc: &Value, op: &Value) -> Option<String> {
    let body = resolve(doc, op.get("requestBody")?);
    let schema = resolve(doc, body.pointer("/content/application~1json/schema")?);
    schema
        .get("properties")?
        .as_object()?
        .values()
        .map(|p| resolve(doc, p))
        .filter(|p| p.get("x-userbridge-param").and_then(Value::as_str) == Some("user"))
        .find_map(|p| match p.get("example")? {
            Value::String(s) => Some(s.clone()),
            Value::Array(items) => items.first()?.as_str().map(str::to_string),
            _ => None,
        })
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `{"$ref": "#/..."}` followed (repeatedly); anything else as is.
pub fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    let mut v = v;
    for _ in 0..16 {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(target) => v = target,
                None => return v,
            },
            None => return v,
        }
    }
    v
}

/// The `application/json` media of a response, if it has a body.
fn json_media(response: &Value) -> Option<&Value> {
    response
        .get("content")
        .and_then(Value::as_object)?
        .iter()
        // `application/json`, a `+json` type (`application/scim+json`), or
        // a versioned vendor JSON type (`application/x-amz-json-1.1`).
        .find(|(m, _)| {
            let m = m.split(';').next().unwrap_or_default().trim();
            m == "application/json" || m.ends_with("+json") || m.contains("-json-")
        })
        .map(|(_, v)| v)
}

/// The path of a server URL, variables replaced by anything (`https://{host}/api`
/// -> `/api`).
fn server_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => rest[i..].trim_end_matches('/').to_string(),
        None => String::new(),
    }
}

/// The HTTP status of a response key: the key itself, or the outcome's `status`
/// for `default` and ranges.
fn status_of(key: &str, outcome: &Value) -> Result<u16, String> {
    if let Ok(n) = key.parse::<u16>() {
        return Ok(n);
    }
    outcome
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| format!("response `{key}` needs `status` in its x-userbridge-outcome"))
}

/// The SDK's result as JSON: the serialized error, or the serialized success
/// with `kind: ok`.
pub fn result_json(result: &Result<Reactivated, Error>) -> Value {
    match result {
        Ok(done) => {
            let mut v = serde_json::to_value(done).unwrap_or(Value::Null);
            if let Some(obj) = v.as_object_mut() {
                obj.insert("kind".into(), Value::String("ok".into()));
            }
            v
        }
        Err(e) => serde_json::to_value(e).unwrap_or(Value::Null),
    }
}

/// `expected` is a subset of `actual`: objects key by key, arrays element by
/// element (same length), scalars equal.
pub fn subset(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| subset(v, av))),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(x, y)| subset(x, y))
        }
        (e, a) => e == a,
    }
}

/// Checks a result against a case's outcome: the subset, and for an error the
/// HTTP status of the case's own answer (unless the outcome names it).
pub fn check(case: &Case, result: &Result<Reactivated, Error>) -> Result<(), String> {
    let got = result_json(result);
    if !subset(&case.outcome, &got) {
        return Err(format!(
            "{}: expected (subset) {}\n  got {}",
            case.name(),
            case.outcome,
            got
        ));
    }
    if let Err(e) = result {
        let want = case.status()?;
        if e.status() != Some(want) {
            return Err(format!(
                "{}: status {:?}, expected {want}: {e}",
                case.name(),
                e.status()
            ));
        }
    }
    Ok(())
}

/// A short timeout for clients under test.
pub const TIMEOUT: Duration = Duration::from_secs(10);
