//! Aitronos Users v2: `POST /v1/organizations/{organization_id}/users/{user_id}/reactivate`.
//!
//! Success is the updated user object; errors share one envelope
//! (`{success, error: {code, message, status, trace_id, ...}}`) whose `error.code`
//! refines the status (`USER_NOT_DEACTIVATED` on 422; `ORGANIZATION_NOT_FOUND`
//! is the client's organization, not the user). The backend (a FastAPI app)
//! also answers in two older shapes, kept as its own answers: the Freddy API's
//! documented `{detail, status_code, error_type}` and its gateway's `{title,
//! message}`. FastAPI's bare `{"detail": "Not Found"}` for a path it does not
//! route is not one of them: that 404 is a wrong base URL.

use crate::adapter::{
    pasted_api_path, text_field, Adapter, Answers, AttemptFuture, Call, Descriptor, OwnError,
};
use crate::error::{kind_for_status, ApiError, Error, ErrorKind};
use crate::generated::aitronos as gen;
use crate::outcome::{Details, Reactivated};
use crate::transport::{transport_hooks, Attempt, Outcome};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;
pub(crate) mod types;

use self::types::AitronosUser;

impl From<gen::types::User> for AitronosUser {
    fn from(u: gen::types::User) -> Self {
        AitronosUser {
            id: u.id,
            full_name: u.full_name,
            email: u.email,
            user_name: u.user_name,
            account_state: u.account_state,
            role_ids: u.role_ids,
            department_ids: u.department_ids,
            organization_id: u.organization_id,
            invitation_link: u.invitation_link,
            invited_at: u.invited_at,
            deactivated_at: u.deactivated_at,
        }
    }
}

pub(crate) struct Aitronos;

fn check_prefix(what: &str, id: &str, prefix: &str) -> Result<(), String> {
    let rest = id.strip_prefix(prefix).unwrap_or_default();
    if rest.is_empty()
        || !rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "Aitronos {what} ids have the form `{prefix}<letters, digits, _ or ->`; got `{id}`"
        ));
    }
    Ok(())
}

impl Answers for Aitronos {
    fn own_error(&self, _status: u16, body: &serde_json::Value) -> Option<OwnError> {
        // `{success: false, error: {code, message, ...}}`: `error.code` is always there.
        if let Some(error) = body.get("error") {
            return Some(OwnError {
                code: Some(text_field(error, "code")?),
                message: text_field(error, "message"),
            });
        }
        older_shape(body)
    }
}

/// The backend's older error shapes, each told by a field FastAPI's own
/// `{"detail": ...}` never has:
/// - `{detail, status_code, error_type}` (the Freddy API's documented format,
///   docs.aitronos.com "Error handling"): `error_type` is the code, `detail`
///   the message;
/// - `{title, message}` (the Freddy API gateway's 401, `Invalid headerApiKey`)
///   and `{detail: "<CODE>", message}` (its login's 401): the message, and the
///   code where `detail` is one.
fn older_shape(body: &serde_json::Value) -> Option<OwnError> {
    let detail = text_field(body, "detail");
    if let Some(error_type) = text_field(body, "error_type") {
        return Some(OwnError {
            code: Some(error_type),
            message: detail,
        });
    }
    let message = text_field(body, "message")?;
    if detail.is_none() && text_field(body, "title").is_none() {
        return None;
    }
    Some(OwnError {
        code: detail.filter(|d| is_code(d)),
        message: Some(message),
    })
}

/// `INVALID_CREDENTIALS`: upper-case letters, digits and `_`.
fn is_code(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The kind an answer of `status` with the provider's `code` means: the status
/// decides; the code refines a client error only.
fn kind_for(status: u16, code: Option<&str>) -> ErrorKind {
    match (status, code) {
        (400 | 409 | 422, Some("USER_NOT_DEACTIVATED")) => ErrorKind::NotDeactivated,
        (400..=499, Some("ORGANIZATION_NOT_FOUND")) => ErrorKind::Misconfigured,
        (status, _) => kind_for_status(status),
    }
}

/// `api` as the error its code and status mean, its message naming the
/// setting to fix where the organization is unknown.
fn classified(mut api: ApiError) -> Error {
    let kind = kind_for(api.status, api.code.as_deref());
    if kind == ErrorKind::Misconfigured {
        api.message = format!(
            "{} (the organization the request names does not exist: fix the client's \
             .organization(..) or the request's ReactivateRequest::organization)",
            api.message
        );
    }
    Error::from_api(kind, api)
}

/// An error answer the generated code could not decode (an older shape, or
/// the envelope without its message): its code and message read leniently
/// from the raw body. Anything else is returned as it is.
fn refined(at: &Attempt<'_>, e: Error) -> Error {
    let Some(seen) = at.ctx.seen() else {
        return e;
    };
    let relevant = seen.status >= 400
        && !seen.too_large
        && e.api_error().is_some()
        && e.kind() != ErrorKind::Misconfigured;
    if !relevant {
        return e;
    }
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(&seen.body) else {
        return e;
    };
    let Some(own) = Aitronos.own_error(seen.status, &body) else {
        return e;
    };
    let mut api = at.api_error(&seen);
    api.trace_id = body
        .get("error")
        .and_then(|error| text_field(error, "trace_id"))
        .or(api.trace_id);
    api.code = own.code;
    if let Some(message) = own.message {
        api.message = message;
    }
    classified(api)
}

impl Adapter for Aitronos {
    /// The server URL is the host: `/v1/...` is the operation's path.
    fn check_base_url(&self, url: &reqwest::Url) -> Result<(), String> {
        pasted_api_path(url, &["/v1"], "the API host, `https://api.aitronos.com`")
    }

    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            default_base_url: Some("https://api.aitronos.com"),
            base_url_example: "https://api.aitronos.com",
        }
    }

    /// A default organization is optional: a multi-tenant service gives
    /// each request its own ([`validate`](Adapter::validate) then checks it).
    fn validate_client(&self, organization: Option<&str>) -> Result<(), String> {
        match organization {
            Some(org) => check_prefix("organization", org, "org_"),
            None => Ok(()),
        }
    }

    fn validate(&self, user_id: &str, organization: Option<&str>) -> Result<(), String> {
        let org = organization.ok_or(
            "Aitronos needs an organization: give the request one \
             (ReactivateRequest::new(id).organization(\"org_...\")) or set a default on the \
             client (.organization(\"org_...\"))",
        )?;
        check_prefix("organization", org, "org_")?;
        check_prefix("user", user_id, "usr_")
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(async move {
            let org = call.organization.unwrap_or_default();
            let client: gen::Client = call.client();
            let result = client.reactivate_user(org, call.user_id).await;
            let at = call.attempt_on(&client);
            match at.outcome(result) {
                Outcome::Success(user, _) => Ok(Reactivated::new(
                    call.provider,
                    Details::Aitronos(Box::new(user.into())),
                )),
                Outcome::ErrorBody(envelope, mut api) => {
                    let body = envelope.error;
                    api.trace_id = body.trace_id.or(api.trace_id);
                    api.code = Some(body.code);
                    api.message = body.message;
                    Err(classified(api))
                }
                Outcome::Failed(e) => Err(refined(&at, e)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// docs.aitronos.com "Error handling" (the Freddy API's documented
    /// format) and the gateway's `{title, message}` are the backend's own
    /// answers; FastAPI's `{"detail": "Not Found"}` is not.
    #[test]
    fn the_older_shapes_are_own_answers_and_fastapis_404_is_not() {
        let legacy = json!({"detail": "Invalid API key", "status_code": 401, "error_type": "AuthenticationError"});
        let own = Aitronos.own_error(401, &legacy).expect("documented format");
        assert_eq!(own.code.as_deref(), Some("AuthenticationError"));
        assert_eq!(own.message.as_deref(), Some("Invalid API key"));

        let gateway = json!({"title": "Unauthorized", "message": "Invalid headerApiKey: x."});
        let own = Aitronos.own_error(401, &gateway).expect("gateway shape");
        assert_eq!(own.code, None);
        assert_eq!(own.message.as_deref(), Some("Invalid headerApiKey: x."));

        let login =
            json!({"detail": "INVALID_CREDENTIALS", "message": "Invalid email or password"});
        let own = Aitronos.own_error(401, &login).expect("login shape");
        assert_eq!(own.code.as_deref(), Some("INVALID_CREDENTIALS"));

        assert!(Aitronos
            .own_error(404, &json!({"detail": "Not Found"}))
            .is_none());
        assert!(Aitronos
            .own_error(404, &json!({"message": "Not Found"}))
            .is_none());
        assert!(Aitronos
            .own_error(404, &json!({"error": "Not Found"}))
            .is_none());
    }

    #[test]
    fn an_unknown_organization_is_the_clients_configuration() {
        assert_eq!(
            kind_for(404, Some("ORGANIZATION_NOT_FOUND")),
            ErrorKind::Misconfigured
        );
        assert_eq!(kind_for(404, Some("USER_NOT_FOUND")), ErrorKind::NotFound);
        assert_eq!(
            kind_for(422, Some("USER_NOT_DEACTIVATED")),
            ErrorKind::NotDeactivated
        );
        assert_eq!(
            kind_for(500, Some("USER_NOT_DEACTIVATED")),
            ErrorKind::Server
        );
        let mut api = ApiError::new(
            crate::provider::Provider::Aitronos,
            404,
            "Organization not found",
        );
        api.code = Some("ORGANIZATION_NOT_FOUND".into());
        let e = classified(api);
        assert_eq!(e.kind(), ErrorKind::Misconfigured);
        assert!(e.to_string().contains(".organization(..)"), "{e}");
    }
}
