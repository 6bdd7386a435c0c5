//! User operations: [`Users::reactivate`] with its [`ReactivateRequest`] and
//! [`Reactivated`] result.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tracing::Instrument as _;

use crate::adapter::{Call, Phase};
use crate::config::Config;
use crate::error::{redact, Error, ErrorKind};
use crate::outcome::{Details, Reactivated};
use crate::pacing::{PacedCall, Pacer};
use crate::transport::later;

/// The longest id accepted, in characters.
pub const MAX_ID_CHARS: usize = 200;

/// User operations of a [`Client`](crate::Client); get one with
/// [`Client::users`](crate::Client::users).
#[derive(Clone, Debug)]
pub struct Users {
    pub(crate) config: Arc<Config>,
}

/// What to reactivate: a user id, and optionally the organization it belongs to.
///
/// ```
/// use userbridge::ReactivateRequest;
///
/// let req = ReactivateRequest::new("usr_abc123").organization("org_xyz789");
/// assert_eq!(req.user_id(), "usr_abc123");
/// let from_str: ReactivateRequest = "usr_abc123".into();
/// assert_eq!(from_str.organization_id(), None);
/// ```
#[must_use = "a request does nothing until given to Users::reactivate or reactivate_many"]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReactivateRequest {
    user_id: String,
    organization: Option<String>,
    allow_already_active: bool,
    dry_run: bool,
}

impl ReactivateRequest {
    /// A request to reactivate `user_id`.
    pub fn new(user_id: impl Into<String>) -> Self {
        ReactivateRequest {
            user_id: user_id.into(),
            organization: None,
            allow_already_active: false,
            dry_run: false,
        }
    }

    /// The organization of the user; overrides the client default. Used by
    /// Aitronos (path), Zitadel v1 (`x-zitadel-orgid`) and Keycloak (the realm);
    /// providers that scope by the token ignore it.
    pub fn organization(mut self, id: impl Into<String>) -> Self {
        self.organization = Some(id.into());
        self
    }

    /// The Keycloak realm of the user (its name, not its id): the same as
    /// [`ReactivateRequest::organization`].
    pub fn realm(self, name: impl Into<String>) -> Self {
        self.organization(name)
    }

    /// Treat "the user is not deactivated" as success, marked
    /// [`Reactivated::already_active`]: for idempotent bulk jobs.
    pub fn allow_already_active(mut self) -> Self {
        self.allow_already_active = true;
        self
    }

    /// Checks only: the request is validated and, where the provider's
    /// adapter reads the user before changing it
    /// ([`Provider::reads_users`](crate::Provider::reads_users): SCIM,
    /// Keycloak, Microsoft Entra ID, Okta, Auth0), the user is read and the
    /// result says what a reactivation would do
    /// ([`Reactivated::is_dry_run`](crate::Reactivated::is_dry_run), with the
    /// planned [`Details`](crate::Details)), or the error the read gives
    /// (`NotDeactivated` for an active user, `NotFound`, ...). No write is
    /// sent. For the other providers a dry run is refused as
    /// [`Error::InvalidRequest`] before anything is sent: they have no read
    /// that leaves the user unchanged.
    ///
    #[cfg_attr(feature = "mock", doc = "```")]
    #[cfg_attr(not(feature = "mock"), doc = "```ignore")]
    /// use userbridge::mock::{Simulator, UserState};
    /// use userbridge::{Client, Provider, ReactivateRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sim = Simulator::start(Provider::Okta).await;
    /// sim.add_user_with_status("00u1", sim.organization(), "SUSPENDED");
    /// let client = Client::builder(Provider::Okta)
    ///     .base_url(sim.base_url())
    ///     .api_token(sim.token())
    ///     .build()?;
    /// let plan = client.users().reactivate(ReactivateRequest::new("00u1").dry_run()).await?;
    /// assert!(plan.is_dry_run());
    /// assert_eq!(plan.okta().map(|o| o.transition.as_str()), Some("unsuspend"));
    /// assert_eq!(sim.user_status("00u1").as_deref(), Some("SUSPENDED")); // unchanged
    /// # Ok(())
    /// # }
    /// ```
    pub fn dry_run(mut self) -> Self {
        self.dry_run = true;
        self
    }

    /// Whether this request only checks ([`ReactivateRequest::dry_run`]).
    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }

    /// The user id.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The organization given on this request, if any.
    pub fn organization_id(&self) -> Option<&str> {
        self.organization.as_deref()
    }
}

impl From<&str> for ReactivateRequest {
    fn from(id: &str) -> Self {
        ReactivateRequest::new(id)
    }
}

impl From<String> for ReactivateRequest {
    fn from(id: String) -> Self {
        ReactivateRequest::new(id)
    }
}

impl From<&String> for ReactivateRequest {
    fn from(id: &String) -> Self {
        ReactivateRequest::new(id.as_str())
    }
}

/// Checks an id: not blank, at most [`MAX_ID_CHARS`] characters, no control
/// characters, and not a string an HTTP client would read as path structure.
pub(crate) fn check_id(what: &str, id: &str) -> Result<(), String> {
    // The usual id (printable ASCII, no space at either end, no backslash, not
    // a dot segment) passes in one pass over its bytes; any other is checked
    // below, which says what is wrong with it.
    let bytes = id.as_bytes();
    let usual = bytes.len() <= MAX_ID_CHARS
        && bytes.first().is_some_and(|b| *b != b' ')
        && bytes.last().is_some_and(|b| *b != b' ')
        && bytes
            .iter()
            .all(|b| (b.is_ascii_graphic() && *b != b'\\') || *b == b' ')
        && id != "."
        && id != "..";
    if usual {
        return Ok(());
    }
    check_id_fully(what, id)
}

/// [`check_id`] for any id, with the reason it is refused.
fn check_id_fully(what: &str, id: &str) -> Result<(), String> {
    let trimmed = id.trim();
    if trimmed.is_empty() {
        return Err(format!("the {what} id is empty"));
    }
    if trimmed.len() != id.len() {
        return Err(format!(
            "the {what} id `{id}` has leading or trailing whitespace; ids are sent exactly as \
             given, so trim it first"
        ));
    }
    // The length in characters, and whether any is a control character: for
    // the usual ASCII id, from its bytes.
    let (chars, control) = if id.is_ascii() {
        (id.len(), id.bytes().any(|b| b.is_ascii_control()))
    } else {
        id.chars().fold((0, false), |(n, control), c| {
            (n + 1, control || c.is_control())
        })
    };
    if chars > MAX_ID_CHARS {
        return Err(format!(
            "the {what} id is {chars} characters long; at most {MAX_ID_CHARS} are accepted"
        ));
    }
    if control {
        return Err(format!("the {what} id contains control characters"));
    }
    if id == "." || id == ".." {
        return Err(format!("the {what} id `{id}` is a relative path segment"));
    }
    if id.contains('\\') {
        return Err(format!(
            "the {what} id contains a backslash, which HTTP clients read as a path separator"
        ));
    }
    Ok(())
}

impl Users {
    /// Reactivates a deactivated, suspended or soft-deleted user.
    ///
    /// The request is checked first (no request is sent if it is invalid): ids
    /// must be non-blank, without leading or trailing whitespace, at most 200
    /// characters, without control characters;
    /// Aitronos needs an organization (client default or per request) and ids of
    /// the form `usr_*` / `org_*`; Keycloak needs a realm (the organization).
    /// Every id travels as one percent-encoded path segment. Zitadel v1 sends the
    /// organization as `x-zitadel-orgid`; Flashback, Zitadel v2, My Nethesis and
    /// Microsoft Entra ID scope by the token and ignore it.
    ///
    /// Keycloak and Microsoft Entra ID are read first, so that an enabled user is
    /// reported as [`Error::NotDeactivated`] rather than enabled again; a Keycloak
    /// user that is enabled but locked out by brute-force detection has the
    /// lockout released (see [`KeycloakUser`](crate::KeycloakUser)). Entra ID
    /// takes the object id or the user principal name; a principal name that
    /// starts with `$` is rejected (Graph cannot address it as a path segment):
    /// use the object id.
    ///
    /// Failed attempts are retried as the client's [`crate::RetryPolicy`] says
    /// (rate limits, 5xx, timeouts, network failures; see [`Error::is_retryable`]).
    /// When an attempt's outcome was unknown and the retry answers "not
    /// deactivated", the first attempt did the work: the result is a success
    /// marked [`Reactivated::recovered`].
    ///
    /// The returned future owns what it needs (`Send + 'static`): it can be
    /// spawned directly, or put in a `JoinSet`.
    ///
    /// ```no_run
    /// use userbridge::{Client, Provider};
    ///
    /// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
    /// // One call on its own task.
    /// let handle = tokio::spawn(client.users().reactivate("usr_abc123"));
    /// let done = handle.await??;
    /// println!("{} reactivated", done.user_id());
    ///
    /// // Many calls at once.
    /// let mut set = tokio::task::JoinSet::new();
    /// for id in ["usr_a1", "usr_b2", "usr_c3"] {
    ///     set.spawn(client.users().reactivate(id));
    /// }
    /// while let Some(joined) = set.join_next().await {
    ///     match joined? {
    ///         Ok(done) => println!("{} reactivated", done.user_id()),
    ///         Err(e) => eprintln!("{e}"),
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// ```no_run
    /// use userbridge::{Client, ErrorKind, Provider, ReactivateRequest};
    ///
    /// # async fn run() -> Result<(), userbridge::Error> {
    /// let client = Client::builder(Provider::Aitronos)
    ///     .bearer_token("token")
    ///     .organization("org_xyz789")
    ///     .build()?;
    /// match client.users().reactivate("usr_abc123").await {
    ///     Ok(done) => println!("{} is {:?}", done.user_id(), done.aitronos_user().map(|u| &u.account_state)),
    ///     Err(e) if e.kind() == ErrorKind::NotDeactivated => println!("already active"),
    ///     Err(e) => return Err(e),
    /// }
    /// // Per-request organization, and "already active" counted as success:
    /// let req = ReactivateRequest::new("usr_def456").organization("org_other").allow_already_active();
    /// client.users().reactivate(req).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Runnable, against the embedded Aitronos simulator (feature `mock`):
    ///
    #[cfg_attr(feature = "mock", doc = "```")]
    #[cfg_attr(not(feature = "mock"), doc = "```ignore")]
    /// use userbridge::mock::{Simulator, UserState};
    /// use userbridge::{Client, ErrorKind, Provider};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sim = Simulator::start(Provider::Aitronos).await;
    /// sim.add_user("usr_abc123", sim.organization(), UserState::Deactivated);
    /// let client = Client::builder(Provider::Aitronos)
    ///     .base_url(sim.base_url())
    ///     .bearer_token(sim.token())
    ///     .organization(sim.organization())
    ///     .build()?;
    ///
    /// let done = client.users().reactivate("usr_abc123").await?;
    /// assert_eq!(done.aitronos_user().map(|u| u.account_state.as_str()), Some("active"));
    ///
    /// let again = client.users().reactivate("usr_abc123").await.unwrap_err();
    /// assert_eq!(again.kind(), ErrorKind::NotDeactivated);
    /// assert_eq!(again.status(), Some(422));
    ///
    /// // Invalid input is rejected before anything is sent.
    /// let bad = client.users().reactivate("  ").await.unwrap_err();
    /// assert_eq!(bad.kind(), ErrorKind::InvalidRequest);
    /// assert_eq!(sim.requests().len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn reactivate(
        &self,
        req: impl Into<ReactivateRequest>,
    ) -> impl Future<Output = Result<Reactivated, Error>> + Send + 'static {
        let config = self.config.clone();
        let req = req.into();
        async move {
            let started = Instant::now();
            check(&config, &req)?;
            let done = reactivate_checked(&config, &req, started, &|_| {}, None).await?;
            Ok(done.named(req.user_id))
        }
    }
}

/// The call of `req` on `client` as an adapter sees it, started at `started`,
/// its first attempt's end set.
fn call_of<'a>(
    inner: &'a Config,
    req: &'a ReactivateRequest,
    started: Instant,
    pacer: Option<&'a Arc<Pacer>>,
) -> Call<'a> {
    let deadline = later(started, inner.deadline);
    Call {
        provider: inner.provider,
        adapter: inner.adapter,
        http: &inner.http,
        base: &inner.base,
        user_id: &req.user_id,
        organization: req
            .organization
            .as_deref()
            .or(inner.organization.as_deref()),
        max_body: inner.max_body,
        timeout: inner.timeout,
        deadline,
        attempt_ends: attempt_end(started, inner.timeout, deadline),
        scim_patch_form: inner.scim_patch_form,
        tenant: inner.tenant.as_deref(),
        dry_run: req.dry_run,
        phase: Phase::default(),
        auth: None,
        pacer: pacer.map(|p| Arc::new(PacedCall::new(p.clone()))),
        signer: inner.signer.as_ref(),
    }
}

/// When an attempt started at `start` must be over: `timeout` later, or at
/// the call's `deadline` if that comes first.
fn attempt_end(start: Instant, timeout: Duration, deadline: Instant) -> Instant {
    later(start, timeout).min(deadline)
}

/// The request rules, generic and the provider's: `Err` is an
/// [`Error::InvalidRequest`], and nothing may be sent.
pub(crate) fn check(inner: &Config, req: &ReactivateRequest) -> Result<(), Error> {
    let provider = inner.provider;
    let invalid = |r| Error::invalid(Some(provider), r);
    check_id("user", &req.user_id).map_err(invalid)?;
    if let Some(org) = req.organization.as_deref() {
        check_id("organization", org).map_err(invalid)?;
    }
    let organization = req
        .organization
        .as_deref()
        .or(inner.organization.as_deref());
    let adapter = inner.adapter;
    adapter
        .validate(&req.user_id, organization)
        .map_err(invalid)?;
    // After the request rules: a dry run refused here had a valid request.
    if req.dry_run && !adapter.reads_users() {
        return Err(invalid(format!(
            "{provider} has no read of a user that leaves it unchanged: a dry run can check \
             the id and the configuration only (nothing was sent)"
        )));
    }
    Ok(())
}

/// A success whose user id is not set yet: [`reactivate_checked`] gives it,
/// and its caller, which owns the request, names the user (moving the id in,
/// or copying it when it keeps the request). A type of its own so that no
/// caller can hand out a success without its user.
#[must_use]
pub(crate) struct Unnamed(Reactivated);

impl Unnamed {
    pub(crate) fn named(self, user_id: String) -> Reactivated {
        Reactivated { user_id, ..self.0 }
    }
}

/// [`Users::reactivate`] of a request that passed [`check`], started at
/// `started` (its deadline counts from then); `on_failed_attempt` sees every
/// failed attempt before the retry decision (bulk runs use it to pause the whole
/// batch on a rate-limit hint).
// Not an `async fn`: that would keep its arguments twice in the future, which
// is allocated (a bulk item's) and moved on every call.
#[allow(clippy::manual_async_fn)]
pub(crate) fn reactivate_checked<'a>(
    inner: &'a Config,
    req: &'a ReactivateRequest,
    started: Instant,
    on_failed_attempt: &'a (dyn Fn(&Error) + Sync),
    pacer: Option<&'a Arc<Pacer>>,
) -> impl Future<Output = Result<Unnamed, Error>> + Send + 'a {
    async move {
        let span = tracing::info_span!(
            "userbridge.reactivate",
            provider = %inner.provider,
            operation = "reactivate",
            user_id = %req.user_id,
        );
        // Without a subscriber (the span is disabled) the span is not entered on
        // every poll. Each branch builds its own future: a future built before the
        // branch would take room twice in this one.
        let result = if span.is_disabled() {
            attempts(inner, req, started, on_failed_attempt, pacer).await
        } else {
            attempts(inner, req, started, on_failed_attempt, pacer)
                .instrument(span)
                .await
        };
        // A provider may echo the token back (in a message or the body): what
        // the SDK keeps of an answer never carries it.
        result
            .map(|mut done| {
                if let Some(m) = done.message.as_mut() {
                    redact(m, &inner.token);
                    for secret in inner.signer.iter().flat_map(|s| s.secrets()) {
                        redact(m, secret);
                    }
                    if let Some(renewing) = &inner.renewing {
                        renewing.redact_text(m);
                    }
                }
                Unnamed(done)
            })
            .map_err(|mut e| {
                e.redact(&inner.token);
                for secret in inner.signer.iter().flat_map(|s| s.secrets()) {
                    e.redact(secret);
                }
                if let Some(renewing) = &inner.renewing {
                    renewing.redact(&mut e);
                }
                e
            })
    }
}

/// The attempts of [`reactivate_checked`], under its retry policy and
/// deadline.
#[allow(clippy::manual_async_fn)] // as reactivate_checked
fn attempts<'a>(
    inner: &'a Config,
    req: &'a ReactivateRequest,
    started: Instant,
    on_failed_attempt: &'a (dyn Fn(&Error) + Sync),
    pacer: Option<&'a Arc<Pacer>>,
) -> impl Future<Output = Result<Reactivated, Error>> + Send + 'a {
    async move {
        let adapter = inner.adapter;
        let mut call = call_of(inner, req, started, pacer);
        let mut retry = Retry {
            started,
            backoffs: None,
            outcome_unknown: false,
            attempt: 1,
            renewed: false,
        };
        loop {
            let attempt_span = tracing::debug_span!(
                "userbridge.attempt",
                attempt = retry.attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            call.phase.reset();
            // Every request of an attempt gets the time left until the attempt's
            // end (its timeout, or the deadline if sooner) as its one timer:
            // `call_of` set it for the first attempt.
            let attempt_started = if retry.attempt == 1 {
                started
            } else {
                let now = Instant::now();
                if let Some(paced) = &call.pacer {
                    paced.next_attempt();
                }
                call.attempt_ends = attempt_end(now, inner.timeout, call.paced_deadline());
                now
            };
            // Without a subscriber (the span is disabled), no span is entered on
            // every poll and the clock is not read for the duration. (What is
            // kept across the awaits is kept small: this future is moved on
            // every call. The error goes straight into `after_failure`, neither
            // borrowed here nor its decision bound to a name, so that neither is
            // kept across the backoff's await.)
            // A client whose token renews itself gets it first: nothing is sent
            // to the provider's API without one. (Boxed: only such a client
            // keeps the fetch's future across an await.)
            let no_token = match &inner.renewing {
                Some(renewing) => {
                    match Box::pin(renewing.token(&inner.http, call.attempt_ends, &req.user_id))
                        .await
                    {
                        Ok(token) => {
                            call.auth = Some(token);
                            None
                        }
                        Err(e) => Some(e),
                    }
                }
                None => None,
            };
            let error = if let Some(e) = no_token {
                e
            } else if attempt_span.is_disabled() {
                match adapter.attempt(&call).await {
                    Ok(done) => return Ok(retry.succeeded(done)),
                    Err(e) => e,
                }
            } else {
                let result = adapter
                    .attempt(&call)
                    .instrument(attempt_span.clone())
                    .await;
                attempt_span.record(
                    "duration_ms",
                    u64::try_from(attempt_started.elapsed().as_millis()).unwrap_or(u64::MAX),
                );
                match result {
                    Ok(done) => {
                        tracing::debug!(parent: &attempt_span, outcome = "reactivated");
                        return Ok(retry.succeeded(done));
                    }
                    Err(e) => e,
                }
            };
            // The provider refused a renewed token: renew it once and try
            // again at once (then a 401 stands).
            if !retry.renewed
                && refused_token(inner, &call, &error)
                && Instant::now() < call.paced_deadline()
            {
                tracing::debug!(parent: &attempt_span, "token refused; renewing it once");
                retry.renewed = true;
                retry.attempt += 1;
                continue;
            }
            let wait = match retry.after_failure(
                inner,
                req,
                &call,
                &attempt_span,
                error,
                on_failed_attempt,
            ) {
                Next::Wait(wait) => wait,
                Next::Stop(result) => return result,
            };
            // Boxed: a timer is larger than the rest of this future, and
            // only a retry needs one.
            Box::pin(sleep(wait)).await;
            retry.attempt += 1;
        }
    }
}

/// Where the attempts of one call stand.
struct Retry {
    started: Instant,
    /// Built on the first failure: most calls never need it.
    backoffs: Option<Box<dyn Iterator<Item = Duration> + Send>>,
    /// An earlier attempt's answer was lost after it may have written.
    outcome_unknown: bool,
    attempt: u32,
    /// The token was renewed after the provider refused it (once per call).
    renewed: bool,
}

/// True when `error` is the provider's API refusing the renewing token of
/// `call` (a 401 not of the token endpoint): the token is then dropped from
/// the client's cache, unless another call already replaced it.
fn refused_token(inner: &Config, call: &Call<'_>, error: &Error) -> bool {
    let (Some(renewing), Some(used)) = (&inner.renewing, &call.auth) else {
        return false;
    };
    let refused = matches!(error, Error::Unauthenticated(api) if api.status == 401 && !api.from_token_endpoint);
    if refused {
        renewing.refused(used);
    }
    refused
}

impl Retry {
    fn succeeded(&self, mut done: Reactivated) -> Reactivated {
        done.attempts = self.attempt;
        done
    }

    /// What follows a failed attempt (recorded on its span).
    fn after_failure(
        &mut self,
        inner: &Config,
        req: &ReactivateRequest,
        call: &Call<'_>,
        attempt_span: &tracing::Span,
        mut error: Error,
        on_failed_attempt: &(dyn Fn(&Error) + Sync),
    ) -> Next {
        if let Some(status) = error.status() {
            attempt_span.record("status", status);
        }
        tracing::debug!(parent: attempt_span, kind = %error.kind(), "attempt failed");
        if error.kind() == ErrorKind::NotDeactivated
            && (self.outcome_unknown || req.allow_already_active)
        {
            let mut done = Reactivated::new(inner.provider, Details::None);
            done.dry_run = req.dry_run;
            done.recovered = self.outcome_unknown;
            done.already_active = !self.outcome_unknown;
            done.attempts = self.attempt;
            return Next::Stop(Ok(done));
        }
        on_failed_attempt(&error);
        error.set_attempts(self.attempt, self.started.elapsed());
        if !error.is_retryable() {
            return Next::Stop(Err(error));
        }
        let backoffs = self
            .backoffs
            .get_or_insert_with(|| Box::new(inner.retry.backoffs()));
        let Some(backoff) = backoffs.next() else {
            return Next::Stop(Err(error));
        };
        let hint = error.api_error().and_then(|e| e.retry_after);
        if hint.is_some_and(|h| h > inner.retry.max_wait) {
            return Next::Stop(Err(error));
        }
        // A provider's own hint wins over the computed backoff.
        let wait = hint.unwrap_or(backoff);
        let remaining = call
            .paced_deadline()
            .saturating_duration_since(Instant::now());
        if wait >= remaining {
            return Next::Stop(Err(error));
        }
        // A lost answer leaves the outcome unknown, unless the attempt had
        // only read the user (then nothing was changed).
        let answer_lost = match &error {
            Error::Timeout { .. } => true,
            Error::Network { connected, .. } => *connected,
            Error::Server(_) => true,
            _ => false,
        };
        self.outcome_unknown |= answer_lost && !call.phase.only_read();
        tracing::debug!(wait_ms = wait.as_millis() as u64, "retrying");
        Next::Wait(wait)
    }
}

/// What follows a failed attempt: a retry after a wait, or the call's result
/// (its final error; or, for "not deactivated" after a lost answer or with
/// [`ReactivateRequest::allow_already_active`], the success it means).
#[allow(clippy::large_enum_variant)] // returned, never kept: a box would cost an allocation
enum Next {
    Wait(Duration),
    Stop(Result<Reactivated, Error>),
}

async fn sleep(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass check accepts exactly the ids the full check accepts:
    /// every id of up to two ASCII characters, and around the length limit.
    #[test]
    fn the_fast_id_check_agrees_with_the_full_one() {
        let mut ids = vec![String::new()];
        for a in 0u8..=127 {
            ids.push(char::from(a).to_string());
            for b in 0u8..=127 {
                ids.push([char::from(a), char::from(b)].iter().collect());
            }
        }
        for len in [199, 200, 201] {
            ids.push("a".repeat(len));
            ids.push(format!(" {}", "a".repeat(len - 1)));
        }
        ids.extend(["a b", " ab", "ab ", "a\\b", "a.b", "...", "é", "a\u{85}"].map(String::from));
        for id in &ids {
            assert_eq!(
                check_id("user", id).is_ok(),
                check_id_fully("user", id).is_ok(),
                "{id:?}"
            );
        }
        assert!(check_id("user", "usr_a1-b.c~d@e:f+g").is_ok());
    }
}
