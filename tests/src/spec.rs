//! The provider specs in `openapi/` and the test facts they carry.
//!
//! The spec of a provider is `openapi/{Provider::as_str()}.yaml`. Besides the
//! documented request and responses, it carries what the suite needs to test the
//! provider without knowing it (see the comment at the top of each spec):
//!
//! - `x-userbridge-param` on a parameter (`user`, `organization`), whose `example`
//!   is the id the tests send, and `x-userbridge-id-prefix` (the id form the SDK
//!   insists on);
//! - `x-userbridge-outcome` beside every example: the kind, and the fields the SDK
//!   must return, as a subset of the serialized `Reactivated` or `Error`
//!   ([`Example::outcome`]);
//! - `x-userbridge-undocumented-responses` on the operation: answers the provider
//!   sends with statuses the spec does not document.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{json, Value};
use userbridge::Provider;

use crate::schema::conforms;
use crate::Answer;

/// The `openapi/` directory of the workspace.
pub fn openapi_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi")
}

/// The spec file of a provider: `openapi/{as_str}.yaml`.
pub fn spec_file(p: Provider) -> PathBuf {
    openapi_dir().join(format!("{}.yaml", p.as_str()))
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

/// Every example of a media type object of `doc`: `example` (named `example`),
/// and each `examples.<name>`, as (name, value, the example object).
pub fn media_examples(doc: &Value, media: &Value) -> Vec<(String, Value)> {
    example_objects(doc, media)
        .into_iter()
        .map(|(name, value, _)| (name, value))
        .collect()
}

/// [`media_examples`] with the example object itself (for its extensions).
fn example_objects(doc: &Value, holder: &Value) -> Vec<(String, Value, Value)> {
    let mut out = Vec::new();
    if let Some(example) = holder.get("example") {
        out.push(("example".to_string(), example.clone(), Value::Null));
    }
    if let Some(named) = holder.get("examples").and_then(Value::as_object) {
        for (name, example) in named {
            let object = resolve(doc, example);
            let value = object
                .get("value")
                .unwrap_or_else(|| panic!("example `{name}` has no inline `value`"));
            out.push((name.clone(), value.clone(), object.clone()));
        }
    }
    out
}

/// What a parameter is to the suite (`x-userbridge-param`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The id of the user to reactivate.
    User,
    /// The organization the user belongs to.
    Organization,
}

/// A parameter of the reactivate operation.
#[derive(Clone, Debug)]
pub struct Param {
    /// Its name (`user_id`, `x-zitadel-orgid`).
    pub name: String,
    /// `path` or `header`.
    pub location: String,
    /// Whether the spec requires it.
    pub required: bool,
    /// What it is (`x-userbridge-param`), if marked.
    pub role: Option<Role>,
    /// Its `example`: the id the suite sends.
    pub example: Option<String>,
    /// `x-userbridge-id-prefix`: ids are this prefix followed by letters, digits,
    /// `_` or `-` (the SDK rejects any other id before sending).
    pub id_prefix: Option<String>,
}

/// One documented (or undocumented, see [`Example::documented`]) answer of a
/// provider, with the outcome the SDK must give it.
#[derive(Clone, Debug)]
pub struct Example {
    /// The provider.
    pub provider: Provider,
    /// The response key in the spec: `200`, `5XX`, `default`, ...
    pub status_key: String,
    /// The example's name (`example` for a single unnamed one).
    pub name: String,
    /// The body.
    pub body: Value,
    /// `x-userbridge-outcome`: `kind` (`ok` or the error kind), `status` where the
    /// key is not one status, and the fields the call must return, as a subset of
    /// `serde_json::to_value(&outcome)`.
    pub outcome: Value,
    /// `false` for an answer of `x-userbridge-undocumented-responses`: a status
    /// the spec does not document.
    pub documented: bool,
}

impl Example {
    /// `ok` or the error kind (`not_deactivated`, ...).
    pub fn kind(&self) -> &str {
        self.outcome["kind"].as_str().unwrap_or_default()
    }

    /// Whether the outcome is a success.
    pub fn is_ok(&self) -> bool {
        self.kind() == "ok"
    }

    /// The HTTP status to serve it with: the outcome's `status`, else the key.
    pub fn status(&self) -> u16 {
        let what = self.label();
        let explicit = self.outcome.get("status").map(|s| {
            s.as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or_else(|| panic!("{what}: outcome status {s} is not an HTTP status"))
        });
        match (explicit, self.status_key.parse::<u16>()) {
            (Some(s), Ok(k)) => {
                assert_eq!(s, k, "{what}: outcome status differs from the response key");
                s
            }
            (None, Ok(k)) => k,
            (Some(s), Err(_)) => {
                assert!(
                    status_in_key(s, &self.status_key),
                    "{what}: outcome status {s} is not covered by response key {}",
                    self.status_key
                );
                s
            }
            (None, Err(_)) => panic!(
                "{what}: response key `{}` is not one status: its x-userbridge-outcome needs \
                 a `status`",
                self.status_key
            ),
        }
    }

    /// `422 userNotDeactivated`, `default notInactive`, `undocumented 401
    /// unauthorized`, prefixed by the provider for messages.
    pub fn label(&self) -> String {
        format!("{} {}", self.provider, self.case_label())
    }

    /// [`Example::label`] without the provider.
    pub fn case_label(&self) -> String {
        let undocumented = if self.documented { "" } else { "undocumented " };
        format!("{undocumented}{} {}", self.status_key, self.name)
    }

    /// The example served as documented (JSON, its [`Example::status`]).
    pub fn answer(&self) -> Answer {
        Answer::json(self.status(), &self.body)
    }

    /// The outcome as an expectation for a call whose answer also had `headers`:
    /// a `Retry-After` in seconds is read as the wait, and an `x-request-id` is the
    /// trace id where the body gives none.
    pub fn expectation(&self, headers: &[(String, String)]) -> Value {
        let mut want = self.outcome.clone();
        if self.is_ok() {
            return want;
        }
        if let Some(secs) = header(headers, "retry-after").and_then(|v| v.parse::<u64>().ok()) {
            want["retry_after_ms"] = json!(secs * 1000);
        }
        if let Some(id) = header(headers, "x-request-id") {
            if want.get("trace_id").is_none_or(Value::is_null) {
                want["trace_id"] = json!(id);
            }
        }
        want
    }
}

/// A header's value from a list of `(name, value)`.
pub fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// Whether response key `key` (`404`, `4XX`, `default`) covers `status`.
pub fn status_in_key(status: u16, key: &str) -> bool {
    key == "default"
        || key == status.to_string()
        || (key.len() == 3
            && key.ends_with("XX")
            && key.starts_with(char::from(b'0' + (status / 100) as u8)))
}

/// A provider's spec, read once, with the test facts it carries.
#[derive(Debug)]
pub struct ProviderSpec {
    /// The provider.
    pub provider: Provider,
    /// The spec file.
    pub file: PathBuf,
    /// The document as JSON.
    pub doc: Value,
    /// The one operation (the reactivate call).
    pub operation: Operation,
    /// Its parameters.
    pub params: Vec<Param>,
    /// Every example, documented then undocumented, in spec order.
    pub examples: Vec<Example>,
}

/// The providers whose reactivation is one HTTP call: their spec has one
/// operation and no flows. The generic suites that serve canned answers on a mock server
/// (one answer per call) run over these. A provider that reads the user before
/// it writes (several operations, `x-userbridge-flow` in its examples) is served
/// its flows by its own suite (`tests/tests/<provider>.rs`), by the Prism suite
/// and by the simulator suites.
pub fn single_call_providers() -> Vec<Provider> {
    static SINGLE: OnceLock<Vec<Provider>> = OnceLock::new();
    SINGLE
        .get_or_init(|| {
            Provider::ALL
                .into_iter()
                .filter(|p| {
                    let doc = read_spec(&spec_file(*p));
                    // One operation, called once: an operation called twice
                    // (AWS JSON 1.1: every call is `POST /`) has flows.
                    operations(&doc).len() == 1 && !doc.to_string().contains("x-userbridge-flow")
                })
                .collect()
        })
        .clone()
}

/// The spec of `p`, a single-call provider ([`single_call_providers`]), read and
/// checked once.
pub fn spec(p: Provider) -> &'static ProviderSpec {
    static SPECS: OnceLock<Vec<ProviderSpec>> = OnceLock::new();
    SPECS
        .get_or_init(|| {
            single_call_providers()
                .into_iter()
                .map(ProviderSpec::load)
                .collect()
        })
        .iter()
        .find(|s| s.provider == p)
        .unwrap_or_else(|| {
            panic!(
                "{p:?} reactivates in several calls: the single-call suites do not serve it \
                 (its flows are tested in tests/tests/{}.rs)",
                p.as_str().replace('-', "_")
            )
        })
}

impl ProviderSpec {
    fn load(p: Provider) -> ProviderSpec {
        let file = spec_file(p);
        let what = file.display().to_string();
        assert!(file.is_file(), "{p:?}: no spec at {what}");
        let doc = read_spec(&file);
        let mut ops = operations(&doc);
        assert_eq!(ops.len(), 1, "{what}: one operation expected");
        let operation = ops.remove(0);
        let params = operation.op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|raw| {
                let raw = resolve(&doc, raw);
                let s = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_string);
                let role = match s("x-userbridge-param").as_deref() {
                    None => None,
                    Some("user") => Some(Role::User),
                    Some("organization") => Some(Role::Organization),
                    Some(other) => panic!("{what}: unknown x-userbridge-param `{other}`"),
                };
                Param {
                    name: s("name").expect("parameter name"),
                    location: s("in").expect("parameter location"),
                    required: raw["required"].as_bool().unwrap_or(false),
                    role,
                    example: s("example"),
                    id_prefix: s("x-userbridge-id-prefix"),
                }
            })
            .collect();
        let mut spec = ProviderSpec {
            provider: p,
            file,
            doc,
            operation,
            params,
            examples: Vec::new(),
        };
        spec.examples = spec.read_examples();
        spec.check();
        spec
    }

    fn read_examples(&self) -> Vec<Example> {
        let p = self.provider;
        let what = self.file.display();
        let mut out = Vec::new();
        let responses: BTreeMap<String, Value> = self.operation.op["responses"]
            .as_object()
            .expect("operation has responses")
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (key, resp) in &responses {
            let resp = resolve(&self.doc, resp);
            let Some(content) = resp.get("content").and_then(Value::as_object) else {
                continue;
            };
            for (media, c) in content {
                if !media.contains("json") {
                    continue;
                }
                let examples = example_objects(&self.doc, c);
                assert!(
                    !examples.is_empty(),
                    "{what}: response {key} ({media}) has no example: it would go untested"
                );
                for (name, body, object) in examples {
                    out.push(self.read_example(key, name, body, &object, true));
                }
            }
        }
        let undocumented = self
            .operation
            .op
            .get("x-userbridge-undocumented-responses")
            .and_then(Value::as_object);
        for (key, resp) in undocumented.into_iter().flatten() {
            assert!(
                key.parse::<u16>().is_ok(),
                "{what}: undocumented response `{key}` must be one status"
            );
            assert!(
                !self.is_documented(key.parse().unwrap_or_default()),
                "{what}: undocumented response {key} is documented in `responses`"
            );
            let examples = example_objects(&self.doc, resp);
            assert!(
                !examples.is_empty(),
                "{what}: undocumented {key} has no example"
            );
            for (name, body, object) in examples {
                out.push(self.read_example(key, name, body, &object, false));
            }
        }
        assert!(!out.is_empty(), "{p:?}: no examples found");
        out
    }

    fn read_example(
        &self,
        key: &str,
        name: String,
        body: Value,
        object: &Value,
        doc: bool,
    ) -> Example {
        let outcome = object
            .get("x-userbridge-outcome")
            .cloned()
            .unwrap_or_else(|| {
                panic!(
                    "{}: example {key} {name} has no x-userbridge-outcome: what must the SDK \
                     return for it?",
                    self.file.display()
                )
            });
        assert!(
            outcome.get("kind").and_then(Value::as_str).is_some(),
            "{}: example {key} {name}: x-userbridge-outcome has no `kind`",
            self.file.display()
        );
        Example {
            provider: self.provider,
            status_key: key.to_string(),
            name,
            body,
            outcome,
            documented: doc,
        }
    }

    /// Loud checks of what the suite relies on.
    fn check(&self) {
        let what = self.file.display();
        let users: Vec<&Param> = self
            .params
            .iter()
            .filter(|p| p.role == Some(Role::User))
            .collect();
        assert_eq!(users.len(), 1, "{what}: one `x-userbridge-param: user`");
        assert_eq!(
            users[0].location, "path",
            "{what}: the user id is a path parameter"
        );
        for p in &self.params {
            if p.role.is_some() {
                assert!(
                    p.example.is_some(),
                    "{what}: parameter {} has no example",
                    p.name
                );
            }
            if p.location == "path" {
                assert!(
                    p.role.is_some(),
                    "{what}: path parameter {} is not marked",
                    p.name
                );
            }
        }
        for ex in &self.examples {
            // Served statuses are known for every example.
            let status = ex.status();
            assert_eq!(
                ex.is_ok(),
                (200..300).contains(&status),
                "{}: kind `{}` served with HTTP {status}",
                ex.label(),
                ex.kind()
            );
        }
    }

    /// The HTTP method, upper case (`POST`).
    pub fn method(&self) -> &'static str {
        match self.operation.method {
            "get" => "GET",
            "put" => "PUT",
            "post" => "POST",
            "delete" => "DELETE",
            "options" => "OPTIONS",
            "head" => "HEAD",
            "patch" => "PATCH",
            _ => "TRACE",
        }
    }

    /// The path template relative to the server URL.
    pub fn path_template(&self) -> &str {
        &self.operation.path
    }

    /// The server URL (`servers[0].url`).
    pub fn server_url(&self) -> &str {
        self.doc["servers"][0]["url"]
            .as_str()
            .expect("servers[0].url")
    }

    /// The path of the server URL, which the documented path follows on the wire
    /// (`https://{host}/api` -> `/api`; empty for a bare host).
    pub fn server_prefix(&self) -> String {
        let url = self.server_url();
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        match rest.find('/') {
            Some(i) => rest[i..].trim_end_matches('/').to_string(),
            None => String::new(),
        }
    }

    /// Whether the client must be given a base URL: the server URL has variables
    /// (a custom domain, a self-hosted host); otherwise it is the public host.
    pub fn base_url_required(&self) -> bool {
        self.server_url().contains('{')
    }

    /// The parameter of `role`, if any.
    pub fn param(&self, role: Role) -> Option<&Param> {
        self.params.iter().find(|p| p.role == Some(role))
    }

    /// The user id parameter.
    pub fn user_param(&self) -> &Param {
        self.param(Role::User).expect("checked on load")
    }

    /// The id the suite reactivates: the user parameter's example (needs no
    /// percent-encoding).
    pub fn sample_user_id(&self) -> &str {
        self.user_param().example.as_deref().expect("checked")
    }

    /// The organization parameter's example, if the operation has one.
    pub fn sample_organization(&self) -> Option<&str> {
        self.param(Role::Organization)
            .and_then(|p| p.example.as_deref())
    }

    /// The organization a client must be configured with: the sample
    /// organization where the organization parameter is required.
    pub fn required_organization(&self) -> Option<&str> {
        self.param(Role::Organization)
            .filter(|p| p.required)
            .and_then(|p| p.example.as_deref())
    }

    /// The header that carries the organization, if that is how it travels.
    pub fn organization_header(&self) -> Option<&str> {
        self.param(Role::Organization)
            .filter(|p| p.location == "header")
            .map(|p| p.name.as_str())
    }

    /// Whether the organization is a path parameter.
    pub fn organization_in_path(&self) -> bool {
        self.param(Role::Organization)
            .is_some_and(|p| p.location == "path")
    }

    /// The form the SDK insists on for user ids (`usr_`), if any.
    pub fn user_id_prefix(&self) -> Option<&str> {
        self.user_param().id_prefix.as_deref()
    }

    /// The form the SDK insists on for organization ids, if any.
    pub fn organization_id_prefix(&self) -> Option<&str> {
        self.param(Role::Organization)
            .and_then(|p| p.id_prefix.as_deref())
    }

    /// Whether any id (non-blank, at most 200 characters, ...) is accepted as a
    /// user id: no id form is imposed.
    pub fn accepts_any_user_id(&self) -> bool {
        self.user_id_prefix().is_none()
    }

    /// A valid user id of `len` characters.
    pub fn user_id_of_len(&self, len: usize) -> String {
        let prefix = self.user_id_prefix().unwrap_or("");
        format!("{prefix}{}", "a".repeat(len - prefix.len()))
    }

    /// The request body example, if the operation takes a body.
    pub fn request_body_example(&self) -> Option<Value> {
        let body = self.operation.op.get("requestBody")?;
        let media = resolve(&self.doc, body).pointer("/content/application~1json")?;
        media_examples(&self.doc, media)
            .into_iter()
            .next()
            .map(|(_, v)| v)
    }

    /// The raw path on the wire for an already percent-encoded user id segment
    /// (and organization `org`, where it is a path parameter).
    pub fn path(&self, org: &str, encoded_user: &str) -> String {
        let mut path = format!("{}{}", self.server_prefix(), self.path_template());
        for p in &self.params {
            let value = match p.role {
                Some(Role::User) => encoded_user,
                Some(Role::Organization) => org,
                None => continue,
            };
            path = path.replace(&format!("{{{}}}", p.name), value);
        }
        assert!(
            !path.contains('{'),
            "{}: unfilled path {path}",
            self.file.display()
        );
        path
    }

    /// The path of a call for [`ProviderSpec::sample_user_id`] in the sample
    /// organization.
    pub fn sample_path(&self) -> String {
        self.path(
            self.sample_organization().unwrap_or_default(),
            self.sample_user_id(),
        )
    }

    /// The response keys the spec documents (`200`, `5XX`, `default`, ...).
    pub fn status_keys(&self) -> Vec<String> {
        self.operation.op["responses"]
            .as_object()
            .expect("responses")
            .keys()
            .cloned()
            .collect()
    }

    /// Whether `status` is documented (an exact key, an `NXX` range or `default`).
    pub fn is_documented(&self, status: u16) -> bool {
        self.status_keys().iter().any(|k| status_in_key(status, k))
    }

    /// The schema of the response documented for `status` (exact key first, then
    /// its range, then `default`), resolved; `None` if undocumented or bodiless.
    pub fn response_schema(&self, status: u16) -> Option<&Value> {
        let responses = self.operation.op["responses"].as_object()?;
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        let resp = [exact.as_str(), range.as_str(), "default"]
            .into_iter()
            .find_map(|k| responses.get(k))?;
        let schema = resolve(&self.doc, resp).pointer("/content/application~1json/schema")?;
        Some(resolve(&self.doc, schema))
    }

    /// The schema of the success response.
    pub fn success_schema(&self) -> &Value {
        let ok = self
            .status_keys()
            .into_iter()
            .find_map(|k| k.parse::<u16>().ok().filter(|s| (200..300).contains(s)))
            .unwrap_or_else(|| panic!("{}: no success response", self.file.display()));
        self.response_schema(ok).expect("a success schema")
    }

    /// Whether the success schema requires no property: any JSON object is then
    /// of the success shape.
    pub fn success_requires_nothing(&self) -> bool {
        self.success_schema()["required"]
            .as_array()
            .is_none_or(Vec::is_empty)
    }

    /// Whether `body` has the documented success shape.
    pub fn is_success_shape(&self, body: &Value) -> bool {
        conforms(&self.doc, self.success_schema(), body).is_ok()
    }

    /// Every example, documented then undocumented.
    pub fn examples(&self) -> &[Example] {
        &self.examples
    }

    /// The documented examples only.
    pub fn documented_examples(&self) -> impl Iterator<Item = &Example> {
        self.examples.iter().filter(|e| e.documented)
    }

    /// Every example whose outcome is `kind`.
    pub fn examples_of(&self, kind: &str) -> Vec<&Example> {
        self.examples.iter().filter(|e| e.kind() == kind).collect()
    }

    /// The first example whose outcome is `kind` (documented ones first).
    pub fn example_of(&self, kind: &str) -> &Example {
        self.examples_of(kind)
            .into_iter()
            .next()
            .unwrap_or_else(|| {
                panic!(
                    "{}: no example with outcome `{kind}`; add one (or an \
                 x-userbridge-undocumented-responses answer) to the spec",
                    self.file.display()
                )
            })
    }

    /// The named example of response `key`.
    pub fn example(&self, key: &str, name: &str) -> &Example {
        self.examples
            .iter()
            .find(|e| e.status_key == key && e.name == name)
            .unwrap_or_else(|| panic!("{}: no example {key} {name}", self.file.display()))
    }

    /// A server failure answer to serve with the 5xx `status`: an example with
    /// outcome `server` served with that status if there is one, else the first
    /// served with any 5xx status (its body is then served with `status`).
    pub fn server_error(&self, status: u16) -> Answer {
        let fivexx: Vec<&Example> = self
            .examples_of("server")
            .into_iter()
            .filter(|e| (500..600).contains(&e.status()))
            // An answer that says a retry would mislead is no general 5xx.
            .filter(|e| e.outcome.get("retryable") != Some(&Value::Bool(false)))
            .collect();
        let ex = fivexx
            .iter()
            .find(|e| e.status() == status)
            .or(fivexx.first())
            .unwrap_or_else(|| {
                panic!(
                    "{}: no `server` example with a 5xx status",
                    self.file.display()
                )
            });
        Answer::json(status, &ex.body)
    }

    /// Whether every example that states `field` states it empty (`null`, `[]`),
    /// and at least one states it: the provider never gives that field, whatever
    /// it answers.
    pub fn never_gives(&self, field: &str) -> bool {
        let stated: Vec<&Value> = self
            .examples
            .iter()
            .filter(|e| !e.is_ok())
            .filter_map(|e| e.outcome.get(field))
            .collect();
        !stated.is_empty()
            && stated
                .iter()
                .all(|v| v.is_null() || v.as_array().is_some_and(Vec::is_empty))
    }
}
