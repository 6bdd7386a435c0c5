//! Google Workspace through the Admin SDK Directory API v1
//! (`https://admin.googleapis.com/admin/directory/v1`).
//!
//! A reactivation reads the user first (`GET /users/{userKey}?fields=id,primaryEmail,
//! suspended,suspensionReason`; the key is the primary email, an alias or the
//! unique id, sent as one path segment): a user an administrator suspended is
//! followed by `PATCH /users/{userKey}` with `{"suspended": false}` (200 with the
//! user); `suspended: false` is "not deactivated".
//!
//! A user Google suspended itself (`suspensionReason` other than `ADMIN`: `ABUSE`,
//! `UNDER13`, `WEB_LOGIN_REQUIRED`, ...) is [`Error::InvalidArgument`], with the
//! reason as the code, and no write is sent. Not `NotDeactivated`: that means
//! "already active, nothing to do", which a request made with
//! [`allow_already_active`](crate::ReactivateRequest::allow_already_active) and a
//! bulk run count as a success; this user is still suspended and only Google
//! (the admin console's appeal, Google support) can change that, so it must stay
//! a failure. `InvalidArgument` is the kind for "the provider cannot do this for
//! this input": not retried, not stopping a bulk run, the reason in
//! [`ApiError::code`](crate::ApiError::code).
//!
//! Errors are Google's envelope (`providers::google::envelope`): `errors[0].reason`
//! is the code; a 403 with a quota reason (`userRateLimitExceeded`,
//! `rateLimitExceeded`, `quotaExceeded`) is [`Error::RateLimited`], retried with
//! the policy's exponential backoff like a 429 (bounded by its attempts).
//!
//! Service accounts: [`ClientBuilder::google_service_account`](crate::ClientBuilder::google_service_account)
//! with [`ClientBuilder::subject`](crate::ClientBuilder::subject) (domain-wide
//! delegation, acting as an administrator), scope
//! `https://www.googleapis.com/auth/admin.directory.user`.

use crate::adapter::{
    base_path_ends_with, pasted_api_path, Adapter, Answers, AttemptFuture, Call, Descriptor,
    OwnError,
};
use crate::credentials::{TokenEndpoint, TokenScope, GOOGLE_TOKEN_URL};
use crate::error::{ApiError, Error};
use crate::generated::google_workspace as gen;
use crate::outcome::{Details, Reactivated};
use crate::providers::google::envelope::Envelope;
use crate::transport::{transport_hooks, Outcome};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;
pub(crate) mod types;

use self::types::WorkspaceUser;

/// The fields the read asks for.
const FIELDS: &str = "id,primaryEmail,suspended,suspensionReason";
/// The `suspensionReason` of an administrator's suspension.
const ADMIN: &str = "ADMIN";
/// The scope of the users methods (the Discovery document's
/// `admin.directory.user`).
pub(crate) const SCOPE: &str = "https://www.googleapis.com/auth/admin.directory.user";

pub(crate) struct GoogleWorkspace;

impl Answers for GoogleWorkspace {
    fn own_error(&self, _status: u16, body: &serde_json::Value) -> Option<OwnError> {
        let envelope = Envelope::read(body)?;
        let code = envelope.reason.clone().or_else(|| envelope.status.clone());
        Some(envelope.own(code))
    }
}

impl Adapter for GoogleWorkspace {
    fn reads_users(&self) -> bool {
        true
    }

    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            default_base_url: Some("https://admin.googleapis.com/admin/directory/v1"),
            base_url_example: "https://admin.googleapis.com/admin/directory/v1",
        }
    }

    /// The Directory API's root: `https://admin.googleapis.com/admin/directory/v1`;
    /// another host (a proxy, a mock) may serve it under any path.
    fn check_base_url(&self, url: &reqwest::Url) -> Result<(), String> {
        let what = "the Directory API's root, `https://admin.googleapis.com/admin/directory/v1`";
        pasted_api_path(url, &["/users"], what)?;
        match url.host_str() {
            Some("admin.googleapis.com" | "www.googleapis.com") => {
                base_path_ends_with(url, &["/admin/directory/v1"], what)
            }
            _ => Ok(()),
        }
    }

    /// Google's OAuth 2.0 token endpoint, for a service account's JWT bearer
    /// grant (the key file's `token_uri` wins); it takes no client secret.
    fn token_endpoint(&self, _scope: &TokenScope<'_>) -> Result<TokenEndpoint, String> {
        Ok(TokenEndpoint {
            scopes: vec![SCOPE.into()],
            no_secret: Some(
                "Google's token endpoint takes no client secret: authenticate with a service \
                 account key, .google_service_account(..) (with .subject(..) for domain-wide \
                 delegation)",
            ),
            ..TokenEndpoint::at(GOOGLE_TOKEN_URL)
        })
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(reactivate(call))
    }
}

async fn reactivate(call: &Call<'_>) -> Result<Reactivated, Error> {
    let id = call.user_id;
    let read: gen::Client = call.client();
    let at = call.attempt_on(&read);
    call.phase.reading();
    let (user, seen) = match at.outcome(read.get_user(id, Some(FIELDS)).await) {
        Outcome::Success(user, seen) => (user, seen),
        Outcome::ErrorBody(body, api) => return Err(google_error(body, api)),
        Outcome::Failed(e) => return Err(e),
    };
    let done = WorkspaceUser {
        id: user.id.clone().unwrap_or_else(|| id.to_string()),
        primary_email: user.primary_email.clone(),
    };
    match (
        user.suspended,
        user.suspension_reason.as_deref().map(str::trim),
    ) {
        (Some(true), Some(reason)) if !reason.is_empty() && reason != ADMIN => {
            let mut api = at.api_error(&seen);
            api.code = Some(reason.to_string());
            api.message = format!(
                "the user was suspended by Google itself (suspensionReason {reason}), not by an \
                 administrator: the Directory API cannot lift it and nothing was changed; the \
                 suspension is reviewed by Google (the admin console's user page says how to \
                 appeal)"
            );
            return Err(Error::InvalidArgument(api));
        }
        (Some(true), _) => {}
        (Some(false), _) => {
            let mut api = at.api_error(&seen);
            api.message = "the user is not suspended (suspended: false)".into();
            return Err(Error::NotDeactivated(api));
        }
        (None, _) => {
            let mut api = at.api_error(&seen);
            api.message = "the answer does not say whether the user is suspended (`suspended` \
                           is missing although it was asked for)"
                .into();
            return Err(Error::UnexpectedResponse(api));
        }
    }

    if call.dry_run {
        return Ok(Reactivated::new(call.provider, Details::GoogleWorkspace(done)).planned());
    }
    let write: gen::Client = call.client();
    let at = call.attempt_on(&write);
    let body = gen::types::UserRestore { suspended: false };
    call.phase.writing();
    match at.outcome(write.update_user(id, &body).await) {
        Outcome::Success(user, seen) => {
            if user.suspended == Some(true) {
                let mut api = at.api_error(&seen);
                api.message = "the update was accepted but the user is still suspended \
                               (suspended: true in the answer)"
                    .into();
                return Err(Error::UnexpectedResponse(api));
            }
            let done = WorkspaceUser {
                id: user.id.unwrap_or(done.id),
                primary_email: user.primary_email.or(done.primary_email),
            };
            Ok(Reactivated::new(
                call.provider,
                Details::GoogleWorkspace(done),
            ))
        }
        Outcome::ErrorBody(body, api) => Err(google_error(body, api)),
        Outcome::Failed(e) => Err(e),
    }
}

/// A documented error: Google's envelope decides the kind (a quota reason is
/// a rate limit whatever the status), `errors[0].reason` is the code.
fn google_error(body: gen::types::GoogleError, mut api: ApiError) -> Error {
    let error = body.error;
    let envelope = Envelope {
        message: Some(error.message).filter(|m| !m.trim().is_empty()),
        status: error.status.filter(|s| !s.trim().is_empty()),
        reason: error
            .errors
            .into_iter()
            .next()
            .and_then(|e| e.reason)
            .filter(|r| !r.trim().is_empty()),
    };
    let kind = envelope.kind(api.status);
    if let Some(code) = envelope.reason.clone().or_else(|| envelope.status.clone()) {
        api.code = Some(code);
    }
    if let Some(message) = envelope.message {
        api.message = message;
    }
    Error::from_api(kind, api)
}
