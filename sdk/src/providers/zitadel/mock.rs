//! Zitadel simulators: management API v1 (`POST /management/v1/users/{id}/_reactivate`,
//! optional `x-zitadel-orgid`) and user service v2 (`POST /v2/users/{userId}/reactivate`).
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
            Version::V2 => &[Route {
                name: "reactivate",
                method: "POST",
                segments: &["v2", "users", "{id}", "reactivate"],
            }],
        }
    }

    fn default_organization(&self) -> &'static str {
        DEFAULT_ORGANIZATION
    }

    fn inactive_label(&self) -> &'static str {
        "inactive"
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, _: &Route, to: &Captures) -> Reply {
        reactivate(state, call, self.0, &to.user_id)
    }

    fn failure(&self, _call: &Call<'_>, fault: Fault) -> Reply {
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

fn reactivate(state: &mut State, call: &Call<'_>, version: Version, id: &str) -> Reply {
    // grpc-gateway decodes the JSON body before the call reaches the service
    // (and its auth interceptor): a malformed body is gRPC 3 InvalidArgument.
    if !call.body.is_empty() && serde_json::from_slice::<Value>(call.body).is_err() {
        return status(version, 400, 3, "invalid request body", None);
    }
    let token = match &call.auth {
        Auth::Token(token) => token,
        Auth::Missing => return status(version, 401, 16, "auth header missing", None),
        Auth::Malformed => {
            return status(version, 401, 16, "invalid auth header", Some("AUTH-7fs1e"))
        }
        Auth::Unknown => return status(version, 401, 16, "Token is invalid", Some("AUTH-7fs1e")),
    };
    if !token.permitted {
        // The id of the permission check that fails (zitadel/zitadel: v1's auth
        // interceptor, v2's authz.CheckPermission), not AUTHZ-HKJD33, which
        // only Zitadel's own test mocks raise.
        let id = match version {
            Version::V1 => "AUTH-5mWD2",
            Version::V2 => "AUTH-AWfge",
        };
        return status(version, 403, 7, "No matching permissions found", Some(id));
    }
    // v1 acts in the organization of `x-zitadel-orgid` (default: the caller's);
    // v2 sees only the users of the caller's organization.
    let organization = match version {
        Version::V1 => call
            .header("x-zitadel-orgid")
            .unwrap_or(&token.organization),
        Version::V2 => &token.organization,
    };
    let (not_found, not_inactive) = match version {
        Version::V1 => ("COMMAND-4M0sd", "COMMAND-6M0sf"),
        Version::V2 => ("COMMAND-9hy5kzbuk6", "COMMAND-s5qqcz97hf"),
    };
    let Some(user) = state
        .users
        .get(id)
        .filter(|u| u.organization == organization)
    else {
        return status(version, 404, 5, "User could not be found", Some(not_found));
    };
    if user.state == UserState::Active {
        return status(version, 400, 9, "User is not inactive", Some(not_inactive));
    }
    let created = user.created;
    let resource_owner = user.organization.clone();
    state.activate(id);
    let sequence = state.users.get(id).map_or(0, |u| u.sequence).to_string();
    let change_date = rfc3339(call.now, true);
    let creation_date = rfc3339(created, true);
    let body = match version {
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
    };
    Reply::json(200, &body)
}

/// An injected failure: 429 (gRPC 8 ResourceExhausted), 500 (13 Internal), 502
/// (14 Unavailable: the gateway cannot reach the gRPC server) or 503 (14).
fn failure(version: Version, fault: Fault) -> Reply {
    let (code, message) = match fault {
        Fault::RateLimited { .. } => (8, "rate limit exceeded"),
        Fault::Internal => (13, "Errors.Internal"),
        Fault::BadGateway => (14, "upstream connect error"),
        Fault::Unavailable => (14, "service unavailable"),
    };
    status(version, fault.status(), code, message, None)
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
