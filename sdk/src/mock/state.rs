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

use super::front::{Hangups, CONNECTION_HEADER};
use super::model::{Answer, Failure, ReceivedRequest, UserState};
use crate::provider::Provider;

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
    /// The provider's own user states, where it has more than the two generic
    /// ones: each word the provider uses (Okta: `LOCKED_OUT`), with the generic
    /// state it counts as. The first word of each generic state is the one
    /// [`Simulator::add_user`](super::Simulator::add_user) gives. Empty (the
    /// default): the provider has only the generic states.
    fn statuses(&self) -> &'static [(&'static str, UserState)] {
        &[]
    }
    /// The answer to a call of `route` for `to.user_id` (in `to.organization`
    /// where the route names one).
    fn answer(&self, state: &mut State, call: &Call<'_>, route: &Route, to: &Captures) -> Reply;
    /// An injected error answer in the provider's error shape, with the status
    /// [`Fault::status`]. The core adds the retry headers of a 429 itself.
    fn failure(&self, call: &Call<'_>, fault: Fault) -> Reply;
}

/// An injected error answer a provider gives in its own shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// 429; `retry_after_secs`: the whole seconds of the `Retry-After` sent with
    /// it, for providers that repeat the hint in the body.
    RateLimited { retry_after_secs: Option<u64> },
    /// 500: the provider failed internally.
    Internal,
    /// 502: the provider's gateway got no valid answer from its upstream.
    BadGateway,
    /// 503: the provider is unavailable.
    Unavailable,
}

impl Fault {
    /// The HTTP status of the answer.
    pub fn status(self) -> u16 {
        match self {
            Fault::RateLimited { .. } => 429,
            Fault::Internal => 500,
            Fault::BadGateway => 502,
            Fault::Unavailable => 503,
        }
    }
}

/// A simulated user.
pub(crate) struct UserRecord {
    pub organization: String,
    pub state: UserState,
    /// Zitadel-style event sequence of the user (created = 1).
    pub sequence: u64,
    pub created: SystemTime,
    pub deactivated_at: Option<SystemTime>,
    /// The provider's own word for the state, for providers with more states
    /// than the generic two ([`Simulate::statuses`]); kept in step with `state`
    /// by [`State::set_status`].
    pub status: Option<&'static str>,
    /// Locked out after failed logins (see `Simulator::lock_out`): still active,
    /// but unable to log in until an administrator releases the lockout.
    pub locked_out: bool,
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
    /// Failures for the next requests, whatever they are.
    pub failures: VecDeque<Failure>,
    /// Failures for the next requests for one user id.
    pub targeted: HashMap<String, VecDeque<Failure>>,
    pub requests: Vec<ReceivedRequest>,
    /// The simulator's front door, which can drop a connection.
    hangups: Arc<Hangups>,
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
    /// The raw query string (still percent-encoded; empty when there is none).
    pub query: &'a str,
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
    /// The `content-type`, or none.
    pub content_type: Option<&'static str>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// A JSON answer: `body` is one of the generated types (or a JSON value built
    /// from one). A body that cannot be serialized becomes a 500.
    pub fn json<T: Serialize>(status: u16, body: &T) -> Reply {
        match serde_json::to_vec(body) {
            Ok(bytes) => Reply {
                status,
                body: bytes,
                content_type: Some("application/json"),
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
            content_type: Some("text/plain; charset=utf-8"),
            headers: Vec::new(),
        }
    }

    /// An answer without a body (`204 No Content`).
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            body: Vec::new(),
            content_type: None,
            headers: Vec::new(),
        }
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// A custom answer, as given (its own `content-type` header, if any).
    fn custom(answer: Answer) -> Reply {
        Reply {
            status: answer.status,
            body: answer.body,
            content_type: None,
            headers: answer.headers,
        }
    }

    /// The status as sent: a status outside 100-999 becomes 500.
    fn sent_status(&self) -> u16 {
        StatusCode::from_u16(self.status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .as_u16()
    }

    fn into_template(self) -> ResponseTemplate {
        let status = self.sent_status();
        let mut template = match self.content_type {
            Some(mime) => ResponseTemplate::new(status).set_body_raw(self.body, mime),
            None => ResponseTemplate::new(status).set_body_bytes(self.body),
        };
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
    pub fn new(provider: Provider, sim: &'static dyn Simulate, hangups: Arc<Hangups>) -> State {
        State {
            provider,
            sim,
            users: BTreeMap::new(),
            tokens: HashMap::new(),
            failures: VecDeque::new(),
            targeted: HashMap::new(),
            requests: Vec::new(),
            hangups,
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
        let status = first_status(self.sim, UserState::Active);
        if let Some(user) = self.users.get_mut(id) {
            user.state = UserState::Active;
            user.sequence += 1;
            user.deactivated_at = None;
            user.status = status;
        }
    }

    /// Moves a user to one of the provider's own states ([`Simulate::statuses`]),
    /// and its generic state with it. A word the provider does not list changes
    /// nothing.
    pub fn set_status(&mut self, id: &str, word: &str) {
        let Some(&(word, state)) = self.sim.statuses().iter().find(|(w, _)| *w == word) else {
            return;
        };
        let now = SystemTime::now();
        if let Some(user) = self.users.get_mut(id) {
            if user.state != state {
                user.sequence += 1;
                user.deactivated_at = (state == UserState::Deactivated).then_some(now);
            }
            user.state = state;
            user.status = Some(word);
        }
    }

    /// Handles one request end to end.
    fn handle(&mut self, request: &Request) -> ResponseTemplate {
        self.counter += 1;
        let call = Call {
            auth: self.authenticate(&request.headers),
            body: &request.body,
            query: request.url.query().unwrap_or_default(),
            headers: &request.headers,
            request_id: request_id(self.counter),
            now: SystemTime::now(),
        };
        let captures = self.captures(request);
        let failure = self.next_failure(captures.as_ref());
        let mut delay = None;
        let reply = match failure {
            None => self.route(&call, request),
            Some(Failure::Slow(wait)) => {
                delay = Some(wait);
                self.route(&call, request)
            }
            Some(Failure::TooManyRequests { retry_after }) => {
                let fault = Fault::RateLimited {
                    retry_after_secs: retry_after.map(whole_seconds),
                };
                let reply = self.sim.failure(&call, fault);
                match retry_after {
                    Some(wait) => with_retry_headers(reply, wait),
                    None => reply,
                }
            }
            Some(Failure::ServerError) => self.sim.failure(&call, Fault::Internal),
            Some(Failure::BadGateway) => self.sim.failure(&call, Fault::BadGateway),
            Some(Failure::ServiceUnavailable) => self.sim.failure(&call, Fault::Unavailable),
            Some(Failure::MalformedBody) => Reply {
                status: 200,
                body: MALFORMED_BODY.to_vec(),
                content_type: Some("application/json"),
                headers: Vec::new(),
            },
            Some(Failure::Custom(answer)) => Reply::custom(answer),
            Some(Failure::ConnectionReset) => {
                let connection = request
                    .headers
                    .get(CONNECTION_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok());
                if connection.is_some_and(|id| self.hangups.hang_up(id)) {
                    // The front door drops the connection now; this answer is
                    // never sent (its delay outlasts the drop by far).
                    self.record(request, 0);
                    return ResponseTemplate::new(500).set_delay(HANG_UP_DELAY);
                }
                Reply::text(
                    500,
                    "userbridge simulator: a connection reset needs an HTTP/1 request sent \
                     to Simulator::base_url (this one reached the server another way)"
                        .to_string(),
                )
            }
        };
        self.record(request, reply.sent_status());
        let template = reply.into_template();
        match delay {
            Some(wait) => template.set_delay(wait),
            None => template,
        }
    }

    /// The failure for this request: the next one targeted at its user, else
    /// the next one for any request.
    fn next_failure(&mut self, captures: Option<&Captures>) -> Option<Failure> {
        if let Some(user) = captures.map(|c| c.user_id.as_str()) {
            if let Some(queue) = self.targeted.get_mut(user) {
                let failure = queue.pop_front();
                if queue.is_empty() {
                    self.targeted.remove(user);
                }
                if failure.is_some() {
                    return failure;
                }
            }
        }
        self.failures.pop_front()
    }

    /// The placeholders of the first of the provider's routes whose path is
    /// the request's (whatever the method), or `None` when none is: who a
    /// targeted failure is for.
    fn captures(&self, request: &Request) -> Option<Captures> {
        let segments = request
            .url
            .path()
            .strip_prefix(self.sim.base_path())
            .and_then(decode_segments)?;
        self.sim
            .routes()
            .iter()
            .find_map(|route| route.capture(&segments))
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
            .filter(|(name, _)| name.as_str() != CONNECTION_HEADER)
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

/// The provider's first own word for a generic state, if it has own states.
pub(crate) fn first_status(sim: &dyn Simulate, state: UserState) -> Option<&'static str> {
    sim.statuses()
        .iter()
        .find(|(_, s)| *s == state)
        .map(|(word, _)| *word)
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

/// The body of [`Failure::MalformedBody`]: JSON cut off in the middle.
const MALFORMED_BODY: &[u8] = br#"{"result": {"state": "active", "upd"#;

/// How long the answer to a dropped connection is held back: far longer than
/// the front door needs to drop it.
const HANG_UP_DELAY: Duration = Duration::from_secs(30);

/// The retry hints of an injected 429: `Retry-After` in whole seconds (rounded
/// up; the header carries nothing finer) and, for a wait shorter than a second,
/// `retry-after-ms` with the exact wait, which the SDK prefers.
fn with_retry_headers(reply: Reply, wait: Duration) -> Reply {
    let reply = reply.header("retry-after", whole_seconds(wait).to_string());
    if wait < Duration::from_secs(1) {
        reply.header("retry-after-ms", millis(wait))
    } else {
        reply
    }
}

/// A wait in milliseconds, with up to three decimals (microseconds, rounded up):
/// `1`, `0.5`, `250.125`.
fn millis(d: Duration) -> String {
    let micros = d.as_micros() + u128::from(!d.subsec_nanos().is_multiple_of(1000));
    let (whole, fraction) = (micros / 1000, micros % 1000);
    if fraction == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{fraction:03}")
            .trim_end_matches('0')
            .to_string()
    }
}

/// The Unix time `secs` seconds after the call: the value of a rate-limit
/// reset header that counts in Unix time (Okta, Auth0).
pub(crate) fn unix_time_after(call: &Call<'_>, secs: u64) -> u64 {
    call.now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        .saturating_add(secs)
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
        assert_eq!(millis(Duration::from_millis(1)), "1");
        assert_eq!(millis(Duration::ZERO), "0");
        assert_eq!(millis(Duration::from_micros(500)), "0.5");
        assert_eq!(millis(Duration::from_micros(250_125)), "250.125");
        assert_eq!(millis(Duration::from_nanos(1)), "0.001");
    }
}
