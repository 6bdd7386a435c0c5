//! Microsoft Entra ID through Microsoft Graph v1.0: answers to `GET
//! /users/{id}?$select=id,accountEnabled,userPrincipalName` and `PATCH
//! /users/{id}` `{"accountEnabled": true}`. Errors are `{"error": {"code",
//! "message", "innerError": {"date", "request-id", "client-request-id"}}}`
//! (older answers: `request-id` and `date` only), with the `request-id` and
//! `client-request-id` headers; the sources are issues on Microsoft's Graph
//! repositories quoting Graph's answer, and Graph's own documentation.

use super::{At, Read, RealAnswer};
use userbridge::ErrorKind;

/// A disabled account, as Graph answers the `$select` read (the
/// `@odata.context` names the selected properties), so that an
/// [`At::Write`] answer reaches the `PATCH`.
/// The user the answers are for (one the SDK's request rules accept).
pub const USER: &str = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";

/// The base URL path on the mock server and the organization, for a
/// read-first provider (`None`: the spec's, as the single-call suites use).
pub const CLIENT: Option<(&str, Option<&str>)> = Some(("/v1.0", None));

pub const READS: &[Read] = &[(
    "GET",
    r"^/v1\.0/users/[^/]+$",
    200,
    r#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(id,accountEnabled,userPrincipalName)/$entity","id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd","accountEnabled":false,"userPrincipalName":"AdeleV@contoso.com"}"#,
)];

pub fn answers() -> Vec<RealAnswer> {
    vec![
        RealAnswer {
            source: "https://github.com/microsoftgraph/microsoft-graph-docs/issues/6059",
            what: "unknown object id: `Request_ResourceNotFound` (2019, `innerError` with `date` and `request-id`; the issue prints the object)",
            status: 404,
            headers: &[],
            body: r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource '8c14a998-3c8d-4c52-ad09-c9032671ea31' does not exist or one of its queried reference-property objects are not present.","innerError":{"date":"2019-10-23T09:28:27","request-id":"5f20c0fe-279c-4c59-bdd2-1ea5a9613d81"}}}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: Some("Request_ResourceNotFound"),
            says: Some("does not exist"),
        },
        RealAnswer {
            source: "https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/2799",
            what: "Graph's other not-found code with the full answer (2021, headers and `client-request-id`): `ResourceNotFound`",
            status: 404,
            headers: &[
                ("content-type", "application/json"),
                ("request-id", "1b4934de-5975-4deb-8632-e80f71ed7c7e"),
                ("client-request-id", "1b4934de-5975-4deb-8632-e80f71ed7c7e"),
                (
                    "x-ms-ags-diagnostic",
                    r#"{"ServerInfo":{"DataCenter":"North Europe","Slice":"E","Ring":"4","ScaleUnit":"002","RoleInstance":"DU2PEPF000070C2"}}"#,
                ),
                ("cache-control", "private, proxy-revalidate"),
            ],
            body: r#"{"error":{"code":"ResourceNotFound","message":"Resource could not be discovered.","innerError":{"date":"2021-10-31T05:13:50","request-id":"1b4934de-5975-4deb-8632-e80f71ed7c7e","client-request-id":"1b4934de-5975-4deb-8632-e80f71ed7c7e"}}}"#,
            at: At::First,
            kind: Some(ErrorKind::NotFound),
            code: Some("ResourceNotFound"),
            says: Some("Resource could not be discovered."),
        },
        RealAnswer {
            source: "https://github.com/besscroft/diyfile/issues/1",
            what: "an expired token (2023): `InvalidAuthenticationToken`",
            status: 401,
            headers: &[],
            body: r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid.","innerError":{"date":"2023-02-20T05:06:48","request-id":"b04ace1e-13a0-4940-b489-f86dcca10985","client-request-id":"b04ace1e-13a0-4940-b489-f86dcca10985"}}}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: Some("InvalidAuthenticationToken"),
            says: Some("Access token has expired"),
        },
        RealAnswer {
            source: "https://github.com/microsoftgraph/android-java-meetingfeedback-rest-sample/issues/11",
            what: "a token that does not parse (2016), with empty `request-id` headers and `innerError.request-id`",
            status: 401,
            headers: &[
                ("client-request-id", ""),
                ("content-type", "application/json; charset=utf-8"),
                ("request-id", ""),
                (
                    "x-ms-ags-diagnostic",
                    r#"{"ServerInfo":{"DataCenter":"West US","Slice":"SliceB","ScaleUnit":"000","Host":"AGSFE_IN_4","ADSiteName":"WST"}}"#,
                ),
            ],
            body: r#"{
  "error": {
    "code": "InvalidAuthenticationToken",
    "message": "CompactToken parsing failed with error code: -2147184105",
    "innerError": {
      "request-id": "",
      "date": "2016-01-29T23:32:15"
    }
  }
}"#,
            at: At::First,
            kind: Some(ErrorKind::Unauthenticated),
            code: Some("InvalidAuthenticationToken"),
            says: Some("CompactToken parsing failed"),
        },
        RealAnswer {
            source: "https://github.com/microsoftgraph/microsoft-graph-docs/issues/7104",
            what: "`PATCH /v1.0/users/{id}` `{\"accountEnabled\": false}` of an administrator with an app token: 403 `Authorization_RequestDenied` (2020, with its headers)",
            status: 403,
            headers: &[
                ("cache-control", "private"),
                ("client-request-id", "9c6f279f-f781-4da5-948d-aa3d97ef5103"),
                ("content-type", "application/json"),
                ("request-id", "9c6f279f-f781-4da5-948d-aa3d97ef5103"),
                ("strict-transport-security", "max-age=31536000"),
                (
                    "x-ms-ags-diagnostic",
                    r#"{"ServerInfo":{"DataCenter":"West US","Slice":"SliceC","Ring":"5","ScaleUnit":"003","RoleInstance":"AGSFE_IN_22"}}"#,
                ),
            ],
            body: r#"{
   "error": {
      "code": "Authorization_RequestDenied",
      "message": "Insufficient privileges to complete the operation.",
      "innerError": {
         "request-id": "9c6f279f-f781-4da5-948d-aa3d97ef5103",
         "date": "2020-02-16T00:58:37"
      }
   }
}"#,
            at: At::Write,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("Authorization_RequestDenied"),
            says: Some("Insufficient privileges"),
        },
        RealAnswer {
            source: "https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/2331",
            what: "`PATCH /v1.0/users/{id}` without the privilege (2022, `client-request-id` in `innerError`)",
            status: 403,
            headers: &[],
            body: r#"{
    "error": {
        "code": "Authorization_RequestDenied",
        "message": "Insufficient privileges to complete the operation.",
        "innerError": {
            "date": "2022-03-28T07:32:32",
            "request-id": "ada01d7f-9fbb-4a5c-a08c-cb2539697357",
            "client-request-id": "ada01d7f-9fbb-4a5c-a08c-cb2539697357"
        }
    }
}"#,
            at: At::Write,
            kind: Some(ErrorKind::PermissionDenied),
            code: Some("Authorization_RequestDenied"),
            says: Some("Insufficient privileges"),
        },
        RealAnswer {
            source: "microsoftgraph/microsoft-graph-docs-contrib: concepts/throttling.md",
            what: "throttled: the guidance's sample answer, `Retry-After` in fractional seconds and an `innerError` with its own `code` and `status`",
            status: 429,
            headers: &[("content-type", "application/json"), ("retry-after", "2.128")],
            body: r#"{
  "error": {
    "code": "TooManyRequests",
    "innerError": {
      "code": "429",
      "date": "2020-08-18T12:51:51",
      "message": "Please retry after",
      "request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2",
      "status": "429"
    },
    "message": "Please retry again later."
  }
}"#,
            at: At::First,
            kind: Some(ErrorKind::RateLimited),
            code: Some("TooManyRequests"),
            says: Some("retry after 2.128s"),
        },
        RealAnswer {
            source: "https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/1975",
            what: "throttled (2022; the ids masked in the issue as quoted)",
            status: 429,
            headers: &[],
            body: r#"{"error":{"code":"TooManyRequests","message":"Too many requests.","innerError":{"date":"2022-07-14T06:22:45","request-id":"xxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxx","client-request-id":"xxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxx"}}}"#,
            at: At::Write,
            kind: Some(ErrorKind::RateLimited),
            code: Some("TooManyRequests"),
            says: Some("Too many requests."),
        },
        RealAnswer {
            source: "https://github.com/microsoftgraph/microsoft-graph-docs/issues/4959",
            what: "a users write with a value Graph rejects (2019): 400 `Request_BadRequest`",
            status: 400,
            headers: &[],
            body: r#"{
    "error": {
        "code": "Request_BadRequest",
        "message": "One or more properties contains invalid values.",
        "innerError": {
            "request-id": "e54a9d33-e9ec-4e9a-a867-2fc87d5ba807",
            "date": "2019-06-28T09:59:43"
        }
    }
}"#,
            at: At::Write,
            kind: Some(ErrorKind::InvalidArgument),
            code: Some("Request_BadRequest"),
            says: Some("One or more properties contains invalid values."),
        },
        RealAnswer {
            source: "https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/2410",
            what: "the `$select` read answered with `accountEnabled: null` (2022; the issue masks the id and name as `<userId>`, `<userName>`, kept here as strings): the answer does not say whether the account is enabled",
            status: 200,
            headers: &[],
            body: r#"{
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,accountEnabled,assignedLicenses)/$entity",
    "id": "<userId>",
    "displayName": "<userName>",
    "accountEnabled": null,
    "assignedLicenses": []
}"#,
            at: At::First,
            kind: Some(ErrorKind::UnexpectedResponse),
            code: None,
            says: Some("accountEnabled"),
        },
        RealAnswer {
            source: "microsoftgraph/microsoft-graph-docs-contrib: api-reference/v1.0/api/user-update.md",
            what: "enabled: the update answered 204 No Content",
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
