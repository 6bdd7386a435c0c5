//! Flashback: answers of `https://backend.flashback.tech` to `POST
//! /organization/users/{userId}/activate`, from its published reference
//! (seed 001_bdf923256ff4cb8d.txt, the page
//! https://docs.flashback.tech/support-reference/platform-api-reference/organization/post__organization_users_-userid-_activate),
//! and answers of the same backend to other routes that show the shapes its
//! error answers take. No other public source of the backend's answers was
//! found (its source is not public; flashbacknetwork/FlashbackClient only
//! throws `HttpError` with the body it gets).

use super::{At, Read, RealAnswer};
use userbridge::ErrorKind;

/// The user the answers are for (one the SDK's request rules accept).
pub const USER: &str = "550e8400-e29b-41d4-a716-446655440000";

/// The base URL path on the mock server and the organization, for a
/// read-first provider (`None`: the spec's, as the single-call suites use).
pub const CLIENT: Option<(&str, Option<&str>)> = None;

pub const READS: &[Read] = &[];

const JSON: &[(&str, &str)] = &[("content-type", "application/json")];

/// The activate page.
const ACTIVATE: &str = "https://docs.flashback.tech/support-reference/platform-api-reference/organization/post__organization_users_-userid-_activate (seed 001_bdf923256ff4cb8d.txt)";

pub fn answers() -> Vec<RealAnswer> {
    vec![
        RealAnswer {
            source: ACTIVATE,
            what: "activated: the page's 200 example",
            status: 200,
            headers: JSON,
            body: r#"{"success": true, "message": "User activated successfully"}"#,
            at: At::First,
            kind: None,
            code: None,
            says: None,
        },
        RealAnswer {
            source: ACTIVATE,
            what: "the user is not soft-deleted (already active): the page's 400",
            status: 400,
            headers: JSON,
            body: r#"{"success": false, "message": "User is not deleted"}"#,
            at: At::First,
            kind: Some(ErrorKind::NotDeactivated),
            code: None,
            says: Some("User is not deleted"),
        },
        RealAnswer {
            source: ACTIVATE,
            what: "the caller's role is below WORKSPACES: the page's 403",
            status: 403,
            headers: JSON,
            body: r#"{"success": false, "message": "Insufficient permissions to activate users"}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: None,
            says: Some("Insufficient permissions to activate users"),
        },
        RealAnswer {
            source: ACTIVATE,
            what: "no such user in the caller's organization: the page's 404",
            status: 404,
            headers: JSON,
            body: r#"{"success": false, "message": "User not found"}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: None,
            says: Some("User not found"),
        },
        RealAnswer {
            source: ACTIVATE,
            what: "the page's 500",
            status: 500,
            headers: JSON,
            body: r#"{"success": false, "message": "Internal server error"}"#,
            at: At::First,
            kind: Some(ErrorKind::Server),
            code: None,
            says: Some("Internal server error"),
        },
        RealAnswer {
            source: "https://docs.flashback.tech/support-reference/platform-api-reference/organization/get__organization_users_-userid",
            what: "the same backend's permission check on an organization user route (GET /organization/users/{userId}): its 403",
            status: 403,
            headers: JSON,
            body: r#"{"success": false, "message": "Insufficient permissions to view users"}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: None,
            says: Some("Insufficient permissions to view users"),
        },
        RealAnswer {
            source: "https://docs.flashback.tech/support-reference/platform-api-reference/device-session-management/delete__devices_-id",
            what: "the backend's other error shape, `error` in place of `message` (DELETE /devices/{id}'s 404): its own answer, not a wrong endpoint's",
            status: 404,
            headers: JSON,
            body: r#"{"success": false, "error": "Device not found"}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: None,
            says: Some("Device not found"),
        },
        RealAnswer {
            source: "https://docs.flashback.tech/support-reference/platform-api-reference/device-session-management/delete__devices_-id",
            what: "the backend's other error shape on a 500 (DELETE /devices/{id}): the message is the `error` field",
            status: 500,
            headers: JSON,
            body: r#"{"success": false, "error": "Failed to remove device"}"#,
            at: At::First,
            kind: Some(ErrorKind::Server),
            code: None,
            says: Some("Failed to remove device"),
        },
        RealAnswer {
            source: "https://docs.flashback.tech/support-reference/platform-api-reference/device-session-management/get__devices_-id",
            what: "the backend's other error shape on a 500 (GET /devices/{id})",
            status: 500,
            headers: JSON,
            body: r#"{"success": false, "error": "Failed to retrieve device details"}"#,
            at: At::First,
            kind: Some(ErrorKind::Server),
            code: None,
            says: Some("Failed to retrieve device details"),
        },
    ]
}
