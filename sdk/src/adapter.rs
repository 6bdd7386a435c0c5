//! What an adapter is, below the registry: the [`Adapter`] trait every
//! provider implements, the [`Call`] it is handed (already validated
//! generically) and the constants it describes itself with. The adapters and
//! the call path above them (`users.rs`) import this module; it imports only
//! the floors below it (transport, outcome, error, the provider enum).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::credentials::{Token, TokenEndpoint, TokenScope};
use crate::error::Error;
use crate::outcome::Reactivated;
use crate::pacing::PacedCall;
use crate::provider::Provider;
use crate::providers::scim::types::ScimPatchForm;
use crate::signing::SigV4;
use crate::transport::{later, Attempt, BaseUrl, CallContext, Generated};
pub(crate) use crate::transport::{Answers, OwnError};

/// One call as an adapter sees it: everything is already validated generically.
pub(crate) struct Call<'a> {
    pub provider: Provider,
    /// The provider's adapter (the transport reads its error answers).
    pub adapter: &'static dyn Adapter,
    pub http: &'a reqwest::Client,
    /// The client's base URL: every generated client of the call is built on
    /// it ([`Call::client`]).
    pub base: &'a Arc<BaseUrl>,
    pub user_id: &'a str,
    pub organization: Option<&'a str>,
    pub max_body: usize,
    pub timeout: Duration,
    /// The call's overall deadline: no attempt runs past it.
    pub deadline: Instant,
    /// When the current attempt must be over: its start plus the per-attempt
    /// timeout, or the deadline if sooner. All requests of the attempt share it.
    pub attempt_ends: Instant,
    /// How a SCIM PATCH is written ([`Provider::Scim`] only).
    pub scim_patch_form: ScimPatchForm,
    /// The client's [`ClientBuilder::tenant`](crate::ClientBuilder::tenant),
    /// for providers that scope calls by it (Firebase: an Identity Platform
    /// tenant).
    pub tenant: Option<&'a str>,
    /// Check only: read the user and say what would be done, write nothing
    /// (adapters whose [`Adapter::reads_users`] is true).
    pub dry_run: bool,
    /// What the current attempt has sent so far (adapters that read before they
    /// write say so here).
    pub phase: Phase,
    /// The token of the current attempt, for a client whose token renews
    /// itself (`None`: the HTTP client's default header carries a static one).
    pub auth: Option<Arc<Token>>,
    /// The call's share of a bulk run's pacer (`None` for a single call):
    /// every request of the call asks it before it starts, and the time they
    /// waited counts against neither the timeout nor the deadline
    /// ([`Call::paced_deadline`]).
    pub pacer: Option<Arc<PacedCall>>,
    /// The AWS credentials that sign every request, for a provider that
    /// signs ([`Adapter::aws_signing`]).
    pub signer: Option<&'a Arc<SigV4>>,
}

/// What an attempt has sent so far, for the retry loop: when an attempt's
/// answer is lost (a timeout, a dropped connection, a 5xx), a later "not
/// deactivated" means that attempt did the reactivation, unless the attempt had
/// only read the user by then. Adapters that make one call never set it (the
/// call may have written); adapters that read first mark the read and the write.
///
/// Written and read by the one task that runs the call (the attempt's future,
/// then the retry loop after it): an atomic only so that a `&Call` may be held
/// across the attempt's awaits in a `Send` future. Release stores and acquire
/// loads are plain moves on x86; a `SeqCst` store is a locked exchange, on
/// every attempt.
#[derive(Debug, Default)]
pub(crate) struct Phase(AtomicU8);

impl Phase {
    const UNKNOWN: u8 = 0;
    const READING: u8 = 1;
    const WRITING: u8 = 2;

    /// The attempt is reading: a failure now changed nothing.
    pub fn reading(&self) {
        self.0.store(Self::READING, Ordering::Release);
    }

    /// The attempt is about to send a request that may change the user.
    pub fn writing(&self) {
        self.0.store(Self::WRITING, Ordering::Release);
    }

    /// A new attempt starts.
    pub(crate) fn reset(&self) {
        self.0.store(Self::UNKNOWN, Ordering::Release);
    }

    /// The attempt had sent nothing that may change the user.
    pub(crate) fn only_read(&self) -> bool {
        self.0.load(Ordering::Acquire) == Self::READING
    }
}

impl Call<'_> {
    /// A fresh context for a generated client of the current attempt: its
    /// requests end at [`Call::attempt_ends`] at the latest.
    pub fn context(&self) -> CallContext {
        CallContext::until(
            self.max_body,
            self.timeout,
            self.attempt_ends,
            Some(self.base.clone()),
        )
        .with_auth(self.auth.as_ref().map(|t| t.header.clone()))
        .with_pacer(self.pacer.clone())
        .with_signer(self.signer.cloned())
    }

    /// The call's deadline, later by the time its requests waited for the
    /// bulk run's pacer: pacing is not the provider's time.
    pub(crate) fn paced_deadline(&self) -> Instant {
        match &self.pacer {
            Some(paced) => later(self.deadline, paced.waited()),
            None => self.deadline,
        }
    }

    /// A generated client for the current attempt, with a fresh
    /// [`Call::context`].
    pub fn client<C: Generated>(&self) -> C {
        self.client_with(self.context())
    }

    /// A generated client for the current attempt, with `ctx` (a
    /// [`Call::context`] the adapter adjusted). Always on the client's base
    /// URL: request URLs are built on its parsed form only for that text
    /// ([`CallContext::url`]).
    pub fn client_with<C: Generated>(&self, ctx: CallContext) -> C {
        C::new_with(self.base.as_str(), self.http.clone(), ctx)
    }

    /// [`Call::attempt`] for a request made with `client`, a generated client
    /// from [`Call::client`]: its recorded answer is the client's context.
    pub fn attempt_on<'s, C>(&'s self, client: &'s C) -> Attempt<'s>
    where
        C: progenitor_client::ClientInfo<CallContext>,
    {
        self.attempt(client.inner())
    }

    /// What the mapping of one request of this call needs: the provider, the
    /// user, and the request's recorded answer (`ctx`).
    pub fn attempt<'s>(&'s self, ctx: &'s CallContext) -> Attempt<'s> {
        Attempt {
            provider: self.provider,
            answers: self.adapter,
            base_url_example: self.adapter.descriptor().base_url_example,
            user_id: self.user_id,
            ctx,
        }
    }
}

pub(crate) type AttemptFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Reactivated, Error>> + Send + 'a>>;

/// What the rest of the SDK knows of a provider: constants only.
pub(crate) struct Descriptor {
    /// The public host, for providers that have one.
    pub default_base_url: Option<&'static str>,
    /// An example base URL, for the error that asks for one.
    pub base_url_example: &'static str,
}

/// `Err` when the path of `url` holds one of `markers` (each one or more whole
/// segments, e.g. `/api/v1`), that is a documented API path pasted after the
/// server URL: the message gives the URL cut before it. `what` names the
/// server URL in the provider's words ("your Okta org's URL").
pub(crate) fn pasted_api_path(
    url: &reqwest::Url,
    markers: &[&str],
    what: &str,
) -> Result<(), String> {
    let path = url.path().trim_end_matches('/');
    for marker in markers {
        let at = path.match_indices(marker).map(|(at, _)| at).find(|at| {
            let end = at + marker.len();
            path[end..].is_empty() || path[end..].starts_with('/')
        });
        if let Some(at) = at {
            let mut fixed = url.clone();
            fixed.set_path(&path[..at]);
            let fixed = fixed.as_str().trim_end_matches('/').to_string();
            return Err(format!(
                "the base URL `{url}` includes `{}`, a path of the API itself: the base URL \
                 is {what}, without it: `{fixed}`",
                &path[at..]
            ));
        }
    }
    Ok(())
}

/// `Err` unless the path of `url` ends with one of `suffixes` (each one or
/// more whole segments, e.g. `/api/v2`; the first is the one suggested,
/// appended): `what` names the server URL in the provider's words.
pub(crate) fn base_path_ends_with(
    url: &reqwest::Url,
    suffixes: &[&str],
    what: &str,
) -> Result<(), String> {
    let path = url.path().trim_end_matches('/');
    if suffixes.iter().any(|s| path.ends_with(s)) {
        return Ok(());
    }
    let mut fixed = url.clone();
    fixed.set_path(&format!(
        "{path}{}",
        suffixes.first().copied().unwrap_or_default()
    ));
    Err(format!(
        "the base URL `{url}` does not end with {}: the base URL is {what}: `{}`",
        suffixes.join(" or "),
        fixed.as_str().trim_end_matches('/')
    ))
}

/// How a provider that takes AWS credentials instead of a token signs its
/// requests (AWS Signature Version 4).
pub(crate) struct AwsSigning {
    /// The service name of the signature's scope (`cognito-idp`).
    pub service: &'static str,
    /// The public endpoint of a region (the default base URL).
    pub endpoint: fn(region: &str) -> String,
}

/// A string field of a JSON object, if present and not blank.
pub(crate) fn text_field(v: &serde_json::Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A provider adapter.
pub(crate) trait Adapter: Answers {
    /// The provider's constants.
    fn descriptor(&self) -> &'static Descriptor;
    /// Provider-specific rules for a client's configuration, checked by
    /// `build()`: `organization` is the client's default organization. `Err` is
    /// the reason.
    fn validate_client(&self, _organization: Option<&str>) -> Result<(), String> {
        Ok(())
    }
    /// The scheme of the provider's own API tokens, sent as `Authorization:
    /// <scheme> <token>` when a client is built with
    /// [`ClientBuilder::api_token`](crate::ClientBuilder::api_token) (Okta:
    /// `SSWS`); `None` when the provider has none (bearer tokens only).
    fn api_token_scheme(&self) -> Option<&'static str> {
        None
    }
    /// `Some` for a provider whose requests are signed with AWS credentials
    /// (and a region) instead of carrying a token.
    fn aws_signing(&self) -> Option<&'static AwsSigning> {
        None
    }
    /// Checks the shape of the client's base URL (parsed, as given): `Err`
    /// says why it cannot be right and gives the corrected value (an API
    /// path pasted after the server URL, a missing version prefix). See
    /// [`pasted_api_path`] and [`base_path_ends_with`].
    fn check_base_url(&self, _url: &reqwest::Url) -> Result<(), String> {
        Ok(())
    }
    /// Whether the adapter reads the user before it changes it, so that a dry
    /// run ([`Call::dry_run`]) can stop after the read and say what it would
    /// do.
    fn reads_users(&self) -> bool {
        false
    }
    /// Provider-specific request rules for the user id and the organization
    /// the call would use (the request's, else the client's); `Err` is the
    /// reason (nothing is sent).
    fn validate(&self, _user_id: &str, _organization: Option<&str>) -> Result<(), String> {
        Ok(())
    }
    /// The provider's OAuth 2.0 token endpoint for a client of `scope`, for
    /// [`ClientBuilder::client_credentials`](crate::ClientBuilder::client_credentials)
    /// and [`ClientBuilder::private_key_jwt`](crate::ClientBuilder::private_key_jwt);
    /// `Err` says why there is none (the user then sets `token_url`).
    fn token_endpoint(&self, _scope: &TokenScope<'_>) -> Result<TokenEndpoint, String> {
        Err("it has no OAuth 2.0 token endpoint of its own".into())
    }
    /// One attempt: the request, and the mapping of whatever came back.
    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a>;
}
