//! Auth0 (Management API v2, `https://{tenant}/api/v2`): answers to `GET
//! /users/{id}`, `GET /user-blocks/{id}` and `PATCH /users/{id}`. Errors are
//! `{statusCode, error, message, errorCode}` (Hapi's envelope; `errorCode` not
//! always there, an `attributes` member on token errors); some come from the
//! nock recordings of Auth0's own deploy CLI against a live tenant
//! (auth0/auth0-deploy-cli, `test/e2e/recordings/`), the others from issues
//! quoting a tenant's answer.

use super::{At, Read, RealAnswer};
use userbridge::ErrorKind;

/// A user an administrator blocked, and no brute-force block: a write answer
/// reaches `PATCH /users/{id}` `{"blocked": false}`. The user object follows
/// Auth0's Java SDK fixture (auth0/auth0-java `src/test/resources/mgmt/user.json`).
/// The user the answers are for (one the SDK's request rules accept).
pub const USER: &str = "auth0|5f7c8ec7c33c6c004bbafe82";

/// The base URL path on the mock server and the organization, for a
/// read-first provider (`None`: the spec's, as the single-call suites use).
pub const CLIENT: Option<(&str, Option<&str>)> = Some(("/api/v2", None));

pub const READS: &[Read] = &[
    (
        "GET",
        r"^/api/v2/users/[^/]+$",
        200,
        r#"{"email":"john.doe@gmail.com","email_verified":false,"username":"johndoe","user_id":"auth0|5f7c8ec7c33c6c004bbafe82","created_at":"","updated_at":"","identities":[{"connection":"Initial-Connection","user_id":"5f7c8ec7c33c6c004bbafe82","provider":"auth0","isSocial":false}],"app_metadata":{},"user_metadata":{},"picture":"","name":"","nickname":"","multifactor":[],"last_ip":"","last_login":"","logins_count":0,"blocked":true,"given_name":"","family_name":""}"#,
    ),
    (
        "GET",
        r"^/api/v2/user-blocks/[^/]+$",
        200,
        r#"{"blocked_for":[]}"#,
    ),
];

const DEPLOY_CLI: &str = "auth0/auth0-deploy-cli: test/e2e/recordings/should-deploy-while-deleting-resources-if-AUTH0_ALLOW_DELETE-is-true.json";

pub fn answers() -> Vec<RealAnswer> {
    vec![
        RealAnswer {
            source: "https://github.com/auth0-community/auth0-drupal/issues/130",
            what: "`GET /api/v2/users/auth0%7C...` with a token the API refuses: 401 `Invalid token`, with Hapi's `attributes` member and no `errorCode`",
            status: 401,
            headers: &[],
            body: r#"{"statusCode":401,"error":"Unauthorized","message":"Invalid token","attributes":{"error":"Invalid token"}}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: None,
            says: Some("Invalid token"),
        },
        RealAnswer {
            source: DEPLOY_CLI,
            what: "a token without the scope (recorded from a tenant): 403 `insufficient_scope`",
            status: 403,
            headers: &[],
            body: r#"{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:directory_provisionings","errorCode":"insufficient_scope"}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("insufficient_scope"),
            says: Some("Insufficient scope"),
        },
        RealAnswer {
            source: DEPLOY_CLI,
            what: "a feature the tenant's plan lacks, answered with the same code (recorded): 403 `insufficient_scope`",
            status: 403,
            headers: &[],
            body: r#"{"statusCode":403,"error":"Forbidden","message":"Please upgrade your subscription to enable Akamai Signals.","errorCode":"insufficient_scope"}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("insufficient_scope"),
            says: Some("upgrade your subscription"),
        },
        RealAnswer {
            source: "https://github.com/auth0-extensions/auth0-reset-tenant/issues/31",
            what: "the tenant's global rate limit: 429 `too_many_requests` (the same body is auth0/auth0-java: src/test/resources/mgmt/rate_limit_error.json)",
            status: 429,
            headers: &[],
            body: r#"{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}"#,
            at: At::First,
            kind: Some(ErrorKind::RateLimited),
            code: Some("too_many_requests"),
            says: Some("Global limit has been reached"),
        },
        RealAnswer {
            source: "auth0/docs: articles/policies/rate-limits.md",
            what: "a rate limit answered with a lone `message` (Auth0's former rate-limit page; no `statusCode`, no `errorCode`)",
            status: 429,
            headers: &[],
            body: r#"{
    "message": "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers."
}"#,
            at: At::First,
            kind: Some(ErrorKind::RateLimited),
            code: None,
            says: Some("Too many requests"),
        },
        RealAnswer {
            source: "https://github.com/auth0-samples/auth0-android-sample/issues/70",
            what: "a token that is not a Management API JWT: 400 `Bad HTTP authentication header format`, `errorCode` `Bearer`",
            status: 400,
            headers: &[],
            body: r#"{"statusCode":400,"error":"Bad Request","message":"Bad HTTP authentication header format","errorCode":"Bearer"}"#,
            at: At::First,
            kind: Some(ErrorKind::InvalidArgument),
            code: Some("Bearer"),
            says: Some("Bad HTTP authentication header format"),
        },
        RealAnswer {
            source: "https://github.com/auth0/ruby-auth0/issues/84",
            what: "a payload the API rejects: 400 `invalid_body` (the issue prints the body as a Ruby hash)",
            status: 400,
            headers: &[],
            body: r#"{"statusCode":400,"error":"Bad Request","message":"Payload validation error: 'Expected type string but found type object' on property new_password (The password to set for the user once the ticket is used).","errorCode":"invalid_body"}"#,
            at: At::Write,
            kind: Some(ErrorKind::InvalidArgument),
            code: Some("invalid_body"),
            says: Some("Payload validation error"),
        },
        RealAnswer {
            source: "https://github.com/auth0/node-auth0/issues/139",
            what: "`PATCH /api/v2/users/{id}` refused by the connection: 400 `auth0_idp_error` with no `message`",
            status: 400,
            headers: &[],
            body: r#"{"statusCode":400,"error":"Bad Request","errorCode":"auth0_idp_error"}"#,
            at: At::Write,
            kind: Some(ErrorKind::InvalidArgument),
            code: Some("auth0_idp_error"),
            says: Some("Bad Request"),
        },
        RealAnswer {
            source: "auth0/auth0-java: src/test/resources/mgmt/user.json",
            what: "unblocked: the `PATCH` answered with the user, `blocked: false` (Auth0's Java SDK fixture of a user object)",
            status: 200,
            headers: &[],
            body: r#"{
  "email": "john.doe@gmail.com",
  "email_verified": false,
  "username": "johndoe",
  "phone_number": "+199999999999999",
  "phone_verified": false,
  "user_id": "usr_5457edea1b8f33391a000004",
  "created_at": "",
  "updated_at": "",
  "identities": [
    {
      "connection": "Initial-Connection",
      "user_id": "5457edea1b8f22891a000004",
      "provider": "auth0",
      "isSocial": false
    }
  ],
  "app_metadata": {},
  "user_metadata": {},
  "picture": "",
  "name": "",
  "nickname": "",
  "multifactor": [],
  "last_ip": "",
  "last_login": "",
  "logins_count": 0,
  "blocked": false,
  "given_name": "",
  "family_name": ""
}"#,
            at: At::Write,
            kind: None,
            code: None,
            says: None,
        },
    ]
}
