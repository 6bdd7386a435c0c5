//! Keycloak Admin REST API: the realm is the organization, the base URL the
//! server root (with `/auth` before Keycloak 17).
//!
//! A reactivation reads the user first (`GET /admin/realms/{realm}/users/{id}`):
//! - `enabled: false`: `PUT` the partial representation `{"enabled": true}` (204).
//!   Keycloak clears the user's login failures itself when it enables a user.
//! - `enabled: true`: the user may still be unable to log in, locked out for a
//!   while by brute-force detection. `GET .../attack-detection/brute-force/users/{id}`
//!   tells: `disabled: true` is released with `DELETE` on the same resource (204)
//!   and counts as a reactivation; otherwise the user is "not deactivated".
//!
//! Errors come in two shapes: the generic handler's `{"error", "error_description"}`
//! (401, 403, 404, 500) and the admin API's `{"errorMessage", "field", "params",
//! "errors"}` (400, 409). The status decides the kind (409 is an invalid argument:
//! the update was rejected); the body gives the message, a code where `error` is a
//! machine token (`unknown_error`), and field errors. The handler of Quarkus-era
//! servers adds `"error_description": "For more on this error consult the server
//! log at the debug level."` to every client error: that boilerplate never stands in
//! for the `error` that says what happened (`User not found`). A 404 is Keycloak's
//! own only when it says the user or the realm was not found: a path the server does
//! not serve (`/auth` kept in the base URL of a newer server) is also a JSON 404, and
//! is reported as a wrong endpoint, never as an unknown user. An unknown realm
//! (`Realm not found.` from the admin API, `Realm does not exist` from the realm's
//! own endpoints) is a misconfiguration: the message names `.realm(..)`.

use serde_json::Value;

use crate::adapter::{
    pasted_api_path, text_field, Adapter, Answers, AttemptFuture, Call, Descriptor, OwnError,
};
use crate::credentials::{TokenEndpoint, TokenScope};
use crate::error::{kind_for_status, ApiError, Error, ErrorKind, FieldError};
use crate::generated::keycloak as gen;
use crate::outcome::{Details, Reactivated};
use crate::transport::path_segment;
use crate::transport::{transport_hooks, Attempt, Outcome};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;
pub(crate) mod types;

use self::types::KeycloakUser;

pub(crate) struct Keycloak;

impl Answers for Keycloak {
    fn own_error(&self, status: u16, body: &Value) -> Option<OwnError> {
        let said = parse_error(body)?;
        // Routing failures are JSON 404s of the same handler: only "user/realm
        // not found" is an answer about the user.
        if status == 404 && !says_not_found(said.message.as_deref().unwrap_or_default()) {
            return None;
        }
        Some(OwnError {
            code: said.code,
            message: said.message,
        })
    }
}

impl Adapter for Keycloak {
    fn reads_users(&self) -> bool {
        true
    }

    /// The server root (with `/auth` before Keycloak 17): the admin API's and
    /// the realms' paths follow it.
    fn check_base_url(&self, url: &reqwest::Url) -> Result<(), String> {
        pasted_api_path(
            url,
            &["/admin", "/realms"],
            "the server root, e.g. `https://sso.example.com` (`https://sso.example.com/auth` \
             before Keycloak 17)",
        )
    }

    /// Keycloak's OpenID Connect token endpoint of the client's realm
    /// (Keycloak Server Administration Guide, "Service accounts"; its
    /// client-secret authenticator takes the secret in the form or by HTTP
    /// Basic). A service client of another realm (`master`): `token_url`.
    fn token_endpoint(&self, scope: &TokenScope<'_>) -> Result<TokenEndpoint, String> {
        let realm = scope
            .organization
            .ok_or("its token endpoint is in the realm: set .realm(..)")?;
        Ok(TokenEndpoint {
            misconfigured: &[("Realm does not exist", ".realm(..)")],
            ..TokenEndpoint::at(format!(
                "{}/realms/{}/protocol/openid-connect/token",
                scope.base_url,
                path_segment(realm)
            ))
        })
    }

    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            default_base_url: None,
            base_url_example: "https://sso.example.com, or https://sso.example.com/auth before \
                               Keycloak 17",
        }
    }

    fn validate_client(&self, organization: Option<&str>) -> Result<(), String> {
        organization.map(|_| ()).ok_or_else(|| {
            "Keycloak needs a realm: set .realm(..) (or .organization(..)) on the client; a \
             request can override it with ReactivateRequest::realm"
                .to_string()
        })
    }

    fn validate(&self, _user_id: &str, organization: Option<&str>) -> Result<(), String> {
        organization.map(|_| ()).ok_or_else(|| {
            "Keycloak needs a realm: set .realm(..) on the client or the request".to_string()
        })
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(reactivate(call))
    }
}

/// A generated client for one call, with its own context.
async fn reactivate(call: &Call<'_>) -> Result<Reactivated, Error> {
    let realm = call.organization.unwrap_or_default();
    let id = call.user_id;

    let read: gen::Client = call.client();
    let at = call.attempt_on(&read);
    call.phase.reading();
    let user = match at.outcome(read.get_user(realm, id).await) {
        Outcome::Success(user, _) => user,
        Outcome::ErrorBody(_, api) => return Err(keycloak_error(&at, realm, api)),
        Outcome::Failed(e) => return Err(e),
    };
    let mut done = KeycloakUser {
        id: user.id.clone().unwrap_or_else(|| id.to_string()),
        username: user.username.clone(),
        email: user.email.clone(),
        re_enabled: false,
        lockout_cleared: false,
    };

    if !user.enabled {
        if call.dry_run {
            done.re_enabled = true;
            return Ok(success(call, done).planned());
        }
        let write: gen::Client = call.client();
        let at = call.attempt_on(&write);
        let body = gen::types::UserEnable { enabled: true };
        call.phase.writing();
        return match at.outcome(write.update_user(realm, id, &body).await) {
            Outcome::Success((), _) => {
                done.re_enabled = true;
                Ok(success(call, done))
            }
            Outcome::ErrorBody(_, api) => Err(keycloak_error(&at, realm, api)),
            Outcome::Failed(e) => Err(e),
        };
    }

    // Enabled: is it locked out by brute-force detection?
    let check: gen::Client = call.client();
    let at = call.attempt_on(&check);
    let (status, seen) = match at.outcome(check.get_brute_force_status(realm, id).await) {
        Outcome::Success(status, seen) => (status, seen),
        Outcome::ErrorBody(_, api) => return Err(keycloak_error(&at, realm, api)),
        Outcome::Failed(e) => return Err(e),
    };
    if !status.disabled {
        let mut api = at.api_error(&seen);
        api.message = "the user is enabled and not locked out by brute-force detection".into();
        return Err(Error::NotDeactivated(api));
    }

    if call.dry_run {
        done.lockout_cleared = true;
        return Ok(success(call, done).planned());
    }
    let release: gen::Client = call.client();
    let at = call.attempt_on(&release);
    call.phase.writing();
    match at.outcome(release.clear_brute_force(realm, id).await) {
        Outcome::Success((), _) => {
            done.lockout_cleared = true;
            Ok(success(call, done))
        }
        Outcome::ErrorBody(_, api) => Err(keycloak_error(&at, realm, api)),
        Outcome::Failed(e) => Err(e),
    }
}

fn success(call: &Call<'_>, user: KeycloakUser) -> Reactivated {
    Reactivated::new(call.provider, Details::Keycloak(user))
}

/// A documented error status: the status decides, the raw body refines. An
/// unknown realm is the client's configuration, not the user: `Misconfigured`,
/// naming the setting.
fn keycloak_error(at: &Attempt<'_>, realm: &str, mut api: ApiError) -> Error {
    let mut kind = match api.status {
        409 => ErrorKind::InvalidArgument,
        status => kind_for_status(status),
    };
    let raw = at.ctx.seen().map(|s| s.body.clone()).unwrap_or_default();
    if let Some(said) = serde_json::from_slice::<Value>(&raw)
        .ok()
        .as_ref()
        .and_then(parse_error)
    {
        api.code = said.code;
        if let Some(message) = said.message {
            api.message = message;
        }
        api.field_errors = said.field_errors;
    }
    if api.status == 404 && says_no_realm(&api.message) {
        kind = ErrorKind::Misconfigured;
        api.message = format!(
            "{} (the realm `{realm}` does not exist on this Keycloak server: check .realm(..), \
             which takes the realm's name, not its display name or id)",
            api.message
        );
    }
    Error::from_api(kind, api)
}

/// What a Keycloak error body says.
#[derive(Debug, Default, PartialEq)]
struct Said {
    code: Option<String>,
    message: Option<String>,
    field_errors: Vec<FieldError>,
}

/// Reads either error shape; `None` when the body is neither.
fn parse_error(body: &Value) -> Option<Said> {
    body.as_object()?;
    if let Some(error) = text_field(body, "error") {
        let code = is_code(&error).then(|| error.clone());
        // A boilerplate description says nothing of what happened: the
        // `error` that does stays the message (a code alone keeps the
        // description, which at least says where to look).
        let description =
            text_field(body, "error_description").filter(|d| code.is_some() || !is_boilerplate(d));
        return Some(Said {
            code,
            message: description.or(Some(error)),
            field_errors: Vec::new(),
        });
    }
    let message = text_field(body, "errorMessage");
    let nested = body.get("errors").and_then(Value::as_array);
    if message.is_none() && nested.is_none() {
        return None;
    }
    let mut field_errors: Vec<FieldError> = field_error(body).into_iter().collect();
    field_errors.extend(nested.into_iter().flatten().filter_map(field_error));
    Some(Said {
        code: None,
        message,
        field_errors,
    })
}

/// One `{field, errorMessage}` as a field error.
fn field_error(v: &Value) -> Option<FieldError> {
    let field = text_field(v, "field")?;
    let message = text_field(v, "errorMessage").unwrap_or_default();
    Some(FieldError::new(field, message, None))
}

/// A machine code (`unknown_error`, `invalid_request`) rather than a sentence.
fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The generic handler's description of every client error on Quarkus-era
/// servers ("For more on this error consult the server log at the debug
/// level."), and of server errors ("... consult the server log.").
fn is_boilerplate(description: &str) -> bool {
    description
        .to_ascii_lowercase()
        .starts_with("for more on this error consult the server log")
}

/// Keycloak's answers about a missing user or realm ("User not found", "Realm
/// not found.", "Realm does not exist"), as opposed to a routing failure.
fn says_not_found(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("user not found") || says_no_realm(&m)
}

/// Keycloak's answers about an unknown realm: "Realm not found." (the admin
/// API, `RealmsAdminResource`) and "Realm does not exist" (the realm's own
/// endpoints, `RealmsResource`).
fn says_no_realm(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("realm not found") || m.contains("realm does not exist")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_error_shapes_are_read() {
        let said = parse_error(&json!({"error": "User not found"})).unwrap();
        assert_eq!(said.code, None);
        assert_eq!(said.message.as_deref(), Some("User not found"));
        let said = parse_error(&json!({
            "error": "unknown_error",
            "error_description": "For more on this error consult the server log."
        }))
        .unwrap();
        assert_eq!(said.code.as_deref(), Some("unknown_error"));
        assert_eq!(
            said.message.as_deref(),
            Some("For more on this error consult the server log.")
        );
        let said = parse_error(&json!({
            "field": "email", "errorMessage": "error-invalid-email", "params": ["email", "x"]
        }))
        .unwrap();
        assert_eq!(said.message.as_deref(), Some("error-invalid-email"));
        assert_eq!(
            said.field_errors,
            vec![FieldError::new("email", "error-invalid-email", None)]
        );
        let said = parse_error(&json!({"errors": [
            {"field": "email", "errorMessage": "error-invalid-email"},
            {"field": "lastName", "errorMessage": "error-invalid-length"}
        ]}))
        .unwrap();
        assert_eq!(said.message, None);
        assert_eq!(said.field_errors.len(), 2);
        assert!(parse_error(&json!({"message": "other"})).is_none());
        assert!(parse_error(&json!(["error"])).is_none());
    }

    #[test]
    fn a_routing_404_is_not_keycloaks_answer_about_the_user() {
        let own = |body: Value| Keycloak.own_error(404, &body);
        assert!(own(json!({"error": "User not found"})).is_some());
        assert!(own(json!({"error": "Realm not found."})).is_some());
        assert!(
            own(json!({"error": "invalid_request", "error_description": "User not found"}))
                .is_some()
        );
        assert!(own(json!({
            "error": "Unable to find matching target resource method",
            "error_description": "For more on this error consult the server log at the debug level."
        }))
        .is_none());
        assert!(
            own(json!({"error": "RESTEASY003210: Could not find resource for full path"}))
                .is_none()
        );
        assert!(own(json!({"error": "HTTP 404 Not Found"})).is_none());
        // Quarkus-era servers add a boilerplate description to every client
        // error: the `error` still says what happened.
        let debug = "For more on this error consult the server log at the debug level.";
        let user = own(json!({"error": "User not found", "error_description": debug}))
            .expect("Keycloak's answer about the user");
        assert_eq!(user.message.as_deref(), Some("User not found"));
        assert_eq!(user.code, None);
        assert!(
            own(json!({"error": "Realm does not exist", "error_description": debug})).is_some()
        );
        assert!(own(json!({"error": "HTTP 404 Not Found", "error_description": debug})).is_none());
        // A code keeps the description (it is all there is).
        let said =
            parse_error(&json!({"error": "unknown_error", "error_description": debug})).unwrap();
        assert_eq!(said.code.as_deref(), Some("unknown_error"));
        assert_eq!(said.message.as_deref(), Some(debug));
        // Other statuses: the shape is enough.
        assert!(Keycloak
            .own_error(403, &json!({"error": "HTTP 403 Forbidden"}))
            .is_some());
    }
}
