//! The simulators' public values: user states, injected failures, custom
//! answers and recorded requests. Data only (a leaf module: the simulator core
//! in `state.rs` and each provider's `mock.rs` name them without importing the
//! [`Simulator`](crate::mock::Simulator) above them).

use std::time::Duration;

/// The state of a simulated user.
///
/// Providers name the inactive state differently; [`UserState::label`] gives
/// each provider's word.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserState {
    /// The user can log in; reactivating it is answered "not deactivated".
    Active,
    /// Deactivated (Aitronos, Zitadel), soft-deleted (Flashback), suspended (My
    /// Nethesis): reactivating it succeeds and makes it [`UserState::Active`].
    Deactivated,
}

/// A failure the simulator injects instead of (or on top of) its normal answer;
/// see [`Simulator::fail_next`](crate::mock::Simulator::fail_next), [`Simulator::fail_user`](crate::mock::Simulator::fail_user) and the
/// [module docs](crate::mock#failures-on-demand).
///
/// Apart from [`Failure::Slow`], nothing changes in the simulator's state: the
/// user is not reactivated.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// HTTP 429 in the provider's error shape, with `Retry-After` (whole seconds,
    /// rounded up) when given; a wait shorter than one second is also sent
    /// exactly as `retry-after-ms` (milliseconds), which the SDK reads first.
    TooManyRequests {
        /// The wait to ask for, if any.
        retry_after: Option<Duration>,
    },
    /// HTTP 503 in the provider's error shape.
    ServiceUnavailable,
    /// The call is handled normally (its effect on the state happens at once) but
    /// the answer is sent only after this delay: a client that times out does not
    /// know that the user was reactivated, exactly like a real provider whose
    /// answer is lost.
    Slow(Duration),
    /// HTTP 500 in the provider's error shape: the provider failed internally.
    ServerError,
    /// HTTP 502 in the provider's error shape: its gateway got no valid answer
    /// from upstream. (A load balancer's HTML page: use [`Failure::Custom`].)
    BadGateway,
    /// HTTP 200 with `Content-Type: application/json` and a body that is not
    /// valid JSON (an object cut off in the middle), as when an answer is
    /// truncated on the way.
    MalformedBody,
    /// The connection is reset without any answer (not even a status line). Takes
    /// effect for requests sent to [`Simulator::base_url`](crate::mock::Simulator::base_url) over HTTP/1, which is
    /// what the SDK sends; the request is recorded with status `0`.
    ConnectionReset,
    /// This answer, exactly as built.
    Custom(Answer),
}

/// An answer of your own for [`Failure::Custom`] / [`Simulator::respond_next`](crate::mock::Simulator::respond_next):
/// status, headers and body.
///
/// ```
/// use userbridge::mock::Answer;
///
/// let html = Answer::new(502)
///     .header("content-type", "text/html")
///     .body("<h1>502 Bad Gateway</h1>");
/// let json = Answer::new(418).json(&serde_json::json!({"error": "teapot"}));
/// assert_eq!(json.status(), 418);
/// assert_eq!(json.headers(), [("content-type".to_string(), "application/json".to_string())]);
/// assert_eq!(html.body_bytes(), b"<h1>502 Bad Gateway</h1>");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// An answer with this status, no headers and an empty body. A status HTTP
    /// cannot carry (outside 100-999) is sent as 500.
    pub fn new(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header (sent in the order added). A name or value that is not a
    /// valid header is left out when the answer is sent. No `content-type` is
    /// sent unless added here (or by [`Answer::json`]).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body, sent as it is.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Answer {
        self.body = body.into();
        self
    }

    /// Sets a JSON body and `content-type: application/json`.
    pub fn json(self, body: &serde_json::Value) -> Answer {
        self.header("content-type", "application/json")
            .body(body.to_string())
    }

    /// The status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers, in the order added.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body.
    pub fn body_bytes(&self) -> &[u8] {
        &self.body
    }
}

/// One request a simulator received, as seen on the wire.
///
/// Credentials are redacted: the `Authorization` and `Proxy-Authorization`
/// headers read `Bearer <redacted>` (or `SSWS <redacted>`, Okta's API-token
/// scheme) when they used that scheme, `<redacted>` otherwise; `Cookie`,
/// `X-Api-Key` and `X-Auth-Token` read `<redacted>`. Recorded requests can be
/// printed without leaking a token.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The path as sent (still percent-encoded), without the query.
    pub path: String,
    /// The raw query string, without the `?` (still percent-encoded; empty
    /// when there is none): `sendEmail=false`.
    pub query: String,
    /// The headers, names lower-case, in the order received; credentials
    /// redacted.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The HTTP status the simulator answered; `0` when it answered nothing
    /// ([`Failure::ConnectionReset`]).
    pub status: u16,
}

impl ReceivedRequest {
    /// The first value of the header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy UTF-8).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}
