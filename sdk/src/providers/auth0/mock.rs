//! Auth0 simulator (served under `/api/v2`): `GET` and `PATCH /users/{id}`,
//! `GET` and `DELETE /user-blocks/{id}`, with Auth0's two kinds of block.
//!
//! Each user is `active`, `blocked` (an administrator's block, the user's
//! `blocked: true`), `brute-force-blocked` (one brute-force protection block for
//! the user's email from 203.0.113.7) or `blocked+brute-force-blocked`
//! ([`Simulate::statuses`]; set them with
//! [`Simulator::add_user_with_status`](crate::mock::Simulator::add_user_with_status)).
//! [`UserState::Deactivated`] is `blocked`. As Auth0 documents, `PATCH
//! {"blocked": false}` lifts only the administrator's block and `DELETE
//! /user-blocks/{id}` only the brute-force blocks; `PATCH {"blocked": true}`
//! blocks the user. The PATCH body must be JSON `{"blocked": <bool>}` (the only
//! attribute the simulator models): anything else is 400 `invalid_body`.
//!
//! Errors are `{statusCode, error, message, errorCode}`: 401 `Invalid token.`,
//! 403 `insufficient_scope` for a token denied permission (it may still read),
//! 404 `inexistent_user` (also for a user of another organization than the
//! token's: a tenant sees only its users). Injected 429s carry
//! `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (a Unix
//! time).
//!
//! The token endpoint is the tenant's `POST /oauth/token` (outside `/api/v2`),
//! taking a form or a JSON body. It requires `audience` = the Management API's
//! identifier, the base URL with a trailing slash (`{origin}/api/v2/`), and
//! answers as Auth0 does (auth0.com "Get Management API Access Tokens for
//! Production"; node-auth0#582 and #682 for a refused client): `{access_token,
//! token_type, expires_in: 86400, scope}`, 401 `access_denied` `Unauthorized`
//! for a client it cannot authenticate, 403 `access_denied` `Service not found:
//! <aud>` for another audience. A private key JWT names the tenant's issuer
//! `{origin}/` as `aud`, carries a `jti` and lives at most 5 minutes (auth0.com
//! "Authenticate with Private Key JWT"). A token asked for with `scope` but
//! without `update:users` may read users but not unblock them.

use std::time::Duration;

use serde_json::Value;

use crate::generated::auth0::types;
use crate::mock::model::UserState;
use crate::mock::state::Simulate;
use crate::mock::state::{
    oauth_error, rfc3339, to_json, unix_time_after, with_key, Auth, AuthenticatedClient, Call,
    Captures, Endpoint, Fault, Grant, Issued, Refusal, Reply, Route, State, TokenForm,
    TokenService,
};

/// The Auth0 simulator.
pub(crate) struct Sim;

const ROUTES: &[Route] = &[
    Route {
        name: "get-user",
        method: "GET",
        segments: &["users", "{id}"],
    },
    Route {
        name: "update-user",
        method: "PATCH",
        segments: &["users", "{id}"],
    },
    Route {
        name: "get-user-blocks",
        method: "GET",
        segments: &["user-blocks", "{id}"],
    },
    Route {
        name: "delete-user-blocks",
        method: "DELETE",
        segments: &["user-blocks", "{id}"],
    },
];

const ACTIVE: &str = "active";
const BLOCKED: &str = "blocked";
const BRUTE_FORCE: &str = "brute-force-blocked";
const BOTH: &str = "blocked+brute-force-blocked";

/// The kinds of block and the generic state each counts as.
const STATUSES: &[(&str, UserState)] = &[
    (ACTIVE, UserState::Active),
    (BLOCKED, UserState::Deactivated),
    (BRUTE_FORCE, UserState::Deactivated),
    (BOTH, UserState::Deactivated),
];

/// An opaque tenant id.
const DEFAULT_ORGANIZATION: &str = "example-tenant";

impl Simulate for Sim {
    fn routes(&self) -> &'static [Route] {
        ROUTES
    }

    fn base_path(&self) -> &'static str {
        "/api/v2"
    }

    fn default_organization(&self) -> &'static str {
        DEFAULT_ORGANIZATION
    }

    fn inactive_label(&self) -> &'static str {
        BLOCKED
    }

    fn statuses(&self) -> &'static [(&'static str, UserState)] {
        STATUSES
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, route: &Route, to: &Captures) -> Reply {
        let id = to.user_id.as_str();
        let Auth::Token(token) = &call.auth else {
            return error(401, None, "Invalid token.");
        };
        let reading = route.method == "GET";
        if !token.permitted && !reading {
            return error(
                403,
                Some("insufficient_scope"),
                "Insufficient scope; expected any of: update:users.",
            );
        }
        let Some(user) = state
            .users
            .get(id)
            .filter(|u| u.organization == token.organization)
        else {
            return error(404, Some("inexistent_user"), "The user does not exist.");
        };
        let (blocked, brute_force) = blocks(user.status.unwrap_or(match user.state {
            UserState::Active => ACTIVE,
            UserState::Deactivated => BLOCKED,
        }));
        let created = user.created;
        match route.name {
            "get-user" => Reply::json(200, &user_body(id, created, blocked)),
            "get-user-blocks" => {
                let blocked_for = if brute_force {
                    vec![types::UserBlock {
                        identifier: Some(email(id)),
                        ip: Some("203.0.113.7".into()),
                        connection: Some("Username-Password-Authentication".into()),
                    }]
                } else {
                    Vec::new()
                };
                // The generated type skips an empty list; Auth0 sends `[]`.
                let list = to_json(&blocked_for);
                Reply::json(
                    200,
                    &with_key(
                        to_json(&types::UserBlocks { blocked_for }),
                        "blocked_for",
                        list,
                    ),
                )
            }
            "update-user" => {
                let is_json = call
                    .header("content-type")
                    .is_some_and(|c| c.starts_with("application/json"));
                let body = serde_json::from_slice::<types::UnblockUser>(call.body);
                let Some(update) = body.ok().filter(|_| is_json) else {
                    return error(
                        400,
                        Some("invalid_body"),
                        "Payload validation error: the simulator accepts only {\"blocked\": <boolean>}",
                    );
                };
                state.set_status(id, word(update.blocked, brute_force));
                Reply::json(200, &user_body(id, created, update.blocked))
            }
            _ => {
                state.set_status(id, word(blocked, false));
                Reply {
                    status: 204,
                    body: Vec::new(),
                    content_type: Some("application/json"),
                    headers: Vec::new(),
                }
            }
        }
    }

    fn quota_headers(&self) -> Option<[&'static str; 3]> {
        Some([
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ])
    }

    fn failure(&self, call: &Call<'_>, fault: Fault) -> Reply {
        let status = fault.status();
        if let Fault::RateLimited {
            retry_after_secs: retry_after,
        } = fault
        {
            let reset = unix_time_after(call, retry_after.unwrap_or(30));
            error(
                429,
                Some("too_many_requests"),
                "Global limit has been reached",
            )
            .header("x-ratelimit-limit", "50")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", reset.to_string())
        } else {
            let message = match fault {
                Fault::Internal => "Internal Server Error",
                Fault::BadGateway => "Bad Gateway",
                _ => "Service Unavailable",
            };
            error(status, None, message)
        }
    }

    fn tokens(&self) -> Option<&'static dyn TokenService> {
        Some(&Tokens)
    }
}

/// Auth0's token endpoint (the Authentication API's `/oauth/token`).
struct Tokens;

/// The scopes a Management API client grant gives, for a reactivation.
const GRANTED_SCOPES: &str = "read:users update:users";

impl TokenService for Tokens {
    fn path(&self) -> &'static [&'static str] {
        &["oauth", "token"]
    }

    fn default_client_id(&self) -> &'static str {
        // Auth0 client ids: 32 letters and digits.
        "uB5imu1atorC1ientIdAuth0Tenant01"
    }

    fn default_lifetime(&self) -> Duration {
        // The Management API's default token lifetime: 24 hours.
        Duration::from_secs(86_400)
    }

    fn takes_json(&self) -> bool {
        true
    }

    fn requires_jti(&self) -> bool {
        true
    }

    fn max_assertion_lifetime(&self) -> Option<Duration> {
        Some(Duration::from_secs(300))
    }

    fn audiences(&self, at: &Endpoint) -> Vec<String> {
        // The tenant's issuer, with its trailing slash (only that since
        // Auth0's 2025 "Audience Validation for Private Key JWT").
        vec![format!("{}/", at.origin)]
    }

    fn grant(
        &self,
        _call: &Call<'_>,
        at: &Endpoint,
        form: &TokenForm,
        client: &AuthenticatedClient,
    ) -> Result<Grant, Reply> {
        let api = format!("{}/", at.base_url);
        match form.get("audience") {
            Some(audience) if audience == api => {}
            // Without a default audience; the text is that of a third-party
            // Auth0 emulator (NOT CONFIRMED against Auth0 itself).
            None => {
                return Err(oauth_error(
                    403,
                    "access_denied",
                    "Non-global clients are not allowed access to APIv1",
                ))
            }
            Some(other) => {
                return Err(oauth_error(
                    403,
                    "access_denied",
                    &format!("Service not found: {other}"),
                ))
            }
        }
        let asked = form.get("scope");
        Ok(Grant {
            organization: client.organization.clone(),
            permitted: asked.is_none_or(|s| s.split_whitespace().any(|s| s == "update:users")),
            for_api: true,
            scope: Some(asked.unwrap_or(GRANTED_SCOPES).to_string()),
        })
    }

    fn issued(&self, token: &Issued<'_>) -> Value {
        serde_json::json!({
            "access_token": token.access_token,
            "token_type": "Bearer",
            "expires_in": token.expires_in,
            "scope": token.scope.unwrap_or(GRANTED_SCOPES),
        })
    }

    fn refused(&self, _call: &Call<'_>, _at: &Endpoint, refusal: &Refusal) -> Reply {
        match refusal {
            Refusal::Missing(parameter) => oauth_error(
                400,
                "invalid_request",
                &format!("Missing required parameter: {parameter}"),
            ),
            // NOT CONFIRMED: the wording of Auth0's answer to another grant.
            Refusal::UnsupportedGrant(grant) => oauth_error(
                400,
                "unsupported_grant_type",
                &format!("Unsupported grant type: {grant}"),
            ),
            // A wrong secret (node-auth0#582, #682); Auth0 gives an unknown
            // client and a refused assertion the same answer (NOT CONFIRMED).
            Refusal::BadBasic
            | Refusal::UnknownClient(_)
            | Refusal::NoSecret(_)
            | Refusal::WrongSecret(_)
            | Refusal::SecretNotAllowed(_)
            | Refusal::Assertion { .. } => oauth_error(401, "access_denied", "Unauthorized"),
        }
    }
}

/// (administrator's block, brute-force block) of a status word.
fn blocks(word: &str) -> (bool, bool) {
    (
        word == BLOCKED || word == BOTH,
        word == BRUTE_FORCE || word == BOTH,
    )
}

fn word(blocked: bool, brute_force: bool) -> &'static str {
    match (blocked, brute_force) {
        (false, false) => ACTIVE,
        (true, false) => BLOCKED,
        (false, true) => BRUTE_FORCE,
        (true, true) => BOTH,
    }
}

fn email(id: &str) -> String {
    let local: String = id
        .rsplit('|')
        .next()
        .unwrap_or(id)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    format!(
        "{}@example.com",
        if local.is_empty() { "user" } else { &local }
    )
}

/// The user object, with `blocked` (the administrator's block).
fn user_body(id: &str, created: std::time::SystemTime, blocked: bool) -> Value {
    let body = types::User {
        user_id: Some(id.to_string()),
        email: Some(email(id)),
        name: Some(email(id)),
        blocked: Some(blocked),
    };
    let created = rfc3339(created, true);
    let body = with_key(to_json(&body), "created_at", Value::String(created.clone()));
    with_key(body, "updated_at", Value::String(created))
}

/// Auth0's error object.
fn error(status: u16, code: Option<&str>, message: &str) -> Reply {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let body = types::Auth0Error {
        status_code: Some(i64::from(status)),
        error: Some(reason.to_string()),
        message: Some(message.to_string()),
        error_code: code.map(str::to_string),
    };
    Reply::json(status, &body)
}
