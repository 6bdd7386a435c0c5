//! One error type for every provider: [`Error`], its [`ErrorKind`], and the
//! provider's answer as [`ApiError`].

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};

use crate::provider::{self, Provider};

/// How much of a raw response body an [`ApiError`] keeps (bytes).
pub const MAX_KEPT_BODY: usize = 4096;

/// Everything that can go wrong when calling a provider.
///
/// Match on the variant (or on [`Error::kind`]) to decide what to do; every
/// variant that carries a provider answer gives it as an [`ApiError`]. `Display`
/// is one line: provider, what happened, HTTP status, provider code and message.
///
/// ```
/// use userbridge::{Client, Error, ErrorKind, Provider};
///
/// // Bad configuration is reported before anything is sent.
/// let err = Client::builder(Provider::ZitadelV2).bearer_token("t").build().unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidRequest);
/// assert!(matches!(err, Error::InvalidRequest { .. }));
/// assert!(err.to_string().contains("base URL"));
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, thiserror::Error, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Error {
    /// The request or the client configuration was rejected before anything
    /// was sent.
    #[error("{}", invalid_request_line(*provider, reason))]
    InvalidRequest {
        /// The provider the client was built for, if known.
        provider: Option<Provider>,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// The token is missing, invalid or expired.
    #[error("{}", .0.line(ErrorKind::Unauthenticated))]
    Unauthenticated(ApiError),
    /// The token is valid but may not do this (including another organization).
    #[error("{}", .0.line(ErrorKind::PermissionDenied))]
    PermissionDenied(ApiError),
    /// No such user, as far as the caller may see.
    #[error("{}", .0.line(ErrorKind::NotFound))]
    NotFound(ApiError),
    /// The user is not deactivated, suspended or deleted: nothing to reactivate.
    #[error("{}", .0.line(ErrorKind::NotDeactivated))]
    NotDeactivated(ApiError),
    /// The provider rejected the input; see [`ApiError::field_errors`].
    #[error("{}", .0.line(ErrorKind::InvalidArgument))]
    InvalidArgument(ApiError),
    /// Too many requests; [`ApiError::retry_after`] says when to try again, if
    /// the provider said so.
    #[error("{}", .0.line(ErrorKind::RateLimited))]
    RateLimited(ApiError),
    /// The provider (or something upstream of it) failed.
    #[error("{}", .0.line(ErrorKind::Server))]
    Server(ApiError),
    /// No complete response arrived within the per-attempt timeout or the
    /// overall deadline.
    #[error("{}", timeout_line(*provider, user_id, *after, *attempts))]
    Timeout {
        /// The provider called.
        provider: Provider,
        /// The user the call was for.
        user_id: String,
        /// How long the SDK waited in all.
        #[serde(rename = "after_ms", serialize_with = "ser_duration_ms")]
        #[cfg_attr(feature = "schema", schemars(rename = "after_ms", with = "u64"))]
        after: Duration,
        /// How many attempts were made.
        attempts: u32,
    },
    /// No HTTP response: connection refused, TLS failure, connection reset.
    #[error("{}", network_line(*provider, user_id, reason, *attempts))]
    Network {
        /// The provider called.
        provider: Provider,
        /// The user the call was for.
        user_id: String,
        /// What the transport reported (never contains the token).
        reason: String,
        /// A connection was made, so the provider may have received the request
        /// (`false`: it could not have, e.g. connection refused).
        connected: bool,
        /// How many attempts were made.
        attempts: u32,
    },
    /// An undocumented status, a redirect, or a body that could not be decoded.
    #[error("{}", .0.line(ErrorKind::UnexpectedResponse))]
    UnexpectedResponse(ApiError),
    /// The provider says the client's configuration is wrong, not the user: an
    /// unknown realm, tenant or organization, or a base URL that reaches
    /// something other than the provider's API (a 404 that is not its error
    /// answer, a 405). The message names the setting to fix; no other user of
    /// the same client can succeed, so a bulk run stops on it.
    #[error("{}", .0.line(ErrorKind::Misconfigured))]
    Misconfigured(ApiError),
    /// The item was never sent: its bulk run stopped on a failure that no
    /// other item could get past ([`BulkReport::stopped`](crate::BulkReport::stopped)).
    #[error("{}", not_attempted_line(*provider, user_id, reason))]
    NotAttempted {
        /// The provider of the run.
        provider: Provider,
        /// The user the item was for.
        user_id: String,
        /// Why the run stopped, in one line.
        reason: String,
    },
}

/// The kind of an [`Error`], one per variant: cheap to copy and compare.
///
/// Its serde form is the snake_case name that [`Display`](std::fmt::Display)
/// prints (`not_deactivated`), so it can come from a configuration file:
///
/// ```
/// use userbridge::ErrorKind;
///
/// let kind: ErrorKind = serde_json::from_str(r#""rate_limited""#).unwrap();
/// assert_eq!(kind, ErrorKind::RateLimited);
/// assert_eq!(kind.to_string(), "rate_limited");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// See [`Error::InvalidRequest`].
    InvalidRequest,
    /// See [`Error::Unauthenticated`].
    Unauthenticated,
    /// See [`Error::PermissionDenied`].
    PermissionDenied,
    /// See [`Error::NotFound`].
    NotFound,
    /// See [`Error::NotDeactivated`].
    NotDeactivated,
    /// See [`Error::InvalidArgument`].
    InvalidArgument,
    /// See [`Error::RateLimited`].
    RateLimited,
    /// See [`Error::Server`].
    Server,
    /// See [`Error::Timeout`].
    Timeout,
    /// See [`Error::Network`].
    Network,
    /// See [`Error::UnexpectedResponse`].
    UnexpectedResponse,
    /// See [`Error::Misconfigured`].
    Misconfigured,
    /// See [`Error::NotAttempted`].
    NotAttempted,
}

impl ErrorKind {
    /// What happened, as the middle of an error line (`"is not deactivated"`).
    fn phrase(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "invalid request",
            ErrorKind::Unauthenticated => "authentication failed",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::NotFound => "not found",
            ErrorKind::NotDeactivated => "is not deactivated",
            ErrorKind::InvalidArgument => "rejected as invalid",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Server => "provider failure",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Network => "network failure",
            ErrorKind::UnexpectedResponse => "unexpected response",
            ErrorKind::Misconfigured => "the client is misconfigured",
            ErrorKind::NotAttempted => "not attempted",
        }
    }

    /// What the caller can do about it (empty where the message says it all).
    fn advice(self) -> &'static str {
        match self {
            ErrorKind::Unauthenticated => {
                "check that the credentials (the token, or the AWS access key) are valid and not \
                 expired"
            }
            ErrorKind::PermissionDenied => {
                "the credentials may not reactivate this user: check their roles, policies and \
                 organization"
            }
            ErrorKind::NotFound => "check the user id and organization",
            ErrorKind::RateLimited => "slow down or retry later",
            ErrorKind::Server => "the provider failed; retry later",
            ErrorKind::UnexpectedResponse => {
                "the answer is not what the provider documents; check the base URL and any proxy"
            }
            ErrorKind::Misconfigured => {
                "fix the client's configuration: no user can be reactivated until then"
            }
            _ => "",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::NotFound => "not_found",
            ErrorKind::NotDeactivated => "not_deactivated",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Network => "network",
            ErrorKind::UnexpectedResponse => "unexpected_response",
            ErrorKind::Misconfigured => "misconfigured",
            ErrorKind::NotAttempted => "not_attempted",
        };
        f.write_str(s)
    }
}

/// A provider's answer to a failed call, normalized.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApiError {
    /// The provider that answered.
    pub provider: Provider,
    /// HTTP status code.
    pub status: u16,
    /// The provider's machine code: `"USER_NOT_DEACTIVATED"` (Aitronos), the gRPC
    /// code as a number (`"9"`, Zitadel, whichever form the server sent), ...
    pub code: Option<String>,
    /// A finer error id where the provider has one (Zitadel: `COMMAND-6M0sf`).
    pub error_id: Option<String>,
    /// The provider's human message, or a clear stand-in.
    pub message: String,
    /// Request or trace id, where the provider sends one.
    pub trace_id: Option<String>,
    /// Per-field validation errors (My Nethesis).
    pub field_errors: Vec<FieldError>,
    /// When to retry, from `Retry-After` or the provider's own headers.
    #[serde(rename = "retry_after_ms", serialize_with = "ser_opt_duration_ms")]
    #[cfg_attr(
        feature = "schema",
        schemars(rename = "retry_after_ms", with = "Option<u64>")
    )]
    pub retry_after: Option<Duration>,
    /// The raw body, cut to [`MAX_KEPT_BODY`] bytes (lossy UTF-8).
    pub body: String,
    /// The user the call was for.
    pub user_id: String,
    /// How many attempts were made (retries included).
    pub attempts: u32,
    /// Set by an adapter when the provider's answer says a retry cannot help
    /// or would mislead (a partial failure that a retry would report as
    /// done): [`Error::is_retryable`] is then false.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub(crate) no_retry: bool,
    /// The answer came from the token endpoint (or the token source) of the
    /// client's credentials, not from the provider's API: a 401 of it is not
    /// answered by renewing the token, and the advice is about the
    /// credentials.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub(crate) from_token_endpoint: bool,
}

/// One field a provider rejected.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FieldError {
    /// The field's name as the provider calls it.
    pub field: String,
    /// Why it was rejected (a code or a sentence).
    pub message: String,
    /// The rejected value, where the provider echoes it.
    pub value: Option<String>,
}

impl FieldError {
    /// A field error.
    pub fn new(
        field: impl Into<String>,
        message: impl Into<String>,
        value: Option<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
            value,
        }
    }
}

impl ApiError {
    /// An error answer with the given status and message; the other fields empty.
    pub fn new(provider: Provider, status: u16, message: impl Into<String>) -> Self {
        ApiError {
            provider,
            status,
            code: None,
            error_id: None,
            message: message.into(),
            trace_id: None,
            field_errors: Vec::new(),
            retry_after: None,
            body: String::new(),
            user_id: String::new(),
            attempts: 1,
            no_retry: false,
            from_token_endpoint: false,
        }
    }

    /// Keeps at most [`MAX_KEPT_BODY`] bytes of `raw` as the body.
    pub(crate) fn with_body(mut self, raw: &[u8]) -> Self {
        self.body = bounded_text(raw, MAX_KEPT_BODY);
        self
    }

    fn redact(&mut self, secret: &str) {
        for text in [&mut self.message, &mut self.body] {
            redact(text, secret);
        }
        for text in [&mut self.code, &mut self.error_id, &mut self.trace_id]
            .into_iter()
            .flatten()
        {
            redact(text, secret);
        }
        for fe in &mut self.field_errors {
            redact(&mut fe.message, secret);
            redact(&mut fe.field, secret);
            if let Some(v) = fe.value.as_mut() {
                redact(v, secret);
            }
        }
    }

    /// One line: `<provider>: <what happened> (HTTP <status>, <code>): <message>
    /// (<retry hint>; <attempts>; <advice>)`. "Not found" and "is not
    /// deactivated" are said of the user; the other kinds of the call.
    fn line(&self, kind: ErrorKind) -> String {
        let mut s = format!("{}: ", self.provider);
        match (self.user_id.is_empty(), kind) {
            (true, _) => s.push_str(&format!("reactivation: {}", kind.phrase())),
            (false, ErrorKind::NotFound | ErrorKind::NotDeactivated) => {
                s.push_str(&format!("user {} {}", self.user_id, kind.phrase()))
            }
            (false, _) => s.push_str(&format!(
                "reactivating user {}: {}",
                self.user_id,
                kind.phrase()
            )),
        }
        s.push_str(&format!(" (HTTP {}", self.status));
        if let Some(id) = self.error_id.as_ref().or(self.code.as_ref()) {
            s.push_str(&format!(", {id}"));
        }
        s.push(')');
        if !self.message.is_empty() {
            s.push_str(&format!(": {}", self.message));
        }
        for fe in &self.field_errors {
            s.push_str(&format!("; {}: {}", fe.field, fe.message));
        }
        let mut notes = Vec::new();
        if let Some(wait) = self.retry_after {
            notes.push(format!("retry after {wait:?}"));
        }
        if self.attempts > 1 {
            notes.push(format!("after {} attempts", self.attempts));
        }
        let advice = match kind {
            ErrorKind::Unauthenticated if self.from_token_endpoint => {
                "check the client id, its secret or key, the scopes and the token URL"
            }
            _ => kind.advice(),
        };
        if !advice.is_empty() {
            notes.push(advice.to_string());
        }
        if !notes.is_empty() {
            s.push_str(&format!(" ({})", notes.join("; ")));
        }
        s
    }
}

fn invalid_request_line(provider: Option<Provider>, reason: &str) -> String {
    match provider {
        Some(p) => format!("{p}: invalid request, nothing was sent: {reason}"),
        // No provider: a configuration value (a provider name) was rejected.
        None => format!("invalid configuration: {reason}"),
    }
}

fn timeout_line(provider: Provider, user_id: &str, after: Duration, attempts: u32) -> String {
    format!(
        "{provider}: reactivating user {user_id} timed out after {:.3}s and {attempts} \
         attempt(s) (no complete response; raise the timeout or deadline, or retry later: \
         the user may already be reactivated)",
        after.as_secs_f64()
    )
}

fn not_attempted_line(provider: Provider, user_id: &str, reason: &str) -> String {
    format!("{provider}: user {user_id} was not attempted: the bulk run stopped: {reason}")
}

fn network_line(provider: Provider, user_id: &str, reason: &str, attempts: u32) -> String {
    format!(
        "{provider}: reactivating user {user_id} failed with no HTTP response after \
         {attempts} attempt(s): {reason} (check the base URL and the network)"
    )
}

impl Error {
    /// The kind of error, for matching without the payload.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidRequest { .. } => ErrorKind::InvalidRequest,
            Error::Unauthenticated(_) => ErrorKind::Unauthenticated,
            Error::PermissionDenied(_) => ErrorKind::PermissionDenied,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::NotDeactivated(_) => ErrorKind::NotDeactivated,
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::RateLimited(_) => ErrorKind::RateLimited,
            Error::Server(_) => ErrorKind::Server,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Network { .. } => ErrorKind::Network,
            Error::UnexpectedResponse(_) => ErrorKind::UnexpectedResponse,
            Error::Misconfigured(_) => ErrorKind::Misconfigured,
            Error::NotAttempted { .. } => ErrorKind::NotAttempted,
        }
    }

    /// The provider involved, when there was one.
    pub fn provider(&self) -> Option<Provider> {
        match self {
            Error::InvalidRequest { provider, .. } => *provider,
            Error::Timeout { provider, .. }
            | Error::Network { provider, .. }
            | Error::NotAttempted { provider, .. } => Some(*provider),
            other => other.api_error().map(|e| e.provider),
        }
    }

    /// The HTTP status of the provider's answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.api_error().map(|e| e.status)
    }

    /// The provider's answer, when there was one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Unauthenticated(e)
            | Error::PermissionDenied(e)
            | Error::NotFound(e)
            | Error::NotDeactivated(e)
            | Error::InvalidArgument(e)
            | Error::RateLimited(e)
            | Error::Server(e)
            | Error::UnexpectedResponse(e)
            | Error::Misconfigured(e) => Some(e),
            _ => None,
        }
    }

    /// The provider's answer, to refine it.
    pub(crate) fn api_error_mut(&mut self) -> Option<&mut ApiError> {
        match self {
            Error::Unauthenticated(e)
            | Error::PermissionDenied(e)
            | Error::NotFound(e)
            | Error::NotDeactivated(e)
            | Error::InvalidArgument(e)
            | Error::RateLimited(e)
            | Error::Server(e)
            | Error::UnexpectedResponse(e)
            | Error::Misconfigured(e) => Some(e),
            _ => None,
        }
    }

    /// Whether trying the same call again may succeed: rate limits, timeouts,
    /// network failures, and 5xx answers (500, 502, 503, 504, ...). Never for
    /// answers that will not change (4xx other than 429, including an upstream
    /// failure reported with a 4xx status), nor for a provider answer that says
    /// a retry would mislead (My Nethesis' partial failure, whose retry is
    /// answered "not suspended" while the user still cannot log in).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Network { .. } => true,
            Error::RateLimited(e) => !e.no_retry,
            Error::Server(e) => e.status >= 500 && !e.no_retry,
            _ => false,
        }
    }

    /// How many attempts were made (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::InvalidRequest { .. } | Error::NotAttempted { .. } => 0,
            Error::Timeout { attempts, .. } | Error::Network { attempts, .. } => *attempts,
            other => other.api_error().map_or(1, |e| e.attempts),
        }
    }

    /// Records the final attempt count (and, for a timeout, the total time).
    pub(crate) fn set_attempts(&mut self, n: u32, elapsed: Duration) {
        match self {
            Error::Timeout {
                attempts, after, ..
            } => {
                *attempts = n;
                *after = elapsed;
            }
            Error::Network { attempts, .. } => *attempts = n,
            other => {
                if let Some(e) = other.api_error_mut() {
                    e.attempts = n;
                }
            }
        }
    }

    /// Replaces `secret` with `<redacted>` in everything kept from an answer.
    pub(crate) fn redact(&mut self, secret: &str) {
        if let Error::Network { reason, .. } = self {
            redact(reason, secret);
        }
        if let Some(e) = self.api_error_mut() {
            e.redact(secret);
        }
    }

    /// An [`Error::InvalidRequest`].
    pub(crate) fn invalid(provider: Option<Provider>, reason: impl Into<String>) -> Self {
        Error::InvalidRequest {
            provider,
            reason: reason.into(),
        }
    }

    /// Wraps a provider answer in the variant of `kind`. Kinds that carry no
    /// answer (`InvalidRequest`, `Timeout`, `Network`, `NotAttempted`) become
    /// `UnexpectedResponse`.
    pub fn from_api(kind: ErrorKind, api: ApiError) -> Self {
        match kind {
            ErrorKind::Unauthenticated => Error::Unauthenticated(api),
            ErrorKind::PermissionDenied => Error::PermissionDenied(api),
            ErrorKind::NotFound => Error::NotFound(api),
            ErrorKind::NotDeactivated => Error::NotDeactivated(api),
            ErrorKind::InvalidArgument => Error::InvalidArgument(api),
            ErrorKind::RateLimited => Error::RateLimited(api),
            ErrorKind::Server => Error::Server(api),
            ErrorKind::Misconfigured => Error::Misconfigured(api),
            _ => Error::UnexpectedResponse(api),
        }
    }
}

/// The kind an HTTP status means on its own, before a provider's body refines it.
///
/// 400/422 invalid argument, 401, 403, 404/410, 429, 5xx server; any other
/// status (418, 3xx, an undecodable 2xx, ...) is an unexpected response.
pub fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        400 | 422 => ErrorKind::InvalidArgument,
        401 => ErrorKind::Unauthenticated,
        403 => ErrorKind::PermissionDenied,
        404 | 410 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::UnexpectedResponse,
    }
}

/// Secrets shorter than this many characters are not searched for when
/// redacting: they cannot be real credentials, and replacing them would garble
/// ordinary words (and, by the gaps, give the short value away).
pub const MIN_REDACTED_SECRET_CHARS: usize = 8;

/// Replaces `secret` with `<redacted>` in `text` where it stands as a whole
/// token: not preceded or followed by a letter, digit, or one of `-_~+/` (the
/// characters of a token; a `.` ends a sentence as often as it joins a JWT's
/// parts, so it counts as a boundary). Secrets shorter than [`MIN_REDACTED_SECRET_CHARS`]
/// are left alone.
pub(crate) fn redact(text: &mut String, secret: &str) {
    // Cheapest first: most texts are shorter than the token.
    if text.len() < secret.len()
        || secret.chars().count() < MIN_REDACTED_SECRET_CHARS
        || !text.contains(secret)
    {
        return;
    }
    let is_token_char = |c: char| c.is_alphanumeric() || "-_~+/".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, _) in text.match_indices(secret) {
        let end = at + secret.len();
        if at < copied {
            continue;
        }
        let before = text[..at].chars().next_back();
        let after = text[end..].chars().next();
        if before.is_some_and(is_token_char) || after.is_some_and(is_token_char) {
            continue;
        }
        out.push_str(&text[copied..at]);
        out.push_str("<redacted>");
        copied = end;
    }
    if copied > 0 {
        out.push_str(&text[copied..]);
        *text = out;
    }
}

/// Lossy UTF-8 of at most `max` bytes of `raw`, noting what was cut.
pub(crate) fn bounded_text(raw: &[u8], max: usize) -> String {
    if raw.len() <= max {
        return String::from_utf8_lossy(raw).into_owned();
    }
    let mut s = String::from_utf8_lossy(&raw[..max]).into_owned();
    s.push_str(&format!("… [{} more bytes]", raw.len() - max));
    s
}

fn ser_duration_ms<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn ser_opt_duration_ms<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => ser_duration_ms(d, s),
        None => s.serialize_none(),
    }
}

impl std::str::FromStr for Provider {
    type Err = Error;

    /// Parses [`Provider::as_str`] names (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        provider::by_name(s).ok_or_else(|| {
            Error::invalid(
                None,
                format!(
                    "unknown provider `{s}`; expected one of: {}",
                    Provider::ALL.map(Provider::as_str).join(", ")
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(text: &str, secret: &str) -> String {
        let mut t = text.to_string();
        redact(&mut t, secret);
        t
    }

    #[test]
    fn redaction_replaces_whole_tokens_only() {
        let secret = "s3cr3t-t0ken-value";
        assert_eq!(
            redacted(&format!("invalid token {secret}."), secret),
            "invalid token <redacted>."
        );
        assert_eq!(
            redacted(&format!(r#"{{"token":"{secret}"}}"#), secret),
            r#"{"token":"<redacted>"}"#
        );
        assert_eq!(
            redacted(&format!("Bearer {secret} and {secret}"), secret),
            "Bearer <redacted> and <redacted>"
        );
        // Inside a longer token it is not the secret standing alone.
        let inside = format!("x{secret}y");
        assert_eq!(redacted(&inside, secret), inside);
        // Too short to be a secret: ordinary words stay readable.
        assert_eq!(redacted("invalid token", "token"), "invalid token");
        assert_eq!(
            redacted("User could not be found", "t"),
            "User could not be found"
        );
    }

    #[test]
    fn line_says_what_happened_to_whom() {
        let mut api = ApiError::new(Provider::Aitronos, 429, "Too many requests. Retry later.");
        api.user_id = "usr_1".into();
        api.retry_after = Some(Duration::from_millis(1500));
        assert_eq!(
            api.line(ErrorKind::RateLimited),
            "Aitronos: reactivating user usr_1: rate limited (HTTP 429): Too many requests. \
             Retry later. (retry after 1.5s; slow down or retry later)"
        );
        api.status = 401;
        api.retry_after = None;
        api.message = "Unauthorized".into();
        assert!(api
            .line(ErrorKind::Unauthenticated)
            .starts_with("Aitronos: reactivating user usr_1: authentication failed (HTTP 401)"));
        api.status = 404;
        assert!(api
            .line(ErrorKind::NotFound)
            .starts_with("Aitronos: user usr_1 not found (HTTP 404)"));
    }
}
