//! Microsoft Entra ID simulator: Microsoft Graph's `GET` and `PATCH
//! /v1.0/users/{id}` (the base URL ends in `/v1.0`, as Graph's does).
//!
//! Organizations are tenants: a token sees the users of its own tenant only (a
//! user of another tenant is 404, as for an unknown id). A user is found by the
//! id it was added with, by its object id, or by its user principal name
//! (case-insensitive, as Entra compares them): a user added with a principal name
//! (`adele.vance@contoso.com`, `adele_fabrikam.com#EXT#@contoso.onmicrosoft.com`)
//! gets an object id derived from it, and a user added with any other id gets that
//! id as object id and `<id>@<tenant>` as principal name. `accountEnabled` is
//! returned only when `$select` asks for it, as Graph does. A token marked with
//! `deny_permission` may read users but not enable them (403
//! `Authorization_RequestDenied`). Every answer carries `request-id` (also in
//! `innerError`) and `client-request-id` (echoed when sent). Injected 429 / 503
//! answers are `TooManyRequests` / `serviceNotAvailable`.
//!
//! The token endpoint is the identity platform's v2 endpoint,
//! `POST /{tenant}/oauth2/v2.0/token` on the simulator's origin (the SDK
//! derives `login.microsoftonline.com`: point it here with `.token_url(..)`),
//! for any tenant; its tokens act in the client's tenant. It requires `scope`
//! = `https://graph.microsoft.com/.default` and answers as the identity
//! platform documents (MicrosoftDocs/entra-docs
//! `v2-oauth2-client-creds-grant-flow.md` and `reference-error-codes.md`):
//! `{token_type, expires_in: 3599, ext_expires_in, access_token}`, and errors
//! `{error, error_description: "AADSTSnnnn: ...\r\nTrace ID: ..", error_codes,
//! timestamp, trace_id, correlation_id, error_uri}` (a wrong secret 401
//! `invalid_client` AADSTS7000215, as seen in OfficeDev/microsoft-365-agents-
//! toolkit#8621; an unknown app 400 `unauthorized_client` AADSTS700016; a bad
//! scope 400 `invalid_scope` AADSTS70011). A certificate (private key JWT)
//! client names the token URL as `aud`.

use std::time::Duration;

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::generated::entra_id::types;
use crate::mock::model::UserState;
use crate::mock::state::Simulate;
use crate::mock::state::{
    rfc3339, to_json, AssertionFault, Auth, AuthenticatedClient, Call, Captures, Endpoint, Fault,
    Grant, Issued, Refusal, Reply, Route, State, TokenForm, TokenService, UserRecord,
};

/// The Microsoft Entra ID simulator.
pub(crate) struct Sim;

impl Simulate for Sim {
    fn routes(&self) -> &'static [Route] {
        &ROUTES
    }

    fn base_path(&self) -> &'static str {
        "/v1.0"
    }

    fn default_organization(&self) -> &'static str {
        DEFAULT_TENANT
    }

    fn active_label(&self) -> &'static str {
        // `accountEnabled: true`.
        "enabled"
    }

    fn inactive_label(&self) -> &'static str {
        "disabled"
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, route: &Route, to: &Captures) -> Reply {
        let token = match &call.auth {
            Auth::Token(token) => token.clone(),
            Auth::Missing => {
                return error(
                    call,
                    401,
                    "InvalidAuthenticationToken",
                    "Access token is empty.",
                )
            }
            Auth::Malformed | Auth::Unknown => {
                return error(
                    call,
                    401,
                    "InvalidAuthenticationToken",
                    "Access token has expired or is not yet valid.",
                )
            }
        };
        if route.name == "list-users" {
            return list_users(state, call, &token.organization);
        }
        if to.user_id.starts_with('$') {
            // `/users/$x` breaks the OData URL convention.
            return error(
                call,
                400,
                "Request_BadRequest",
                &format!("Invalid object identifier '{}'.", to.user_id),
            );
        }
        let Some(key) = find(state, &token.organization, &to.user_id) else {
            return error(
                call,
                404,
                "Request_ResourceNotFound",
                &format!(
                    "Resource '{}' does not exist or one of its queried reference-property \
                     objects are not present.",
                    to.user_id
                ),
            );
        };
        match route.name {
            "update-user" if !token.permitted => error(
                call,
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ),
            "update-user" => update_user(state, call, &key),
            _ => get_user(state, call, &key, &token.organization),
        }
    }

    fn failure(&self, call: &Call<'_>, fault: Fault) -> Reply {
        let status = fault.status();
        match fault {
            Fault::RateLimited { .. } => {
                error(call, 429, "TooManyRequests", "Please retry again later.")
            }
            Fault::Internal | Fault::BadGateway => error(
                call,
                status,
                "generalException",
                "An unspecified error has occurred.",
            ),
            Fault::Unavailable => error(
                call,
                status,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please try again later.",
            ),
        }
    }

    fn tokens(&self) -> Option<&'static dyn TokenService> {
        Some(&Tokens)
    }

    // A URL Graph cannot route keeps the simulator's plain-text 404: Graph's
    // own answers there (404 `ResourceNotFound`, or 400 "Resource not found
    // for the segment") are JSON in the error shape other providers' clients
    // take for theirs, and a wrong base URL must read as one to every client.

    fn wrong_method(&self, call: &Call<'_>, _method: &str, _path: &str) -> Option<Reply> {
        Some(error(
            call,
            405,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        ))
    }
}

/// The identity platform's v2 token endpoint.
struct Tokens;

/// The scope of an application's Graph permissions.
const GRAPH_DEFAULT: &str = "https://graph.microsoft.com/.default";
/// The directory (tenant) id of the simulator's token URL.
const DEFAULT_TENANT_ID: &str = "0d5f7c2a-3b9e-4f61-a8d4-c6e2b1f09a37";

impl TokenService for Tokens {
    fn path(&self) -> &'static [&'static str] {
        &["{org}", "oauth2", "v2.0", "token"]
    }

    fn default_path_organization(&self) -> &'static str {
        DEFAULT_TENANT_ID
    }

    fn default_client_id(&self) -> &'static str {
        // An application (client) id.
        "4a1d2c3b-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    }

    fn default_lifetime(&self) -> Duration {
        Duration::from_secs(3599)
    }

    fn audiences(&self, at: &Endpoint) -> Vec<String> {
        vec![at.url.clone()]
    }

    fn grant(
        &self,
        call: &Call<'_>,
        _at: &Endpoint,
        form: &TokenForm,
        client: &AuthenticatedClient,
    ) -> Result<Grant, Reply> {
        match form.get("scope") {
            Some(scope) if scope.trim().eq_ignore_ascii_case(GRAPH_DEFAULT) => Ok(Grant {
                organization: client.organization.clone(),
                permitted: true,
                for_api: true,
                scope: None,
            }),
            None => Err(sts_error(
                call,
                400,
                "invalid_scope",
                70011,
                "The provided request must include a 'scope' input parameter.",
            )),
            Some(scope) => Err(sts_error(
                call,
                400,
                "invalid_scope",
                70011,
                &format!(
                    "The provided value for the input parameter 'scope' is not valid. The scope \
                     {scope} is not valid."
                ),
            )),
        }
    }

    fn issued(&self, token: &Issued<'_>) -> Value {
        serde_json::json!({
            "token_type": "Bearer",
            "expires_in": token.expires_in,
            "ext_expires_in": token.expires_in,
            "access_token": token.access_token,
        })
    }

    fn refused(&self, call: &Call<'_>, at: &Endpoint, refusal: &Refusal) -> Reply {
        let tenant = at.organization.as_deref().unwrap_or_default();
        let unknown_app = |id: &str| {
            sts_error(
                call,
                400,
                "unauthorized_client",
                700016,
                &format!(
                    "Application with identifier '{id}' was not found in the directory \
                     '{tenant}'. This can happen if the application has not been installed by \
                     the administrator of the tenant or consented to by any user in the tenant. \
                     You may have sent your authentication request to the wrong tenant."
                ),
            )
        };
        let missing = |name: &str| {
            sts_error(
                call,
                400,
                "invalid_request",
                900144,
                &format!("The request body must contain the following parameter: '{name}'."),
            )
        };
        match refusal {
            Refusal::Missing(name) => missing(name),
            // NOT CONFIRMED: the wording (the code is UnsupportedGrantType).
            Refusal::UnsupportedGrant(grant) => sts_error(
                call,
                400,
                "unsupported_grant_type",
                70003,
                &format!("The app requested an unsupported grant type '{grant}'."),
            ),
            Refusal::BadBasic => sts_error(
                call,
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is \
                 the client secret value, not the client secret ID.",
            ),
            Refusal::UnknownClient(id) => unknown_app(id),
            Refusal::NoSecret(_) | Refusal::SecretNotAllowed(_) => sts_error(
                call,
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or \
                 'client_secret'.",
            ),
            Refusal::WrongSecret(id) => sts_error(
                call,
                401,
                "invalid_client",
                7000215,
                &format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request \
                     is the client secret value, not the client secret ID, for a secret added to \
                     app '{id}'."
                ),
            ),
            Refusal::Assertion { fault, .. } => {
                let (status, error, code, message) = match fault {
                    AssertionFault::BadType(_) => (
                        400,
                        "invalid_request",
                        900144,
                        "The request body must contain the following parameter: \
                         'client_assertion_type'."
                            .to_string(),
                    ),
                    AssertionFault::Malformed
                    | AssertionFault::IssuerMismatch
                    | AssertionFault::ClientMismatch => (
                        400,
                        "invalid_request",
                        50027,
                        "JWT token is invalid or malformed.".to_string(),
                    ),
                    AssertionFault::Signature | AssertionFault::KeyId => (
                        401,
                        "invalid_client",
                        700027,
                        "Client assertion failed signature validation.".to_string(),
                    ),
                    AssertionFault::NoExpiry
                    | AssertionFault::Expired
                    | AssertionFault::TooLong => (
                        401,
                        "invalid_client",
                        700024,
                        "Client assertion is not within its valid time range.".to_string(),
                    ),
                    // NOT CONFIRMED: the wording (the code is InvalidAssertion).
                    AssertionFault::Audience { got, .. } => (
                        401,
                        "invalid_client",
                        50013,
                        format!(
                            "Assertion audience claim does not match the required value. The \
                             audience in the assertion was '{got}' and the expected audience is \
                             '{}'.",
                            at.url
                        ),
                    ),
                    AssertionFault::NoId | AssertionFault::Replayed => (
                        401,
                        "invalid_client",
                        50013,
                        "Assertion is invalid: its jti was already used.".to_string(),
                    ),
                };
                sts_error(call, status, error, code, &message)
            }
        }
    }
}

/// The identity platform's token error: the AADSTS code in the description,
/// with the trace id, correlation id and time (as the error code reference
/// shows), and `error_codes`, `timestamp`, `trace_id`, `correlation_id`,
/// `error_uri`.
fn sts_error(call: &Call<'_>, status: u16, error: &str, code: u32, message: &str) -> Reply {
    let timestamp = rfc3339(call.now, false).replace('T', " ");
    let trace = call.request_id.clone();
    let correlation = client_request_id(call);
    let body = serde_json::json!({
        "error": error,
        "error_description": format!(
            "AADSTS{code}: {message}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\n\
             Timestamp: {timestamp}"
        ),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    Reply::json(status, &body)
        .header("x-ms-request-id", call.request_id.clone())
        .header("cache-control", "no-store, no-cache")
        .header("pragma", "no-cache")
}

static ROUTES: [Route; 3] = [
    Route {
        name: "list-users",
        method: "GET",
        segments: &["users"],
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
];

/// The tenant of the default token.
const DEFAULT_TENANT: &str = "contoso.onmicrosoft.com";

/// The user (its key in the state) that `id` names in `tenant`: the key itself,
/// the object id or the principal name.
fn find(state: &State, tenant: &str, id: &str) -> Option<String> {
    state
        .users
        .iter()
        .filter(|(_, u)| u.organization == tenant)
        .find(|(key, user)| {
            key.as_str() == id
                || object_id(key).eq_ignore_ascii_case(id)
                || upn(key, user, tenant).eq_ignore_ascii_case(id)
        })
        .map(|(key, _)| key.clone())
}

/// A user's principal name: the login it was seeded with, else derived from
/// its key.
fn upn(key: &str, user: &UserRecord, tenant: &str) -> String {
    user.login
        .clone()
        .unwrap_or_else(|| principal_name(key, tenant))
}

/// The object id of a user added as `key`.
fn object_id(key: &str) -> String {
    if !key.contains('@') {
        return key.to_string();
    }
    // A stable GUID-shaped id derived from the principal name (FNV-1a, twice).
    let fnv = |seed: u64| {
        key.to_ascii_lowercase().bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let (a, b) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x6c62_272e_07bb_0142));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// The principal name of a user added as `key` in `tenant`.
fn principal_name(key: &str, tenant: &str) -> String {
    if key.contains('@') {
        key.to_string()
    } else {
        format!("{key}@{tenant}")
    }
}

/// The properties `$select` asks for (lower-case), if it is given.
fn selected(query: &str) -> Option<Vec<String>> {
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        let name = percent_decode_str(name).decode_utf8().ok()?;
        if !name.eq_ignore_ascii_case("$select") && !name.eq_ignore_ascii_case("select") {
            return None;
        }
        let value = percent_decode_str(&value.replace('+', " "))
            .decode_utf8()
            .ok()?
            .into_owned();
        Some(
            value
                .split(',')
                .map(|p| p.trim().to_ascii_lowercase())
                .filter(|p| !p.is_empty())
                .collect(),
        )
    })
}

fn get_user(state: &State, call: &Call<'_>, key: &str, tenant: &str) -> Reply {
    let Some(user) = state.users.get(key) else {
        return error(
            call,
            404,
            "Request_ResourceNotFound",
            "Resource does not exist.",
        );
    };
    let select = selected(call.query);
    let body = user_object(key, user, tenant, select.as_deref());
    let context = match &select {
        Some(s) => format!(
            "https://graph.microsoft.com/v1.0/$metadata#users({})/$entity",
            s.join(",")
        ),
        None => "https://graph.microsoft.com/v1.0/$metadata#users/$entity".to_string(),
    };
    let mut with_context = Map::new();
    with_context.insert("@odata.context".into(), Value::String(context));
    with_context.extend(body);
    with_ids(call, Reply::json(200, &Value::Object(with_context)))
}

/// A user's properties: the default set, or those `$select` names.
fn user_object(
    key: &str,
    user: &UserRecord,
    tenant: &str,
    select: Option<&[String]>,
) -> Map<String, Value> {
    let wants = |p: &str| select.is_none_or(|s| s.iter().any(|x| x == p));
    let enabled = user.state == UserState::Active;
    let upn = upn(key, user, tenant);
    let mut body = Map::new();
    let typed = types::User {
        id: wants("id").then(|| object_id(key)),
        // Not in the default property set: only when selected.
        account_enabled: select
            .is_some_and(|s| s.iter().any(|p| p == "accountenabled"))
            .then_some(enabled),
        user_principal_name: wants("userprincipalname").then_some(upn),
    };
    if let Value::Object(fields) = to_json(&typed) {
        body.extend(fields);
    }
    if select.is_none() {
        body.insert("displayName".into(), Value::String(key.to_string()));
    }
    if wants("mail") {
        body.insert(
            "mail".into(),
            user.email.clone().map_or(Value::Null, Value::String),
        );
    }
    body
}

/// `GET /users`, with `$filter` (`eq` on `accountEnabled`,
/// `userPrincipalName`, `mail`, `id`, `displayName`, joined with `and`, as
/// Graph's default filters take them) and `$select`:
/// `{"@odata.context", "value": [...]}`.
fn list_users(state: &State, call: &Call<'_>, tenant: &str) -> Reply {
    let select = selected(call.query);
    let filter = match query_value(call.query, "$filter").map(|f| graph_filter(&f)) {
        None => Vec::new(),
        Some(Ok(clauses)) => clauses,
        Some(Err(why)) => return error(call, 400, "BadRequest", &why),
    };
    let value: Vec<Value> = state
        .users
        .iter()
        .filter(|(_, u)| u.organization == tenant)
        .filter(|(key, user)| {
            filter.iter().all(|(property, want)| {
                let got = match property.as_str() {
                    "accountenabled" => Value::Bool(user.state == UserState::Active),
                    "userprincipalname" => Value::String(upn(key, user, tenant)),
                    "mail" => user.email.clone().map_or(Value::Null, Value::String),
                    "id" => Value::String(object_id(key)),
                    _ => Value::String((*key).clone()),
                };
                match (&got, want) {
                    (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
                    _ => &got == want,
                }
            })
        })
        .map(|(key, user)| Value::Object(user_object(key, user, tenant, select.as_deref())))
        .collect();
    let context = match &select {
        Some(s) => format!(
            "https://graph.microsoft.com/v1.0/$metadata#users({})",
            s.join(",")
        ),
        None => "https://graph.microsoft.com/v1.0/$metadata#users".to_string(),
    };
    with_ids(
        call,
        Reply::json(
            200,
            &serde_json::json!({ "@odata.context": context, "value": value }),
        ),
    )
}

/// The decoded value of a query parameter (`$filter` also as `filter`).
fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        let key = percent_decode_str(key).decode_utf8().ok()?;
        let bare = name.trim_start_matches('$');
        if !key.eq_ignore_ascii_case(name) && !key.eq_ignore_ascii_case(bare) {
            return None;
        }
        percent_decode_str(&value.replace('+', " "))
            .decode_utf8()
            .ok()
            .map(|v| v.into_owned())
    })
}

/// An OData `$filter` of `property eq value` clauses joined with `and`:
/// each property (lower-case) and the value (a boolean, or a string in
/// single quotes, `''` for a quote). Anything else is refused in Graph's
/// words for a filter it cannot parse.
fn graph_filter(filter: &str) -> Result<Vec<(String, Value)>, String> {
    let invalid = || format!("Invalid filter clause: {filter}");
    let mut clauses = Vec::new();
    for clause in split_and(filter) {
        let mut parts = clause.trim().splitn(3, ' ');
        let (Some(property), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        if !op.eq_ignore_ascii_case("eq") {
            return Err(format!(
                "Unsupported or invalid query filter clause specified for property '{property}'                  of resource 'User'."
            ));
        }
        let property = property.to_ascii_lowercase();
        if ![
            "accountenabled",
            "userprincipalname",
            "mail",
            "id",
            "displayname",
        ]
        .contains(&property.as_str())
        {
            return Err(format!(
                "Unsupported or invalid query filter clause specified for property '{property}'                  of resource 'User'."
            ));
        }
        let value = value.trim();
        let value = if value.eq_ignore_ascii_case("true") {
            Value::Bool(true)
        } else if value.eq_ignore_ascii_case("false") {
            Value::Bool(false)
        } else if let Some(text) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
            Value::String(text.replace("''", "'"))
        } else {
            return Err(invalid());
        };
        clauses.push((property, value));
    }
    Ok(clauses)
}

/// `a and b` split on ` and ` outside quotes.
fn split_and(filter: &str) -> Vec<String> {
    let mut clauses = vec![String::new()];
    let mut quoted = false;
    let mut rest = filter;
    while let Some(c) = rest.chars().next() {
        if !quoted && rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(" and ") {
            clauses.push(String::new());
            rest = &rest[5..];
            continue;
        }
        if c == '\'' {
            quoted = !quoted;
        }
        if let Some(last) = clauses.last_mut() {
            last.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    clauses
}

fn update_user(state: &mut State, call: &Call<'_>, key: &str) -> Reply {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(call.body) else {
        return error(
            call,
            400,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and \
             payload is of valid JSON format.",
        );
    };
    for (name, value) in &fields {
        if name == "@odata.type" {
            // The Graph SDKs (Kiota) send the entity's type with every
            // body; Graph takes it when it names the resource's own type.
            let named = value.as_str().map(|t| t.trim_start_matches('#'));
            if named.is_some_and(|t| t.eq_ignore_ascii_case("microsoft.graph.user")) {
                continue;
            }
            return error(
                call,
                400,
                "BadRequest",
                &format!(
                    "A type named '{}' could not be resolved by the model. When a model is \
                     available, each type name must resolve to a valid type.",
                    value.as_str().unwrap_or_default().trim_start_matches('#')
                ),
            );
        }
        if WRITABLE.contains(&name.as_str()) {
            // Writable properties the simulator does not model: taken.
            continue;
        }
        if name != "accountEnabled" {
            return error(
                call,
                400,
                "Request_BadRequest",
                &format!("Property '{name}' does not exist on resource 'User'."),
            );
        }
        match value {
            Value::Bool(true) => state.activate(key),
            Value::Bool(false) => {
                if let Some(user) = state.users.get_mut(key) {
                    user.state = UserState::Deactivated;
                    user.deactivated_at = Some(call.now);
                }
            }
            _ => {
                return error(
                    call,
                    400,
                    "Request_BadRequest",
                    "Invalid value specified for property 'accountEnabled' of resource 'User'.",
                )
            }
        }
    }
    with_ids(call, Reply::empty(204))
}

/// Writable properties of Graph's user resource (v1.0 "Update user") that
/// the simulator takes and does not keep.
const WRITABLE: &[&str] = &[
    "displayName",
    "givenName",
    "surname",
    "jobTitle",
    "department",
    "companyName",
    "officeLocation",
    "mobilePhone",
    "businessPhones",
    "usageLocation",
    "preferredLanguage",
    "employeeId",
    "city",
    "country",
    "state",
    "streetAddress",
    "postalCode",
    "mailNickname",
];

/// Graph's error body, with the request ids.
fn error(call: &Call<'_>, status: u16, code: &str, message: &str) -> Reply {
    let date = rfc3339(call.now, false);
    let body = types::ODataError {
        error: types::MainError {
            code: code.to_string(),
            message: message.to_string(),
            target: None,
            details: Vec::new(),
            inner_error: Some(types::InnerError {
                date: Some(date.trim_end_matches('Z').to_string()),
                request_id: Some(call.request_id.clone()),
                client_request_id: Some(client_request_id(call)),
            }),
        },
    };
    with_ids(call, Reply::json(status, &to_json(&body)))
}

fn client_request_id(call: &Call<'_>) -> String {
    call.header("client-request-id")
        .map_or_else(|| call.request_id.clone(), str::to_string)
}

fn with_ids(call: &Call<'_>, reply: Reply) -> Reply {
    reply
        .header("request-id", call.request_id.clone())
        .header("client-request-id", client_request_id(call))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names() {
        let guest = "adele_fabrikam.com#EXT#@contoso.onmicrosoft.com";
        let id = object_id(guest);
        assert_eq!(id.len(), 36);
        assert_eq!(id, object_id(&guest.to_uppercase()));
        assert_ne!(id, object_id("other@contoso.com"));
        assert_eq!(object_id("4562bcc8"), "4562bcc8");
        assert_eq!(principal_name("usr_1", "t.example"), "usr_1@t.example");
        assert_eq!(principal_name(guest, "t.example"), guest);
        assert_eq!(
            selected("%24select=id%2CaccountEnabled"),
            Some(vec!["id".to_string(), "accountenabled".to_string()])
        );
        assert_eq!(selected("$top=1"), None);
    }
}
