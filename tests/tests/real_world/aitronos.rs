//! Aitronos (Freddy API, `https://api.aitronos.com`): answers to `POST
//! /v1/organizations/{organization_id}/users/{user_id}/reactivate`. The
//! backend's source is not public; its answers come from its published
//! reference (the reactivate page, seed 000_6411f6aa1df7c0da.txt =
//! https://docs.aitronos.com/docs/api-reference/users/reactivate.md, and the
//! error code reference https://docs.aitronos.com/docs/api-reference/error-codes,
//! which gives the envelope and each code's message), from Aitronos' own test
//! records of its staging backend (Aitronos-Development/backstage), and from a
//! third party's call of the Freddy API.

use super::{At, Read, RealAnswer};
use userbridge::ErrorKind;

/// The user the answers are for (one the SDK's request rules accept).
pub const USER: &str = "usr_abc123";

/// The base URL path on the mock server and the organization, for a
/// read-first provider (`None`: the spec's, as the single-call suites use).
pub const CLIENT: Option<(&str, Option<&str>)> = None;

pub const READS: &[Read] = &[];

/// FastAPI's `JSONResponse`.
const JSON: &[(&str, &str)] = &[("content-type", "application/json")];

const REACTIVATE: &str =
    "https://docs.aitronos.com/docs/api-reference/users/reactivate.md (seed 000_6411f6aa1df7c0da.txt)";
const ERROR_CODES: &str = "https://docs.aitronos.com/docs/api-reference/error-codes";

pub fn answers() -> Vec<RealAnswer> {
    vec![
        RealAnswer {
            source: REACTIVATE,
            what: "reactivated: the page's 200 example (the user object)",
            status: 200,
            headers: JSON,
            body: r#"{ "id": "usr_abc123", "full_name": "Jane Doe", "email": "jane@example.com", "user_name": "janedoe", "account_state": "active", "role_ids": ["role_admin1"], "department_ids": ["dept_eng001"], "organization_id": "org_xyz789", "invitation_link": null, "invited_at": null, "deactivated_at": null }"#,
            at: At::First,
            kind: None,
            code: None,
            says: None,
        },
        RealAnswer {
            source: REACTIVATE,
            what: "user not deactivated: the page's 422 USER_NOT_DEACTIVATED",
            status: 422,
            headers: JSON,
            body: r#"{ "success": false, "error": { "code": "USER_NOT_DEACTIVATED", "message": "This user account is not deactivated and cannot be reactivated.", "system_message": "this user account is not deactivated and cannot be reactivated.", "type": "client_error", "status": 422, "details": { "user_id": "usr_abc123" }, "trace_id": "abc-123-def", "timestamp": "2025-12-22T15:30:00Z" } }"#,
            at: At::First,
            kind: Some(ErrorKind::NotDeactivated),
            code: Some("USER_NOT_DEACTIVATED"),
            says: Some("not deactivated and cannot be reactivated"),
        },
        RealAnswer {
            source: ERROR_CODES,
            what: "no credentials: AUTHENTICATION_REQUIRED with the reference's message, in its envelope (Aitronos-Development/backstage: .claude/agent-memory/execution-runner/MEMORY.md records staging's 401 as this code)",
            status: 401,
            headers: JSON,
            body: r#"{"success": false, "error": {"code": "AUTHENTICATION_REQUIRED", "message": "Please sign in to continue", "type": "client_error", "status": 401}}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: Some("AUTHENTICATION_REQUIRED"),
            says: Some("Please sign in to continue"),
        },
        RealAnswer {
            source: ERROR_CODES,
            what: "an expired JWT: TOKEN_EXPIRED with the reference's message",
            status: 401,
            headers: JSON,
            body: r#"{"success": false, "error": {"code": "TOKEN_EXPIRED", "message": "Your session has expired", "type": "client_error", "status": 401}}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: Some("TOKEN_EXPIRED"),
            says: Some("Your session has expired"),
        },
        RealAnswer {
            source: ERROR_CODES,
            what: "an API key the backend does not know: INVALID_API_KEY with the reference's message",
            status: 401,
            headers: JSON,
            body: r#"{"success": false, "error": {"code": "INVALID_API_KEY", "message": "Your API key is invalid", "type": "client_error", "status": 401}}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: Some("INVALID_API_KEY"),
            says: Some("Your API key is invalid"),
        },
        RealAnswer {
            source: ERROR_CODES,
            what: "the caller lacks the permission: INSUFFICIENT_PERMISSIONS with the reference's message",
            status: 403,
            headers: JSON,
            body: r#"{"success": false, "error": {"code": "INSUFFICIENT_PERMISSIONS", "message": "You don't have permission to perform this action", "type": "client_error", "status": 403}}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("INSUFFICIENT_PERMISSIONS"),
            says: Some("You don't have permission to perform this action"),
        },
        RealAnswer {
            source: ERROR_CODES,
            what: "the caller is no member of the organization in the path: ORGANIZATION_ACCESS_DENIED with the reference's message",
            status: 403,
            headers: JSON,
            body: r#"{"success": false, "error": {"code": "ORGANIZATION_ACCESS_DENIED", "message": "You don't have access to this organization", "type": "client_error", "status": 403}}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("ORGANIZATION_ACCESS_DENIED"),
            says: Some("You don't have access to this organization"),
        },
        RealAnswer {
            source: "Aitronos-Development/backstage: api-tests/autonomous/v1-model/AUDIT_REPORT.md",
            what: "an unhandled failure of the backend, as recorded against it (trace ids in the report)",
            status: 500,
            headers: JSON,
            body: r#"{"success": false, "error": {"code": "INTERNAL_ERROR", "message": "Something went wrong. Please try again later."}}"#,
            at: At::First,
            kind: Some(ErrorKind::Server),
            code: Some("INTERNAL_ERROR"),
            says: Some("Something went wrong"),
        },
        RealAnswer {
            source: "Aitronos-Development/backstage: .claude/agent-memory/execution-runner/MEMORY.md",
            what: "a path the FastAPI app does not route (framework-level 404, no `success` field): a wrong base URL, not a missing user",
            status: 404,
            headers: JSON,
            body: r#"{"detail":"Not Found"}"#,
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: None,
            says: Some("base URL"),
        },
        RealAnswer {
            source: "https://docs.aitronos.com/docs/documentation/error-handling",
            what: "the Freddy API's other documented error format (AuthenticationError 401, in an earlier version of the error handling page)",
            status: 401,
            headers: JSON,
            body: r#"{"detail": "Invalid API key", "status_code": 401, "error_type": "AuthenticationError"}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: Some("AuthenticationError"),
            says: Some("Invalid API key"),
        },
        RealAnswer {
            source: "apzscorpion/ml-trading-bot: FREDDY_API_LATEST_CHECK.md",
            what: "an Api-Key the Freddy API rejects, as answered on 2025-11-05 by freddy-api.aitronos.ch (the key in the message is elided here)",
            status: 401,
            headers: JSON,
            body: r#"{"title":"Unauthorized","message":"Invalid headerApiKey: sk-frdy-<elided>."}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: None,
            says: Some("Invalid headerApiKey"),
        },
    ]
}
