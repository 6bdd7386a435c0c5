//! Zitadel simulators: management API v1 (`POST /management/v1/users/{id}/_reactivate`,
//! optional `x-zitadel-orgid`) and user service v2 (`POST /v2/users/{userId}/reactivate`
//! and `GET /v2/users/{userId}` on the REST gateway; `POST
//! /zitadel.user.v2.UserService/ReactivateUser` and `.../GetUserByID` with
//! `{"userId": ...}` in the Connect protocol, as zitadel-client 4.x calls them).
//!
//! Connect calls take a JSON body (`application/json`, else 415) and answer
//! the JSON message, or a Connect error `{"code": "not_found", "message":
//! "User could not be found (COMMAND-9hy5kzbuk6)"}` with the HTTP status the
//! Connect protocol gives the code (`failed_precondition` 400,
//! `unauthenticated` 401, `permission_denied` 403, `not_found` 404,
//! `resource_exhausted` 429, `internal` 500, `unavailable` 503, ...). A user
//! is `USER_STATE_ACTIVE` or `USER_STATE_INACTIVE` when read. Unknown paths are
//! the gateway's 404 gRPC 5 `Not Found` (a method a path does not take 405,
//! gRPC 12); unknown procedures a Connect `unimplemented` 404.
//!
//! Success is `{details: {sequence, creationDate, changeDate, resourceOwner}}`;
//! errors are the gateway's gRPC status `{code, message, details}` with the HTTP
//! status grpc-gateway maps the code to, ids and messages as raised in
//! zitadel/zitadel (`internal/command/user.go`, `user_v2.go`, the auth
//! interceptor). Injected 429 / 500 / 502 / 503 answers are gRPC 8 / 13 / 14 / 14.
//!
//! The token endpoint is `POST /oauth/v2/token` (zitadel/zitadel
//! `internal/api/oidc/server.go`), for machine users with a client secret, in
//! HTTP Basic (form-encoded, then base64, as Zitadel's docs show) or in the
//! form, and private key JWT clients whose `aud` is the issuer (the base URL).
//! A token issued without the scope `urn:zitadel:iam:org:project:id:zitadel:aud`
//! is not for Zitadel's APIs: they refuse it with their 401 (gRPC 16, as the
//! integration test `token_client_credentials_test.go` expects). Answers as
//! zitadel/oidc's `op` package raises them (`server_http.go`, `error.go`: 401
//! for `invalid_client`, 400 for the others): an unknown client 401
//! `invalid_client` `client not found` (zitadel/zitadel#9961), a wrong secret
//! 400 `invalid_request` `Errors.User.Machine.Secret.Invalid` (derived from
//! the source), `{access_token, token_type, expires_in: 43199}` on success.

use std::time::Duration;

use serde_json::Value;

use super::Version;
use crate::generated::{zitadel_v1, zitadel_v2};
use crate::mock::model::UserState;
use crate::mock::state::Simulate;
use crate::mock::state::{
    oauth_error, rfc3339, to_json, with_key, AssertionFault, Auth, AuthenticatedClient, Call,
    Captures, Endpoint, Fault, Grant, Issued, Refusal, Reply, Route, State, TokenForm,
    TokenService,
};

/// The Zitadel simulator of one API version.
pub(crate) struct Sim(Version);

/// Management API v1.
pub(crate) static V1: Sim = Sim(Version::V1);
/// User service v2.
pub(crate) static V2: Sim = Sim(Version::V2);

impl Simulate for Sim {
    fn routes(&self) -> &'static [Route] {
        match self.0 {
            Version::V1 => &[Route {
                name: "reactivate",
                method: "POST",
                segments: &["management", "v1", "users", "{id}", "_reactivate"],
            }],
            Version::V2 => V2_ROUTES,
        }
    }

    fn named_user(&self, route: &Route, body: &[u8]) -> Option<String> {
        // A Connect call names its user in the body.
        if !route.name.starts_with("connect-") {
            return None;
        }
        serde_json::from_slice::<Value>(body)
            .ok()?
            .get("userId")?
            .as_str()
            .map(str::to_string)
    }

    fn unrouted(&self, _call: &Call<'_>, _method: &str, path: &str) -> Option<Reply> {
        if path.starts_with("/zitadel.") {
            // A procedure the Connect handler does not have.
            return Some(connect_error(
                12,
                &format!("{} is not implemented", path.trim_start_matches('/')),
            ));
        }
        // grpc-gateway's routing error handler: no pattern matches, gRPC 5
        // `Not Found` as HTTP 404 (grpc-ecosystem/grpc-gateway
        // `runtime/errors.go`, DefaultRoutingErrorHandler).
        Some(status(self.0, 404, 5, "Not Found", None))
    }

    fn wrong_method(&self, _call: &Call<'_>, _method: &str, path: &str) -> Option<Reply> {
        if path.starts_with("/zitadel.") {
            // Connect unary calls are POSTs (connectrpc.com "Connect
            // Protocol Reference"); another method is 405.
            return Some(connect_http(405, "unimplemented", "Method Not Allowed"));
        }
        // The same handler: a path served with another method, gRPC 12
        // `Method Not Allowed` as HTTP 405.
        Some(status(self.0, 405, 12, "Method Not Allowed", None))
    }

    fn default_organization(&self) -> &'static str {
        DEFAULT_ORGANIZATION
    }

    fn inactive_label(&self) -> &'static str {
        "inactive"
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, route: &Route, to: &Captures) -> Reply {
        match route.name {
            "get-user" => render(self.0, get_user(state, call, &to.user_id)),
            "connect-reactivate" | "connect-get-user" => {
                let id = match connect_request(call) {
                    Ok(id) => id,
                    Err(e) => return connect_reply(Err(e)),
                };
                if route.name == "connect-get-user" {
                    connect_reply(get_user(state, call, &id))
                } else {
                    connect_reply(reactivate(state, call, Version::V2, &id, false))
                }
            }
            _ => render(self.0, reactivate(state, call, self.0, &to.user_id, true)),
        }
    }

    fn failure(&self, call: &Call<'_>, fault: Fault) -> Reply {
        if call.path.starts_with("/zitadel.") {
            let (code, message) = fault_status(fault);
            let mut reply = connect_error(code, message);
            reply.status = fault.status();
            return reply;
        }
        failure(self.0, fault)
    }

    fn tokens(&self) -> Option<&'static dyn TokenService> {
        Some(&Tokens)
    }
}

/// Zitadel's token endpoint (both API versions share the instance's).
struct Tokens;

/// The scope that puts Zitadel's own APIs in a token's audience.
const API_SCOPE: &str = "urn:zitadel:iam:org:project:id:zitadel:aud";

impl TokenService for Tokens {
    fn path(&self) -> &'static [&'static str] {
        &["oauth", "v2", "token"]
    }

    fn default_client_id(&self) -> &'static str {
        // A machine user's login name.
        "userbridge-machine"
    }

    fn default_lifetime(&self) -> Duration {
        // Zitadel's default access token lifetime, 12 hours, less a second.
        Duration::from_secs(43_199)
    }

    fn audiences(&self, at: &Endpoint) -> Vec<String> {
        // The issuer: the instance's URL.
        vec![at.base_url.clone()]
    }

    fn grant(
        &self,
        _call: &Call<'_>,
        _at: &Endpoint,
        form: &TokenForm,
        client: &AuthenticatedClient,
    ) -> Result<Grant, Reply> {
        Ok(Grant {
            organization: client.organization.clone(),
            permitted: true,
            for_api: form.scopes().contains(&API_SCOPE),
            scope: None,
        })
    }

    fn issued(&self, token: &Issued<'_>) -> Value {
        serde_json::json!({
            "access_token": token.access_token,
            "token_type": "Bearer",
            "expires_in": token.expires_in,
        })
    }

    fn refused(&self, _call: &Call<'_>, _at: &Endpoint, refusal: &Refusal) -> Reply {
        let invalid_request = |description: &str| oauth_error(400, "invalid_request", description);
        let invalid_client = |description: &str| oauth_error(401, "invalid_client", description);
        match refusal {
            Refusal::Missing("grant_type") => invalid_request("grant_type missing"),
            Refusal::Missing(_) => {
                invalid_request("client_id or client_assertion must be provided")
            }
            // `unimplementedGrantError`.
            Refusal::UnsupportedGrant(grant) => oauth_error(
                400,
                "unsupported_grant_type",
                &format!("{grant} not supported"),
            ),
            Refusal::BadBasic => invalid_client("invalid basic auth header"),
            Refusal::UnknownClient(_) => invalid_client("client not found"),
            Refusal::NoSecret(_) => invalid_client("client must be authenticated"),
            // zerrors.ThrowInvalidArgument of the machine secret check.
            Refusal::WrongSecret(_) | Refusal::SecretNotAllowed(_) => {
                invalid_request("Errors.User.Machine.Secret.Invalid")
            }
            Refusal::Assertion { fault, .. } => match fault {
                AssertionFault::BadType(kind) => {
                    invalid_request(&format!("invalid client_assertion_type {kind}"))
                }
                // NOT CONFIRMED: the descriptions are zitadel/oidc's verifier
                // errors; Zitadel may hide them behind a generic text.
                AssertionFault::Malformed => invalid_client("malformed jwt"),
                AssertionFault::IssuerMismatch | AssertionFault::ClientMismatch => {
                    invalid_client("issuer does not match")
                }
                AssertionFault::Signature | AssertionFault::KeyId => {
                    invalid_client("signature is invalid")
                }
                AssertionFault::Audience { .. } => invalid_client("audience is not valid"),
                AssertionFault::NoExpiry | AssertionFault::Expired | AssertionFault::TooLong => {
                    invalid_client("token has expired")
                }
                AssertionFault::NoId | AssertionFault::Replayed => {
                    invalid_client("jti has already been used")
                }
            },
        }
    }
}

/// The spec's example resource owner.
const DEFAULT_ORGANIZATION: &str = "69629023906488334";

/// The error type URL of Zitadel's error details.
const ERROR_DETAIL: &str = "type.googleapis.com/zitadel.v1.ErrorDetail";

/// The routes of the user service v2: its REST gateway and its Connect
/// procedures.
const V2_ROUTES: &[Route] = &[
    Route {
        name: "reactivate",
        method: "POST",
        segments: &["v2", "users", "{id}", "reactivate"],
    },
    Route {
        name: "get-user",
        method: "GET",
        segments: &["v2", "users", "{id}"],
    },
    Route {
        name: "connect-reactivate",
        method: "POST",
        segments: &["zitadel.user.v2.UserService", "ReactivateUser"],
    },
    Route {
        name: "connect-get-user",
        method: "POST",
        segments: &["zitadel.user.v2.UserService", "GetUserByID"],
    },
];

/// A gRPC error as the service raises it: the HTTP status grpc-gateway maps
/// it to, the code, the message and Zitadel's error id.
struct Grpc {
    http: u16,
    code: i32,
    message: String,
    id: Option<&'static str>,
}

fn grpc(http: u16, code: i32, message: &str, id: Option<&'static str>) -> Grpc {
    Grpc {
        http,
        code,
        message: message.to_string(),
        id,
    }
}

/// A result on the REST gateway: 200 with the body, or the gRPC status.
fn render(version: Version, result: Result<Value, Grpc>) -> Reply {
    match result {
        Ok(body) => Reply::json(200, &body),
        Err(e) => status(version, e.http, e.code, &e.message, e.id),
    }
}

/// The caller's token and the organization it may act in, or the error.
fn caller<'a>(call: &'a Call<'_>, version: Version, write: bool) -> Result<&'a str, Grpc> {
    let token = match &call.auth {
        Auth::Token(token) => token,
        Auth::Missing => return Err(grpc(401, 16, "auth header missing", None)),
        Auth::Malformed => return Err(grpc(401, 16, "invalid auth header", Some("AUTH-7fs1e"))),
        Auth::Unknown => return Err(grpc(401, 16, "Token is invalid", Some("AUTH-7fs1e"))),
    };
    if write && !token.permitted {
        // The id of the permission check that fails (zitadel/zitadel: v1's auth
        // interceptor, v2's authz.CheckPermission), not AUTHZ-HKJD33, which
        // only Zitadel's own test mocks raise.
        let id = match version {
            Version::V1 => "AUTH-5mWD2",
            Version::V2 => "AUTH-AWfge",
        };
        return Err(grpc(403, 7, "No matching permissions found", Some(id)));
    }
    // v1 acts in the organization of `x-zitadel-orgid` (default: the caller's);
    // v2 sees only the users of the caller's organization.
    Ok(match version {
        Version::V1 => call
            .header("x-zitadel-orgid")
            .unwrap_or(&token.organization),
        Version::V2 => &token.organization,
    })
}

fn reactivate(
    state: &mut State,
    call: &Call<'_>,
    version: Version,
    id: &str,
    gateway: bool,
) -> Result<Value, Grpc> {
    // grpc-gateway decodes the JSON body before the call reaches the service
    // (and its auth interceptor): a malformed body is gRPC 3 InvalidArgument.
    if gateway && !call.body.is_empty() && serde_json::from_slice::<Value>(call.body).is_err() {
        return Err(grpc(400, 3, "invalid request body", None));
    }
    let organization = caller(call, version, true)?.to_string();
    let (not_found, not_inactive) = match version {
        Version::V1 => ("COMMAND-4M0sd", "COMMAND-6M0sf"),
        Version::V2 => ("COMMAND-9hy5kzbuk6", "COMMAND-s5qqcz97hf"),
    };
    let Some(user) = state
        .users
        .get(id)
        .filter(|u| u.organization == organization)
    else {
        return Err(grpc(404, 5, "User could not be found", Some(not_found)));
    };
    if user.state == UserState::Active {
        return Err(grpc(400, 9, "User is not inactive", Some(not_inactive)));
    }
    let created = user.created;
    let resource_owner = user.organization.clone();
    state.activate(id);
    let sequence = state.users.get(id).map_or(0, |u| u.sequence).to_string();
    let change_date = rfc3339(call.now, true);
    let creation_date = rfc3339(created, true);
    Ok(match version {
        Version::V1 => to_json(&zitadel_v1::types::ReactivateUserResponse {
            details: Some(zitadel_v1::types::ObjectDetails {
                sequence: Some(sequence),
                change_date: Some(change_date),
                creation_date: Some(creation_date),
                resource_owner: Some(resource_owner),
            }),
        }),
        Version::V2 => to_json(&zitadel_v2::types::ReactivateUserResponse {
            details: Some(zitadel_v2::types::ObjectDetails {
                sequence: Some(sequence),
                change_date: Some(change_date),
                creation_date: Some(creation_date),
                resource_owner: Some(resource_owner),
            }),
        }),
    })
}

/// The user service v2's `GetUserByID`: `{details, user}` with the user's
/// `state` (`USER_STATE_ACTIVE`, `USER_STATE_INACTIVE`), its user name and
/// login names, and a human profile with its email (zitadel/zitadel
/// `proto/zitadel/user/v2/user.proto`). Reading needs no write permission.
fn get_user(state: &State, call: &Call<'_>, id: &str) -> Result<Value, Grpc> {
    let organization = caller(call, Version::V2, false)?;
    let Some(user) = state
        .users
        .get(id)
        .filter(|u| u.organization == organization)
    else {
        // zitadel/zitadel `internal/query/user.go`: the user is not found.
        return Err(grpc(404, 5, "User could not be found", Some("QUERY-Dfbg2")));
    };
    let username = user.login.clone().unwrap_or_else(|| id.to_string());
    let email = user
        .email
        .clone()
        .unwrap_or_else(|| format!("{username}@example.com"));
    let details = serde_json::json!({
        "sequence": user.sequence.to_string(),
        "creationDate": rfc3339(user.created, true),
        "changeDate": rfc3339(user.deactivated_at.unwrap_or(user.created), true),
        "resourceOwner": user.organization,
    });
    let state_word = match user.state {
        UserState::Active => "USER_STATE_ACTIVE",
        UserState::Deactivated => "USER_STATE_INACTIVE",
    };
    Ok(serde_json::json!({
        "details": details,
        "user": {
            "userId": id,
            "details": details,
            "state": state_word,
            "username": username,
            "loginNames": [username],
            "preferredLoginName": username,
            "human": {
                "profile": {"givenName": username, "familyName": "", "displayName": username},
                "email": {"email": email, "isVerified": true},
            },
        },
    }))
}

/// The `userId` of a Connect unary request: a JSON body (Content-Type
/// `application/json`, connectrpc.com "Connect Protocol Reference"), else a
/// Connect error.
fn connect_request(call: &Call<'_>) -> Result<String, Grpc> {
    let content_type = call
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !content_type.starts_with("application/json") {
        // The protocol answers an unsupported codec 415.
        return Err(grpc(
            415,
            2,
            &format!("invalid content-type: {content_type:?}; expecting \"application/json\""),
            None,
        ));
    }
    let body: Value = match serde_json::from_slice(call.body) {
        Ok(body) => body,
        Err(e) => {
            return Err(grpc(
                400,
                3,
                &format!("unmarshal into zitadel.user.v2: {e}"),
                None,
            ));
        }
    };
    match body.get("userId").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => Ok(id.to_string()),
        // protovalidate on the request: user_id has min_len 1.
        _ => Err(grpc(400, 3, "validation error:\n - user_id: value length must be at least 1 characters [string.min_len]", None)),
    }
}

/// A Connect unary answer: 200 with the JSON message, or the Connect error.
fn connect_reply(result: Result<Value, Grpc>) -> Reply {
    match result {
        Ok(body) => Reply::json(200, &body),
        Err(e) if e.http == 415 => connect_http(415, "unknown", &e.message),
        Err(e) => {
            let message = match e.id {
                Some(id) => format!("{} ({id})", e.message),
                None => e.message,
            };
            connect_error(e.code, &message)
        }
    }
}

/// A Connect error (`{"code", "message"}`) for a gRPC code, with the HTTP
/// status the Connect protocol maps it to (connectrpc.com "Connect Protocol
/// Reference", "Error Codes").
fn connect_error(code: i32, message: &str) -> Reply {
    let (name, http) = match code {
        1 => ("canceled", 499),
        3 => ("invalid_argument", 400),
        4 => ("deadline_exceeded", 504),
        5 => ("not_found", 404),
        6 => ("already_exists", 409),
        7 => ("permission_denied", 403),
        8 => ("resource_exhausted", 429),
        9 => ("failed_precondition", 400),
        10 => ("aborted", 409),
        11 => ("out_of_range", 400),
        12 => ("unimplemented", 501),
        13 => ("internal", 500),
        14 => ("unavailable", 503),
        15 => ("data_loss", 500),
        16 => ("unauthenticated", 401),
        _ => ("unknown", 500),
    };
    // An unknown procedure: connect-go's mux answers 404.
    let http = if code == 12 && message.ends_with("is not implemented") {
        404
    } else {
        http
    };
    connect_http(http, name, message)
}

fn connect_http(http: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        http,
        &serde_json::json!({ "code": code, "message": message }),
    )
}

/// An injected failure: 429 (gRPC 8 ResourceExhausted), 500 (13 Internal), 502
/// (14 Unavailable: the gateway cannot reach the gRPC server) or 503 (14).
fn failure(version: Version, fault: Fault) -> Reply {
    let (code, message) = fault_status(fault);
    status(version, fault.status(), code, message, None)
}

fn fault_status(fault: Fault) -> (i32, &'static str) {
    match fault {
        Fault::RateLimited { .. } => (8, "rate limit exceeded"),
        Fault::Internal => (13, "Errors.Internal"),
        Fault::BadGateway => (14, "upstream connect error"),
        Fault::Unavailable => (14, "service unavailable"),
    }
}

/// A gRPC status body. With an error id, the message is `"<message> (<id>)"` and
/// `details` holds one `zitadel.v1.ErrorDetail {id, message}`; without one,
/// `details` is empty.
fn status(version: Version, http: u16, code: i32, message: &str, id: Option<&str>) -> Reply {
    let full = match id {
        Some(id) => format!("{message} ({id})"),
        None => message.to_string(),
    };
    let detail_count = usize::from(id.is_some());
    let body = match version {
        Version::V1 => to_json(&zitadel_v1::types::RpcStatus {
            code: Some(code),
            message: Some(full),
            details: vec![
                zitadel_v1::types::ProtobufAny {
                    type_: Some(ERROR_DETAIL.to_string()),
                };
                detail_count
            ],
        }),
        Version::V2 => to_json(&zitadel_v2::types::RpcStatus {
            code: Some(code),
            message: Some(full),
            details: vec![
                zitadel_v2::types::ProtobufAny {
                    type_: Some(ERROR_DETAIL.to_string()),
                };
                detail_count
            ],
        }),
    };
    // A protobuf Any carries its message's fields beside `@type`; the generated
    // type models only `@type`, so `id` and `message` are added here. An empty
    // `details` (skipped by the generated type) is sent as `[]`.
    let details = match (id, body.get("details")) {
        (Some(id), Some(Value::Array(items))) => items
            .iter()
            .cloned()
            .map(|item| {
                let item = with_key(item, "id", Value::String(id.to_string()));
                with_key(item, "message", Value::String(message.to_string()))
            })
            .collect(),
        _ => Vec::new(),
    };
    Reply::json(http, &with_key(body, "details", Value::Array(details)))
}
