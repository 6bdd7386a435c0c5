//! Okta (management API, `https://{yourOktaDomain}`): answers to `GET
//! /api/v1/users/{id}` and the lifecycle operations. Most come from the VCR
//! cassettes Okta's own Python SDK records against a live org
//! (okta/okta-sdk-python, `tests/integration/cassettes/`, recorded in 2020 and
//! 2025: status, `X-Okta-Request-Id`, the `X-Rate-Limit-*` headers and the body
//! as the org sent them); the others from issues that quote an org's answer.

use super::{At, Read, RealAnswer};
use userbridge::ErrorKind;

/// The read of a `PROVISIONED` user (activated by an admin, no password yet):
/// a write answer reaches `POST .../lifecycle/reactivate?sendEmail=false`, and
/// the read after it finds the user where it was, as a reactivation of a
/// provisioned user leaves it. The object follows the cassettes' user objects.
/// The user the answers are for (one the SDK's request rules accept).
pub const USER: &str = "00ub0oNGTSWTBKOLGLNR";

/// The base URL path on the mock server and the organization, for a
/// read-first provider (`None`: the spec's, as the single-call suites use).
pub const CLIENT: Option<(&str, Option<&str>)> = Some(("", None));

pub const READS: &[Read] = &[(
    "GET",
    r"^/api/v1/users/[^/]+$",
    200,
    r#"{"id":"00ub0oNGTSWTBKOLGLNR","status":"PROVISIONED","created":"2025-09-29T04:00:54.000Z","activated":"2025-09-29T04:00:55.000Z","statusChanged":"2025-09-29T04:00:55.000Z","lastLogin":null,"lastUpdated":"2025-09-29T04:00:55.000Z","passwordChanged":null,"type":{"id":"otynwlw0pkLLUgtNG5d7"},"profile":{"firstName":"John","lastName":"Doe-Reactivate","mobilePhone":null,"secondEmail":null,"login":"John.Doe-Reactivate@example.com","email":"John.Doe-Reactivate@example.com"},"credentials":{"emails":[{"value":"John.Doe-Reactivate@example.com","status":"VERIFIED","type":"PRIMARY"}],"provider":{"type":"OKTA","name":"OKTA"}},"_links":{}}"#,
)];

pub fn answers() -> Vec<RealAnswer> {
    vec![
        RealAnswer {
            source: "okta/okta-sdk-python: tests/integration/cassettes/test_users_it/TestUsersResource.test_create_get_user.yaml",
            what: "unknown user: E0000007 `Not found: Resource not found: {id} (User)` (recorded 2020)",
            status: 404,
            headers: &[
                ("content-type", "application/json;charset=UTF-8"),
                ("x-okta-request-id", "X0f5LZBDqmSpZa9LjLNWKQAAArk"),
                ("x-rate-limit-limit", "2000"),
                ("x-rate-limit-remaining", "1997"),
                ("x-rate-limit-reset", "1598552424"),
            ],
            body: r#"{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: 00usfhrjbkppPBkoY4x6 (User)","errorLink":"E0000007","errorId":"oaeMzddieo5QvW8lOZVv0uV6w","errorCauses":[]}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: Some("E0000007"),
            says: Some("Resource not found"),
        },
        RealAnswer {
            source: "okta/okta-sdk-python: tests/integration/cassettes/test_users_it/TestUsersResource.test_reactivate_user.yaml",
            what: "`reactivate` of a user not in a status it applies to: E0000038 (recorded 2025)",
            status: 403,
            headers: &[
                ("content-type", "application/json"),
                ("x-okta-request-id", "cf7173596da2412ec62986425c9128b9"),
                ("x-rate-limit-limit", "50"),
                ("x-rate-limit-remaining", "48"),
                ("x-rate-limit-reset", "1759118514"),
            ],
            body: r#"{"errorCode":"E0000038","errorSummary":"This operation is not allowed in the user's current status.","errorLink":"E0000038","errorId":"oae-CxK3pOUQEGBRFKUbjie0Q","errorCauses":[]}"#,
            at: At::Write,
            kind: Some(ErrorKind::NotDeactivated),
            code: Some("E0000038"),
            says: Some("not allowed in the user's current status"),
        },
        RealAnswer {
            source: "okta/okta-sdk-python: tests/integration/cassettes/test_users_it/TestUsersResource.test_unlock_user.yaml",
            what: "`unlock` of a user that is not locked out: E0000032 with the cause `The user is not locked out.` (recorded 2025)",
            status: 403,
            headers: &[
                ("content-type", "application/json"),
                ("x-okta-request-id", "3ab36365bd73dbdcaaa2f93109fecc8d"),
                ("x-rate-limit-limit", "50"),
                ("x-rate-limit-remaining", "48"),
                ("x-rate-limit-reset", "1759112452"),
            ],
            body: r#"{"errorCode":"E0000032","errorSummary":"Unlock is not allowed for this user.","errorLink":"E0000032","errorId":"oae9Wpz4YIiTcCdvkj0JTq0YA","errorCauses":[{"errorSummary":"The user is not locked out."}]}"#,
            at: At::Write,
            kind: Some(ErrorKind::NotDeactivated),
            code: Some("E0000032"),
            says: Some("Unlock is not allowed for this user."),
        },
        RealAnswer {
            source: "okta/okta-sdk-python: tests/integration/cassettes/test_agent_pools_it/TestAgentPoolsResource.test_list_agent_pools_with_multiple_pool_types.yaml",
            what: "rate limit: E0000047 with `X-Rate-Limit-*` (remaining 0, reset a Unix time; recorded 2025)",
            status: 429,
            headers: &[
                ("content-type", "application/json"),
                ("x-okta-request-id", "5168be8d5f54ca5371398055415254ff"),
                ("x-rate-limit-limit", "10"),
                ("x-rate-limit-remaining", "0"),
                ("x-rate-limit-reset", "1757607758"),
            ],
            body: r#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests.","errorLink":"E0000047","errorId":"oae_A2-4_P9RtWIEh-N4O0qfg","errorCauses":[]}"#,
            at: At::First,
            kind: Some(ErrorKind::RateLimited),
            code: Some("E0000047"),
            says: Some("exceeded rate limit"),
        },
        RealAnswer {
            source: "okta/okta-sdk-python: tests/integration/cassettes/test_realms_it/TestRealmsResource.test_update_realm_basic.yaml",
            what: "a method the endpoint does not serve: 405 E0000022 (a wrong endpoint, not the user)",
            status: 405,
            headers: &[("content-type", "application/json")],
            body: r#"{"errorCode":"E0000022","errorSummary":"The endpoint does not support the provided HTTP method","errorLink":"E0000022","errorId":"oaec2dHfa_yRGG0CVlrfLsLUg","errorCauses":[]}"#,
            at: At::First,
            kind: Some(ErrorKind::Misconfigured),
            code: None,
            says: Some("base URL"),
        },
        RealAnswer {
            source: "okta/okta-sdk-python: README.md",
            what: "an invalid API token: E0000011 `Invalid token provided` (the README's printed answer; 401 per okta/okta-developer-docs: packages/@okta/vuepress-site/data/error-codes.json)",
            status: 401,
            headers: &[("content-type", "application/json")],
            body: r#"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oaeqWcqizEUQ_-iHc2hCbH9LA","errorCauses":[]}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: Some("E0000011"),
            says: Some("Invalid token provided"),
        },
        RealAnswer {
            source: "https://github.com/DefGuard/defguard/issues/3556",
            what: "a token without the permission (2026): E0000006",
            status: 403,
            headers: &[],
            body: r#"{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action","errorLink":"E0000006","errorId":"oae0A0KX4bnQFm2RRBPT-jRxg","errorCauses":[]}"#,
            at: At::First,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("E0000006"),
            says: Some("You do not have permission"),
        },
        RealAnswer {
            source: "https://github.com/okta/okta-developer-docs/issues/1622",
            what: "validation failure with a cause naming the field: 400 E0000001 (to a read, an invalid argument)",
            status: 400,
            headers: &[],
            body: r#"{
    "errorCode": "E0000001",
    "errorSummary": "Api validation failed: conditions.people",
    "errorLink": "E0000001",
    "errorId": "oaej1XXQlk6SbCEFIkBzAge-A",
    "errorCauses": [
        {
            "errorSummary": "conditions.people: At least one of ''conditions.people.users.include'' or ''conditions.people.groups.include'' must contain a valid user or group when ''conditions.grantTypes'' contains one or more of [authorization_code, implicit, password]."
        }
    ]
}"#,
            at: At::First,
            kind: Some(ErrorKind::InvalidArgument),
            code: Some("E0000001"),
            says: Some("conditions.people"),
        },
        RealAnswer {
            source: "okta/okta-sdk-python: tests/integration/cassettes/test_users_it/TestUsersResource.test_user_with_http_info_methods.yaml",
            what: "reactivated: the lifecycle answer with the activation link (`activate?sendEmail=false`, 200, recorded 2025; `reactivate` answers the same object)",
            status: 200,
            headers: &[
                ("content-type", "application/json"),
                ("x-okta-request-id", "0cd1b8953816fd1cb6fbadc4e0ff91a4"),
                ("x-rate-limit-limit", "50"),
                ("x-rate-limit-remaining", "48"),
                ("x-rate-limit-reset", "1759117687"),
            ],
            body: r#"{"activationUrl":"https://test.okta.com/tokens/ndXCtygzugfIes-0ij5I/verify","activationToken":"ndXCtygzugfIes-0ij5I"}"#,
            at: At::Write,
            kind: None,
            code: None,
            says: None,
        },
        RealAnswer {
            source: "okta/okta-sdk-python: tests/integration/cassettes/test_users_it/TestUsersResource.test_comprehensive_user_lifecycle.yaml",
            what: "a lifecycle operation answered with an empty object (`unsuspend`, 200 `{}`, recorded 2025)",
            status: 200,
            headers: &[
                ("content-type", "application/json"),
                ("x-okta-request-id", "20cadda6299b23b0c34dfa525bc7bdab"),
                ("x-rate-limit-limit", "50"),
                ("x-rate-limit-remaining", "32"),
                ("x-rate-limit-reset", "1759117808"),
            ],
            body: "{}",
            at: At::Write,
            kind: None,
            code: None,
            says: None,
        },
    ]
}
