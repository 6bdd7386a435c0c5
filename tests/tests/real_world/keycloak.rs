//! Keycloak (Admin REST API): answers to `GET` and `PUT
//! /admin/realms/{realm}/users/{id}`, as servers of today and of the last
//! years send them. Three generations of the generic error handler show:
//! WildFly-era servers answer `{"error": "<the exception's message>"}`
//! (`User not found`, `Realm not found.`, `HTTP 401 Unauthorized`) or RESTEasy's
//! `RESTEASY003210` for a path they do not serve; Quarkus-era servers add a
//! boilerplate `error_description` ("For more on this error consult the server
//! log at the debug level.") and answer an unserved path with "Unable to find
//! matching target resource method"; the admin API's own validation answers are
//! `{"errorMessage", "field", "params"}`.

use super::{At, Read, RealAnswer};
use userbridge::ErrorKind;

/// The read of a disabled user (Keycloak's `UserRepresentation`, the fields a
/// `GET` returns), so that an [`At::Write`] answer reaches the `PUT`.
/// The user the answers are for (one the SDK's request rules accept).
pub const USER: &str = "3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a6b";

/// The base URL path on the mock server and the organization, for a
/// read-first provider (`None`: the spec's, as the single-call suites use).
pub const CLIENT: Option<(&str, Option<&str>)> = Some(("", Some("acme")));

pub const READS: &[Read] = &[(
    "GET",
    r"^/admin/realms/[^/]+/users/[^/]+$",
    200,
    r#"{"id":"3f1c2a9e-5b7d-4e8f-9a6b-1c2d3e4f5a6b","username":"jane.doe","firstName":"Jane","lastName":"Doe","email":"jane.doe@example.com","emailVerified":true,"enabled":false,"createdTimestamp":1718000000000,"totp":false,"disableableCredentialTypes":[],"requiredActions":[],"notBefore":0,"access":{"manage":true,"view":true}}"#,
)];

pub fn answers() -> Vec<RealAnswer> {
    vec![
        RealAnswer {
            source: "https://github.com/keycloak/terraform-provider-keycloak/issues/854",
            what: "unknown user (Keycloak 21): `User not found`",
            status: 404,
            headers: &[],
            body: r#"{"error":"User not found"}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: None,
            says: Some("User not found"),
        },
        RealAnswer {
            source: "https://github.com/marcospereirampj/python-keycloak/commit/b9f8bd29d009495a082d99becf7a1f8ef699389d",
            what: "unknown user, Quarkus-era handler: `User not found` with the debug-level boilerplate (the commit records that 404 body of the same handler, `error` + this `error_description`, from Keycloak 26's admin API)",
            status: 404,
            headers: &[("content-type", "application/json")],
            body: r#"{"error":"User not found","error_description":"For more on this error consult the server log at the debug level."}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: None,
            says: Some("User not found"),
        },
        RealAnswer {
            source: "https://github.com/nebari-dev/nebari/issues/2745",
            what: "unknown realm (admin API): `Realm not found.`",
            status: 404,
            headers: &[],
            body: r#"{"error":"Realm not found."}"#,
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: None,
            says: Some(".realm(..)"),
        },
        RealAnswer {
            source: "https://github.com/keycloak/terraform-provider-keycloak/issues/640",
            what: "a token the admin API refuses (Keycloak 15/16): `HTTP 401 Unauthorized`",
            status: 401,
            headers: &[],
            body: r#"{"error":"HTTP 401 Unauthorized"}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: None,
            says: Some("HTTP 401 Unauthorized"),
        },
        RealAnswer {
            source: "https://github.com/keycloak/keycloak/issues/25843",
            what: "a service account without the users roles (Keycloak 23.0.3): 403 `unknown_error`",
            status: 403,
            headers: &[],
            body: r#"{"error":"unknown_error"}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("unknown_error"),
            says: None,
        },
        RealAnswer {
            source: "derlin/mantelo: README.md",
            what: "an endpoint without the permission, Quarkus-era: 403 `unknown_error` with the debug-level boilerplate",
            status: 403,
            headers: &[],
            body: r#"{"error":"unknown_error","error_description":"For more on this error consult the server log at the debug level."}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("unknown_error"),
            says: None,
        },
        RealAnswer {
            source: "https://github.com/silentrobi/keycloak-custom-api-searchby-attr/issues/3",
            what: "a path the WildFly-era server does not serve: RESTEasy's RESTEASY003210 (a wrong base URL, not an unknown user)",
            status: 404,
            headers: &[],
            body: r#"{"error":"RESTEASY003210: Could not find resource for full path: http://localhost:8080/auth/admin/realms/proceed/userapi-rest/users/search-by-attr?attr=department&value=Accounting"}"#,
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: None,
            says: Some("base URL"),
        },
        RealAnswer {
            source: "https://github.com/tozzi21/keycloak-two-factor-auth-extension/issues/5",
            what: "`/auth` kept in the base URL of a Quarkus-era server: \"Unable to find matching target resource method\" with the boilerplate",
            status: 404,
            headers: &[],
            body: r#"{"error":"Unable to find matching target resource method","error_description":"For more on this error consult the server log at the debug level."}"#,
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: None,
            says: Some("base URL"),
        },
        RealAnswer {
            source: "marcospereirampj/python-keycloak: tests/test_keycloak_admin.py",
            what: "a resource the server has no route or object for (Keycloak 17-era, `HTTP 404 Not Found`, asserted verbatim in the file's history): not an answer about the user",
            status: 404,
            headers: &[],
            body: r#"{"error":"HTTP 404 Not Found"}"#,
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: None,
            says: Some("base URL"),
        },
        RealAnswer {
            source: "https://github.com/keycloak/keycloak/issues/12640",
            what: "an unhandled server error (Keycloak 18.0.1): 500 `unknown_error`",
            status: 500,
            headers: &[],
            body: r#"{"error":"unknown_error"}"#,
            at: At::First,
            kind: Some(ErrorKind::Server),
            code: Some("unknown_error"),
            says: None,
        },
        RealAnswer {
            source: "https://github.com/keycloak/keycloak/issues/27777",
            what: "the update rejected by user-profile validation (Keycloak 24.0.1, `PUT /admin/realms/{realm}/users/{id}`): field, message key, params",
            status: 400,
            headers: &[],
            body: r#"{"field":"email","errorMessage":"error-user-attribute-required","params":["email"]}"#,
            at: At::Write,
            kind: Some(ErrorKind::InvalidArgument),
            code: None,
            says: Some("error-user-attribute-required"),
        },
        RealAnswer {
            source: "https://github.com/keycloak/keycloak/issues/28416",
            what: "the update refused without detail (Keycloak 24.0.2, `PUT` of a user): `Could not update user!`",
            status: 400,
            headers: &[],
            body: r#"{"errorMessage":"Could not update user!"}"#,
            at: At::Write,
            kind: Some(ErrorKind::InvalidArgument),
            code: None,
            says: Some("Could not update user!"),
        },
        RealAnswer {
            source: "https://github.com/ansible-collections/community.general/issues/11324",
            what: "a conflict with another user (Keycloak 26.4): 409 `User exists with same email`",
            status: 409,
            headers: &[],
            body: r#"{"errorMessage":"User exists with same email"}"#,
            at: At::Write,
            kind: Some(ErrorKind::InvalidArgument),
            code: None,
            says: Some("User exists with same email"),
        },
        RealAnswer {
            source: "https://github.com/keycloak/keycloak/issues/27777",
            what: "re-enabled: the `PUT` answered 204 No Content (the issue's expected answer, which the same request gets once the profile validates)",
            status: 204,
            headers: &[],
            body: "",
            at: At::Write,
            kind: None,
            code: None,
            says: None,
        },
    ]
}
