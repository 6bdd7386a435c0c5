//! Okta simulator: `GET /api/v1/users/{id}` and the lifecycle operations
//! `POST /api/v1/users/{id}/lifecycle/{unsuspend,unlock,activate,reactivate}`,
//! with Okta's user statuses and transitions.
//!
//! Each user has one of Okta's statuses ([`Simulate::statuses`]; set them with
//! [`Simulator::add_user_with_status`](crate::mock::Simulator::add_user_with_status)).
//! [`UserState::Deactivated`] is `DEPROVISIONED` (what Okta's `deactivate` leaves),
//! and `SUSPENDED`, `LOCKED_OUT`, `STAGED`, `PROVISIONED` count as deactivated too;
//! `RECOVERY` and `PASSWORD_EXPIRED` count as active (the account is not
//! deactivated, the user must set a password).
//!
//! Transitions, as Okta's documents give them:
//! - unsuspend: `SUSPENDED` -> `ACTIVE`; any other status is 400 `E0000001`.
//! - unlock: `LOCKED_OUT` -> `ACTIVE`; `ACTIVE` stays (200); others 403 `E0000038`.
//! - activate: `DEPROVISIONED` -> `ACTIVE` (such a user had a password),
//!   `STAGED` -> `PROVISIONED` (a new user without one); `ACTIVE` is 403
//!   `E0000016`; others 403 `E0000038`. With `sendEmail=true` (the default)
//!   the answer is `{}` (Okta emails the user; the simulator sends nothing),
//!   with `sendEmail=false` the activation link and token. Activation
//!   completes at once: the simulator never shows `transitioningToStatus`.
//! - reactivate: `PROVISIONED` and `RECOVERY` stay, with a new activation link
//!   (`sendEmail` defaults to false; with `true`, `{}`); others 403 `E0000038`.
//!
//! A user is named in the path by its id, its login (case-insensitive) or the
//! short name of its login when unambiguous. `GET /api/v1/users` lists users:
//! `search` and `filter` take Okta's expressions (`profile.login eq "x"`,
//! `status eq "SUSPENDED"`, joined with `and`/`or`), `q` a prefix of the
//! login or email; without them every user but the deprovisioned ones.
//! A method a path does not take is 405 `E0000022` ("API endpoint not
//! supported" in Okta's error code list); unknown paths a plain-text 404.
//!
//! Tokens: `Authorization: Bearer <token>` (an OAuth access token) and
//! `Authorization: SSWS <token>` (an API token) are both accepted. A token
//! denied permission ([`Simulator::deny_permission`](crate::mock::Simulator::deny_permission))
//! can read users (`okta.users.read`) but not run lifecycle operations (403
//! `E0000006`). A user of another organization than the token's is not found
//! (404 `E0000007`): an Okta org is a tenant. Tokens are taken as
//! `SSWS<token>` too (no space), as okta-sdk-python sends them. Every answer
//! carries `X-Okta-Request-Id`, `Date` and `X-Rate-Limit-Limit`,
//! `X-Rate-Limit-Remaining` and `X-Rate-Limit-Reset` (a Unix time; 600 a
//! minute unless [`Simulator::set_quota`](crate::mock::Simulator::set_quota)
//! sets a quota); injected 429s say `Remaining: 0`, injected 503s are
//! `E0000010`.
//!
//! The token endpoint is the org authorization server's `POST
//! /oauth2/v1/token`, for service apps, which authenticate with a private key
//! JWT only (okta-developer-docs "Implement OAuth for Okta with a service
//! app"): `aud` the full token URL, `iss` = `sub` = the client id, `exp` in
//! the future and at most an hour ahead, `kid` the registered key's (when it
//! was registered with one), a `jti` used once. Scopes must be given; a token
//! without `okta.users.manage` may read users but not run lifecycle
//! operations (403 `E0000006`). Success is `{token_type, expires_in: 3600,
//! access_token, scope}`; refusals are `{error, error_description}` in Okta's
//! words where they are public (a bad signature "The client_assertion
//! signature is invalid.", an expired one "The client_assertion token is
//! expired.", the audience, the `kid`, an `exp` too far ahead: seen in issues
//! and recorded tests; a client secret: Okta's generic `invalid_client`).

use std::time::Duration;

use serde_json::Value;

use crate::generated::okta::types;
use crate::mock::model::UserState;
use crate::mock::state::Simulate;
use crate::mock::state::{
    oauth_error, query_param, rfc3339, to_json, unix_time_after, with_key, AssertionFault, Auth,
    AuthenticatedClient, Call, Captures, Endpoint, Fault, Filter, Grant, Issued, Refusal, Reply,
    Route, State, TokenForm, TokenRecord, TokenService, UserRecord,
};

/// The Okta simulator.
pub(crate) struct Sim;

const ROUTES: &[Route] = &[
    Route {
        name: "list-users",
        method: "GET",
        segments: &["api", "v1", "users"],
    },
    Route {
        name: "get-user",
        method: "GET",
        segments: &["api", "v1", "users", "{id}"],
    },
    Route {
        name: "unsuspend",
        method: "POST",
        segments: &["api", "v1", "users", "{id}", "lifecycle", "unsuspend"],
    },
    Route {
        name: "unlock",
        method: "POST",
        segments: &["api", "v1", "users", "{id}", "lifecycle", "unlock"],
    },
    Route {
        name: "activate",
        method: "POST",
        segments: &["api", "v1", "users", "{id}", "lifecycle", "activate"],
    },
    Route {
        name: "reactivate",
        method: "POST",
        segments: &["api", "v1", "users", "{id}", "lifecycle", "reactivate"],
    },
];

/// Okta's statuses and the generic state each counts as; the first of each
/// generic state is the one `add_user` gives.
const STATUSES: &[(&str, UserState)] = &[
    ("ACTIVE", UserState::Active),
    ("DEPROVISIONED", UserState::Deactivated),
    ("SUSPENDED", UserState::Deactivated),
    ("LOCKED_OUT", UserState::Deactivated),
    ("STAGED", UserState::Deactivated),
    ("PROVISIONED", UserState::Deactivated),
    ("RECOVERY", UserState::Active),
    ("PASSWORD_EXPIRED", UserState::Active),
];

/// An opaque org id (Okta orgs are tenants; the simulator keeps one).
const DEFAULT_ORGANIZATION: &str = "00o1okta2simulated3";

impl Simulate for Sim {
    fn routes(&self) -> &'static [Route] {
        ROUTES
    }

    fn default_organization(&self) -> &'static str {
        DEFAULT_ORGANIZATION
    }

    fn inactive_label(&self) -> &'static str {
        "deprovisioned"
    }

    fn statuses(&self) -> &'static [(&'static str, UserState)] {
        STATUSES
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, route: &Route, to: &Captures) -> Reply {
        let token = match token(state, call) {
            Ok(token) => token,
            Err(reply) => return reply,
        };
        if route.name == "list-users" {
            return list_users(state, call, &token.organization);
        }
        let asked = to.user_id.as_str();
        let Some(id) = find(state, &token.organization, asked) else {
            return error(
                call,
                404,
                "E0000007",
                &format!("Not found: Resource not found: {asked} (User)"),
                &[],
            );
        };
        let id = id.as_str();
        let Some(user) = state.users.get(id) else {
            return error(call, 500, "E0000009", "Internal Server Error", &[]);
        };
        let status = status_of(user);
        if route.name == "get-user" {
            return Reply::json(200, &user_body(id, user, status))
                .header("x-okta-request-id", call.request_id.clone());
        }
        // `sendEmail` defaults to true for activate, false for reactivate.
        let send_email = match query_param(call.query, "sendEmail") {
            Some(v) => v.eq_ignore_ascii_case("true"),
            None => route.name == "activate",
        };
        if !token.permitted {
            return error(
                call,
                403,
                "E0000006",
                "You do not have permission to perform the requested action",
                &[],
            );
        }
        let not_allowed = || {
            error(
                call,
                403,
                "E0000038",
                "This operation is not allowed in the user's current status.",
                &[],
            )
        };
        match (route.name, status) {
            ("unsuspend", "SUSPENDED") | ("unlock", "LOCKED_OUT") => {
                state.set_status(id, "ACTIVE");
                empty(call)
            }
            ("unsuspend", _) => error(
                call,
                400,
                "E0000001",
                "Api validation failed: unsuspend",
                &["Cannot unsuspend a user that is not suspended"],
            ),
            ("unlock", "ACTIVE") => empty(call),
            ("activate", "ACTIVE") => error(
                call,
                403,
                "E0000016",
                "Activation failed because the user is already active",
                &[],
            ),
            ("activate", "DEPROVISIONED") => {
                state.set_status(id, "ACTIVE");
                activation(call, send_email)
            }
            ("activate", "STAGED") => {
                state.set_status(id, "PROVISIONED");
                activation(call, send_email)
            }
            ("reactivate", "PROVISIONED" | "RECOVERY") => activation(call, send_email),
            _ => not_allowed(),
        }
    }

    fn quota_headers(&self) -> Option<[&'static str; 3]> {
        Some([
            "X-Rate-Limit-Limit",
            "X-Rate-Limit-Remaining",
            "X-Rate-Limit-Reset",
        ])
    }

    fn default_rate_limit(&self) -> Option<(u64, Duration)> {
        // Okta sends its rate-limit headers on every answer of a limited
        // endpoint (developer.okta.com "Rate limits overview": X-Rate-Limit-
        // Limit, -Remaining, -Reset); 600 a minute is the users API's usual
        // org-wide limit.
        Some((600, Duration::from_secs(60)))
    }

    // A path Okta does not serve keeps the simulator's plain-text 404: what
    // Okta answers there is not documented, and its E0000007 would read as
    // "user not found" to a client with a wrong base URL.

    fn wrong_method(&self, call: &Call<'_>, _method: &str, _path: &str) -> Option<Reply> {
        // E0000022 in Okta's error code list: "API endpoint not supported".
        Some(error(
            call,
            405,
            "E0000022",
            "The endpoint does not support the provided HTTP method",
            &[],
        ))
    }

    fn failure(&self, call: &Call<'_>, fault: Fault) -> Reply {
        let status = fault.status();
        if let Fault::RateLimited {
            retry_after_secs: retry_after,
        } = fault
        {
            let reset = unix_time_after(call, retry_after.unwrap_or(60));
            error(
                call,
                429,
                "E0000047",
                "API call exceeded rate limit due to too many requests.",
                &[],
            )
            .header("x-rate-limit-limit", "600")
            .header("x-rate-limit-remaining", "0")
            .header("x-rate-limit-reset", reset.to_string())
        } else if fault == Fault::Unavailable {
            error(
                call,
                status,
                "E0000010",
                "Service is in read only mode",
                &[],
            )
        } else {
            error(call, status, "E0000009", "Internal Server Error", &[])
        }
    }

    fn tokens(&self) -> Option<&'static dyn TokenService> {
        Some(&Tokens)
    }
}

/// The org authorization server's token endpoint.
struct Tokens;

/// Okta's `invalid_client` for a client it cannot authenticate.
const CLIENT_FAILED: &str =
    "Client authentication failed. Either the client or the client credentials are invalid.";

impl TokenService for Tokens {
    fn path(&self) -> &'static [&'static str] {
        &["oauth2", "v1", "token"]
    }

    fn default_client_id(&self) -> &'static str {
        // Okta app ids: `0oa` and 17 more letters and digits.
        "0oa1ub2sim3client4x"
    }

    fn default_lifetime(&self) -> Duration {
        // Fixed at one hour for Okta-scoped tokens.
        Duration::from_secs(3600)
    }

    fn takes_secrets(&self) -> bool {
        false
    }

    fn max_assertion_lifetime(&self) -> Option<Duration> {
        Some(Duration::from_secs(3600))
    }

    fn audiences(&self, at: &Endpoint) -> Vec<String> {
        vec![at.url.clone()]
    }

    fn grant(
        &self,
        _call: &Call<'_>,
        _at: &Endpoint,
        form: &TokenForm,
        client: &AuthenticatedClient,
    ) -> Result<Grant, Reply> {
        let scopes = form.scopes();
        if scopes.is_empty() {
            // requests-oauthlib#463 and Okta's own guides show this text.
            return Err(oauth_error(
                400,
                "invalid_scope",
                "The authorization server resource does not have any configured default \
                 scopes, 'scope' must be provided.",
            ));
        }
        Ok(Grant {
            organization: client.organization.clone(),
            permitted: scopes.contains(&"okta.users.manage"),
            for_api: true,
            scope: Some(scopes.join(" ")),
        })
    }

    fn issued(&self, token: &Issued<'_>) -> Value {
        serde_json::json!({
            "token_type": "Bearer",
            "expires_in": token.expires_in,
            "access_token": token.access_token,
            "scope": token.scope.unwrap_or_default(),
        })
    }

    fn refused(&self, _call: &Call<'_>, _at: &Endpoint, refusal: &Refusal) -> Reply {
        let invalid_client = |description: &str| oauth_error(401, "invalid_client", description);
        match refusal {
            // NOT CONFIRMED: the wording of the missing grant type.
            Refusal::Missing("grant_type") => oauth_error(
                400,
                "invalid_request",
                "The token request must specify a 'grant_type'. Valid values: \
                 [client_credentials]",
            ),
            // RFC 6749's description, with the app's grant types.
            Refusal::UnsupportedGrant(_) => oauth_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server. \
                 Configured grant types: [client_credentials].",
            ),
            Refusal::Missing(_)
            | Refusal::BadBasic
            | Refusal::UnknownClient(_)
            | Refusal::NoSecret(_)
            | Refusal::WrongSecret(_)
            | Refusal::SecretNotAllowed(_) => invalid_client(CLIENT_FAILED),
            Refusal::Assertion { fault, .. } => match fault {
                AssertionFault::BadType(_) => oauth_error(
                    400,
                    "invalid_request",
                    "The client_assertion_type is invalid.",
                ),
                AssertionFault::Malformed
                | AssertionFault::IssuerMismatch
                | AssertionFault::ClientMismatch => invalid_client(CLIENT_FAILED),
                AssertionFault::Signature => {
                    invalid_client("The client_assertion signature is invalid.")
                }
                AssertionFault::KeyId => invalid_client("The client_assertion JWT kid is invalid."),
                AssertionFault::Audience { .. } => invalid_client(
                    "The audience claim for client_assertion must be the endpoint invoked for the \
                     request.",
                ),
                AssertionFault::NoExpiry | AssertionFault::Expired => {
                    invalid_client("The client_assertion token is expired.")
                }
                AssertionFault::TooLong => invalid_client(
                    "The client_assertion token has an expiration too far into the future.",
                ),
                // NOT CONFIRMED: seen in a third-party fake of Okta only.
                AssertionFault::NoId | AssertionFault::Replayed => {
                    invalid_client("The client_assertion token has already been used.")
                }
            },
        }
    }
}

/// The caller's token: `Bearer <token>` (read by the shared core) or `SSWS
/// <token>`, Okta's API-token scheme (read here).
fn token(state: &State, call: &Call<'_>) -> Result<TokenRecord, Reply> {
    let unauthenticated = || error(call, 401, "E0000011", "Invalid token provided", &[]);
    match &call.auth {
        Auth::Token(token) => Ok(token.clone()),
        Auth::Malformed => {
            // `SSWS <token>`, or `SSWS<token>` as okta-sdk-python 3.x sends
            // it (okta/okta-sdk-python `request_executor`: "SSWS" +
            // api_token); Okta takes both.
            let ssws = call
                .header("authorization")
                .filter(|v| v.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("ssws")))
                .and_then(|v| v.get(4..))
                .map(str::trim)
                .filter(|t| !t.is_empty());
            ssws.and_then(|t| state.accepted_token(t))
                .ok_or_else(unauthenticated)
        }
        Auth::Missing | Auth::Unknown => Err(unauthenticated()),
    }
}

/// A user's Okta status (`DEPROVISIONED`/`ACTIVE` when added by generic state).
fn status_of(user: &UserRecord) -> &'static str {
    user.status.unwrap_or(match user.state {
        UserState::Active => "ACTIVE",
        UserState::Deactivated => "DEPROVISIONED",
    })
}

/// The user object, with the fields the spec describes.
fn user_body(id: &str, user: &UserRecord, status: &str) -> Value {
    let created = rfc3339(user.created, true);
    let never_active = matches!(status, "STAGED");
    let no_password = matches!(status, "STAGED" | "PROVISIONED");
    let login = login_of(id, user);
    let email = user.email.clone().unwrap_or_else(|| login.clone());
    let changed = user
        .deactivated_at
        .map_or_else(|| created.clone(), |t| rfc3339(t, true));
    let body = types::User {
        id: Some(id.to_string()),
        status: Some(status.to_string()),
        transitioning_to_status: None,
        created: Some(created.clone()),
        activated: (!never_active).then(|| created.clone()),
        status_changed: Some(changed.clone()),
        last_login: None,
        last_updated: Some(changed),
        password_changed: (!no_password).then(|| created.clone()),
        profile: Some(types::UserProfile {
            login: Some(login),
            email: Some(email),
        }),
    };
    // Okta sends the unset timestamps as null.
    let mut body = to_json(&body);
    for key in ["activated", "lastLogin", "passwordChanged"] {
        if body.get(key).is_none() {
            body = with_key(body, key, Value::Null);
        }
    }
    body
}

/// A lifecycle success without content: Okta's pages describe an empty object.
fn empty(call: &Call<'_>) -> Reply {
    Reply::json(200, &serde_json::json!({})).header("x-okta-request-id", call.request_id.clone())
}

/// A user's login: the one it was seeded with, else its id when that looks
/// like a login, else `<id>@example.com`.
fn login_of(id: &str, user: &UserRecord) -> String {
    user.login.clone().unwrap_or_else(|| {
        if id.contains('@') {
            id.to_string()
        } else {
            format!("{id}@example.com")
        }
    })
}

/// The user `asked` names in `organization`: its id, its login
/// (case-insensitive), or its login's short name (before `@`) when only one
/// user has it, as Okta's `/api/v1/users/{id}` takes them ("Retrieve a
/// user": id, login or login shortname, if unambiguous).
fn find(state: &State, organization: &str, asked: &str) -> Option<String> {
    let mine = || {
        state
            .users
            .iter()
            .filter(|(_, u)| u.organization == organization)
    };
    if mine().any(|(id, _)| id == asked) {
        return Some(asked.to_string());
    }
    if let Some((id, _)) = mine().find(|(id, u)| login_of(id, u).eq_ignore_ascii_case(asked)) {
        return Some(id.clone());
    }
    let short: Vec<&String> = mine()
        .filter(|(id, u)| {
            let login = login_of(id, u);
            login
                .split_once('@')
                .is_some_and(|(short, _)| short.eq_ignore_ascii_case(asked))
        })
        .map(|(id, _)| id)
        .collect();
    match short.as_slice() {
        [only] => Some((*only).clone()),
        _ => None,
    }
}

/// `GET /api/v1/users`: `search` (Okta's SCIM-like expressions on `status`,
/// `id`, `profile.login`, `profile.email`, ...), `filter` (the same
/// expressions, as Okta's `filter` takes them on `status`, `id`,
/// `profile.login`, `lastUpdated`), `q` (a prefix of the login or email),
/// else every user but the deprovisioned ones, as Okta lists them. `limit`
/// caps the page; `Link: <...>; rel="self"`.
fn list_users(state: &State, call: &Call<'_>, organization: &str) -> Reply {
    let search = query_param(call.query, "search");
    let filter = query_param(call.query, "filter");
    let q = query_param(call.query, "q").map(|q| q.to_lowercase());
    let expression = match search.as_deref().or(filter.as_deref()) {
        Some(text) => match Filter::parse(text) {
            Ok(expression) => Some(expression),
            Err(why) => {
                let parameter = if search.is_some() { "search" } else { "filter" };
                return error(
                    call,
                    400,
                    "E0000031",
                    "Invalid search criteria.",
                    &[&format!("{parameter}: {why}")],
                );
            }
        },
        None => None,
    };
    let limit = query_param(call.query, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(200);
    let users: Vec<Value> = state
        .users
        .iter()
        .filter(|(_, u)| u.organization == organization)
        .filter(|(id, user)| {
            let status = status_of(user);
            let login = login_of(id, user);
            let email = user.email.clone().unwrap_or_else(|| login.clone());
            match (&expression, &q) {
                (Some(expression), _) => expression.matches(&|attribute| {
                    Some(Value::String(match attribute {
                        "status" => status.to_string(),
                        "id" => (*id).clone(),
                        "profile.login" => login.clone(),
                        "profile.email" => email.clone(),
                        "lastUpdated" | "created" | "statusChanged" => {
                            rfc3339(user.deactivated_at.unwrap_or(user.created), true)
                        }
                        _ => return None,
                    }))
                }),
                (None, Some(q)) => {
                    login.to_lowercase().starts_with(q.as_str())
                        || email.to_lowercase().starts_with(q.as_str())
                }
                (None, None) => status != "DEPROVISIONED",
            }
        })
        .take(limit)
        .map(|(id, user)| user_body(id, user, status_of(user)))
        .collect();
    let host = call.header("host").unwrap_or("example.okta.com");
    let query = if call.query.is_empty() {
        String::new()
    } else {
        format!("?{}", call.query)
    };
    Reply::json(200, &users)
        .header("x-okta-request-id", call.request_id.clone())
        .header(
            "link",
            format!("<http://{host}/api/v1/users{query}>; rel=\"self\""),
        )
}

/// The answer of `activate` / `reactivate`: with `sendEmail=true` Okta
/// sends the email and answers `{}`; with `sendEmail=false` it answers the
/// activation link and token instead (developer.okta.com "Activate a user":
/// the link is returned only when `sendEmail` is false).
fn activation(call: &Call<'_>, send_email: bool) -> Reply {
    if send_email {
        return empty(call);
    }
    activation_link(call)
}

/// An activation link on this server, its token made from the request id.
fn activation_link(call: &Call<'_>) -> Reply {
    let host = call.header("host").unwrap_or("example.okta.com");
    let token: String = call
        .request_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let body = types::ActivationToken {
        activation_url: Some(format!("http://{host}/tokens/{token}/verify")),
        activation_token: Some(token),
    };
    Reply::json(200, &body).header("x-okta-request-id", call.request_id.clone())
}

/// Okta's error object; `errorId` is the request id.
fn error(call: &Call<'_>, status: u16, code: &str, summary: &str, causes: &[&str]) -> Reply {
    let body = types::OktaError {
        error_code: Some(code.to_string()),
        error_summary: Some(summary.to_string()),
        error_link: Some(code.to_string()),
        error_id: Some(call.request_id.replace('-', "")),
        error_causes: causes
            .iter()
            .map(|c| types::OktaErrorCause {
                error_summary: Some((*c).to_string()),
            })
            .collect(),
    };
    // The generated type skips an empty list; Okta sends `[]`.
    let causes = to_json(&body.error_causes);
    let body = with_key(to_json(&body), "errorCauses", causes);
    Reply::json(status, &body).header("x-okta-request-id", call.request_id.clone())
}
