//! What every simulator shares: the state behind the lock, the wiremock
//! responder that reads a request, applies injected failures, routes it to the
//! provider's logic and records it, and small helpers for bodies and times.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::Value;
use wiremock::{Request, Respond, ResponseTemplate};

use super::{Failure, ReceivedRequest, UserState};
use crate::Provider;

/// One provider's simulator: its documented route and its answers. Each
/// provider implements it in `providers/<provider>/mock.rs`; the core below
/// handles tokens, injected failures, routing and recording for all of them.
pub(crate) trait Simulate: Sync {
    /// The documented routes, relative to the spec's server URL: the calls a
    /// reactivation makes (one for most providers; a read and a write for
    /// those that look at the user first).
    fn routes(&self) -> &'static [Route];
    /// The path prefix of the spec's server URL (My Nethesis: `/api`).
    fn base_path(&self) -> &'static str {
        ""
    }
    /// The organization of the default token.
    fn default_organization(&self) -> &'static str;
    /// The provider's word for a deactivated user.
    fn inactive_label(&self) -> &'static str {
        "deactivated"
    }
    /// The answer to a call of `route` for `to.user_id` (in `to.organization`
    /// where the route names one).
    fn answer(&self, state: &mut State, call: &Call<'_>, route: &Route, to: &Captures) -> Reply;
    /// An injected 429 or 503 in the provider's error shape (`retry_after`: the
    /// seconds of the `Retry-After` sent with a 429).
    fn failure(&self, call: &Call<'_>, status: u16, retry_after: Option<u64>) -> Reply;
}

/// A simulated user.
pub(crate) struct UserRecord {
    pub organization: String,
    pub state: UserState,
    /// Zitadel-style event sequence of the user (created = 1).
    pub sequence: u64,
    pub created: SystemTime,
    pub deactivated_at: Option<SystemTime>,
}

/// An accepted bearer token.
#[derive(Clone)]
pub(crate) struct TokenRecord {
    pub organization: String,
    pub permitted: bool,
}

/// Everything a simulator knows. Never printed (it holds tokens).
pub(crate) struct State {
    pub provider: Provider,
    sim: &'static dyn Simulate,
    pub users: BTreeMap<String, UserRecord>,
    pub tokens: HashMap<String, TokenRecord>,
    pub failures: VecDeque<Failure>,
    pub requests: Vec<ReceivedRequest>,
    /// A simulator's own data about a user, by user id, for providers whose users
    /// hold more than a state (SCIM: the resource's other attributes). Kept in
    /// step with `users` by the simulator that uses it.
    pub extra: BTreeMap<String, Value>,
    /// Requests handled so far (request ids).
    counter: u64,
}

/// Who is calling, from the `Authorization` header.
pub(crate) enum Auth {
    /// No `Authorization` header.
    Missing,
    /// A header that is not `Bearer <token>`.
    Malformed,
    /// A bearer token the simulator does not accept.
    Unknown,
    /// An accepted token.
    Token(TokenRecord),
}

/// One request as the provider logic sees it.
pub(crate) struct Call<'a> {
    pub auth: Auth,
    pub headers: &'a HeaderMap,
    /// The raw request body.
    pub body: &'a [u8],
    /// The id of this request (`x-request-id`, trace ids).
    pub request_id: String,
    pub now: SystemTime,
}

impl Call<'_> {
    /// A header's value, trimmed; `None` when absent, empty or not text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

/// An answer before it becomes a wiremock response.
pub(crate) struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// A JSON answer: `body` is one of the generated types (or a JSON value built
    /// from one). A body that cannot be serialized becomes a 500.
    pub fn json<T: Serialize>(status: u16, body: &T) -> Reply {
        match serde_json::to_vec(body) {
            Ok(bytes) => Reply {
                status,
                body: bytes,
                content_type: "application/json",
                headers: Vec::new(),
            },
            Err(e) => Reply::text(
                500,
                format!("userbridge simulator: the answer could not be serialized: {e}"),
            ),
        }
    }

    /// A plain-text answer (routing errors of the simulator itself).
    pub fn text(status: u16, body: String) -> Reply {
        Reply {
            status,
            body: body.into_bytes(),
            content_type: "text/plain; charset=utf-8",
            headers: Vec::new(),
        }
    }

    /// Adds a response header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    fn into_template(self) -> ResponseTemplate {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut template = ResponseTemplate::new(status).set_body_raw(self.body, self.content_type);
        for (name, value) in self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                template = template.insert_header(name, value);
            }
        }
        template
    }
}

/// The path a provider serves, with `{org}` and `{id}` placeholders.
pub(crate) struct Route {
    /// What the route does, for the provider's own dispatch (`reactivate`,
    /// `get-user`, ...).
    pub name: &'static str,
    pub method: &'static str,
    pub segments: &'static [&'static str],
}

/// The values of a route's placeholders.
pub(crate) struct Captures {
    pub organization: Option<String>,
    /// Empty for a route without `{id}` (a collection, e.g. SCIM's `POST /Users`).
    pub user_id: String,
}

impl Route {
    /// The route as documented, e.g. `POST /v2/users/{id}/reactivate`, under
    /// the server's `base_path`.
    fn describe(&self, base_path: &str) -> String {
        format!(
            "{} {base_path}/{} ({})",
            self.method,
            self.segments.join("/"),
            self.name
        )
    }

    /// Matches decoded path segments; placeholders must be non-empty.
    fn capture(&self, path: &[String]) -> Option<Captures> {
        if path.len() != self.segments.len() {
            return None;
        }
        let mut organization = None;
        let has_id = self.segments.contains(&"{id}");
        let mut user_id = (!has_id).then(String::new);
        for (want, got) in self.segments.iter().zip(path) {
            match *want {
                "{org}" if !got.is_empty() => organization = Some(got.clone()),
                "{id}" if !got.is_empty() => user_id = Some(got.clone()),
                literal if literal == got => {}
                _ => return None,
            }
        }
        Some(Captures {
            organization,
            user_id: user_id?,
        })
    }
}

impl State {
    pub fn new(provider: Provider) -> State {
        State {
            provider,
            sim: provider.adapter().simulator(),
            users: BTreeMap::new(),
            tokens: HashMap::new(),
            failures: VecDeque::new(),
            requests: Vec::new(),
            extra: BTreeMap::new(),
            counter: 0,
        }
    }

    fn authenticate(&self, headers: &HeaderMap) -> Auth {
        let Some(value) = headers.get(http::header::AUTHORIZATION) else {
            return Auth::Missing;
        };
        let Some(token) = value.to_str().ok().and_then(bearer) else {
            return Auth::Malformed;
        };
        match self.tokens.get(token) {
            Some(record) => Auth::Token(record.clone()),
            None => Auth::Unknown,
        }
    }

    /// Reactivates a user: active again, one more event.
    pub fn activate(&mut self, id: &str) {
        if let Some(user) = self.users.get_mut(id) {
            user.state = UserState::Active;
            user.sequence += 1;
            user.deactivated_at = None;
        }
    }

    /// Handles one request end to end.
    fn handle(&mut self, request: &Request) -> ResponseTemplate {
        self.counter += 1;
        let call = Call {
            auth: self.authenticate(&request.headers),
            body: &request.body,
            headers: &request.headers,
            request_id: request_id(self.counter),
            now: SystemTime::now(),
        };
        let failure = self.failures.pop_front();
        let mut delay = None;
        let reply = match failure {
            Some(Failure::TooManyRequests { retry_after }) => {
                let seconds = retry_after.map(whole_seconds);
                let reply = self.sim.failure(&call, 429, seconds);
                match seconds {
                    Some(s) => reply.header("retry-after", s.to_string()),
                    None => reply,
                }
            }
            Some(Failure::ServiceUnavailable) => self.sim.failure(&call, 503, None),
            Some(Failure::Slow(wait)) => {
                delay = Some(wait);
                self.route(&call, request)
            }
            None => self.route(&call, request),
        };
        self.record(request, reply.status);
        let template = reply.into_template();
        match delay {
            Some(wait) => template.set_delay(wait),
            None => template,
        }
    }

    /// The provider's answer to a method and path.
    fn route(&mut self, call: &Call<'_>, request: &Request) -> Reply {
        let sim = self.sim;
        let routes = sim.routes();
        let base_path = sim.base_path();
        let path = request.url.path();
        let segments = path.strip_prefix(base_path).and_then(decode_segments);
        let on_path: Vec<(&Route, Captures)> = routes
            .iter()
            .filter_map(|r| Some((r, r.capture(segments.as_deref()?)?)))
            .collect();
        let serves = || {
            routes
                .iter()
                .map(|r| r.describe(base_path))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if on_path.is_empty() {
            return Reply::text(
                404,
                format!(
                    "userbridge simulator of {}: no route for {} {path}; it serves {}",
                    self.provider,
                    request.method,
                    serves()
                ),
            );
        }
        let method = request.method.as_str();
        let Some((route, captures)) = on_path
            .iter()
            .find(|(r, _)| method.eq_ignore_ascii_case(r.method))
        else {
            let allow: Vec<&str> = on_path.iter().map(|(r, _)| r.method).collect();
            return Reply::text(
                405,
                format!(
                    "userbridge simulator of {}: method {method} not allowed on {path}; it \
                     serves {}",
                    self.provider,
                    serves()
                ),
            )
            .header("allow", allow.join(", "));
        };
        sim.answer(self, call, route, captures)
    }

    fn record(&mut self, request: &Request, status: u16) {
        let headers = request
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if name == http::header::AUTHORIZATION
                    || name == http::header::PROXY_AUTHORIZATION
                {
                    redact(value)
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name.as_str().to_string(), shown)
            })
            .collect();
        self.requests.push(ReceivedRequest {
            method: request.method.as_str().to_string(),
            path: request.url.path().to_string(),
            headers,
            body: request.body.clone(),
            status,
        });
    }
}

/// The wiremock responder of a simulator: one catch-all mock answering from the
/// shared state.
pub(crate) struct Responder {
    state: Arc<Mutex<State>>,
}

impl Responder {
    pub fn new(state: Arc<Mutex<State>>) -> Responder {
        Responder { state }
    }
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        match self.state.lock() {
            Ok(mut state) => state.handle(request),
            Err(_) => Reply::text(
                500,
                "userbridge simulator: its state is unavailable (a panic poisoned the lock)"
                    .to_string(),
            )
            .into_template(),
        }
    }
}

/// The token of a `Bearer <token>` header value (scheme case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn redact(value: &HeaderValue) -> String {
    let text = String::from_utf8_lossy(value.as_bytes());
    let is_bearer = text
        .trim()
        .split_once(' ')
        .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"));
    if is_bearer {
        "Bearer <redacted>".to_string()
    } else {
        "<redacted>".to_string()
    }
}

/// The percent-decoded segments of a path (`/a/b%2Fc` -> `["a", "b/c"]`);
/// `None` when a segment is not UTF-8 once decoded.
fn decode_segments(path: &str) -> Option<Vec<String>> {
    path.strip_prefix('/')
        .unwrap_or(path)
        .split('/')
        .map(|s| {
            percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned())
        })
        .collect()
}

/// A request id shaped like a UUID, unique within a simulator.
fn request_id(n: u64) -> String {
    format!("5e1f0000-0000-4000-8000-{:012x}", n & 0xffff_ffff_ffff)
}

/// Seconds for a `Retry-After` header, rounded up.
fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// `t` as RFC 3339 in UTC: `2025-12-22T15:30:00Z`, or with milliseconds
/// (`2025-03-25T17:01:18.834Z`) when `millis`.
pub(crate) fn rfc3339(t: SystemTime, millis: bool) -> String {
    if millis {
        humantime::format_rfc3339_millis(t).to_string()
    } else {
        humantime::format_rfc3339_seconds(t).to_string()
    }
}

/// Adds `key: value` to a JSON object when the generated type skipped it (an
/// empty map or list, or a `null` the provider sends).
pub(crate) fn with_key(mut body: Value, key: &str, value: Value) -> Value {
    if let Some(obj) = body.as_object_mut() {
        obj.insert(key.to_string(), value);
    }
    body
}

/// Serializes a generated type to a JSON value (`null` if it cannot be, which
/// the generated types never do).
pub(crate) fn to_json<T: Serialize>(body: &T) -> Value {
    serde_json::to_value(body).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(UNIX_EPOCH, false), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_766_417_400_123);
        assert_eq!(rfc3339(t, false), "2025-12-22T15:30:00Z");
        assert_eq!(rfc3339(t, true), "2025-12-22T15:30:00.123Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc3339(leap, false), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn segments_and_routes() {
        assert_eq!(
            decode_segments("/v2/users/a%2Fb%20c/reactivate"),
            Some(vec![
                "v2".to_string(),
                "users".to_string(),
                "a/b c".to_string(),
                "reactivate".to_string()
            ])
        );
        assert_eq!(decode_segments("/x/%FF"), None);
        // A route with both captures: `{org}` and `{id}`.
        let r = Route {
            name: "reactivate",
            method: "POST",
            segments: &[
                "v1",
                "organizations",
                "{org}",
                "users",
                "{id}",
                "reactivate",
            ],
        };
        let capture = |path: &str| r.capture(&decode_segments(path).unwrap_or_default());
        let c = capture("/v1/organizations/org_1/users/usr_2/reactivate");
        assert_eq!(
            c.as_ref().and_then(|c| c.organization.as_deref()),
            Some("org_1")
        );
        assert_eq!(c.as_ref().map(|c| c.user_id.as_str()), Some("usr_2"));
        assert!(capture("/v1/organizations//users/usr_2/reactivate").is_none());
        assert!(capture("/v1/organizations/o/users/u/reactivate/").is_none());
        assert!(capture("/v1/organizations/o/users/u").is_none());
        // A route without `{id}` (a collection) matches its literal path.
        let collection = Route {
            name: "create",
            method: "POST",
            segments: &["Users"],
        };
        let c = collection.capture(&decode_segments("/Users").unwrap_or_default());
        assert_eq!(c.map(|c| c.user_id), Some(String::new()));
        assert!(collection
            .capture(&decode_segments("/Groups").unwrap_or_default())
            .is_none());
    }

    #[test]
    fn bearer_and_redaction() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(
            redact(&HeaderValue::from_static("Bearer secret")),
            "Bearer <redacted>"
        );
        assert_eq!(redact(&HeaderValue::from_static("secret")), "<redacted>");
        assert_eq!(whole_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(whole_seconds(Duration::ZERO), 0);
    }
}
