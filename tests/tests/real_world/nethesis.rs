//! My Nethesis: answers of the backend (`https://<host>/api`) to
//! `PATCH /users/{id}/reactivate`, read in the open-source backend
//! (NethServer/my, snapshot 356c4a9b of 2026-08-17) and its published
//! reference. Every answer of the backend is gin's `c.JSON` of
//! `response.Response{code, message, data}` (backend/response/standard.go), so
//! `application/json; charset=utf-8`; `data` is `null` unless a handler passes
//! one.

use super::{At, Read, RealAnswer};
use userbridge::ErrorKind;

/// The user the answers are for (one the SDK's request rules accept).
pub const USER: &str = "69629023906488334";

/// The base URL path on the mock server and the organization, for a
/// read-first provider (`None`: the spec's, as the single-call suites use).
pub const CLIENT: Option<(&str, Option<&str>)> = None;

pub const READS: &[Read] = &[];

/// gin's `c.JSON` content type.
const JSON: &[(&str, &str)] = &[("content-type", "application/json; charset=utf-8")];

pub fn answers() -> Vec<RealAnswer> {
    vec![
        RealAnswer {
            source: "NethServer/my: backend/methods/users.go",
            what: "reactivated: ReactivateUser's 200 (response.OK with nil data)",
            status: 200,
            headers: JSON,
            body: r#"{"code":200,"message":"user reactivated successfully","data":null}"#,
            at: At::First,
            kind: None,
            code: None,
            says: None,
        },
        RealAnswer {
            source: "NethServer/my: backend/openapi.yaml (the reference page of seed 003_14eaf436107e41f9.txt)",
            what: "reactivated: the reference page's 200 example (data {})",
            status: 200,
            headers: JSON,
            body: r#"{"code":200,"message":"user reactivated successfully","data":{}}"#,
            at: At::First,
            kind: None,
            code: None,
            says: None,
        },
        RealAnswer {
            source: "NethServer/my: backend/methods/users.go",
            what: "user not suspended: the repository's UPDATE matched no row (backend/entities/local_users.go), answered 400",
            status: 400,
            headers: JSON,
            body: r#"{"code":400,"message":"user not found or not suspended","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::NotDeactivated),
            code: None,
            says: Some("user not found or not suspended"),
        },
        RealAnswer {
            source: "NethServer/my: backend/methods/users.go",
            what: "no such user: GetByID found nothing (response.NotFound)",
            status: 404,
            headers: JSON,
            body: r#"{"code":404,"message":"user not found","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: None,
            says: Some("user not found"),
        },
        RealAnswer {
            source: "NethServer/my: backend/main.go",
            what: "a path the router does not serve (a base URL without /api, a wrong method): gin's NoRoute handler",
            status: 404,
            headers: JSON,
            body: r#"{"code":404,"message":"api not found","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: None,
            says: Some("base URL"),
        },
        RealAnswer {
            source: "NethServer/my: backend/middleware/jwt.go",
            what: "no Authorization header (JWTAuthMiddleware)",
            status: 401,
            headers: JSON,
            body: r#"{"code":401,"message":"authorization header required","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: None,
            says: Some("authorization header required"),
        },
        RealAnswer {
            source: "NethServer/my: backend/middleware/jwt.go",
            what: "a token that does not validate (JWTAuthMiddleware)",
            status: 401,
            headers: JSON,
            body: r#"{"code":401,"message":"invalid token","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: None,
            says: Some("invalid token"),
        },
        RealAnswer {
            source: "NethServer/my: backend/middleware/jwt.go",
            what: "a blacklisted token, with the reason in data (reason as set by backend/methods/auth.go on logout)",
            status: 401,
            headers: JSON,
            body: r#"{"code":401,"message":"token has been revoked","data":{"reason":"user logout"}}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: None,
            says: Some("token has been revoked"),
        },
        RealAnswer {
            source: "NethServer/my: backend/middleware/api_key.go",
            what: "an API key that does not authenticate (AuthMiddleware, opaque on purpose)",
            status: 401,
            headers: JSON,
            body: r#"{"code":401,"message":"invalid api key","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: None,
            says: Some("invalid api key"),
        },
        RealAnswer {
            source: "NethServer/my: backend/middleware/rbac.go",
            what: "no manage:users permission (RequireResourcePermission)",
            status: 403,
            headers: JSON,
            body: r#"{"code":403,"message":"insufficient permissions","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: None,
            says: Some("insufficient permissions"),
        },
        RealAnswer {
            source: "NethServer/my: backend/services/local/users.go",
            what: "hierarchy check of ReactivateUser (CanSuspendUser's reason for a customer caller)",
            status: 403,
            headers: JSON,
            body: r#"{"code":403,"message":"customers can only suspend users in their own organization","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: None,
            says: Some("customers can only suspend users in their own organization"),
        },
        RealAnswer {
            source: "NethServer/my: backend/methods/users.go",
            what: "a user suspended by an organization cascade the caller has no authority over",
            status: 403,
            headers: JSON,
            body: r#"{"code":403,"message":"user was suspended by organization cascade, cannot suspend users in higher-level organizations","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: None,
            says: Some("suspended by organization cascade"),
        },
        RealAnswer {
            source: "NethServer/my: backend/middleware/self_modification.go",
            what: "reactivating oneself (PreventSelfModification)",
            status: 403,
            headers: JSON,
            body: r#"{"code":403,"message":"cannot perform administrative actions on yourself","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: None,
            says: Some("cannot perform administrative actions on yourself"),
        },
        RealAnswer {
            source: "NethServer/my: backend/middleware/api_key.go",
            what: "per-API-key rate limit (APIKeyRateLimit; no Retry-After header)",
            status: 429,
            headers: JSON,
            body: r#"{"code":429,"message":"rate limit exceeded","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::RateLimited),
            code: None,
            says: Some("rate limit exceeded"),
        },
        RealAnswer {
            source: "NethServer/my: backend/methods/users.go",
            what: "the upstream (Logto) step of the reactivation failed: the partial failure that must not be retried",
            status: 500,
            headers: JSON,
            body: r#"{"code":500,"message":"failed to reactivate user","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::Server),
            code: None,
            says: Some("failed to reactivate user"),
        },
        RealAnswer {
            source: "NethServer/my: backend/methods/users.go",
            what: "the user lookup failed for another reason than not found",
            status: 500,
            headers: JSON,
            body: r#"{"code":500,"message":"failed to get user","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::Server),
            code: None,
            says: Some("failed to get user"),
        },
        RealAnswer {
            source: "NethServer/my: backend/middleware/jwt.go",
            what: "the token blacklist (Redis) could not be read: the request is refused",
            status: 503,
            headers: JSON,
            body: r#"{"code":503,"message":"security service temporarily unavailable","data":null}"#,
            at: At::First,
            kind: Some(ErrorKind::Server),
            code: None,
            says: Some("security service temporarily unavailable"),
        },
    ]
}
