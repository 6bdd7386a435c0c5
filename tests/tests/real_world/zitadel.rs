//! Zitadel: answers to the management API v1 (`POST
//! /management/v1/users/{id}/_reactivate`) and the user service v2 (`POST
//! /v2/users/{userId}/reactivate`). The REST paths are served by grpc-gateway
//! (zitadel/zitadel internal/api/grpc/server/gateway.go): a Zitadel error is
//! the gRPC status `{code, message, details}` with the gateway's HTTP status
//! for the code, the message `<text> (<error id>)` and a
//! `zitadel.v1.ErrorDetail` (internal/api/grpc/gerrors/zitadel_errors.go, as
//! seen in zitadel/zitadel#10852 and on https://zitadel.com/docs/apis/errors).
//! Servers answering in the Connect protocol send the code as a lower-case
//! name (`"not_found"`), as the v4 login client shows.

use super::{At, Read, RealAnswer};
use userbridge::ErrorKind;

/// The user the answers are for (one the SDK's request rules accept).
pub const USER: &str = "69629023906488334";

/// The base URL path on the mock server and the organization, for a
/// read-first provider (`None`: the spec's, as the single-call suites use).
pub const CLIENT: Option<(&str, Option<&str>)> = None;

pub const READS: &[Read] = &[];

/// grpc-gateway's `runtime.JSONPb` content type.
const JSON: &[(&str, &str)] = &[("content-type", "application/json")];

pub fn answers_v1() -> Vec<RealAnswer> {
    vec![
        RealAnswer {
            source: "https://zitadel.com/docs/apis/mgmt/management-service-reactivate-user (seed 002_f231e1e953aab092.txt)",
            what: "reactivated: the page's 200 example",
            status: 200,
            headers: JSON,
            body: r#"{"details":{"sequence":"2","creationDate":"2025-03-25T17:01:18.834Z","changeDate":"2025-03-25T17:01:18.834Z","resourceOwner":"69629023906488334"}}"#,
            at: At::First,
            kind: None,
            code: None,
            says: None,
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/command/user.go",
            what: "user not deactivated: Commands.ReactivateUser's FailedPrecondition COMMAND-6M0sf (Errors.User.NotInactive, internal/static/i18n/en.yaml)",
            status: 400,
            headers: JSON,
            body: r#"{"code":9,"message":"User is not inactive (COMMAND-6M0sf)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"COMMAND-6M0sf","message":"User is not inactive"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::NotDeactivated),
            code: Some("9"),
            says: Some("User is not inactive"),
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/command/user.go",
            what: "no such user in the organization: Commands.ReactivateUser's NotFound COMMAND-4M0sd",
            status: 404,
            headers: JSON,
            body: r#"{"code":5,"message":"User could not be found (COMMAND-4M0sd)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"COMMAND-4M0sd","message":"User could not be found"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: Some("5"),
            says: Some("User could not be found"),
        },
        RealAnswer {
            source: "https://zitadel.com/docs/apis/errors",
            what: "a token Zitadel does not accept (AUTH-7fs1e), verbatim from the API error reference",
            status: 401,
            headers: JSON,
            body: r#"{"code":16,"message":"Token is invalid (AUTH-7fs1e)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"AUTH-7fs1e","message":"Token is invalid"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: Some("16"),
            says: Some("Token is invalid"),
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/api/authz/context.go",
            what: "an Authorization header that is not `Bearer <token>` (extractBearerToken)",
            status: 401,
            headers: JSON,
            body: r#"{"code":16,"message":"invalid auth header (AUTH-7fs1e)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"AUTH-7fs1e","message":"invalid auth header"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: Some("16"),
            says: Some("invalid auth header"),
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/api/authz/context.go",
            what: "x-zitadel-orgid names no organization of the instance (VerifyTokenAndCreateCtxData's AUTH-Bs7Ds): the client's .organization(..) is wrong",
            status: 403,
            headers: JSON,
            body: r#"{"code":7,"message":"Organisation doesn't exist (AUTH-Bs7Ds)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"AUTH-Bs7Ds","message":"Organisation doesn't exist"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: Some("7"),
            says: Some(".organization("),
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/api/authz/authorization.go",
            what: "memberships but no user.write (checkUserPermissions' AUTH-5mWD2)",
            status: 403,
            headers: JSON,
            body: r#"{"code":7,"message":"No matching permissions found (AUTH-5mWD2)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"AUTH-5mWD2","message":"No matching permissions found"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("7"),
            says: Some("No matching permissions found"),
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/api/authz/permissions.go",
            what: "the caller has no membership in the organization (AUTHZ-cdgFk, NotFound): a permission problem, not a missing user",
            status: 404,
            headers: JSON,
            body: r#"{"code":5,"message":"membership not found (AUTHZ-cdgFk)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"AUTHZ-cdgFk","message":"membership not found"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("5"),
            says: Some("membership not found"),
        },
        RealAnswer {
            source: "https://github.com/community-scripts/ProxmoxVE/issues/6850",
            what: "a path the gateway does not serve (runtime.DefaultRoutingErrorHandler): `{\"code\":5, \"message\":\"Not Found\"}` with the gateway's empty details",
            status: 404,
            headers: JSON,
            body: r#"{"code":5,"message":"Not Found","details":[]}"#,
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: None,
            says: Some("base URL"),
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/api/grpc/server/gateway.go",
            what: "a method the gateway does not serve on the path: httpErrorHandler's 405 with Unimplemented",
            status: 405,
            headers: JSON,
            body: r#"{"code":12,"message":"Method Not Allowed","details":[]}"#,
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: None,
            says: Some("base URL"),
        },
        RealAnswer {
            source: "https://github.com/zitadel/zitadel/issues/7514",
            what: "a host that is no instance: the HTTP instance interceptor's plain-text 404 (Errors.Instance.NotFound, QUERY-1kIjX)",
            status: 404,
            headers: &[("content-type", "text/plain; charset=utf-8")],
            body: "ID=QUERY-1kIjX Message=Instance not found. Make sure you got the domain right. Check out https://zitadel.com/docs/apis/introduction#domains Parent=(unable to set instance using origin https://alpha.example.com (ExternalDomain is login.example.com): unable to get instance by host alpha.example.com: ID=QUERY-1kIjX Message=Errors.IAM.NotFound)\n",
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: None,
            says: Some("base URL"),
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/api/grpc/gerrors/zitadel_errors.go",
            what: "the database is unreachable: ExtractZITADELError's Internal `db connection error` without an error id",
            status: 500,
            headers: JSON,
            body: r#"{"code":13,"message":"db connection error ()","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","message":"db connection error"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::Server),
            code: Some("13"),
            says: Some("db connection error"),
        },
    ]
}

pub fn answers_v2() -> Vec<RealAnswer> {
    vec![
        RealAnswer {
            source: "https://zitadel.com/docs/apis/resources/user_service_v2/user-service-reactivate-user (seed 004_82f0694fcdfb446d.txt)",
            what: "reactivated: the page's 200 example",
            status: 200,
            headers: JSON,
            body: r#"{"details":{"sequence":"2","changeDate":"2025-03-05T21:29:22.038Z","resourceOwner":"69629023906488334","creationDate":"2025-03-05T21:29:22.038Z"}}"#,
            at: At::First,
            kind: None,
            code: None,
            says: None,
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/command/user_v2.go",
            what: "user not deactivated: Commands.ReactivateUserV2's FailedPrecondition COMMAND-s5qqcz97hf",
            status: 400,
            headers: JSON,
            body: r#"{"code":9,"message":"User is not inactive (COMMAND-s5qqcz97hf)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"COMMAND-s5qqcz97hf","message":"User is not inactive"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::NotDeactivated),
            code: Some("9"),
            says: Some("User is not inactive"),
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/command/user_v2.go",
            what: "no such user: Commands.ReactivateUserV2's NotFound COMMAND-9hy5kzbuk6",
            status: 404,
            headers: JSON,
            body: r#"{"code":5,"message":"User could not be found (COMMAND-9hy5kzbuk6)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"COMMAND-9hy5kzbuk6","message":"User could not be found"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: Some("5"),
            says: Some("User could not be found"),
        },
        RealAnswer {
            source: "https://github.com/zitadel/zitadel/issues/11260",
            what: "no such user from a v4 server in the Connect form: the code as a lower-case name, the error id only in the message ([not_found] User could not be found (QUERY-Dfbg2))",
            status: 404,
            headers: JSON,
            body: r#"{"code":"not_found","message":"User could not be found (QUERY-Dfbg2)"}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: Some("5"),
            says: Some("User could not be found"),
        },
        RealAnswer {
            source: "https://zitadel.com/docs/apis/errors",
            what: "a token Zitadel does not accept (AUTH-7fs1e), verbatim from the API error reference",
            status: 401,
            headers: JSON,
            body: r#"{"code":16,"message":"Token is invalid (AUTH-7fs1e)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"AUTH-7fs1e","message":"Token is invalid"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: Some("16"),
            says: Some("Token is invalid"),
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/api/authz/permissions.go",
            what: "the token may not update the user (checkUserResourcePermissions' AUTH-AWfge; a login-client PAT gets it on user writes)",
            status: 403,
            headers: JSON,
            body: r#"{"code":7,"message":"No matching permissions found (AUTH-AWfge)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"AUTH-AWfge","message":"No matching permissions found"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("7"),
            says: Some("No matching permissions found"),
        },
        RealAnswer {
            source: "https://github.com/zitadel/zitadel-charts/issues/544",
            what: "a host that is no instance, from a v4.10 server in the Connect form ([not_found] unable to set instance using origin ...)",
            status: 404,
            headers: JSON,
            body: r#"{"code":"not_found","message":"unable to set instance using origin &{auth.mydomain.com 10.42.0.57:3000 https} (ExternalDomain is auth.mydomain.com): ID=QUERY-IuGh1 Message=Instance not found. Make sure you got the domain right. Check out https://zitadel.com/docs/apis/introduction#domains Parent=(unable to get instance by domain: instanceDomain auth.mydomain.com, publicHostname 10.42.0.57: ID=QUERY-IuGh1 Message=Errors.IAM.NotFound Parent=(public domain \"10.42.0.57\" not trusted))"}"#,
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: None,
            says: Some("base URL"),
        },
        RealAnswer {
            source: "https://github.com/zitadel/typescript/issues/593",
            what: "a v2 path a core version does not serve: the gateway's JSON 404 with code 5",
            status: 404,
            headers: JSON,
            body: r#"{"code":5,"message":"Not Found","details":[]}"#,
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: None,
            says: Some("base URL"),
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/api/grpc/server/connect_middleware/quota_interceptor.go",
            what: "the instance's request quota is used up (QUOTA-vjAy8, Errors.Quota.Access.Exhausted)",
            status: 429,
            headers: JSON,
            body: r#"{"code":8,"message":"The quota for authenticated requests is exhausted (QUOTA-vjAy8)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"QUOTA-vjAy8","message":"The quota for authenticated requests is exhausted"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::RateLimited),
            code: Some("8"),
            says: Some("quota for authenticated requests is exhausted"),
        },
        RealAnswer {
            source: "zitadel/zitadel: internal/api/grpc/server/middleware/limits_interceptor.go",
            what: "the instance is blocked (LIMITS-molsj, Errors.Limits.Instance.Blocked): no retry lifts it",
            status: 429,
            headers: JSON,
            body: r#"{"code":8,"message":"Instance is blocked (LIMITS-molsj)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"LIMITS-molsj","message":"Instance is blocked"}]}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("8"),
            says: Some("Instance is blocked"),
        },
    ]
}
