//! Firebase Authentication / Identity Platform through Identity Toolkit v1
//! (`https://identitytoolkit.googleapis.com/v1`; the Local Emulator Suite
//! serves it at `http://127.0.0.1:9099/identitytoolkit.googleapis.com/v1`).
//!
//! The organization is the project id (required); the user id is the uid
//! (`localId`). A reactivation reads the account first (`POST
//! /projects/{project}/accounts:lookup` with `{"localId": [uid]}`): an answer
//! without `users` is "not found"; `disabled: true` is followed by `POST
//! /projects/{project}/accounts:update` with `{"localId": uid, "disableUser":
//! false}`; `disabled` false or missing is "not deactivated". With
//! [`ClientBuilder::tenant`](crate::ClientBuilder::tenant), both bodies carry
//! `tenantId` (the documented field of both requests), for an Identity
//! Platform tenant.
//!
//! Errors are Google's envelope (`providers::google::envelope`) whose message is
//! the code, optionally followed by ` : ` and a detail: `USER_NOT_FOUND` is
//! [`Error::NotFound`]; `INVALID_ID_TOKEN`, `CREDENTIAL_MISMATCH`,
//! `TOKEN_EXPIRED`, `INVALID_REFRESH_TOKEN` and `USER_DISABLED` (of the caller)
//! are [`Error::Unauthenticated`]; `PERMISSION_DENIED` and `INSUFFICIENT_PERMISSION`
//! are [`Error::PermissionDenied`]; `PROJECT_NOT_FOUND`, `TENANT_NOT_FOUND` and
//! `INVALID_TENANT_ID` are [`Error::Misconfigured`] (the client's project or
//! tenant, not the user); `TOO_MANY_ATTEMPTS_TRY_LATER` and `QUOTA_EXCEEDED` are
//! [`Error::RateLimited`]; other codes go by the HTTP status (with Google's
//! quota reasons and `backendError` read as for every Google API).

use serde_json::Value;

use crate::adapter::{
    pasted_api_path, Adapter, Answers, AttemptFuture, Call, Descriptor, OwnError,
};
use crate::credentials::{TokenEndpoint, TokenScope, GOOGLE_TOKEN_URL};
use crate::error::{ApiError, Error, ErrorKind};
use crate::generated::firebase as gen;
use crate::outcome::{Details, Reactivated};
use crate::providers::google::envelope::Envelope;
use crate::transport::{transport_hooks, Outcome};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;
pub(crate) mod types;

use self::types::FirebaseUser;

/// The scopes the Discovery document lists for the accounts methods.
pub(crate) const SCOPES: [&str; 2] = [
    "https://www.googleapis.com/auth/cloud-platform",
    "https://www.googleapis.com/auth/firebase",
];

pub(crate) struct Firebase;

/// The code of an Identity Toolkit error message: its first word, before
/// ` : ` and a detail (`TOO_MANY_ATTEMPTS_TRY_LATER : Too many ...`).
pub(crate) fn code_of(message: &str) -> Option<&str> {
    let code = message.split(" : ").next().unwrap_or_default().trim();
    let looks_like_a_code = !code.is_empty()
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    looks_like_a_code.then_some(code)
}

/// The kind an Identity Toolkit code says, where it says one.
fn kind_of_code(code: &str) -> Option<ErrorKind> {
    Some(match code {
        "USER_NOT_FOUND" => ErrorKind::NotFound,
        "INVALID_ID_TOKEN"
        | "CREDENTIAL_MISMATCH"
        | "TOKEN_EXPIRED"
        | "INVALID_REFRESH_TOKEN"
        | "USER_DISABLED"
        | "UNAUTHENTICATED" => ErrorKind::Unauthenticated,
        "PERMISSION_DENIED" | "INSUFFICIENT_PERMISSION" => ErrorKind::PermissionDenied,
        "PROJECT_NOT_FOUND" | "TENANT_NOT_FOUND" | "INVALID_TENANT_ID" => ErrorKind::Misconfigured,
        "TOO_MANY_ATTEMPTS_TRY_LATER" | "QUOTA_EXCEEDED" | "RESOURCE_EXHAUSTED" => {
            ErrorKind::RateLimited
        }
        _ => return None,
    })
}

impl Answers for Firebase {
    fn own_error(&self, _status: u16, body: &Value) -> Option<OwnError> {
        let envelope = Envelope::read(body)?;
        let code = envelope
            .message
            .as_deref()
            .and_then(code_of)
            .map(str::to_string)
            .or_else(|| envelope.status.clone());
        Some(envelope.own(code))
    }
}

impl Adapter for Firebase {
    fn reads_users(&self) -> bool {
        true
    }

    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            default_base_url: Some("https://identitytoolkit.googleapis.com/v1"),
            base_url_example: "https://identitytoolkit.googleapis.com/v1",
        }
    }

    fn check_base_url(&self, url: &reqwest::Url) -> Result<(), String> {
        pasted_api_path(
            url,
            &["/projects", "/accounts:lookup"],
            "Identity Toolkit's root, `https://identitytoolkit.googleapis.com/v1` (the \
             emulator's: `http://127.0.0.1:9099/identitytoolkit.googleapis.com/v1`)",
        )
    }

    fn validate(&self, user_id: &str, organization: Option<&str>) -> Result<(), String> {
        organization.filter(|p| !p.trim().is_empty()).ok_or(
            "Firebase needs the project id: set it on the client (.organization(\"my-project\")) \
             or on the request (ReactivateRequest::new(uid).organization(\"my-project\"))",
        )?;
        if user_id.chars().count() > 128 {
            return Err(format!(
                "a Firebase uid has at most 128 characters; `{}…` has {}",
                user_id.chars().take(16).collect::<String>(),
                user_id.chars().count()
            ));
        }
        Ok(())
    }

    /// Google's OAuth 2.0 token endpoint, for a service account's JWT bearer
    /// grant (the key file's `token_uri` wins); it takes no client secret.
    fn token_endpoint(&self, _scope: &TokenScope<'_>) -> Result<TokenEndpoint, String> {
        Ok(TokenEndpoint {
            scopes: SCOPES.iter().map(|s| s.to_string()).collect(),
            no_secret: Some(
                "Google's token endpoint takes no client secret: authenticate with a service \
                 account key, .google_service_account(..)",
            ),
            ..TokenEndpoint::at(GOOGLE_TOKEN_URL)
        })
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(reactivate(call))
    }
}

async fn reactivate(call: &Call<'_>) -> Result<Reactivated, Error> {
    let uid = call.user_id;
    let project = call.organization.unwrap_or_default();
    let tenant = call.tenant.map(str::to_string);
    let read: gen::Client = call.client();
    let at = call.attempt_on(&read);
    let ask = gen::types::GetAccountInfoRequest {
        local_id: vec![uid.to_string()],
        tenant_id: tenant.clone(),
    };
    call.phase.reading();
    let (found, seen) = match at.outcome(read.lookup_accounts(project, &ask).await) {
        Outcome::Success(found, seen) => (found, seen),
        Outcome::ErrorBody(body, api) => return Err(firebase_error(body, api, call)),
        Outcome::Failed(e) => return Err(e),
    };
    let Some(user) = found
        .users
        .into_iter()
        .find(|u| u.local_id.as_deref().is_none_or(|id| id == uid))
    else {
        let mut api = at.api_error(&seen);
        api.message = format!(
            "no account with this uid in the project `{project}`{}",
            tenant
                .as_deref()
                .map(|t| format!(", tenant `{t}`"))
                .unwrap_or_default()
        );
        return Err(Error::NotFound(api));
    };
    let done = FirebaseUser {
        local_id: user.local_id.unwrap_or_else(|| uid.to_string()),
        email: user.email,
    };
    if user.disabled != Some(true) {
        let mut api = at.api_error(&seen);
        api.message = "the account is not disabled".into();
        return Err(Error::NotDeactivated(api));
    }
    if call.dry_run {
        return Ok(Reactivated::new(call.provider, Details::Firebase(done)).planned());
    }
    let write: gen::Client = call.client();
    let at = call.attempt_on(&write);
    let body = gen::types::SetAccountInfoRequest {
        local_id: uid.to_string(),
        disable_user: false,
        tenant_id: tenant,
    };
    call.phase.writing();
    match at.outcome(write.update_account(project, &body).await) {
        Outcome::Success(updated, _) => Ok(Reactivated::new(
            call.provider,
            Details::Firebase(FirebaseUser {
                local_id: updated.local_id.unwrap_or(done.local_id),
                email: updated.email.or(done.email),
            }),
        )),
        Outcome::ErrorBody(body, api) => Err(firebase_error(body, api, call)),
        Outcome::Failed(e) => Err(e),
    }
}

/// A documented error: the code in the message decides where it says a kind,
/// else Google's envelope (a quota reason, `backendError`) and the status.
fn firebase_error(body: gen::types::GoogleError, mut api: ApiError, call: &Call<'_>) -> Error {
    let error = body.error;
    let code = code_of(&error.message).map(str::to_string);
    let envelope = Envelope {
        message: Some(error.message.trim().to_string()).filter(|m| !m.is_empty()),
        status: error.status.filter(|s| !s.trim().is_empty()),
        reason: error
            .errors
            .into_iter()
            .next()
            .and_then(|e| e.reason)
            .filter(|r| !r.trim().is_empty()),
    };
    let kind = code
        .as_deref()
        .and_then(kind_of_code)
        .unwrap_or_else(|| envelope.kind(api.status));
    if let Some(code) = code.clone().or_else(|| envelope.status.clone()) {
        api.code = Some(code);
    }
    if let Some(message) = envelope.message {
        api.message = message;
    }
    if kind == ErrorKind::Misconfigured {
        let setting = match code.as_deref() {
            Some("TENANT_NOT_FOUND" | "INVALID_TENANT_ID") => format!(
                "the tenant `{}`: check .tenant(..)",
                call.tenant.unwrap_or_default()
            ),
            _ => format!(
                "the project `{}`: check .organization(..), which takes the project id",
                call.organization.unwrap_or_default()
            ),
        };
        api.message = format!("{} ({setting})", api.message);
    }
    Error::from_api(kind, api)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_the_first_word_of_the_message() {
        assert_eq!(code_of("USER_NOT_FOUND"), Some("USER_NOT_FOUND"));
        assert_eq!(
            code_of("TOO_MANY_ATTEMPTS_TRY_LATER : Too many requests"),
            Some("TOO_MANY_ATTEMPTS_TRY_LATER")
        );
        assert_eq!(
            code_of("Request had invalid authentication credentials."),
            None
        );
        assert_eq!(code_of(""), None);
        assert_eq!(
            kind_of_code("PROJECT_NOT_FOUND"),
            Some(ErrorKind::Misconfigured)
        );
        assert_eq!(kind_of_code("USER_NOT_FOUND"), Some(ErrorKind::NotFound));
        assert_eq!(kind_of_code("SOMETHING_ELSE"), None);
    }
}
