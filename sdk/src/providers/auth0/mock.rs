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
//! blocks the user. The PATCH body is any of Auth0's updatable attributes
//! (`blocked` with `app_metadata`, `user_metadata`, `name`, ...; their types
//! checked): `app_metadata` and `user_metadata` are merged key by key (a
//! `null` removes a key) and served back; an attribute Auth0 does not have
//! is 400 `invalid_body` "Additional properties not allowed".
//!
//! Finding the user: `GET /users-by-email?email=` (case-sensitive), `GET
//! /users?q=...&search_engine=v3` (Lucene `field:value` clauses with `AND` /
//! `OR`; `page`, `per_page`, `include_totals`), `GET /user-blocks?identifier=`
//! and `DELETE /user-blocks?identifier=` (by email or username). Unknown
//! routes are 404 `Not Found` in Auth0's error object. Every answer carries
//! `x-ratelimit-limit`, `-remaining` and `-reset`.
//!
//! Errors are `{statusCode, error, message, errorCode}`: 401 `Invalid token.`,
//! 403 `insufficient_scope` for a token denied permission (it may still read),
//! 404 `inexistent_user` (also for a user of another organization than the
//! token's: a tenant sees only its users). Injected 429s carry
//! `x-ratelimit-remaining: 0` and `x-ratelimit-reset` (a Unix time).
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
    oauth_error, query_param, rfc3339, to_json, unix_time_after, with_key, Auth,
    AuthenticatedClient, Call, Captures, Endpoint, Fault, Grant, Issued, Refusal, Reply, Route,
    State, TokenForm, TokenService, UserRecord,
};

/// The Auth0 simulator.
pub(crate) struct Sim;

const ROUTES: &[Route] = &[
    Route {
        name: "list-users",
        method: "GET",
        segments: &["users"],
    },
    Route {
        name: "users-by-email",
        method: "GET",
        segments: &["users-by-email"],
    },
    Route {
        name: "get-blocks-by-identifier",
        method: "GET",
        segments: &["user-blocks"],
    },
    Route {
        name: "delete-blocks-by-identifier",
        method: "DELETE",
        segments: &["user-blocks"],
    },
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
        match route.name {
            "list-users" => return list_users(state, call, &token.organization),
            "users-by-email" => return users_by_email(state, call, &token.organization),
            "get-blocks-by-identifier" | "delete-blocks-by-identifier" => {
                return blocks_by_identifier(state, call, &token.organization, route.method)
            }
            _ => {}
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
        match route.name {
            "get-user" => Reply::json(200, &user_json(state, id)),
            "get-user-blocks" => {
                let blocked_for = if brute_force {
                    vec![types::UserBlock {
                        identifier: Some(email_of(id, user)),
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
                let update = match serde_json::from_slice::<Value>(call.body) {
                    Ok(Value::Object(fields)) if is_json => fields,
                    _ => {
                        return error(
                            400,
                            Some("invalid_body"),
                            "Payload validation error: 'Expected type object but found type \
                             string'.",
                        )
                    }
                };
                if let Err(reply) = check_update(&update) {
                    return reply;
                }
                let metadata = state.extra.entry(id.to_string()).or_insert(Value::Null);
                merge_metadata(metadata, &update);
                if let Some(Value::Bool(now_blocked)) = update.get("blocked") {
                    state.set_status(id, word(*now_blocked, brute_force));
                }
                Reply::json(200, &user_json(state, id))
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

    fn default_rate_limit(&self) -> Option<(u64, Duration)> {
        // The Management API sends its rate-limit headers with every answer
        // (auth0.com "Management API Endpoint Rate Limits"); 50 a second as
        // the injected 429 says.
        Some((50, Duration::from_secs(1)))
    }

    fn unrouted(&self, _call: &Call<'_>, _method: &str, _path: &str) -> Option<Reply> {
        // The Management API's error object for a route it does not have,
        // as its framework (hapi's Boom) answers it: 404 `Not Found`, also
        // for a method a path does not take.
        Some(error(404, None, "Not Found"))
    }

    fn wrong_method(&self, call: &Call<'_>, method: &str, path: &str) -> Option<Reply> {
        // hapi routes by method and path: another method is no route.
        self.unrouted(call, method, path)
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

/// A user's email: the one it was seeded with, else derived from its id.
fn email_of(id: &str, user: &UserRecord) -> String {
    user.email.clone().unwrap_or_else(|| email(id))
}

/// The user object: `blocked` (the administrator's block), the email, the
/// metadata kept from updates.
fn user_json(state: &State, id: &str) -> Value {
    let Some(user) = state.users.get(id) else {
        return Value::Null;
    };
    let (blocked, _) = blocks(user.status.unwrap_or(match user.state {
        UserState::Active => ACTIVE,
        UserState::Deactivated => BLOCKED,
    }));
    let email = email_of(id, user);
    let body = types::User {
        user_id: Some(id.to_string()),
        email: Some(email.clone()),
        name: Some(user.login.clone().unwrap_or(email)),
        blocked: Some(blocked),
    };
    let created = rfc3339(user.created, true);
    let mut body = with_key(to_json(&body), "created_at", Value::String(created.clone()));
    body = with_key(body, "updated_at", Value::String(created));
    if let Some(username) = &user.login {
        body = with_key(body, "username", Value::String(username.clone()));
    }
    if let Some(Value::Object(kept)) = state.extra.get(id) {
        for (key, value) in kept {
            body = with_key(body, key, value.clone());
        }
    }
    body
}

/// The attributes of `PATCH /users/{id}` (auth0.com Management API "Update a
/// user"), with the JSON type each must have.
const UPDATABLE: &[(&str, &str)] = &[
    ("blocked", "boolean"),
    ("email_verified", "boolean"),
    ("phone_verified", "boolean"),
    ("verify_email", "boolean"),
    ("verify_phone_number", "boolean"),
    ("email", "string"),
    ("phone_number", "string"),
    ("given_name", "string"),
    ("family_name", "string"),
    ("name", "string"),
    ("nickname", "string"),
    ("picture", "string"),
    ("password", "string"),
    ("connection", "string"),
    ("client_id", "string"),
    ("username", "string"),
    ("user_metadata", "object"),
    ("app_metadata", "object"),
];

/// Refuses an update Auth0's payload validation refuses: an attribute it
/// does not have, or one of the wrong type.
fn check_update(update: &serde_json::Map<String, Value>) -> Result<(), Reply> {
    for (name, value) in update {
        let Some((_, kind)) = UPDATABLE.iter().find(|(n, _)| n == name) else {
            return Err(error(
                400,
                Some("invalid_body"),
                &format!("Payload validation error: 'Additional properties not allowed: {name}'."),
            ));
        };
        let found = match value {
            Value::Bool(_) => "boolean",
            Value::String(_) => "string",
            Value::Object(_) => "object",
            Value::Array(_) => "array",
            Value::Number(_) => "number",
            Value::Null => "null",
        };
        if found != *kind {
            return Err(error(
                400,
                Some("invalid_body"),
                &format!(
                    "Payload validation error: 'Expected type {kind} but found type {found}' on \
                     property {name}."
                ),
            ));
        }
    }
    Ok(())
}

/// Keeps an update's attributes: `app_metadata` and `user_metadata` are
/// merged key by key (a `null` removes a key), as Auth0 merges them; the
/// other attributes replace (the password and the verification flags are
/// not kept). `blocked` is kept as the status.
fn merge_metadata(kept: &mut Value, update: &serde_json::Map<String, Value>) {
    if !kept.is_object() {
        *kept = Value::Object(serde_json::Map::new());
    }
    let Some(kept) = kept.as_object_mut() else {
        return;
    };
    for (name, value) in update {
        match name.as_str() {
            "blocked"
            | "password"
            | "verify_email"
            | "verify_phone_number"
            | "connection"
            | "client_id" => {}
            "app_metadata" | "user_metadata" => {
                let entry = kept
                    .entry(name.clone())
                    .or_insert_with(|| Value::Object(serde_json::Map::new()));
                if let (Some(entry), Some(changes)) = (entry.as_object_mut(), value.as_object()) {
                    for (key, change) in changes {
                        if change.is_null() {
                            entry.remove(key);
                        } else {
                            entry.insert(key.clone(), change.clone());
                        }
                    }
                }
            }
            _ => {
                kept.insert(name.clone(), value.clone());
            }
        }
    }
}

/// The users of `organization`, with their ids, in id order.
fn users_of<'a>(
    state: &'a State,
    organization: &'a str,
) -> impl Iterator<Item = (&'a String, &'a UserRecord)> {
    state
        .users
        .iter()
        .filter(move |(_, u)| u.organization == organization)
}

/// `GET /users-by-email?email=`: the users with that email (Auth0's
/// parameter is case-sensitive), as an array.
fn users_by_email(state: &State, call: &Call<'_>, organization: &str) -> Reply {
    let Some(wanted) = query_param(call.query, "email") else {
        return error(
            400,
            Some("invalid_query_string"),
            "Query validation error: 'Missing required property: email'.",
        );
    };
    let users: Vec<Value> = users_of(state, organization)
        .filter(|(id, u)| email_of(id, u) == wanted)
        .map(|(id, _)| user_json(state, id))
        .collect();
    Reply::json(200, &users)
}

/// `GET /users` with `q` (search engine v3: Lucene `field:value` clauses,
/// the value quoted or not, joined with `AND` / `OR`, on `user_id`, `email`,
/// `name`, `username`, `blocked`, `app_metadata.*`), `page`, `per_page`
/// and `include_totals` (then `{start, limit, length, total, users}`).
fn list_users(state: &State, call: &Call<'_>, organization: &str) -> Reply {
    let q = query_param(call.query, "q").unwrap_or_default();
    let engine = query_param(call.query, "search_engine");
    if engine.as_deref().is_some_and(|e| e != "v3") {
        return error(
            400,
            Some("operation_not_supported"),
            "You are not allowed to use search_engine=v1 or v2. Use search_engine=v3 instead.",
        );
    }
    let query = match lucene(&q) {
        Ok(query) => query,
        Err(why) => return error(400, Some("invalid_query_string"), &why),
    };
    let matching: Vec<Value> = users_of(state, organization)
        .map(|(id, _)| user_json(state, id))
        .filter(|user| query.matches(user))
        .collect();
    let per_page = query_param(call.query, "per_page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(50);
    let page = query_param(call.query, "page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(0);
    let total = matching.len();
    let users: Vec<Value> = matching
        .into_iter()
        .skip(page.saturating_mul(per_page))
        .take(per_page)
        .collect();
    if query_param(call.query, "include_totals").as_deref() == Some("true") {
        return Reply::json(
            200,
            &serde_json::json!({
                "start": page.saturating_mul(per_page),
                "limit": per_page,
                "length": users.len(),
                "total": total,
                "users": users,
            }),
        );
    }
    Reply::json(200, &users)
}

/// A simple Lucene query: `field:value` clauses joined with `AND` (or a
/// space) and `OR`; `*` alone matches everything.
struct Lucene {
    /// Alternatives (`OR`), each a list of clauses that must all hold.
    any_of: Vec<Vec<(String, String)>>,
}

impl Lucene {
    fn matches(&self, user: &Value) -> bool {
        self.any_of.is_empty()
            || self.any_of.iter().any(|all| {
                all.iter().all(|(field, want)| {
                    let mut got = user;
                    for part in field.split('.') {
                        got = &got[part];
                    }
                    let got = match got {
                        Value::String(s) => s.clone(),
                        Value::Null => return false,
                        other => other.to_string(),
                    };
                    match want.strip_suffix('*') {
                        Some(prefix) => got.to_lowercase().starts_with(&prefix.to_lowercase()),
                        None => got.eq_ignore_ascii_case(want),
                    }
                })
            })
    }
}

fn lucene(q: &str) -> Result<Lucene, String> {
    let q = q.trim();
    if q.is_empty() || q == "*" || q == "*:*" {
        return Ok(Lucene { any_of: Vec::new() });
    }
    let mut any_of = vec![Vec::new()];
    let mut rest = q;
    while !rest.is_empty() {
        rest = rest.trim_start();
        let word_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..word_end];
        if word == "AND" {
            rest = &rest[word_end..];
            continue;
        }
        if word == "OR" {
            any_of.push(Vec::new());
            rest = &rest[word_end..];
            continue;
        }
        let Some((field, after)) = rest.split_once(':') else {
            return Err(format!(
                "Query validation error: 'could not parse the query {q}': expected field:value"
            ));
        };
        let (value, left) = if let Some(quoted) = after.strip_prefix('"') {
            let Some(end) = quoted.find('"') else {
                return Err(format!(
                    "Query validation error: 'could not parse the query {q}': an unclosed quote"
                ));
            };
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        if let Some(last) = any_of.last_mut() {
            last.push((field.trim().to_string(), value.to_string()));
        }
        rest = left;
    }
    Ok(Lucene { any_of })
}

/// `GET /user-blocks?identifier=` (the brute-force blocks of the users
/// with that email or username) and `DELETE` (lifts them, 204).
fn blocks_by_identifier(
    state: &mut State,
    call: &Call<'_>,
    organization: &str,
    method: &str,
) -> Reply {
    let Some(identifier) = query_param(call.query, "identifier") else {
        return error(
            400,
            Some("invalid_query_string"),
            "Query validation error: 'Missing required property: identifier'.",
        );
    };
    let named: Vec<(String, bool, bool)> = users_of(state, organization)
        .filter(|(id, u)| {
            email_of(id, u).eq_ignore_ascii_case(&identifier)
                || u.login.as_deref() == Some(identifier.as_str())
        })
        .map(|(id, u)| {
            let (blocked, brute_force) = blocks(u.status.unwrap_or(match u.state {
                UserState::Active => ACTIVE,
                UserState::Deactivated => BLOCKED,
            }));
            (id.clone(), blocked, brute_force)
        })
        .collect();
    if method == "DELETE" {
        for (id, blocked, _) in &named {
            state.set_status(id, word(*blocked, false));
        }
        return Reply {
            status: 204,
            body: Vec::new(),
            content_type: Some("application/json"),
            headers: Vec::new(),
        };
    }
    let blocked_for: Vec<types::UserBlock> = named
        .iter()
        .filter(|(_, _, brute_force)| *brute_force)
        .map(|_| types::UserBlock {
            identifier: Some(identifier.clone()),
            ip: Some("203.0.113.7".into()),
            connection: Some("Username-Password-Authentication".into()),
        })
        .collect();
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
