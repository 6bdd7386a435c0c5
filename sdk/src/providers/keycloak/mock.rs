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
    to_json, AssertionFault, Auth, AuthenticatedClient, Call, Captures, Endpoint, Fault, Grant,
    Issued, Refusal, Reply, Route, State, TokenForm, TokenService, JWT_BEARER,
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
}

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

static ROUTES: [Route; 4] = [
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

fn get_user(state: &State, realm: &str, id: &str) -> Reply {
    let Some(user) = state.users.get(id).filter(|u| u.organization == realm) else {
        return error(404, "User not found", None);
    };
    let created = user
        .created
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let body = types::UserRepresentation {
        id: Some(id.to_string()),
        username: Some(username(id)),
        email: None,
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
    Reply::json(200, &body)
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
