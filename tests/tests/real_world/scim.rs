//! SCIM 2.0 (RFC 7643, RFC 7644): answers to `GET {root}/Users/{id}` and
//! `PATCH {root}/Users/{id}`. RFC 7644's own examples, and real servers that
//! bend them: AWS IAM Identity Center (`schema` for `schemas`,
//! `exceptionRequestId`), Okta's SCIM guide (numeric `status`, `text/json` and
//! even `text/html` content types), Gluu, WSO2, SimpleIdServer and the SCIM
//! server of scim-for-keycloak.

use super::{At, Read, RealAnswer};
use userbridge::ErrorKind;

/// A deactivated User, as Okta's SCIM 2.0 guide shows a server's answer after
/// the deactivation PATCH (`active: false`), so that an [`At::Write`] answer
/// reaches the reactivation PATCH.
/// The user the answers are for (one the SDK's request rules accept).
pub const USER: &str = "2819c223-7f76-453a-919d-413861904646";

/// The base URL path on the mock server and the organization, for a
/// read-first provider (`None`: the spec's, as the single-call suites use).
pub const CLIENT: Option<(&str, Option<&str>)> = Some(("/scim/v2", None));

pub const READS: &[Read] = &[("GET", r"^/scim/v2/Users/[^/]+$", 200, OKTA_DEACTIVATED)];

const RFC_7644: &str = "https://www.rfc-editor.org/rfc/rfc7644#section-3.12";
const OKTA_GUIDE: &str =
    "okta/okta-developer-docs: packages/@okta/vuepress-site/docs/reference/scim/scim-20/index.md";

/// Okta's SCIM 2.0 guide: the User after the deactivation PATCH.
const OKTA_DEACTIVATED: &str = r#"{
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
    "userName": "test.user@okta.local",
    "name": {
        "givenName": "Another",
        "middleName": "",
        "familyName": "User"
    },
    "emails": [{
        "primary": true,
        "value": "test.user@okta.local",
        "type": "work",
        "display": "test.user@okta.local"
    }],
    "active": false,
    "groups": [],
    "meta": {
        "resourceType": "User"
    }
}"#;

pub fn answers() -> Vec<RealAnswer> {
    vec![
        RealAnswer {
            source: RFC_7644,
            what: "unknown User: the RFC's 404 (string `status`)",
            status: 404,
            headers: &[],
            body: r#"{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
  "detail":"Resource 2819c223-7f76-453a-919d-413861904646 not found",
  "status": "404"
}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: None,
            says: Some("not found"),
        },
        RealAnswer {
            source: RFC_7644,
            what: "the RFC's 400 with `scimType` `mutability`",
            status: 400,
            headers: &[],
            body: r#"{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
  "scimType":"mutability",
  "detail":"Attribute 'id' is readOnly",
  "status": "400"
}"#,
            at: At::Write,
            kind: Some(ErrorKind::InvalidArgument),
            code: Some("mutability"),
            says: Some("Attribute 'id' is readOnly"),
        },
        RealAnswer {
            source: "https://www.rfc-editor.org/rfc/rfc7644#section-3.14",
            what: "the RFC's 412 to a versioned update (userbridge sends no `If-Match`: not an answer to its request)",
            status: 412,
            headers: &[],
            body: r#"{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
  "detail":"Failed to update.  Resource changed on the server.",
  "status":"412"
}"#,
            at: At::Write,
            kind: Some(ErrorKind::UnexpectedResponse),
            code: None,
            says: Some("Failed to update."),
        },
        RealAnswer {
            source: OKTA_GUIDE,
            what: "unknown User in Okta's guide: numeric `status`, served as `text/html`",
            status: 404,
            headers: &[("content-type", "text/html; charset=UTF-8")],
            body: r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
    "detail": "User not found",
    "status": 404
}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: None,
            says: Some("User not found"),
        },
        RealAnswer {
            source: OKTA_GUIDE,
            what: "a conflict in Okta's guide: numeric `status`, `text/json`",
            status: 409,
            headers: &[("content-type", "text/json;charset=UTF-8")],
            body: r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
    "detail": "User already exists in the database.",
    "status": 409
}"#,
            at: At::Write,
            kind: Some(ErrorKind::InvalidArgument),
            code: None,
            says: Some("User already exists in the database."),
        },
        RealAnswer {
            source: "https://github.com/slashdevops/idp-scim-sync/issues/30",
            what: "AWS IAM Identity Center rejecting a write (2022): `schema` for `schemas`, `exceptionRequestId`, `timeStamp`",
            status: 400,
            headers: &[],
            body: r#"{
    "schema": [
        "urn:ietf:params:scim:api:messages:2.0:Error"
    ],
    "detail": "Request is unparsable, syntactically incorrect, or violates schema.",
    "status": "400",
    "exceptionRequestId": "88d9c6f3-566d-42b3-b1ed-183c3fc1efc4",
    "timeStamp": "2022-01-26 16:50:48.135"
}"#,
            at: At::Write,
            kind: Some(ErrorKind::InvalidArgument),
            code: None,
            says: Some("Request is unparsable"),
        },
        RealAnswer {
            source: "https://github.com/slashdevops/idp-scim-sync/issues/98",
            what: "AWS IAM Identity Center a year later (2023): both `schema` and `schemas`",
            status: 400,
            headers: &[],
            body: r#"{
    "schema": [
        "urn:ietf:params:scim:api:messages:2.0:Error"
    ],
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:Error"
    ],
    "detail": "Request is unparsable, syntactically incorrect, or violates schema.",
    "status": "400",
    "exceptionRequestId": "977d19cb-b1d1-46e7-ba4d-936701dd6d3b",
    "timeStamp": "2023-01-03 11:50:22.856"
}"#,
            at: At::Write,
            kind: Some(ErrorKind::InvalidArgument),
            code: None,
            says: Some("Request is unparsable"),
        },
        RealAnswer {
            source: "https://github.com/Captain-P-Goldfish/scim-for-keycloak/issues/58",
            what: "scim-for-keycloak refusing the bearer token: numeric `status`, `scimType` `unauthenticated`",
            status: 401,
            headers: &[],
            body: r#"{
    "detail": "not authenticated",
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:Error"
    ],
    "status": 401,
    "scimType": "unauthenticated"
}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: Some("unauthenticated"),
            says: Some("not authenticated"),
        },
        RealAnswer {
            source: "https://github.com/GluuFederation/SCIM-Client/issues/46",
            what: "Gluu's `GET /Users` with SCIM switched off: 503, an empty `scimType`",
            status: 503,
            headers: &[],
            body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"503","scimType":"","detail":"SCIM was disabled"}"#,
            at: At::First,
            kind: Some(ErrorKind::Server),
            code: None,
            says: Some("SCIM was disabled"),
        },
        RealAnswer {
            source: "https://github.com/wso2/product-is/issues/3572",
            what: "WSO2 Identity Server 5.6.0: `schemas` as a string",
            status: 500,
            headers: &[],
            body: r#"{"schemas":"urn:ietf:params:scim:api:messages:2.0:Error","detail":"Error in adding the user: a to the user store. 31301 - Username a is not valid.","status":"500"}"#,
            at: At::Write,
            kind: Some(ErrorKind::Server),
            code: None,
            says: Some("Username a is not valid."),
        },
        RealAnswer {
            source: "https://github.com/simpleidserver/SimpleIdServer/issues/227",
            what: "SimpleIdServer before 2.0.5: the error nested under `response`",
            status: 404,
            headers: &[],
            body: r#"{"status":"404","response":{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"resource X not found"}}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: None,
            says: Some("resource X not found"),
        },
        RealAnswer {
            source: OKTA_GUIDE,
            what: "an active User read (`GET /Users/{id}`, `text/json`): nothing to reactivate",
            status: 200,
            headers: &[("content-type", "text/json;charset=UTF-8")],
            body: r#"{
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
    "userName": "test.user@okta.local",
    "name": {
        "givenName": "Test",
        "middleName": "",
        "familyName": "User"
    },
    "active": true,
    "emails": [{
        "primary": true,
        "value": "test.user@okta.local",
        "type": "work",
        "display": "test.user@okta.local"
    }],
    "groups": [],
    "meta": {
        "resourceType": "User"
    }
}"#,
            at: At::First,
            kind: Some(ErrorKind::NotDeactivated),
            code: None,
            says: None,
        },
        RealAnswer {
            source: OKTA_GUIDE,
            what: "reactivated: the update answered with the User, `active: true` (`text/json`)",
            status: 200,
            headers: &[("content-type", "text/json;charset=UTF-8")],
            body: r#"{
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
    "userName": "test.user@okta.local",
    "name": {
        "givenName": "Another",
        "middleName": "Excited",
        "familyName": "User"
    },
    "emails": [{
        "primary": true,
        "value": "test.user@okta.local",
        "type": "work",
        "display": "test.user@okta.local"
    }],
    "active": true,
    "groups": [],
    "meta": {
        "resourceType": "User"
    }
}"#,
            at: At::Write,
            kind: None,
            code: None,
            says: None,
        },
        RealAnswer {
            source: OKTA_GUIDE,
            what: "a PATCH answered with the User still `active: false` (the guide's answer to a deactivation): not a reactivation",
            status: 200,
            headers: &[("content-type", "text/json;charset=UTF-8")],
            body: OKTA_DEACTIVATED,
            at: At::Write,
            kind: Some(ErrorKind::UnexpectedResponse),
            code: None,
            says: Some("active: false"),
        },
    ]
}
