//! Keycloak simulator: the admin API's user and brute-force resources of a realm,
//! `GET`/`PUT /admin/realms/{realm}/users/{id}` and
//! `GET`/`DELETE /admin/realms/{realm}/attack-detection/brute-force/users/{id}`.
//!
//! Realms are the organizations: those of the users and tokens, and the default
//! realm. A token acts in its own realm; a token of the `master` realm in any
//! realm (as Keycloak's administration realm does); elsewhere it gets 403. Checks
//! run in Keycloak's order: token (401 `HTTP 401 Unauthorized`), realm (404
//! `Realm not found.`), realm access (403), the user (404 `User not found`), the
//! permission for a change (403: a token marked with `deny_permission` may view but
//! not manage users). A user of another realm is not found. Enabling a user also
//! clears its lockout (Keycloak removes its login failures); the brute-force status
//! of an unknown user is the defaults, and clearing it is a 204, as Keycloak does.
//! Injected 429 / 503 answers use the generic error body.
//!
//! Finding the user: `GET /admin/realms/{realm}/users` with `username`,
//! `email` (substrings, or whole with `exact=true`), `search`, `enabled`,
//! `first`, `max`, and `GET .../users/count` (a number; `count` is never
//! taken for a user id). Users seeded with a login have it as `username`
//! (lower case), with an email as `email`. States: `enabled`, `disabled`,
//! `locked-out` (brute-force detection's lockout, an enabled user) and
//! `disabled+locked-out`. Unknown paths are 404 `Unable to find matching
//! target resource method`, a method a path does not take 405, in the
//! error handler's `{error, error_description}`.
//!
//! The token endpoint, `POST /realms/{realm}/protocol/openid-connect/token`,
//! serves every realm the simulator knows (an unknown realm is 404 `{"error":
//! "Realm does not exist"}`); its tokens act in that realm, and a token of
//! `master` in every realm. Clients authenticate with a secret (form or HTTP
//! Basic) or a signed JWT whose `aud` is the token URL or the realm's issuer
//! `{base}/realms/{realm}`, with a `jti` (Keycloak requires one). Answers as
//! keycloak/keycloak raises them: `ClientIdAndSecretAuthenticator` (a wrong
//! secret is 401 `unauthorized_client`), `AuthenticationProcessor` (an unknown
//! client 401 `invalid_client`), `JWTClientAuthenticator` /
//! `JWTClientValidator` (a bad assertion 400 `invalid_client`, "Client
//! authentication with signed JWT failed: ..."), `TokenEndpoint` (the grant
//! type); the success is `AccessTokenResponse` (300 s, `refresh_expires_in: 0`
//! as no refresh token is issued for client credentials).

use std::time::Duration;

use serde_json::Value;

use crate::generated::keycloak::types;
use crate::mock::model::UserState;
use crate::mock::state::Simulate;
use crate::mock::state::{
    query_param, to_json, AssertionFault, Auth, AuthenticatedClient, Call, Captures, Endpoint,
    Fault, Grant, Issued, Refusal, Reply, Route, State, TokenForm, TokenService, UserRecord,
    JWT_BEARER,
};

/// The Keycloak simulator.
pub(crate) struct Sim;

impl Simulate for Sim {
    fn routes(&self) -> &'static [Route] {
        &ROUTES
    }

    fn default_organization(&self) -> &'static str {
        DEFAULT_REALM
    }

    fn active_label(&self) -> &'static str {
        "enabled"
    }

    fn trailing_slash(&self) -> bool {
        // JAX-RS matches `users/` as `users`; the Node admin client's
        // `users.find` always calls `/users/` (its resource's default path).
        true
    }

    fn lockout_word(&self) -> Option<&'static str> {
        // Brute-force detection's temporary lockout (`Simulator::lock_out`).
        Some("locked-out")
    }

    fn inactive_label(&self) -> &'static str {
        "disabled"
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, route: &Route, to: &Captures) -> Reply {
        let realm = to.organization.as_deref().unwrap_or_default();
        if let Err(reply) = admit(state, call, realm) {
            return reply;
        }
        let manage = matches!(&call.auth, Auth::Token(t) if t.permitted);
        match route.name {
            "list-users" => list_users(state, call, realm, false),
            "count-users" => list_users(state, call, realm, true),
            "get-user" => get_user(state, realm, &to.user_id),
            "update-user" if !manage => forbidden(),
            "update-user" => update_user(state, call, realm, &to.user_id),
            "brute-force-status" => brute_force_status(state, realm, &to.user_id),
            "clear-brute-force" if !manage => forbidden(),
            "clear-brute-force" => clear_brute_force(state, realm, &to.user_id),
            _ => error(404, "Unable to find matching target resource method", None),
        }
    }

    fn failure(&self, _call: &Call<'_>, fault: Fault) -> Reply {
        match fault {
            Fault::RateLimited { .. } => error(429, "HTTP 429 Too Many Requests", None),
            Fault::Internal => error(500, "unknown_error", None),
            Fault::BadGateway => error(502, "HTTP 502 Bad Gateway", None),
            Fault::Unavailable => error(503, "HTTP 503 Service Unavailable", None),
        }
    }

    fn tokens(&self) -> Option<&'static dyn TokenService> {
        Some(&Tokens)
    }

    fn unrouted(&self, _call: &Call<'_>, _method: &str, _path: &str) -> Option<Reply> {
        // The Quarkus distribution's answer to a path no resource serves
        // (KeycloakErrorHandler over RESTEasy's NotFoundException).
        Some(error(
            404,
            "Unable to find matching target resource method",
            Some(DEBUG_HINT),
        ))
    }

    fn wrong_method(&self, _call: &Call<'_>, _method: &str, _path: &str) -> Option<Reply> {
        Some(error(405, "HTTP 405 Method Not Allowed", Some(DEBUG_HINT)))
    }
}

/// The description Keycloak's error handler adds to client errors.
const DEBUG_HINT: &str = "For more on this error consult the server log at the debug level.";

/// Keycloak's token endpoint (OpenID Connect protocol of a realm).
struct Tokens;

/// The path after a realm's issuer URL.
const TOKEN_SUFFIX: &str = "/protocol/openid-connect/token";
/// What `ClientAuthUtil.errorResponse` says for a client it cannot
/// authenticate (unknown, disabled, or a wrong secret).
const INVALID_CLIENT: &str = "Invalid client or Invalid client credentials";

impl TokenService for Tokens {
    fn path(&self) -> &'static [&'static str] {
        &["realms", "{org}", "protocol", "openid-connect", "token"]
    }

    fn default_path_organization(&self) -> &'static str {
        DEFAULT_REALM
    }

    fn default_client_id(&self) -> &'static str {
        "userbridge-service"
    }

    fn default_lifetime(&self) -> Duration {
        // The realm's default "Access Token Lifespan": 5 minutes.
        Duration::from_secs(300)
    }

    fn requires_jti(&self) -> bool {
        // JWTClientValidator.validateToken: "Missing ID on the token".
        true
    }

    fn audiences(&self, at: &Endpoint) -> Vec<String> {
        // JWTClientValidator.getExpectedAudiences: the issuer and the token
        // URL (and endpoints the simulator does not serve).
        let issuer = at.url.strip_suffix(TOKEN_SUFFIX).unwrap_or(&at.url);
        vec![issuer.to_string(), at.url.clone()]
    }

    fn open(&self, state: &State, at: &Endpoint) -> Result<(), Reply> {
        // RealmsResource: an unknown realm, before anything is read; the
        // current KeycloakErrorHandler puts the message in `error`.
        match at.organization.as_deref() {
            Some(realm) if known_realm(state, realm) => Ok(()),
            _ => Err(error(404, "Realm does not exist", None)),
        }
    }

    fn grant(
        &self,
        _call: &Call<'_>,
        at: &Endpoint,
        form: &TokenForm,
        _client: &AuthenticatedClient,
    ) -> Result<Grant, Reply> {
        // The realm's default client scopes, after those asked for.
        let mut scopes: Vec<&str> = form.scopes();
        for default in ["profile", "email"] {
            if !scopes.contains(&default) {
                scopes.push(default);
            }
        }
        Ok(Grant {
            organization: at.organization.clone().unwrap_or_default(),
            permitted: true,
            for_api: true,
            scope: Some(scopes.join(" ")),
        })
    }

    fn issued(&self, token: &Issued<'_>) -> Value {
        serde_json::json!({
            "access_token": token.access_token,
            "expires_in": token.expires_in,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": token.scope.unwrap_or("profile email"),
        })
    }

    fn refused(&self, _call: &Call<'_>, at: &Endpoint, refusal: &Refusal) -> Reply {
        let jwt_failed = |why: &str| {
            error(
                400,
                "invalid_client",
                Some(&format!(
                    "Client authentication with signed JWT failed: {why}"
                )),
            )
        };
        match refusal {
            // TokenEndpoint.checkGrantType.
            Refusal::Missing("grant_type") => error(
                400,
                "invalid_request",
                Some("Missing form parameter: grant_type"),
            ),
            Refusal::UnsupportedGrant(_) => error(
                400,
                "unsupported_grant_type",
                Some("Unsupported grant_type"),
            ),
            // JWTClientValidator.clientAssertionParametersValidation.
            Refusal::Missing("client_assertion") => error(
                400,
                "invalid_client",
                Some("client_assertion parameter missing"),
            ),
            Refusal::Missing(_) => {
                error(400, "invalid_client", Some("Missing client_id parameter"))
            }
            Refusal::BadBasic | Refusal::UnknownClient(_) => {
                error(401, "invalid_client", Some(INVALID_CLIENT))
            }
            // ClientIdAndSecretAuthenticator's challenge (keycloak#16923,
            // gwt-keycloak#10: `unauthorized_client`).
            Refusal::NoSecret(_) | Refusal::WrongSecret(_) => {
                error(401, "unauthorized_client", Some(INVALID_CLIENT))
            }
            // A "Signed JWT" client runs JWTClientAuthenticator, which finds
            // no assertion.
            Refusal::SecretNotAllowed(_) => error(
                400,
                "invalid_client",
                Some("Parameter client_assertion_type is missing"),
            ),
            Refusal::Assertion { fault, .. } => match fault {
                AssertionFault::BadType(kind) if kind.is_empty() => error(
                    400,
                    "invalid_client",
                    Some("Parameter client_assertion_type is missing"),
                ),
                AssertionFault::BadType(kind) => error(
                    400,
                    "invalid_client",
                    Some(&format!(
                        "Parameter client_assertion_type has value '{kind}' but expected is \
                         '{JWT_BEARER}'"
                    )),
                ),
                AssertionFault::Malformed => {
                    jwt_failed("Can't identify client. Subject missing on JWT token")
                }
                AssertionFault::IssuerMismatch => {
                    jwt_failed("Issuer mismatch. The issuer should match the subject")
                }
                AssertionFault::ClientMismatch => {
                    jwt_failed("client_id parameter not matching with client from JWT token")
                }
                // PublicKeyStorageManager finds no key with that `kid`.
                AssertionFault::KeyId => {
                    error(400, "invalid_client", Some("Unable to load public key"))
                }
                AssertionFault::Signature => jwt_failed("Signature on JWT token failed validation"),
                // Java's List.toString: `[a, b]`.
                AssertionFault::Audience { got, .. } => jwt_failed(&format!(
                    "Token audience doesn't match domain. Expected audiences are any of [{}] but \
                     audience from token is '[{got}]'",
                    self.audiences(at).join(", ")
                )),
                AssertionFault::NoExpiry => jwt_failed(
                    "Token cannot be validated. Neither the exp nor the iat claim are present.",
                ),
                AssertionFault::Expired | AssertionFault::TooLong => {
                    jwt_failed("Token is not active")
                }
                AssertionFault::NoId => jwt_failed("Missing ID on the token"),
                AssertionFault::Replayed => jwt_failed("Token reuse detected"),
            },
        }
    }
}

const USER: &[&str] = &["admin", "realms", "{org}", "users", "{id}"];
const BRUTE_FORCE: &[&str] = &[
    "admin",
    "realms",
    "{org}",
    "attack-detection",
    "brute-force",
    "users",
    "{id}",
];

const USERS: &[&str] = &["admin", "realms", "{org}", "users"];
const USER_COUNT: &[&str] = &["admin", "realms", "{org}", "users", "count"];

/// `users/count` before `users/{id}`: `count` is not a user id.
static ROUTES: [Route; 6] = [
    Route {
        name: "count-users",
        method: "GET",
        segments: USER_COUNT,
    },
    Route {
        name: "list-users",
        method: "GET",
        segments: USERS,
    },
    Route {
        name: "get-user",
        method: "GET",
        segments: USER,
    },
    Route {
        name: "update-user",
        method: "PUT",
        segments: USER,
    },
    Route {
        name: "brute-force-status",
        method: "GET",
        segments: BRUTE_FORCE,
    },
    Route {
        name: "clear-brute-force",
        method: "DELETE",
        segments: BRUTE_FORCE,
    },
];

/// The spec's example realm.
const DEFAULT_REALM: &str = "acme";
/// Keycloak's administration realm: its tokens act in every realm.
const ADMIN_REALM: &str = "master";

/// Token, realm and realm access, in Keycloak's order.
fn admit(state: &State, call: &Call<'_>, realm: &str) -> Result<(), Reply> {
    let Auth::Token(token) = &call.auth else {
        return Err(error(401, "HTTP 401 Unauthorized", None).header("www-authenticate", "Bearer"));
    };
    if !known_realm(state, realm) {
        return Err(error(404, "Realm not found.", None));
    }
    if token.organization != realm && token.organization != ADMIN_REALM {
        return Err(forbidden());
    }
    Ok(())
}

/// The realms the simulator knows: the default realm, `master`, and the
/// realms of its users and tokens.
fn known_realm(state: &State, realm: &str) -> bool {
    realm == DEFAULT_REALM
        || realm == ADMIN_REALM
        || state.users.values().any(|u| u.organization == realm)
        || state.tokens.values().any(|t| t.organization == realm)
}

fn in_realm(state: &State, realm: &str, id: &str) -> bool {
    state.users.get(id).is_some_and(|u| u.organization == realm)
}

/// `GET users` (or `users/count`): `username`, `email`, `firstName`,
/// `lastName` (substrings, case-insensitive; whole values with
/// `exact=true`), `search` (a substring of the username or email; `"x"` in
/// quotes exact), `enabled`, `first` / `max` (100), as Keycloak's
/// UsersResource takes them; the count is a bare number.
fn list_users(state: &State, call: &Call<'_>, realm: &str, count: bool) -> Reply {
    let exact = query_param(call.query, "exact").as_deref() == Some("true");
    let like = |got: Option<String>, want: &str| {
        got.is_some_and(|got| {
            let (got, want) = (got.to_lowercase(), want.to_lowercase());
            if exact {
                got == want
            } else {
                got.contains(&want)
            }
        })
    };
    let username_q = query_param(call.query, "username");
    let email_q = query_param(call.query, "email");
    let first_q = query_param(call.query, "firstName");
    let last_q = query_param(call.query, "lastName");
    let search = query_param(call.query, "search");
    let enabled = query_param(call.query, "enabled");
    let matching: Vec<&String> = state
        .users
        .iter()
        .filter(|(_, u)| u.organization == realm)
        .filter(|(id, u)| {
            let name = username_of(id, u);
            username_q
                .as_deref()
                .is_none_or(|q| like(Some(name.clone()), q))
                && email_q.as_deref().is_none_or(|q| like(u.email.clone(), q))
                && first_q.as_deref().is_none_or(|q| like(None, q))
                && last_q.as_deref().is_none_or(|q| like(None, q))
                && enabled
                    .as_deref()
                    .is_none_or(|e| (e == "true") == (u.state == UserState::Active))
                && search.as_deref().is_none_or(|q| {
                    let q = q.trim();
                    match q.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
                        Some(whole) => {
                            name.eq_ignore_ascii_case(whole)
                                || u.email
                                    .as_deref()
                                    .is_some_and(|e| e.eq_ignore_ascii_case(whole))
                        }
                        None if q == "*" => true,
                        None => {
                            let q = q.trim_matches('*').to_lowercase();
                            name.to_lowercase().contains(&q)
                                || u.email
                                    .as_deref()
                                    .is_some_and(|e| e.to_lowercase().contains(&q))
                        }
                    }
                })
        })
        .map(|(id, _)| id)
        .collect();
    if count {
        return Reply::json(200, &matching.len());
    }
    let first = query_param(call.query, "first")
        .and_then(|f| f.parse::<usize>().ok())
        .unwrap_or(0);
    let max = query_param(call.query, "max")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(100);
    let users: Vec<Value> = matching
        .into_iter()
        .skip(first)
        .take(max)
        .filter_map(|id| representation(state, realm, id))
        .collect();
    Reply::json(200, &users)
}

fn get_user(state: &State, realm: &str, id: &str) -> Reply {
    match representation(state, realm, id) {
        Some(body) => Reply::json(200, &body),
        None => error(404, "User not found", None),
    }
}

/// A user's `UserRepresentation`, `None` when it is not in `realm`.
fn representation(state: &State, realm: &str, id: &str) -> Option<Value> {
    let user = state.users.get(id).filter(|u| u.organization == realm)?;
    let created = user
        .created
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let body = types::UserRepresentation {
        id: Some(id.to_string()),
        username: Some(username_of(id, user)),
        email: user.email.clone(),
        email_verified: Some(false),
        first_name: None,
        last_name: None,
        enabled: user.state == UserState::Active,
        created_timestamp: Some(created),
        federation_link: None,
        totp: Some(false),
        disableable_credential_types: Vec::new(),
        required_actions: Vec::new(),
        not_before: Some(0),
        access: [("view", true), ("manage", true)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    };
    Some(to_json(&body))
}

/// A user's username: the login it was seeded with (Keycloak keeps them in
/// lower case), else derived from its id.
fn username_of(id: &str, user: &UserRecord) -> String {
    user.login
        .as_deref()
        .map_or_else(|| username(id), str::to_lowercase)
}

/// A user name for an id: its first part, lower-case (the simulator keeps none).
fn username(id: &str) -> String {
    let first = id.split(['-', '@']).next().unwrap_or(id);
    format!("user-{}", first.to_ascii_lowercase())
}

fn update_user(state: &mut State, call: &Call<'_>, realm: &str, id: &str) -> Reply {
    if !in_realm(state, realm, id) {
        return error(404, "User not found", None);
    }
    // The server decodes the representation before it looks at it.
    let Ok(rep) = serde_json::from_slice::<Value>(call.body) else {
        return error(400, "invalid_request", Some("Cannot parse the JSON"));
    };
    let Some(fields) = rep.as_object() else {
        return error(400, "invalid_request", Some("Cannot parse the JSON"));
    };
    match fields.get("enabled") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(true)) => {
            state.activate(id);
            if let Some(user) = state.users.get_mut(id) {
                // Enabling removes the user's login failures.
                user.locked_out = false;
            }
        }
        Some(Value::Bool(false)) => {
            if let Some(user) = state.users.get_mut(id) {
                user.state = UserState::Deactivated;
                user.deactivated_at = Some(call.now);
            }
        }
        Some(_) => return error(400, "invalid_request", Some("Cannot parse the JSON")),
    }
    Reply::empty(204)
}

fn brute_force_status(state: &State, realm: &str, id: &str) -> Reply {
    let locked = state
        .users
        .get(id)
        .filter(|u| u.organization == realm)
        .is_some_and(|u| u.locked_out);
    let body = if locked {
        types::BruteForceStatus {
            disabled: true,
            num_failures: Some(5),
            last_failure: Some(0),
            last_ip_failure: Some("127.0.0.1".to_string()),
        }
    } else {
        // The defaults, also for an unknown user.
        types::BruteForceStatus {
            disabled: false,
            num_failures: Some(0),
            last_failure: Some(0),
            last_ip_failure: Some("n/a".to_string()),
        }
    };
    Reply::json(200, &body)
}

fn clear_brute_force(state: &mut State, realm: &str, id: &str) -> Reply {
    if let Some(user) = state.users.get_mut(id).filter(|u| u.organization == realm) {
        user.locked_out = false;
    }
    Reply::empty(204)
}

fn forbidden() -> Reply {
    error(403, "HTTP 403 Forbidden", None)
}

/// The generic error handler's body.
fn error(status: u16, error: &str, description: Option<&str>) -> Reply {
    let body = types::OAuth2Error {
        error: error.to_string(),
        error_description: description.map(str::to_string),
    };
    Reply::json(status, &to_json(&body))
}
