//! Okta management API: read the user (`GET /api/v1/users/{id}`), apply the
//! lifecycle transition its `status` needs (`POST /api/v1/users/{id}/lifecycle/…`),
//! then read the user again for the status it ends in.
//!
//! | status | transition | ends |
//! |---|---|---|
//! | `SUSPENDED` | `unsuspend` | `ACTIVE` |
//! | `LOCKED_OUT` | `unlock` | `ACTIVE` |
//! | `DEPROVISIONED`, `STAGED` | `activate?sendEmail=false` | `ACTIVE`, or `PROVISIONED` for a user without a password |
//! | `PROVISIONED` | `reactivate?sendEmail=false` | `PROVISIONED` (a new activation link) |
//! | `ACTIVE`, `RECOVERY`, `PASSWORD_EXPIRED` | none | `NotDeactivated` |
//!
//! Errors are `{errorCode, errorSummary, errorLink, errorId, errorCauses}`: the
//! status decides, `errorCode` refines a write's state errors (`E0000001`,
//! `E0000016`, `E0000038`, and `E0000032` when its cause says the user is not
//! locked out: the user is no longer in the status that was read) into "not
//! deactivated".

use crate::adapter::{
    pasted_api_path, text_field, Adapter, Answers, AttemptFuture, Call, Descriptor, OwnError,
};
use crate::credentials::{TokenEndpoint, TokenScope};
use crate::error::{kind_for_status, ApiError, Error, ErrorKind, FieldError};
use crate::generated::okta as gen;
use crate::outcome::{Details, Reactivated};
use crate::transport::{header_str, transport_hooks, Attempt, Outcome, Seen};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;
pub(crate) mod types;

use self::types::{ActivationLink, OktaLifecycle, OktaTransition};

pub(crate) struct Okta;

impl Answers for Okta {
    fn own_error(&self, _status: u16, body: &serde_json::Value) -> Option<OwnError> {
        // `{errorCode, errorSummary, errorLink, errorId, errorCauses}`: the code
        // and the summary are always there.
        Some(OwnError {
            code: Some(text_field(body, "errorCode")?),
            message: Some(text_field(body, "errorSummary")?),
        })
    }
}

impl Adapter for Okta {
    fn reads_users(&self) -> bool {
        true
    }

    /// The org's URL: `/api/v1/...` and `/oauth2/...` follow it.
    fn check_base_url(&self, url: &reqwest::Url) -> Result<(), String> {
        pasted_api_path(
            url,
            &["/api/v1", "/oauth2"],
            "your Okta org's URL, e.g. `https://acme.okta.com`",
        )
    }

    /// The org authorization server's token endpoint (developer.okta.com,
    /// "Implement OAuth for Okta with a service app": private key JWT only,
    /// `aud` = the token URL; `okta.users.read` for the reads and
    /// `okta.users.manage` for the lifecycle operations).
    fn token_endpoint(&self, scope: &TokenScope<'_>) -> Result<TokenEndpoint, String> {
        Ok(TokenEndpoint {
            scopes: vec!["okta.users.read".into(), "okta.users.manage".into()],
            no_secret: Some(
                "Okta service apps authenticate with a private key JWT: use \
                 .private_key_jwt(client_id, private_key_pem, key_id) instead of \
                 .client_credentials(..) (or .token_url(..) for an authorization server that \
                 takes client secrets)",
            ),
            ..TokenEndpoint::at(format!("{}/oauth2/v1/token", scope.base_url))
        })
    }

    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            default_base_url: None,
            base_url_example: "https://example.okta.com",
        }
    }

    fn api_token_scheme(&self) -> Option<&'static str> {
        Some("SSWS")
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(async move {
            let client: gen::Client = call.client();
            // Every answer is recorded in the client's context.
            let at = call.attempt_on(&client);
            let id = call.user_id;

            call.phase.reading();
            let (user, seen) = read(&at, client.get_user(id).await)?;
            let Some(before) = user.status.filter(|s| !s.trim().is_empty()) else {
                return Err(unexpected(&at, &seen, "the user object has no `status`"));
            };
            if user.transitioning_to_status.as_deref() == Some("ACTIVE") {
                return Err(not_deactivated(
                    &at,
                    &seen,
                    &before,
                    format!(
                        "Okta is already activating the user (status {before}, transitioning to \
                         ACTIVE)"
                    ),
                ));
            }
            let Some(transition) = OktaTransition::for_status(&before) else {
                return match before.as_str() {
                    "ACTIVE" => Err(not_deactivated(
                        &at,
                        &seen,
                        &before,
                        "Okta reports the user ACTIVE: nothing to reactivate".into(),
                    )),
                    "RECOVERY" | "PASSWORD_EXPIRED" => Err(not_deactivated(
                        &at,
                        &seen,
                        &before,
                        format!(
                            "Okta reports the user {before}: the account is not deactivated, \
                             but the user must set a new password (through the reset link or \
                             at sign-in) before using it; no lifecycle operation does that for \
                             them"
                        ),
                    )),
                    other => Err(unexpected(
                        &at,
                        &seen,
                        &format!(
                            "Okta reports the user status `{other}`, which the SDK does not know"
                        ),
                    )),
                };
            };

            if call.dry_run {
                // What would run, and the status the user has now.
                let plan = OktaLifecycle {
                    transition,
                    previous_status: before.clone(),
                    status: Some(before),
                    transitioning_to_status: None,
                    activation: None,
                };
                return Ok(
                    Reactivated::new(call.provider, Details::Okta(Box::new(plan))).planned(),
                );
            }
            call.phase.writing();
            let activation = match transition {
                OktaTransition::Unsuspend => {
                    write(&at, client.unsuspend_user(id).await).map(|()| None)
                }
                OktaTransition::Unlock => write(&at, client.unlock_user(id).await).map(|()| None),
                OktaTransition::Activate => {
                    write(&at, client.activate_user(id, Some(false)).await).map(link)
                }
                OktaTransition::Reactivate => {
                    write(&at, client.reactivate_user(id, Some(false)).await).map(link)
                }
            }?;

            let mut lifecycle = OktaLifecycle {
                transition,
                previous_status: before.clone(),
                status: None,
                transitioning_to_status: None,
                activation,
            };
            let mut message = None;
            match read(&at, client.get_user(id).await) {
                Ok((after, seen)) => {
                    let status = after.status.filter(|s| !s.trim().is_empty());
                    let moving = after
                        .transitioning_to_status
                        .filter(|s| !s.trim().is_empty());
                    // Okta answered the transition with a success; a user that is
                    // still where it was (and not on its way) was not reactivated.
                    let unchanged = status.as_deref() == Some(before.as_str()) && moving.is_none();
                    if unchanged && transition != OktaTransition::Reactivate {
                        return Err(unexpected(
                            &at,
                            &seen,
                            &format!(
                                "Okta answered the {transition} operation with a success, but \
                                 the user is still {before}"
                            ),
                        ));
                    }
                    lifecycle.status = status;
                    lifecycle.transitioning_to_status = moving;
                }
                Err(e) => {
                    message = Some(format!(
                        "the {transition} operation succeeded, but the user's status could not \
                         be read afterwards: {e}"
                    ));
                }
            }
            Ok(
                Reactivated::new(call.provider, Details::Okta(Box::new(lifecycle)))
                    .with_message(message),
            )
        })
    }
}

fn link(token: gen::types::ActivationToken) -> Option<ActivationLink> {
    Some(ActivationLink {
        url: token.activation_url?,
        token: token.activation_token.unwrap_or_default(),
    })
}

/// A read: the user, or the error its answer means.
fn read(
    at: &Attempt<'_>,
    result: Result<
        progenitor_client::ResponseValue<gen::types::User>,
        progenitor_client::Error<gen::types::OktaError>,
    >,
) -> Result<(gen::types::User, std::sync::Arc<Seen>), Error> {
    match at.outcome(result) {
        Outcome::Success(user, seen) => Ok((user, seen)),
        Outcome::ErrorBody(body, api) => Err(okta_error(at, body, api, false)),
        Outcome::Failed(e) => Err(refine(at, e, false)),
    }
}

/// A lifecycle operation: its answer, or the error its answer means.
fn write<T>(
    at: &Attempt<'_>,
    result: Result<
        progenitor_client::ResponseValue<T>,
        progenitor_client::Error<gen::types::OktaError>,
    >,
) -> Result<T, Error> {
    match at.outcome(result) {
        Outcome::Success(value, _) => Ok(value),
        Outcome::ErrorBody(body, api) => Err(okta_error(at, body, api, true)),
        Outcome::Failed(e) => Err(refine(at, e, true)),
    }
}

/// An error status the spec does not list for the call (a 400 on a read, a 502
/// from Okta's edge, ...) whose body is Okta's error object is read as one, so
/// that its code, trace id and causes are kept.
fn refine(at: &Attempt<'_>, e: Error, write: bool) -> Error {
    let Some(seen) = at.ctx.seen() else {
        return e;
    };
    if seen.status < 400 || seen.too_large || at.wrong_endpoint(&seen).is_some() {
        return e;
    }
    match serde_json::from_slice::<gen::types::OktaError>(&seen.body) {
        Ok(body)
            if body
                .error_code
                .as_deref()
                .is_some_and(|c| !c.trim().is_empty()) =>
        {
            okta_error(at, body, at.api_error(&seen), write)
        }
        _ => e,
    }
}

/// Okta's error object onto an [`Error`]: the status decides; on a lifecycle
/// operation, Okta's state errors mean the user is no longer in the status read.
fn okta_error(
    at: &Attempt<'_>,
    body: gen::types::OktaError,
    mut api: ApiError,
    write: bool,
) -> Error {
    let code = body.error_code.filter(|c| !c.trim().is_empty());
    let causes: Vec<String> = body
        .error_causes
        .into_iter()
        .filter_map(|c| c.error_summary)
        .collect();
    let not_locked_out = causes
        .iter()
        .any(|c| c.to_ascii_lowercase().contains("not locked out"));
    let kind = match (api.status, code.as_deref()) {
        // E0000001: "api validation failed" (a user not SUSPENDED, for unsuspend);
        // E0000016: "already active"; E0000038: "not allowed in the user's
        // current status".
        (400, Some("E0000001")) | (403, Some("E0000016" | "E0000038")) if write => {
            ErrorKind::NotDeactivated
        }
        // E0000032, "Unlock is not allowed for this user.": a state error when
        // its cause says "The user is not locked out."; otherwise the user may
        // not be unlocked here at all (a directory-sourced user).
        (403, Some("E0000032")) if write && not_locked_out => ErrorKind::NotDeactivated,
        (status, _) => kind_for_status(status),
    };
    if let Some(summary) = body.error_summary.filter(|s| !s.trim().is_empty()) {
        api.message = summary;
    }
    api.code = code;
    api.trace_id = body
        .error_id
        .filter(|s| !s.trim().is_empty())
        .or_else(|| okta_request_id(at))
        .or(api.trace_id);
    api.field_errors = causes.iter().map(|s| field_error(s)).collect();
    Error::from_api(kind, api)
}

/// Okta's request id header, `X-Okta-Request-Id`.
fn okta_request_id(at: &Attempt<'_>) -> Option<String> {
    at.ctx
        .seen()
        .and_then(|s| header_str(&s.headers, "x-okta-request-id"))
}

/// An `errorCauses[].errorSummary`: `field: reason` when it names a field,
/// else the whole sentence under `errorCauses`.
fn field_error(summary: &str) -> FieldError {
    match summary.split_once(": ") {
        Some((field, reason))
            if !field.is_empty()
                && field
                    .chars()
                    .all(|c| c.is_alphanumeric() || "._-[]".contains(c)) =>
        {
            FieldError::new(field, reason, None)
        }
        _ => FieldError::new("errorCauses", summary, None),
    }
}

/// "Not deactivated", from a read of the user: the status is kept as the code.
fn not_deactivated(at: &Attempt<'_>, seen: &Seen, status: &str, message: String) -> Error {
    let mut api = at.api_error(seen);
    api.code = Some(status.to_string());
    api.message = message;
    api.trace_id = api
        .trace_id
        .or_else(|| header_str(&seen.headers, "x-okta-request-id"));
    Error::NotDeactivated(api)
}

fn unexpected(at: &Attempt<'_>, seen: &Seen, message: &str) -> Error {
    let mut api = at.api_error(seen);
    api.message = message.to_string();
    Error::UnexpectedResponse(api)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_rule() {
        use OktaTransition::*;
        assert_eq!(OktaTransition::for_status("SUSPENDED"), Some(Unsuspend));
        assert_eq!(OktaTransition::for_status("LOCKED_OUT"), Some(Unlock));
        assert_eq!(OktaTransition::for_status("DEPROVISIONED"), Some(Activate));
        assert_eq!(OktaTransition::for_status("STAGED"), Some(Activate));
        assert_eq!(OktaTransition::for_status("PROVISIONED"), Some(Reactivate));
        for none in ["ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "ACTIVATING", ""] {
            assert_eq!(OktaTransition::for_status(none), None, "{none}");
        }
    }

    #[test]
    fn causes_name_their_field_when_they_have_one() {
        let fe = field_error("login: An object with this field already exists");
        assert_eq!(fe.field, "login");
        assert_eq!(fe.message, "An object with this field already exists");
        let fe = field_error("Cannot unsuspend a user that is not suspended");
        assert_eq!(fe.field, "errorCauses");
        let fe = field_error("profile.email: Does not match required pattern");
        assert_eq!(fe.field, "profile.email");
        let fe = field_error("Not a field: but a sentence");
        assert_eq!(fe.field, "errorCauses");
    }

    #[test]
    fn the_activation_link_never_shows() {
        let link = ActivationLink {
            url: "https://x.okta.com/tokens/SECRETTOKEN123/verify".into(),
            token: "SECRETTOKEN123".into(),
        };
        let lifecycle = OktaLifecycle {
            transition: OktaTransition::Activate,
            previous_status: "STAGED".into(),
            status: Some("PROVISIONED".into()),
            transitioning_to_status: None,
            activation: Some(link),
        };
        assert!(!format!("{lifecycle:?}").contains("SECRETTOKEN123"));
        let json = serde_json::to_string(&lifecycle).unwrap_or_default();
        assert!(!json.contains("SECRETTOKEN123"), "{json}");
        assert!(!lifecycle.can_sign_in());
        assert_eq!(
            lifecycle.activation_link().map(ActivationLink::token),
            Some("SECRETTOKEN123")
        );
    }
}
