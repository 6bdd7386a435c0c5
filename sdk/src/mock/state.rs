//! What every simulator shares: the state behind the lock, the wiremock
//! responder that reads a request, applies injected failures, routes it to the
//! provider's logic (or to its OAuth 2.0 token endpoint) and records it, and
//! small helpers for bodies and times.
//!
//! The token endpoints (client credentials, RFC 6749 §4.4) are served here for
//! every provider that has one ([`Simulate::tokens`]): the core reads the form,
//! checks the grant type, authenticates the client (a secret in the form or in
//! HTTP Basic, RFC 6749 §2.3.1, or a private key JWT, RFC 7523 §2.2, verified
//! with `jsonwebtoken`) and issues a random token with an expiry; each
//! provider's [`TokenService`] says where its endpoint is, what it requires
//! beyond the client (Auth0's `audience`, Entra ID's and Okta's scopes) and how
//! it answers, in its own shape.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
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
    /// Who a request is about where its path does not say: the user and
    /// organization its body names (AWS JSON 1.1: every call is `POST /`,
    /// the user pool and user name in the body). `None` (the default): the
    /// placeholders of the route's path say.
    fn body_captures(&self, _body: &[u8]) -> Option<Captures> {
        None
    }
    /// An injected error answer in the provider's error shape, with the status
    /// [`Fault::status`]. The core adds the retry headers of a 429 itself.
    /// Injected failures of token requests take this shape too.
    fn failure(&self, call: &Call<'_>, fault: Fault) -> Reply;
    /// The provider's OAuth 2.0 token endpoint, if it has one (the default:
    /// none).
    fn tokens(&self) -> Option<&'static dyn TokenService> {
        None
    }
    /// The names of the provider's rate-limit headers (limit, remaining, reset
    /// as a Unix time), sent on every answer under a quota
    /// ([`State::quota`]); `None` (the default): the provider sends none, and
    /// a 429 over the quota carries `Retry-After`.
    fn quota_headers(&self) -> Option<[&'static str; 3]> {
        None
    }
    /// The provider's rate limit when no quota is set, `(limit, window)`:
    /// a provider that sends its rate-limit headers on every answer
    /// ([`Simulate::quota_headers`]) counts requests against it (without
    /// refusing any) to fill them. `None` (the default): no headers without
    /// a quota.
    fn default_rate_limit(&self) -> Option<(u64, Duration)> {
        None
    }
    /// The provider's word for an active user, where it is not `active`
    /// (Keycloak and Entra ID: `enabled`); a seed word.
    fn active_label(&self) -> &'static str {
        "active"
    }
    /// The seed word of a lockout kept apart from the state
    /// (`UserRecord::locked_out`; Keycloak's `locked-out`), for providers
    /// whose simulator models one. `None` (the default): none.
    fn lockout_word(&self) -> Option<&'static str> {
        None
    }
    /// Whether a path with one trailing slash is served as the path without
    /// it (Keycloak's JAX-RS resources: `users/` is `users`, as
    /// @keycloak/keycloak-admin-client calls it). `false` (the default): a
    /// trailing slash is another path.
    fn trailing_slash(&self) -> bool {
        false
    }
    /// The user a request of `route` names in its body, for routes whose
    /// path names none (Zitadel's Connect calls: `userId`): who a targeted
    /// failure is for. `None` (the default): the path decides.
    fn named_user(&self, _route: &Route, _body: &[u8]) -> Option<String> {
        None
    }
    /// The answer to a request no route of the provider serves (its path
    /// matches none), as the provider answers an unknown route. The default:
    /// a plain-text 404 naming the routes served.
    fn unrouted(&self, _call: &Call<'_>, _method: &str, _path: &str) -> Option<Reply> {
        None
    }
    /// The answer to a method a route's path does not take, as the provider
    /// answers it (`Allow` is added). The default: a plain-text 405.
    fn wrong_method(&self, _call: &Call<'_>, _method: &str, _path: &str) -> Option<Reply> {
        None
    }
}

/// A windowed request quota ([`Simulator::set_quota`](super::Simulator::set_quota)):
/// at most `limit` requests of the API (the token endpoint aside) in each
/// window, the windows aligned on Unix time (a window of a minute starts on
/// the minute). One group for all of the provider's routes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Quota {
    pub limit: u64,
    pub window: Duration,
    /// The current window (its index since the Unix epoch) and the requests
    /// answered in it.
    current: u128,
    used: u64,
    /// Requests answered 429 because the quota was spent.
    pub refused: u64,
}

impl Quota {
    pub fn new(limit: u64, window: Duration) -> Quota {
        Quota {
            limit,
            window: window.max(Duration::from_millis(1)),
            current: 0,
            used: 0,
            refused: 0,
        }
    }

    /// Counts a request at `now`: `(admitted, remaining after it, the window's
    /// end as a Unix time in whole seconds rounded up, the time until then)`.
    fn take(&mut self, now: SystemTime) -> (bool, u64, u64, Duration) {
        let since = now
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        let window = self.window.as_nanos();
        let index = since.as_nanos() / window;
        if index != self.current {
            self.current = index;
            self.used = 0;
        }
        let end_nanos = (index + 1) * window;
        let end = Duration::new(
            u64::try_from(end_nanos / 1_000_000_000).unwrap_or(u64::MAX),
            u32::try_from(end_nanos % 1_000_000_000).unwrap_or(0),
        );
        let reset = end.as_secs() + u64::from(end.subsec_nanos() > 0);
        let wait = end.saturating_sub(since);
        let admitted = self.used < self.limit;
        if admitted {
            self.used += 1;
        } else {
            self.refused += 1;
        }
        (admitted, self.limit - self.used, reset, wait)
    }
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
    /// The login seeded with the user, for providers that serve one (else
    /// they derive one from the id).
    pub login: Option<String>,
    /// The email address seeded with the user, likewise.
    pub email: Option<String>,
}

/// An accepted bearer token.
#[derive(Clone)]
pub(crate) struct TokenRecord {
    pub organization: String,
    pub permitted: bool,
    /// When the token stops being accepted (`None`: never, as the static
    /// tokens of `add_token`).
    pub expires: Option<Instant>,
    /// Issued by the token endpoint (what `revoke_tokens` revokes).
    pub issued: bool,
    /// Whether the provider's API takes it at all (Zitadel: only a token
    /// issued with the API's audience scope).
    pub for_api: bool,
}

impl TokenRecord {
    /// A static token (`add_token`): no expiry, for the API.
    pub fn lasting(organization: String, permitted: bool) -> TokenRecord {
        TokenRecord {
            organization,
            permitted,
            expires: None,
            issued: false,
            for_api: true,
        }
    }

    /// Whether the API accepts the token at `now`.
    fn usable(&self, now: Instant) -> bool {
        self.for_api && self.expires.is_none_or(|at| now < at)
    }
}

/// A client registered with the token endpoint: a confidential client with a
/// secret, or one that authenticates with a private key JWT.
pub(crate) struct ClientRecord {
    /// The organization its tokens act in (Keycloak: the realm of the path).
    pub organization: String,
    /// Its secret; `None` for a private key JWT client.
    pub secret: Option<String>,
    /// Its public key; `None` for a client with a secret.
    pub key: Option<ClientKey>,
}

/// The public key of a private key JWT client.
pub(crate) struct ClientKey {
    pub key: jsonwebtoken::DecodingKey,
    /// The `kid` its assertions must carry, when registered with one.
    pub id: Option<String>,
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
    /// `http://127.0.0.1:PORT`: where clients call the simulator.
    pub origin: String,
    /// The clients of the token endpoint, by client id.
    pub clients: HashMap<String, ClientRecord>,
    /// The `jti` of every client assertion accepted, with its `exp` (Unix
    /// seconds): a second use is a replay.
    assertion_ids: HashMap<String, u64>,
    /// The lifetime of tokens issued from now on (`None`: the provider's).
    pub token_lifetime: Option<Duration>,
    /// Requests that reached the token endpoint.
    pub token_requests: usize,
    /// The API's request quota, if the test set one.
    pub quota: Option<Quota>,
    /// The provider's usual limit ([`Simulate::default_rate_limit`]),
    /// counted without refusing, for its rate-limit headers.
    usual_quota: Option<Quota>,
    /// Whether `/_userbridge/...` is the admin interface (a standalone
    /// simulator's).
    pub admin: bool,
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
    /// The path as sent (still percent-encoded).
    pub path: &'a str,
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
    pub fn new(
        provider: Provider,
        sim: &'static dyn Simulate,
        hangups: Arc<Hangups>,
        origin: String,
    ) -> State {
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
            origin,
            clients: HashMap::new(),
            assertion_ids: HashMap::new(),
            token_lifetime: None,
            token_requests: 0,
            quota: None,
            usual_quota: None,
            admin: false,
        }
    }

    fn authenticate(&self, headers: &HeaderMap) -> Auth {
        let Some(value) = headers.get(http::header::AUTHORIZATION) else {
            return Auth::Missing;
        };
        // A request signed with AWS Signature Version 4 is the access key
        // id's, which the simulator accepts as it accepts tokens.
        let Some(token) = value
            .to_str()
            .ok()
            .and_then(|v| bearer(v).or_else(|| sigv4_access_key(v)))
        else {
            return Auth::Malformed;
        };
        match self.accepted_token(token) {
            Some(record) => Auth::Token(record),
            None => Auth::Unknown,
        }
    }

    /// The record of `token` if the API accepts it now: known, not expired,
    /// for the API. Expired and revoked tokens are unknown, as they are to a
    /// provider.
    pub fn accepted_token(&self, token: &str) -> Option<TokenRecord> {
        self.tokens
            .get(token)
            .filter(|record| record.usable(Instant::now()))
            .cloned()
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

    /// Adds (or replaces) a user in a generic state.
    pub fn add_user(&mut self, id: String, organization: String, state: UserState) {
        let now = SystemTime::now();
        let record = UserRecord {
            organization,
            state,
            // Created (1), then deactivated (2) when added inactive.
            sequence: if state == UserState::Active { 1 } else { 2 },
            created: now,
            deactivated_at: (state == UserState::Deactivated).then_some(now),
            status: first_status(self.sim, state),
            locked_out: false,
            login: None,
            email: None,
        };
        self.users.insert(id, record);
    }

    /// Adds (or replaces) a user in the state a seed word names (see
    /// [`seed_word`]), with its login and email if given.
    pub fn seed(
        &mut self,
        id: &str,
        organization: String,
        word: &str,
        login: Option<String>,
        email: Option<String>,
    ) -> Result<(), String> {
        let Some(seed) = seed_word(self.sim, word) else {
            return Err(format!(
                "user `{id}`: `{word}` is not a state of the {} simulator; it has: {}",
                self.provider,
                state_words(self.sim).join(", ")
            ));
        };
        match seed.base {
            SeedBase::Generic(state) => self.add_user(id.to_string(), organization, state),
            SeedBase::Status(status) => {
                let generic = self
                    .sim
                    .statuses()
                    .iter()
                    .find(|(w, _)| *w == status)
                    .map_or(UserState::Active, |(_, s)| *s);
                self.add_user(id.to_string(), organization, generic);
                self.set_status(id, status);
            }
        }
        if let Some(user) = self.users.get_mut(id) {
            user.locked_out = seed.locked_out;
            user.login = login;
            user.email = email;
        }
        Ok(())
    }

    /// A user's state as a seed word: `locked-out`, `disabled+locked-out`.
    pub fn state_word(&self, user: &UserRecord) -> String {
        let base = match user.status {
            Some(status) => kebab(status),
            None => match user.state {
                UserState::Active => self.sim.active_label().to_string(),
                UserState::Deactivated => self.sim.inactive_label().to_string(),
            },
        };
        match self.sim.lockout_word() {
            Some(lockout) if user.locked_out && user.state == UserState::Active => {
                lockout.to_string()
            }
            Some(lockout) if user.locked_out => format!("{base}+{lockout}"),
            _ => base,
        }
    }

    /// Handles one request end to end.
    fn handle(&mut self, request: &Request) -> ResponseTemplate {
        if self.admin && is_admin_path(request.url.path()) {
            return self.admin(request).into_template();
        }
        self.counter += 1;
        let call = Call {
            auth: self.authenticate(&request.headers),
            body: &request.body,
            query: request.url.query().unwrap_or_default(),
            path: request.url.path(),
            headers: &request.headers,
            request_id: request_id(self.counter),
            now: SystemTime::now(),
        };
        // A token request names no user: only `fail_next` failures reach it.
        let token_call = self.token_path(request.url.path()).is_some();
        if token_call {
            self.token_requests += 1;
        }
        let captures = self.captures(request);
        let failure = self.next_failure(captures.as_ref());
        let mut delay = None;
        // The quota counts the API's requests, the token endpoint aside.
        let quota = if token_call {
            None
        } else {
            self.quota.as_mut().map(|q| (q.limit, q.take(call.now)))
        };
        // Without a quota, a provider that sends its rate-limit headers on
        // every answer counts against its usual limit, refusing nothing.
        let usual = match (token_call, &quota, self.sim.default_rate_limit()) {
            (false, None, Some((limit, window))) => {
                let (_, remaining, reset, _) = self
                    .usual_quota
                    .get_or_insert_with(|| Quota::new(limit, window))
                    .take(call.now);
                Some((limit, remaining, reset))
            }
            _ => None,
        };
        let reply = match failure {
            None => match quota {
                Some((limit, (false, _, reset, wait))) => {
                    self.over_quota(&call, limit, reset, wait)
                }
                _ => self.route(&call, request),
            },
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
                    self.record(request, 0, token_call);
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
        let reply = match (quota, usual, self.sim.quota_headers()) {
            (Some((limit, (true, remaining, reset, _))), _, Some(names)) => {
                quota_headers(reply, names, limit, remaining, reset)
            }
            // An injected 429 keeps its own (remaining 0).
            (None, Some((limit, remaining, reset)), Some(names))
                if !reply
                    .headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case(names[0])) =>
            {
                quota_headers(reply, names, limit, remaining, reset)
            }
            _ => reply,
        };
        self.record(request, reply.sent_status(), token_call);
        let template = reply.into_template();
        match delay {
            Some(wait) => template.set_delay(wait),
            None => template,
        }
    }

    /// The provider's 429 for a request over the quota: its rate-limit headers
    /// (remaining 0, the window's reset), or `Retry-After` for a provider that
    /// has none.
    fn over_quota(&self, call: &Call<'_>, limit: u64, reset: u64, wait: Duration) -> Reply {
        let reply = self.sim.failure(
            call,
            Fault::RateLimited {
                retry_after_secs: Some(whole_seconds(wait)),
            },
        );
        match self.sim.quota_headers() {
            Some(names) => quota_headers(reply, names, limit, 0, reset),
            None => with_retry_headers(reply, wait),
        }
    }

    /// `segments` without the empty last one of a trailing slash, for a
    /// provider that serves `/users/` as `/users` ([`Simulate::trailing_slash`]).
    fn without_trailing_slash(&self, mut segments: Vec<String>) -> Vec<String> {
        if self.sim.trailing_slash()
            && segments.len() > 1
            && segments.last().is_some_and(String::is_empty)
        {
            segments.pop();
        }
        segments
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
            .and_then(decode_segments)
            .map(|segments| self.without_trailing_slash(segments))?;
        let (route, mut captures) = self
            .sim
            .routes()
            .iter()
            .find_map(|route| Some((route, route.capture(&segments)?)))?;
        if captures.user_id.is_empty() {
            if let Some(named) = self.sim.named_user(route, &request.body) {
                captures.user_id = named;
            }
        }
        Some(captures)
    }

    /// The provider's answer to a method and path: its token endpoint, routed
    /// first, or one of its routes.
    fn route(&mut self, call: &Call<'_>, request: &Request) -> Reply {
        if let Some(organization) = self.token_path(request.url.path()) {
            return self.token(call, request, organization);
        }
        let sim = self.sim;
        let routes = sim.routes();
        let base_path = sim.base_path();
        let path = request.url.path();
        let segments = path
            .strip_prefix(base_path)
            .and_then(decode_segments)
            .map(|segments| self.without_trailing_slash(segments));
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
            if let Some(reply) = sim.unrouted(call, request.method.as_str(), path) {
                return reply;
            }
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
            if let Some(reply) = sim.wrong_method(call, method, path) {
                return reply.header("allow", allow.join(", "));
            }
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
        match sim.body_captures(&request.body) {
            Some(named) => sim.answer(self, call, route, &named),
            None => sim.answer(self, call, route, captures),
        }
    }

    /// Records a request as received (credentials redacted: the
    /// `Authorization` headers, and a token request's `client_secret`).
    fn record(&mut self, request: &Request, status: u16, token_call: bool) {
        let headers = request
            .headers
            .iter()
            .filter(|(name, _)| name.as_str() != CONNECTION_HEADER)
            .map(|(name, value)| {
                let shown = if name == http::header::AUTHORIZATION
                    || name == http::header::PROXY_AUTHORIZATION
                {
                    redact(value)
                } else if SECRET_HEADERS.contains(&name.as_str()) {
                    "<redacted>".to_string()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name.as_str().to_string(), shown)
            })
            .collect();
        self.requests.push(ReceivedRequest {
            method: request.method.as_str().to_string(),
            path: request.url.path().to_string(),
            query: request.url.query().unwrap_or_default().to_string(),
            headers,
            body: if token_call {
                redact_client_secret(&request.body)
            } else {
                request.body.clone()
            },
            status,
        });
    }
}

// ------------------------------------------------------------ seed words

/// What a seed word's main part names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SeedBase {
    Generic(UserState),
    /// One of the provider's own statuses ([`Simulate::statuses`]).
    Status(&'static str),
}

/// A seed word read: its state, and whether the user is locked out besides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seed {
    base: SeedBase,
    locked_out: bool,
}

/// Lower case, `_` as `-`, no spaces around `+`: `LOCKED_OUT` is `locked-out`.
pub(crate) fn kebab(word: &str) -> String {
    word.trim()
        .to_ascii_lowercase()
        .replace('_', "-")
        .split('+')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("+")
}

/// Reads a seed word of `sim`: one of its own statuses (a word with `+`,
/// Auth0's `blocked+brute-force-blocked`, in any order of its parts), or
/// `active` / `deactivated` / the provider's own words for them, possibly
/// joined with its lockout word (`disabled+locked-out`; the lockout word
/// alone is an active user locked out). Case-insensitive, `_` as `-`.
fn seed_word(sim: &dyn Simulate, word: &str) -> Option<Seed> {
    let wanted = kebab(word);
    let sorted = |w: &str| {
        let mut parts: Vec<String> = w.split('+').map(str::to_string).collect();
        parts.sort();
        parts
    };
    if let Some((status, _)) = sim
        .statuses()
        .iter()
        .find(|(status, _)| sorted(&kebab(status)) == sorted(&wanted))
    {
        return Some(Seed {
            base: SeedBase::Status(status),
            locked_out: false,
        });
    }
    let single = |part: &str| -> Option<SeedBase> {
        if let Some((status, _)) = sim.statuses().iter().find(|(s, _)| kebab(s) == part) {
            return Some(SeedBase::Status(status));
        }
        if part == "active" || part == sim.active_label() {
            Some(SeedBase::Generic(UserState::Active))
        } else if part == "deactivated" || part == kebab(sim.inactive_label()) {
            Some(SeedBase::Generic(UserState::Deactivated))
        } else {
            None
        }
    };
    let mut base = None;
    let mut locked_out = false;
    for part in wanted.split('+') {
        if Some(part) == sim.lockout_word() && !locked_out {
            locked_out = true;
        } else if base.replace(single(part)?).is_some() {
            return None;
        }
    }
    let base = match base {
        Some(base) => base,
        None if locked_out => SeedBase::Generic(UserState::Active),
        None => return None,
    };
    Some(Seed { base, locked_out })
}

/// The seed words of `sim`, lower-case kebab: `active`, `deactivated`, the
/// provider's own words for them, its own statuses, its lockout word and the
/// deactivated state with it.
pub(crate) fn state_words(sim: &dyn Simulate) -> Vec<String> {
    let mut words = vec!["active".to_string(), "deactivated".to_string()];
    let own = [sim.active_label(), sim.inactive_label()]
        .into_iter()
        .chain(sim.statuses().iter().map(|(word, _)| *word));
    for word in own {
        let word = kebab(word);
        if !words.contains(&word) {
            words.push(word);
        }
    }
    if let Some(lockout) = sim.lockout_word() {
        words.push(lockout.to_string());
        words.push(format!("{}+{lockout}", kebab(sim.inactive_label())));
    }
    words
}

// ------------------------------------------------------------ admin interface

/// The admin interface's path prefix (a standalone simulator's).
pub(crate) const ADMIN_PREFIX: &str = "/_userbridge";

fn is_admin_path(path: &str) -> bool {
    path == ADMIN_PREFIX
        || path
            .strip_prefix(ADMIN_PREFIX)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// One user of `POST /_userbridge/users`, as in `--users`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AdminUser {
    id: String,
    state: String,
    #[serde(default)]
    login: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// One or many users.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum AdminUsers {
    One(AdminUser),
    Many(Vec<AdminUser>),
}

/// The body of `POST /_userbridge/failures`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AdminFailure {
    failure: String,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    times: Option<usize>,
    #[serde(default)]
    retry_after_secs: Option<f64>,
    #[serde(default)]
    delay_ms: Option<u64>,
}

/// The failure words of the admin interface.
const FAILURE_WORDS: &str =
    "rate-limit, unavailable, server-error, bad-gateway, slow, reset, malformed";

fn admin_error(status: u16, message: String) -> Reply {
    Reply::json(status, &serde_json::json!({ "error": message }))
}

impl State {
    /// The admin interface (see `mock::standalone`): users, failures, the
    /// request record. Never recorded, never failed, no token.
    fn admin(&mut self, request: &Request) -> Reply {
        let path = request.url.path().trim_end_matches('/');
        let route = path.strip_prefix(ADMIN_PREFIX).unwrap_or_default();
        let method = request.method.as_str().to_ascii_uppercase();
        match (method.as_str(), route) {
            ("GET", "/users") => {
                let users: Vec<Value> = self
                    .users
                    .iter()
                    .map(|(id, user)| {
                        let mut entry = serde_json::json!({
                            "id": id,
                            "state": self.state_word(user),
                            "organization": user.organization,
                        });
                        if let Some(fields) = entry.as_object_mut() {
                            if let Some(login) = &user.login {
                                fields.insert("login".into(), login.clone().into());
                            }
                            if let Some(email) = &user.email {
                                fields.insert("email".into(), email.clone().into());
                            }
                        }
                        entry
                    })
                    .collect();
                Reply::json(200, &users)
            }
            ("POST", "/users") => self.admin_add_users(&request.body),
            ("POST", "/failures") => self.admin_queue_failure(&request.body),
            ("DELETE", "/failures") => {
                self.failures.clear();
                self.targeted.clear();
                Reply::empty(204)
            }
            ("GET", "/requests") => {
                let record: Vec<Value> = self.requests.iter().map(admin_request).collect();
                Reply::json(200, &record)
            }
            ("DELETE", "/requests") => {
                self.requests.clear();
                Reply::empty(204)
            }
            (_, "/users" | "/failures" | "/requests") => admin_error(
                405,
                format!(
                    "{method} is not served on {path}: GET/POST /_userbridge/users, \
                     POST/DELETE /_userbridge/failures, GET/DELETE /_userbridge/requests"
                ),
            ),
            _ => admin_error(
                404,
                format!(
                    "no admin route {path}: GET/POST /_userbridge/users, POST/DELETE \
                     /_userbridge/failures, GET/DELETE /_userbridge/requests"
                ),
            ),
        }
    }

    fn admin_add_users(&mut self, body: &[u8]) -> Reply {
        let users = match serde_json::from_slice::<AdminUsers>(body) {
            Ok(AdminUsers::One(user)) => vec![user],
            Ok(AdminUsers::Many(users)) => users,
            Err(e) => {
                return admin_error(
                    400,
                    format!(
                        "the body is not a user {{\"id\", \"state\", \"login\"?, \"email\"?}} \
                         nor an array of them ({e}); states: {}",
                        state_words(self.sim).join(", ")
                    ),
                )
            }
        };
        // All checked before any is added.
        for user in &users {
            if user.id.trim().is_empty() {
                return admin_error(400, "a user has an empty id".into());
            }
            if seed_word(self.sim, &user.state).is_none() {
                return admin_error(
                    400,
                    format!(
                        "user `{}`: `{}` is not a state of the {} simulator; it has: {}",
                        user.id,
                        user.state,
                        self.provider,
                        state_words(self.sim).join(", ")
                    ),
                );
            }
        }
        let organization = self.sim.default_organization().to_string();
        let added = users.len();
        for user in users {
            if let Err(why) = self.seed(
                &user.id,
                organization.clone(),
                &user.state,
                user.login,
                user.email,
            ) {
                return admin_error(400, why);
            }
        }
        Reply::json(201, &serde_json::json!({ "added": added }))
    }

    fn admin_queue_failure(&mut self, body: &[u8]) -> Reply {
        let asked = match serde_json::from_slice::<AdminFailure>(body) {
            Ok(asked) => asked,
            Err(e) => {
                return admin_error(
                    400,
                    format!(
                        "the body is not {{\"failure\", \"user\"?, \"times\"?, \
                         \"retry_after_secs\"?, \"delay_ms\"?}} ({e}); failures: {FAILURE_WORDS}"
                    ),
                )
            }
        };
        let failure = match kebab(&asked.failure).as_str() {
            "rate-limit" => {
                let retry_after = match asked.retry_after_secs {
                    None => None,
                    Some(secs) => match Duration::try_from_secs_f64(secs) {
                        Ok(wait) => Some(wait),
                        Err(_) => {
                            return admin_error(
                                400,
                                format!(
                                    "retry_after_secs {secs} is not a number of seconds \
                                     (0 or more)"
                                ),
                            )
                        }
                    },
                };
                Failure::TooManyRequests { retry_after }
            }
            "unavailable" => Failure::ServiceUnavailable,
            "server-error" => Failure::ServerError,
            "bad-gateway" => Failure::BadGateway,
            "slow" => Failure::Slow(Duration::from_millis(asked.delay_ms.unwrap_or(1000))),
            "reset" => Failure::ConnectionReset,
            "malformed" => Failure::MalformedBody,
            other => {
                return admin_error(
                    400,
                    format!("`{other}` is not a failure; failures: {FAILURE_WORDS}"),
                )
            }
        };
        let times = asked.times.unwrap_or(1);
        match asked.user {
            Some(user) if user.is_empty() => {
                return admin_error(400, "`user` is empty; leave it out for any request".into())
            }
            Some(user) => {
                if times > 0 {
                    self.targeted
                        .entry(user)
                        .or_default()
                        .extend(std::iter::repeat_n(failure, times));
                }
            }
            None => self.failures.extend(std::iter::repeat_n(failure, times)),
        }
        Reply::json(201, &serde_json::json!({ "queued": times }))
    }
}

/// A recorded request as the admin interface shows it: credentials read
/// `[redacted]`.
fn admin_request(request: &ReceivedRequest) -> Value {
    let mut headers = serde_json::Map::new();
    for (name, value) in &request.headers {
        let value = value.replace("<redacted>", "[redacted]");
        match headers.get_mut(name) {
            Some(Value::String(earlier)) => {
                earlier.push_str(", ");
                earlier.push_str(&value);
            }
            _ => {
                headers.insert(name.clone(), Value::String(value));
            }
        }
    }
    serde_json::json!({
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "headers": headers,
        "body": request.body_text().replace("<redacted>", "[redacted]"),
        "status": request.status,
    })
}

// ------------------------------------------------------------ token endpoints

/// The `grant_type` the token endpoints take (RFC 6749 §4.4).
pub(crate) const CLIENT_CREDENTIALS: &str = "client_credentials";
/// The `client_assertion_type` of a private key JWT (RFC 7523 §2.2).
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The `grant_type` of the JWT bearer grant (RFC 7523 §2.1).
pub(crate) use crate::credentials::JWT_BEARER_GRANT;

/// A provider's OAuth 2.0 token endpoint (the client-credentials grant) as its
/// simulator serves it. The core reads the request, checks the grant type,
/// authenticates the client and issues the token; the provider says where the
/// endpoint is, what it requires beyond an authenticated client, and how it
/// answers, in its own shape.
pub(crate) trait TokenService: Sync {
    /// The endpoint's path from the server root (not under
    /// [`Simulate::base_path`]); `{org}` is a realm or tenant.
    fn path(&self) -> &'static [&'static str];
    /// The `{org}` of the simulator's own token URL.
    fn default_path_organization(&self) -> &'static str {
        ""
    }
    /// The id of the client registered from the start.
    fn default_client_id(&self) -> &'static str;
    /// The lifetime of issued tokens unless the test sets one.
    fn default_lifetime(&self) -> Duration;
    /// Whether clients may authenticate with a secret (Okta's service apps
    /// may not).
    fn takes_secrets(&self) -> bool {
        true
    }
    /// Whether the endpoint takes the JWT bearer grant (RFC 7523 §2.1: a
    /// Google service account's signed assertion, `iss` = the client, the
    /// scopes in its `scope` claim, `sub` = the user acted as). The core then
    /// verifies the assertion ([`State::verify_grant_assertion`]) and hands
    /// [`TokenService::grant`] a form with its `scope` and `sub`.
    fn takes_jwt_bearer_grant(&self) -> bool {
        false
    }
    /// Whether a JSON body is read as well as a form (Auth0).
    fn takes_json(&self) -> bool {
        false
    }
    /// Whether a client assertion must carry a `jti`. One that carries one is
    /// refused the second time in any case.
    fn requires_jti(&self) -> bool {
        false
    }
    /// How far in the future a client assertion's `exp` may be.
    fn max_assertion_lifetime(&self) -> Option<Duration> {
        None
    }
    /// The `aud` values a client assertion may name.
    fn audiences(&self, at: &Endpoint) -> Vec<String>;
    /// Refuses a request before it is read (Keycloak: an unknown realm).
    fn open(&self, _state: &State, _at: &Endpoint) -> Result<(), Reply> {
        Ok(())
    }
    /// What an authenticated client gets (its token's organization and
    /// permission, the scope granted), or the provider's refusal of what it
    /// asked for (an audience, scopes).
    fn grant(
        &self,
        call: &Call<'_>,
        at: &Endpoint,
        form: &TokenForm,
        client: &AuthenticatedClient,
    ) -> Result<Grant, Reply>;
    /// The body of a success.
    fn issued(&self, token: &Issued<'_>) -> Value;
    /// The provider's answer to a refused request.
    fn refused(&self, call: &Call<'_>, at: &Endpoint, refusal: &Refusal) -> Reply;
}

/// The token endpoint as the client called it.
pub(crate) struct Endpoint {
    /// `http://host:port`, from the request's `Host` (the simulator's own
    /// address without one).
    pub origin: String,
    /// The origin and the provider's server path: the base URL clients use.
    pub base_url: String,
    /// The full URL of the token endpoint called (its path as sent).
    pub url: String,
    /// The realm or tenant the path names (decoded), if it names one.
    pub organization: Option<String>,
}

/// A token request's parameters: the form, or (Auth0) a JSON object.
pub(crate) struct TokenForm {
    params: Vec<(String, String)>,
}

impl TokenForm {
    /// Reads the body: a form (`application/x-www-form-urlencoded`, also
    /// without a content type), or a JSON object where `json` allows one. Any
    /// other body has no parameters.
    fn read(call: &Call<'_>, json: bool) -> TokenForm {
        let content_type = call
            .header("content-type")
            .map(|c| c.to_ascii_lowercase())
            .unwrap_or_default();
        let params = if json && content_type.starts_with("application/json") {
            match serde_json::from_slice::<Value>(call.body) {
                Ok(Value::Object(fields)) => fields
                    .into_iter()
                    .filter_map(|(k, v)| match v {
                        Value::String(s) => Some((k, s)),
                        Value::Number(n) => Some((k, n.to_string())),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        } else if content_type.is_empty()
            || content_type.starts_with("application/x-www-form-urlencoded")
        {
            form_urlencoded::parse(call.body).into_owned().collect()
        } else {
            Vec::new()
        };
        TokenForm { params }
    }

    /// The first value of `name`, unless empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The scopes asked for (`scope`, space-separated).
    pub fn scopes(&self) -> Vec<&str> {
        self.get("scope")
            .map(|s| s.split_whitespace().collect())
            .unwrap_or_default()
    }
}

/// A client the endpoint authenticated.
pub(crate) struct AuthenticatedClient {
    /// Its organization (the simulator's, unless registered otherwise).
    pub organization: String,
}

/// What a token is issued for.
pub(crate) struct Grant {
    /// The organization the token acts in.
    pub organization: String,
    /// Whether it may reactivate users (it may always read them).
    pub permitted: bool,
    /// Whether the provider's API takes it at all (Zitadel: the API's
    /// audience scope was asked for).
    pub for_api: bool,
    /// The `scope` of the answer, for providers that send one.
    pub scope: Option<String>,
}

/// An issued token, for the success body.
pub(crate) struct Issued<'a> {
    pub access_token: &'a str,
    /// Whole seconds, rounded up, at least 1.
    pub expires_in: u64,
    pub scope: Option<&'a str>,
}

/// Why the core refused a token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A required parameter is missing: `grant_type`, `client_id` (no client
    /// authentication at all) or `client_assertion`.
    Missing(&'static str),
    /// A grant type other than `client_credentials`.
    UnsupportedGrant(String),
    /// An `Authorization: Basic` header that cannot be read.
    BadBasic,
    /// No client has this id.
    UnknownClient(String),
    /// The client sent no secret.
    NoSecret(String),
    /// A secret that is not the client's.
    WrongSecret(String),
    /// A secret where none is taken: the provider takes none (Okta), or the
    /// client authenticates with a private key JWT.
    SecretNotAllowed(String),
    /// A client assertion the endpoint refuses; `client`: the client it names
    /// (empty when it names none).
    Assertion {
        client: String,
        fault: AssertionFault,
    },
}

/// What is wrong with a client assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AssertionFault {
    /// `client_assertion_type` is not [`JWT_BEARER`] (as sent; empty when
    /// missing).
    BadType(String),
    /// Not a JWT, or without `sub`.
    Malformed,
    /// `iss` is not `sub`.
    IssuerMismatch,
    /// A `client_id` parameter that is not the assertion's `sub`.
    ClientMismatch,
    /// Its signature does not verify with the client's key (or the client
    /// has no key).
    Signature,
    /// Its `kid` is not the one the client was registered with.
    KeyId,
    /// Its `aud` is none the endpoint takes.
    Audience { got: String, expected: Vec<String> },
    /// No `exp`.
    NoExpiry,
    /// `exp` has passed.
    Expired,
    /// `exp` is further ahead than the provider allows.
    TooLong,
    /// No `jti` where the provider requires one.
    NoId,
    /// A `jti` seen before.
    Replayed,
}

impl State {
    /// The realm or tenant a token endpoint path names (`Some(None)`: the
    /// path names none), or `None` when `path` is not the provider's token
    /// endpoint.
    fn token_path(&self, path: &str) -> Option<Option<String>> {
        let want = self.sim.tokens()?.path();
        let got = decode_segments(path)?;
        if got.len() != want.len() {
            return None;
        }
        let mut organization = None;
        for (want, got) in want.iter().zip(&got) {
            match *want {
                "{org}" if !got.is_empty() => organization = Some(got.clone()),
                literal if literal == got => {}
                _ => return None,
            }
        }
        Some(organization)
    }

    /// The simulator's own token URL, if the provider has a token endpoint.
    pub fn token_url(&self) -> Option<String> {
        let tokens = self.sim.tokens()?;
        let path: Vec<String> = tokens
            .path()
            .iter()
            .map(|s| match *s {
                "{org}" => {
                    crate::transport::path_segment(tokens.default_path_organization()).to_string()
                }
                literal => literal.to_string(),
            })
            .collect();
        Some(format!("{}/{}", self.origin, path.join("/")))
    }

    /// One token request, end to end: the endpoint, the method, the grant
    /// type, the client, the provider's checks, the token.
    fn token(&mut self, call: &Call<'_>, request: &Request, organization: Option<String>) -> Reply {
        let Some(tokens) = self.sim.tokens() else {
            return Reply::text(
                404,
                format!(
                    "userbridge simulator of {}: no token endpoint",
                    self.provider
                ),
            );
        };
        let origin = call
            .header("host")
            .filter(|h| !h.contains(['/', ' ', '@']))
            .map_or_else(|| self.origin.clone(), |host| format!("http://{host}"));
        let at = Endpoint {
            base_url: format!("{origin}{}", self.sim.base_path()),
            url: format!("{origin}{}", request.url.path()),
            origin,
            organization,
        };
        if let Err(reply) = tokens.open(self, &at) {
            return reply;
        }
        if !request.method.as_str().eq_ignore_ascii_case("POST") {
            return Reply::text(
                405,
                format!(
                    "userbridge simulator of {}: method {} not allowed on the token endpoint {}; \
                     it takes POST",
                    self.provider, request.method, at.url
                ),
            )
            .header("allow", "POST");
        }
        let mut form = TokenForm::read(call, tokens.takes_json());
        let client = match form.get("grant_type") {
            None => return tokens.refused(call, &at, &Refusal::Missing("grant_type")),
            Some(CLIENT_CREDENTIALS) => match self.authenticate_client(tokens, call, &at, &form) {
                Ok(client) => client,
                Err(refusal) => return tokens.refused(call, &at, &refusal),
            },
            Some(JWT_BEARER_GRANT) if tokens.takes_jwt_bearer_grant() => {
                match self.verify_grant_assertion(tokens, call, &at, &form) {
                    Ok((client, claims)) => {
                        form = claims;
                        client
                    }
                    Err(refusal) => return tokens.refused(call, &at, &refusal),
                }
            }
            Some(other) => {
                let refusal = Refusal::UnsupportedGrant(other.to_string());
                return tokens.refused(call, &at, &refusal);
            }
        };
        let grant = match tokens.grant(call, &at, &form, &client) {
            Ok(grant) => grant,
            Err(reply) => return reply,
        };
        let lifetime = self.token_lifetime.unwrap_or(tokens.default_lifetime());
        let now = Instant::now();
        self.tokens
            .retain(|_, t| t.expires.is_none_or(|at| now < at) || !t.issued);
        let access_token = new_token(self.counter);
        self.tokens.insert(
            access_token.clone(),
            TokenRecord {
                organization: grant.organization,
                permitted: grant.permitted,
                // A lifetime past what `Instant` holds never ends.
                expires: now.checked_add(lifetime),
                issued: true,
                for_api: grant.for_api,
            },
        );
        let body = tokens.issued(&Issued {
            access_token: &access_token,
            expires_in: whole_seconds(lifetime).max(1),
            scope: grant.scope.as_deref(),
        });
        Reply::json(200, &body)
            .header("cache-control", "no-store")
            .header("pragma", "no-cache")
    }

    /// The client of a token request: a private key JWT when the request
    /// carries a client assertion, else a secret in HTTP Basic (which wins
    /// over the form) or in the form.
    fn authenticate_client(
        &mut self,
        tokens: &dyn TokenService,
        call: &Call<'_>,
        at: &Endpoint,
        form: &TokenForm,
    ) -> Result<AuthenticatedClient, Refusal> {
        let basic = match call.header("authorization") {
            Some(value) if is_scheme(value, "basic") => {
                Some(basic_credentials(value).ok_or(Refusal::BadBasic)?)
            }
            _ => None,
        };
        if form.get("client_assertion").is_some() || form.get("client_assertion_type").is_some() {
            return self.verify_assertion(tokens, call, at, form);
        }
        let (id, secret) = match basic {
            Some((id, secret)) => (Some(id), Some(secret)),
            None => (
                form.get("client_id").map(str::to_string),
                form.get("client_secret").map(str::to_string),
            ),
        };
        let Some(id) = id.filter(|id| !id.is_empty()) else {
            return Err(Refusal::Missing("client_id"));
        };
        let Some(client) = self.clients.get(&id) else {
            return Err(Refusal::UnknownClient(id));
        };
        let Some(expected) = client.secret.as_deref().filter(|_| tokens.takes_secrets()) else {
            return Err(Refusal::SecretNotAllowed(id));
        };
        let Some(secret) = secret.filter(|s| !s.is_empty()) else {
            return Err(Refusal::NoSecret(id));
        };
        if !same_secret(&secret, expected) {
            return Err(Refusal::WrongSecret(id));
        }
        Ok(AuthenticatedClient {
            organization: client.organization.clone(),
        })
    }

    /// A private key JWT (RFC 7523 §3): its type, its claims, the client it
    /// names, its `kid` and signature (RS256, the client's key), its `aud`,
    /// `exp` and `jti`, in that order.
    fn verify_assertion(
        &mut self,
        tokens: &dyn TokenService,
        call: &Call<'_>,
        at: &Endpoint,
        form: &TokenForm,
    ) -> Result<AuthenticatedClient, Refusal> {
        let refuse = |client: &str, fault| Refusal::Assertion {
            client: client.to_string(),
            fault,
        };
        let kind = form.get("client_assertion_type").unwrap_or_default();
        if kind != JWT_BEARER {
            return Err(refuse("", AssertionFault::BadType(kind.to_string())));
        }
        let Some(jwt) = form.get("client_assertion") else {
            return Err(Refusal::Missing("client_assertion"));
        };
        let Ok(unverified) = jsonwebtoken::dangerous::insecure_decode::<Value>(jwt) else {
            return Err(refuse("", AssertionFault::Malformed));
        };
        let claims = unverified.claims;
        let Some(sub) = claims.get("sub").and_then(Value::as_str) else {
            return Err(refuse("", AssertionFault::Malformed));
        };
        if claims.get("iss").and_then(Value::as_str) != Some(sub) {
            return Err(refuse(sub, AssertionFault::IssuerMismatch));
        }
        if form.get("client_id").is_some_and(|id| id != sub) {
            return Err(refuse(sub, AssertionFault::ClientMismatch));
        }
        let Some(client) = self.clients.get(sub) else {
            return Err(Refusal::UnknownClient(sub.to_string()));
        };
        let organization = client.organization.clone();
        // A client with a secret has no key to verify a signature with.
        let Some(key) = &client.key else {
            return Err(refuse(sub, AssertionFault::Signature));
        };
        if key
            .id
            .as_deref()
            .is_some_and(|kid| unverified.header.kid.as_deref() != Some(kid))
        {
            return Err(refuse(sub, AssertionFault::KeyId));
        }
        if !signed_by(jwt, &key.key) {
            return Err(refuse(sub, AssertionFault::Signature));
        }
        let expected = tokens.audiences(at);
        let audiences: Vec<&str> = match claims.get("aud") {
            Some(Value::String(aud)) => vec![aud.as_str()],
            Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !audiences
            .iter()
            .any(|aud| expected.iter().any(|e| e == aud))
        {
            let got = audiences.join(", ");
            return Err(refuse(sub, AssertionFault::Audience { got, expected }));
        }
        let now = call
            .now
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let Some(exp) = claims.get("exp").and_then(Value::as_f64) else {
            return Err(refuse(sub, AssertionFault::NoExpiry));
        };
        if exp <= now {
            return Err(refuse(sub, AssertionFault::Expired));
        }
        if tokens
            .max_assertion_lifetime()
            .is_some_and(|max| exp - now > max.as_secs_f64())
        {
            return Err(refuse(sub, AssertionFault::TooLong));
        }
        match claims
            .get("jti")
            .and_then(Value::as_str)
            .filter(|j| !j.is_empty())
        {
            Some(jti) => {
                let now_secs = now as u64;
                self.assertion_ids.retain(|_, exp| *exp >= now_secs);
                let seen = format!("{sub}\n{jti}");
                if self.assertion_ids.contains_key(&seen) {
                    return Err(refuse(sub, AssertionFault::Replayed));
                }
                // Kept until it expires (a replay after that is expired too).
                self.assertion_ids.insert(seen, exp.ceil() as u64);
            }
            None if tokens.requires_jti() => return Err(refuse(sub, AssertionFault::NoId)),
            None => {}
        }
        Ok(AuthenticatedClient { organization })
    }
}

impl State {
    /// The assertion of a JWT bearer grant (RFC 7523 §3, as Google checks a
    /// service account's): the client its `iss` names (registered with
    /// [`Simulator::add_jwt_client`](super::Simulator::add_jwt_client)), its
    /// `kid` and RS256 signature (that client's key), its `aud` (one of
    /// [`TokenService::audiences`]), its `exp` (not passed, at most
    /// [`TokenService::max_assertion_lifetime`] ahead). `Ok`: the client and
    /// a form holding the assertion's `scope` and `sub`, for
    /// [`TokenService::grant`].
    fn verify_grant_assertion(
        &mut self,
        tokens: &dyn TokenService,
        call: &Call<'_>,
        at: &Endpoint,
        form: &TokenForm,
    ) -> Result<(AuthenticatedClient, TokenForm), Refusal> {
        let refuse = |client: &str, fault| Refusal::Assertion {
            client: client.to_string(),
            fault,
        };
        let Some(jwt) = form.get("assertion") else {
            return Err(Refusal::Missing("assertion"));
        };
        let Ok(unverified) = jsonwebtoken::dangerous::insecure_decode::<Value>(jwt) else {
            return Err(refuse("", AssertionFault::Malformed));
        };
        let claims = unverified.claims;
        let Some(iss) = claims.get("iss").and_then(Value::as_str) else {
            return Err(refuse("", AssertionFault::Malformed));
        };
        let Some(client) = self.clients.get(iss) else {
            return Err(Refusal::UnknownClient(iss.to_string()));
        };
        let Some(key) = &client.key else {
            return Err(refuse(iss, AssertionFault::Signature));
        };
        if key
            .id
            .as_deref()
            .is_some_and(|kid| unverified.header.kid.as_deref() != Some(kid))
        {
            return Err(refuse(iss, AssertionFault::KeyId));
        }
        if !signed_by(jwt, &key.key) {
            return Err(refuse(iss, AssertionFault::Signature));
        }
        let expected = tokens.audiences(at);
        let aud = claims
            .get("aud")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !expected.iter().any(|e| e == aud) {
            return Err(refuse(
                iss,
                AssertionFault::Audience {
                    got: aud.to_string(),
                    expected,
                },
            ));
        }
        let now = call
            .now
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let Some(exp) = claims.get("exp").and_then(Value::as_f64) else {
            return Err(refuse(iss, AssertionFault::NoExpiry));
        };
        if exp <= now {
            return Err(refuse(iss, AssertionFault::Expired));
        }
        // Google measures the lifetime from `iat`; a clock a few seconds
        // ahead of the simulator's is no fault.
        let issued = claims.get("iat").and_then(Value::as_f64).unwrap_or(now);
        if tokens
            .max_assertion_lifetime()
            .is_some_and(|max| exp - issued.min(now + 60.0) > max.as_secs_f64())
        {
            return Err(refuse(iss, AssertionFault::TooLong));
        }
        let mut params = Vec::new();
        for name in ["scope", "sub"] {
            if let Some(v) = claims.get(name).and_then(Value::as_str) {
                params.push((name.to_string(), v.to_string()));
            }
        }
        Ok((
            AuthenticatedClient {
                organization: client.organization.clone(),
            },
            TokenForm { params },
        ))
    }
}

/// Whether `jwt` is signed RS256 with `key` (its claims are checked apart).
fn signed_by(jwt: &str, key: &jsonwebtoken::DecodingKey) -> bool {
    // `jsonwebtoken` picks its crypto backend from its features; without one
    // it would panic, so an assertion is then refused instead.
    if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
        return false;
    }
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(jwt, key, &validation).is_ok()
}

/// An OAuth 2.0 error body (RFC 6749 §5.2): `{error, error_description}`.
pub(crate) fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        &serde_json::json!({ "error": error, "error_description": description }),
    )
    .header("cache-control", "no-store")
    .header("pragma", "no-cache")
}

/// Whether an `Authorization` value uses `scheme` (case-insensitive).
fn is_scheme(value: &str, scheme: &str) -> bool {
    value
        .trim()
        .split_once(' ')
        .is_some_and(|(s, _)| s.eq_ignore_ascii_case(scheme))
}

/// The client id and secret of `Authorization: Basic`: base64 of the
/// form-encoded id and secret joined by `:` (RFC 6749 §2.3.1).
fn basic_credentials(value: &str) -> Option<(String, String)> {
    let (_, encoded) = value.trim().split_once(' ')?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((form_decode(id)?, form_decode(secret)?))
}

/// `application/x-www-form-urlencoded` decoding of one value (`+` is a space).
fn form_decode(s: &str) -> Option<String> {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// Compares secrets in time that does not depend on where they differ.
fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fresh random token: 256 bits from two sources (`fastrand`, and the
/// OS-seeded keys of std's `RandomState`), hex-encoded.
pub(crate) fn new_token(salt: u64) -> String {
    let keyed = std::collections::hash_map::RandomState::new().hash_one((salt, SystemTime::now()));
    format!(
        "{:032x}{keyed:016x}{:016x}",
        fastrand::u128(..),
        fastrand::u64(..)
    )
}

/// A token request's body with the value of `client_secret` replaced by
/// `<redacted>`, everything else kept as sent (a JSON body: its
/// `client_secret` field).
fn redact_client_secret(body: &[u8]) -> Vec<u8> {
    if let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(body) {
        if fields.contains_key("client_secret") {
            fields.insert(
                "client_secret".to_string(),
                Value::String("<redacted>".to_string()),
            );
            return Value::Object(fields).to_string().into_bytes();
        }
        return body.to_vec();
    }
    let pieces: Vec<Vec<u8>> = body
        .split(|b| *b == b'&')
        .map(|piece| {
            let name = piece.split(|b| *b == b'=').next().unwrap_or_default();
            let name = String::from_utf8_lossy(name);
            let name = form_decode(&name).unwrap_or_default();
            // A client secret, and a JWT bearer grant's assertion (a
            // credential for as long as it is valid).
            if name == "client_secret" || name == "assertion" {
                format!("{name}=<redacted>").into_bytes()
            } else {
                piece.to_vec()
            }
        })
        .collect();
    pieces.join(&b'&')
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

/// Headers other than `Authorization` whose whole value is a credential.
const SECRET_HEADERS: &[&str] = &["cookie", "x-api-key", "x-auth-token"];

/// An `Authorization` value with its credentials hidden: `Bearer <redacted>`,
/// `SSWS <redacted>` (also for Okta's `SSWS<token>` without a space), else
/// `<redacted>`.
fn redact(value: &HeaderValue) -> String {
    let text = String::from_utf8_lossy(value.as_bytes());
    let text = text.trim();
    let scheme = text.split_once(' ').map(|(scheme, _)| scheme);
    if scheme.is_some_and(|s| s.eq_ignore_ascii_case("bearer")) {
        "Bearer <redacted>".to_string()
    } else if text
        .get(..4)
        .is_some_and(|s| s.eq_ignore_ascii_case("ssws"))
    {
        "SSWS <redacted>".to_string()
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

/// The access key id of an AWS Signature Version 4 `Authorization`
/// (`AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/<service>/aws4_request,
/// SignedHeaders=..., Signature=...`), if it is one with all three parts.
pub(crate) fn sigv4_access_key(value: &str) -> Option<&str> {
    let rest = value.trim().strip_prefix("AWS4-HMAC-SHA256 ")?;
    let part = |name: &str| {
        rest.split(',')
            .map(str::trim)
            .find_map(|p| p.strip_prefix(name))
            .filter(|v| !v.is_empty())
    };
    part("SignedHeaders=")?;
    part("Signature=")?;
    let credential = part("Credential=")?;
    let (id, scope) = credential.split_once('/')?;
    (scope.split('/').count() == 4 && !id.is_empty()).then_some(id)
}

/// A request id shaped like a UUID, unique within a simulator.
fn request_id(n: u64) -> String {
    format!("5e1f0000-0000-4000-8000-{:012x}", n & 0xffff_ffff_ffff)
}

/// Seconds for a `Retry-After` header or an `expires_in`, rounded up
/// (saturating: `Duration::MAX` is `u64::MAX`).
fn whole_seconds(d: Duration) -> u64 {
    d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0))
}

/// The body of [`Failure::MalformedBody`]: JSON cut off in the middle.
const MALFORMED_BODY: &[u8] = br#"{"result": {"state": "active", "upd"#;

/// How long the answer to a dropped connection is held back: far longer than
/// the front door needs to drop it.
const HANG_UP_DELAY: Duration = Duration::from_secs(30);

/// The retry hints of an injected 429: `Retry-After` in whole seconds (rounded
/// up; the header carries nothing finer) and, for a wait shorter than a second,
/// `retry-after-ms` with the exact wait, which the SDK prefers.
/// `reply` with the quota's headers in the provider's names (in place of any
/// it had).
fn quota_headers(
    mut reply: Reply,
    [limit_name, remaining_name, reset_name]: [&str; 3],
    limit: u64,
    remaining: u64,
    reset: u64,
) -> Reply {
    reply.headers.retain(|(name, _)| {
        ![limit_name, remaining_name, reset_name]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
    });
    reply
        .header(limit_name, limit.to_string())
        .header(remaining_name, remaining.to_string())
        .header(reset_name, reset.to_string())
}

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

// ------------------------------------------------------------ filter expressions

/// A filter expression as SCIM defines it (RFC 7644 §3.4.2.2) and Okta's
/// `search` and `filter` parameters take it: `attr op value` comparisons
/// (`eq ne co sw ew gt ge lt le`, `pr`), joined with `and` / `or`, `not
/// (...)` and parentheses; values are strings in double quotes, `true`,
/// `false`, `null` or numbers.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Filter {
    Compare {
        attribute: String,
        op: String,
        value: Value,
    },
    Present(String),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

impl Filter {
    /// Reads `text`; `Err` says where it stopped making sense.
    pub fn parse(text: &str) -> Result<Filter, String> {
        let tokens = filter_tokens(text)?;
        let mut at = 0;
        let filter = parse_or(&tokens, &mut at)?;
        match tokens.get(at) {
            None => Ok(filter),
            Some(token) => Err(format!("unexpected `{}` in `{text}`", token.text())),
        }
    }

    /// Whether a resource matches, `value` giving each attribute's value
    /// (`None`: it has none). Strings compare case-insensitively (SCIM's
    /// `caseExact: false`, Okta's login and email).
    pub fn matches(&self, value: &dyn Fn(&str) -> Option<Value>) -> bool {
        match self {
            Filter::Present(attribute) => {
                value(attribute).is_some_and(|v| !v.is_null() && v != Value::String(String::new()))
            }
            Filter::And(a, b) => a.matches(value) && b.matches(value),
            Filter::Or(a, b) => a.matches(value) || b.matches(value),
            Filter::Not(a) => !a.matches(value),
            Filter::Compare {
                attribute,
                op,
                value: want,
            } => {
                let got = value(attribute).unwrap_or(Value::Null);
                compare(&got, op, want)
            }
        }
    }
}

fn compare(got: &Value, op: &str, want: &Value) -> bool {
    match (got, want) {
        (Value::String(a), Value::String(b)) => {
            let (a, b) = (a.to_lowercase(), b.to_lowercase());
            match op {
                "eq" => a == b,
                "ne" => a != b,
                "co" => a.contains(&b),
                "sw" => a.starts_with(&b),
                "ew" => a.ends_with(&b),
                "gt" => a > b,
                "ge" => a >= b,
                "lt" => a < b,
                "le" => a <= b,
                _ => false,
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            match op {
                "eq" => a == b,
                "ne" => a != b,
                "gt" => a > b,
                "ge" => a >= b,
                "lt" => a < b,
                "le" => a <= b,
                _ => false,
            }
        }
        (Value::Array(items), _) => items.iter().any(|item| compare(item, op, want)),
        _ => match op {
            "eq" => got == want,
            "ne" => got != want,
            _ => false,
        },
    }
}

#[derive(Clone, Debug, PartialEq)]
enum FilterToken {
    Word(String),
    Text(String),
    Open,
    Close,
}

impl FilterToken {
    fn text(&self) -> String {
        match self {
            FilterToken::Word(w) => w.clone(),
            FilterToken::Text(t) => format!("\"{t}\""),
            FilterToken::Open => "(".into(),
            FilterToken::Close => ")".into(),
        }
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self, FilterToken::Word(w) if w.eq_ignore_ascii_case(word))
    }
}

fn filter_tokens(text: &str) -> Result<Vec<FilterToken>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                tokens.push(FilterToken::Open);
            }
            ')' => {
                chars.next();
                tokens.push(FilterToken::Close);
            }
            '"' => {
                chars.next();
                let mut value = String::new();
                loop {
                    match chars.next() {
                        None => return Err(format!("a string is not closed in `{text}`")),
                        Some('\\') => match chars.next() {
                            Some(escaped) => value.push(escaped),
                            None => return Err(format!("a string is not closed in `{text}`")),
                        },
                        Some('"') => break,
                        Some(c) => value.push(c),
                    }
                }
                tokens.push(FilterToken::Text(value));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || c == '(' || c == ')' || c == '"' {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(FilterToken::Word(word));
            }
        }
    }
    Ok(tokens)
}

fn parse_or(tokens: &[FilterToken], at: &mut usize) -> Result<Filter, String> {
    let mut left = parse_and(tokens, at)?;
    while tokens.get(*at).is_some_and(|t| t.is_word("or")) {
        *at += 1;
        let right = parse_and(tokens, at)?;
        left = Filter::Or(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn parse_and(tokens: &[FilterToken], at: &mut usize) -> Result<Filter, String> {
    let mut left = parse_one(tokens, at)?;
    while tokens.get(*at).is_some_and(|t| t.is_word("and")) {
        *at += 1;
        let right = parse_one(tokens, at)?;
        left = Filter::And(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn parse_one(tokens: &[FilterToken], at: &mut usize) -> Result<Filter, String> {
    let token = tokens
        .get(*at)
        .ok_or_else(|| "the filter ends too early".to_string())?;
    if token.is_word("not") {
        *at += 1;
        return Ok(Filter::Not(Box::new(parse_one(tokens, at)?)));
    }
    if *token == FilterToken::Open {
        *at += 1;
        let inner = parse_or(tokens, at)?;
        if tokens.get(*at) != Some(&FilterToken::Close) {
            return Err("a `(` is not closed".into());
        }
        *at += 1;
        return Ok(inner);
    }
    let FilterToken::Word(attribute) = token else {
        return Err(format!("expected an attribute, found `{}`", token.text()));
    };
    *at += 1;
    let op = match tokens.get(*at) {
        Some(FilterToken::Word(op)) => op.to_ascii_lowercase(),
        _ => return Err(format!("expected an operator after `{attribute}`")),
    };
    *at += 1;
    if op == "pr" {
        return Ok(Filter::Present(attribute.clone()));
    }
    if !["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"].contains(&op.as_str()) {
        return Err(format!("`{op}` is not an operator"));
    }
    let value = match tokens.get(*at) {
        Some(FilterToken::Text(text)) => Value::String(text.clone()),
        Some(FilterToken::Word(word)) => match word.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            number => match serde_json::from_str::<serde_json::Number>(number) {
                Ok(n) => Value::Number(n),
                Err(_) => return Err(format!("`{word}` is not a value")),
            },
        },
        _ => return Err(format!("expected a value after `{attribute} {op}`")),
    };
    *at += 1;
    Ok(Filter::Compare {
        attribute: attribute.clone(),
        op,
        value,
    })
}

/// The decoded values of query parameter `name` (`+` a space).
pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
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
    fn token_requests_are_read_and_recorded_safely() {
        // RFC 6749 §2.3.1: form-encoded, then base64 (`a:b` and `c d+`).
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("a%3Ab:c+d%2B")
        );
        assert_eq!(
            basic_credentials(&basic),
            Some(("a:b".to_string(), "c d+".to_string()))
        );
        assert_eq!(basic_credentials("Basic %%%"), None);
        assert_eq!(basic_credentials("Basic bm9jb2xvbg=="), None); // "nocolon"
        assert!(is_scheme("basic abc", "Basic"));
        assert!(!is_scheme("Bearer abc", "Basic"));
        assert_eq!(
            redact_client_secret(b"grant_type=client_credentials&client_secret=s%3D1&x=%20"),
            b"grant_type=client_credentials&client_secret=<redacted>&x=%20".to_vec()
        );
        assert_eq!(
            redact_client_secret(b"client_id=a&client_assertion=e.y.j"),
            b"client_id=a&client_assertion=e.y.j".to_vec()
        );
        let json = redact_client_secret(br#"{"client_id":"a","client_secret":"s3cr3t"}"#);
        assert!(!String::from_utf8_lossy(&json).contains("s3cr3t"));
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        let (a, b) = (new_token(1), new_token(1));
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn filters() {
        let f = Filter::parse(
            r#"profile.login eq "Ann@Example.com" and (status eq "SUSPENDED" or not (x pr))"#,
        )
        .unwrap();
        let user = |a: &str| match a {
            "profile.login" => Some(Value::String("ann@example.com".into())),
            "status" => Some(Value::String("ACTIVE".into())),
            _ => None,
        };
        assert!(f.matches(&user));
        let f = Filter::parse(r#"status eq "SUSPENDED""#).unwrap();
        assert!(!f.matches(&user));
        assert!(Filter::parse("userName eq").is_err());
        assert!(Filter::parse(r#"userName eq "x"#).is_err());
        assert!(Filter::parse("a zz 1").is_err());
        let f = Filter::parse("active eq false").unwrap();
        assert!(f.matches(&|_| Some(Value::Bool(false))));
        assert_eq!(
            query_param("a=1&search=x+eq+%22y%22", "search").as_deref(),
            Some("x eq \"y\"")
        );
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
        assert_eq!(whole_seconds(Duration::MAX), u64::MAX);
        assert_eq!(millis(Duration::from_millis(1)), "1");
        assert_eq!(millis(Duration::ZERO), "0");
        assert_eq!(millis(Duration::from_micros(500)), "0.5");
        assert_eq!(millis(Duration::from_micros(250_125)), "250.125");
        assert_eq!(millis(Duration::from_nanos(1)), "0.001");
    }
}
