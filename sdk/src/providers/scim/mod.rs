//! SCIM 2.0 (RFC 7643, RFC 7644): `GET {base}/Users/{id}`, then
//! `PATCH {base}/Users/{id}` replacing `active` with `true`.
//!
//! The base URL is the SCIM root (`https://example.com/scim/v2`). A PATCH alone
//! cannot tell an inactive user from an active one (replacing `active` with its
//! current value is a success), so the user is read first: `active: true` is
//! "not deactivated" without a write; `active: false`, or no `active` at all, leads
//! to the PATCH. Its answer: 204, or a 2xx with an empty body, is a success; a 200
//! with the resource is a success with the resource typed ([`ScimUser`]) unless
//! the resource still says `active: false` ([`Error::UnexpectedResponse`]).
//!
//! Both answers are read from the raw body, leniently, because real servers bend
//! the RFC: the error `status` as a number, other error envelopes (`Errors`,
//! `schema`, nested under `response`, plain text), `active` as a string, attribute
//! names in another case (they are case-insensitive, RFC 7643 §2.1). The status
//! decides the kind; `scimType` (or the envelope's code) becomes the code,
//! `detail` (or the envelope's message) the message. A server without PATCH (501,
//! or 405 on a resource the read just found) is an [`Error::InvalidArgument`]
//! that says so, never retried.
//!
//! Requests and answers use `application/scim+json` (RFC 7644 §3.1, §8.1). The
//! PATCH body is the RFC form `{"op":"replace","path":"active","value":true}`, or
//! with [`ScimPatchForm::PathLess`] `{"op":"replace","value":{"active":true}}`.

use serde_json::{Map, Value};

use crate::adapter::{
    pasted_api_path, Adapter, Answers, AttemptFuture, Call, Descriptor, OwnError,
};
use crate::error::{kind_for_status, Error, ErrorKind};
use crate::generated::scim as gen;
use crate::outcome::{Details, Reactivated};
use crate::transport::{header_str, transport_hooks, Attempt, Seen};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;
pub(crate) mod types;

use self::types::{ScimPatchForm, ScimUser};

/// The SCIM media type (RFC 7644 §3.1, §8.1).
const MEDIA_TYPE: &str = "application/scim+json";
/// The schema URI of a PatchOp message (RFC 7644 §3.5.2).
pub(crate) const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// The schema URI of an error message (RFC 7644 §3.12).
pub(crate) const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// The schema URI of a User (RFC 7643 §4.1).
#[cfg(feature = "mock")]
pub(crate) const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

impl ScimUser {
    fn from_resource(resource: &Map<String, Value>) -> Self {
        let meta = field(resource, "meta").and_then(Value::as_object);
        let meta_text = |key: &str| meta.and_then(|m| text(m, key));
        ScimUser {
            id: field(resource, "id").and_then(|v| match v {
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }),
            external_id: text(resource, "externalId"),
            user_name: text(resource, "userName"),
            display_name: text(resource, "displayName"),
            active: active(resource).ok().flatten(),
            version: meta_text("version"),
            last_modified: meta_text("lastModified"),
            location: meta_text("location"),
        }
    }
}

pub(crate) struct Scim;

impl Answers for Scim {
    fn own_error(&self, status: u16, body: &Value) -> Option<OwnError> {
        let envelope = error_envelope(status, body)?;
        Some(OwnError {
            code: error_code(envelope),
            message: error_message(envelope),
        })
    }
}

impl Adapter for Scim {
    fn reads_users(&self) -> bool {
        true
    }

    /// The SCIM root: `/Users/...` and the discovery endpoints follow it.
    fn check_base_url(&self, url: &reqwest::Url) -> Result<(), String> {
        pasted_api_path(
            url,
            &[
                "/Users",
                "/Groups",
                "/ServiceProviderConfig",
                "/Schemas",
                "/ResourceTypes",
            ],
            "the SCIM root, e.g. `https://example.com/scim/v2`",
        )
    }

    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            default_base_url: None,
            base_url_example: "https://example.com/scim/v2",
        }
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(async move {
            // The read: is the user active?
            call.phase.reading();
            let ctx = call.context().with_media_type(MEDIA_TYPE);
            let client: gen::Client = call.client_with(ctx);
            let result = client.get_user(call.user_id).await;
            let at = call.attempt_on(&client);
            let seen = answered(&at, result)?;
            after_read(&at, &seen)?;
            if call.dry_run {
                return Ok(Reactivated::new(call.provider, Details::None).planned());
            }

            // The write.
            call.phase.writing();
            let ctx = call.context().with_media_type(MEDIA_TYPE);
            let client: gen::Client = call.client_with(ctx);
            let result = client
                .patch_user(call.user_id, &patch_op(call.scim_patch_form))
                .await;
            let at = call.attempt_on(&client);
            let seen = answered(&at, result)?;
            after_patch(&at, &seen)
        })
    }
}

/// The PatchOp message of a reactivation.
fn patch_op(form: ScimPatchForm) -> gen::types::PatchOp {
    let operation = match form {
        ScimPatchForm::Rfc => gen::types::PatchOperation {
            op: "replace".to_string(),
            path: Some("active".to_string()),
            value: Some(Value::Bool(true)),
        },
        ScimPatchForm::PathLess => gen::types::PatchOperation {
            op: "replace".to_string(),
            path: None,
            value: Some(serde_json::json!({ "active": true })),
        },
    };
    gen::types::PatchOp {
        schemas: vec![PATCH_OP_URN.to_string()],
        operations: vec![operation],
    }
}

/// The recorded answer of a call that got one (whatever the generated code made
/// of its body: it is read here, leniently); the classified failure of one that
/// did not (timeout, network, an answer too large to read).
fn answered<T, E>(
    at: &Attempt<'_>,
    result: Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
) -> Result<std::sync::Arc<Seen>, Error> {
    match at.ctx.seen() {
        Some(seen) if !seen.too_large => Ok(seen),
        _ => match at.outcome(result) {
            crate::transport::Outcome::Failed(e) => Err(e),
            _ => Err(Error::UnexpectedResponse(crate::error::ApiError::new(
                at.provider,
                0,
                "the response was not recorded",
            ))),
        },
    }
}

/// The read's answer: `Ok` when the user is to be patched.
fn after_read(at: &Attempt<'_>, seen: &Seen) -> Result<(), Error> {
    if !(200..300).contains(&seen.status) {
        return Err(error_answer(at, seen, "GET"));
    }
    let resource = resource(at, seen, "GET")?.ok_or_else(|| {
        let mut api = at.api_error(seen);
        api.message = format!(
            "the answer to GET /Users/{{id}} (HTTP {}) has no body; a SCIM User resource was \
             expected",
            seen.status
        );
        Error::UnexpectedResponse(api)
    })?;
    match active(&resource) {
        Ok(Some(true)) => {
            let mut api = at.api_error(seen);
            api.message = "the SCIM resource says `active: true`".to_string();
            Err(Error::NotDeactivated(api))
        }
        // Inactive, or a provider that does not return `active` (RFC 7643 §2.2
        // `returned`): the PATCH decides.
        Ok(Some(false) | None) => Ok(()),
        Err(raw) => Err(unreadable_active(at, seen, "GET", &raw)),
    }
}

/// The write's answer.
fn after_patch(at: &Attempt<'_>, seen: &Seen) -> Result<Reactivated, Error> {
    match seen.status {
        200..=299 => {}
        405 | 501 => return Err(no_patch(at, seen)),
        _ => return Err(error_answer(at, seen, "PATCH")),
    }
    // 204, or a 2xx without a body: patched, nothing more said.
    let Some(resource) = resource(at, seen, "PATCH")? else {
        return Ok(Reactivated::new(at.provider, Details::None));
    };
    match active(&resource) {
        Ok(Some(false)) => {
            let mut api = at.api_error(seen);
            api.message = format!(
                "the PATCH was answered HTTP {} but the returned resource still says \
                 `active: false`: the user was not reactivated",
                seen.status
            );
            Err(Error::UnexpectedResponse(api))
        }
        Ok(_) => Ok(Reactivated::new(
            at.provider,
            Details::Scim(Box::new(ScimUser::from_resource(&resource))),
        )),
        Err(raw) => Err(unreadable_active(at, seen, "PATCH", &raw)),
    }
}

/// The resource in a 2xx body: `None` for an empty body; an error for a body
/// that is not a JSON object (an HTML login page, say).
fn resource(
    at: &Attempt<'_>,
    seen: &Seen,
    method: &str,
) -> Result<Option<Map<String, Value>>, Error> {
    if seen.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    match serde_json::from_slice::<Value>(&seen.body) {
        Ok(Value::Object(resource)) => Ok(Some(resource)),
        _ => {
            let mut api = at.api_error(seen);
            let content_type = header_str(&seen.headers, "content-type").unwrap_or_default();
            api.message = format!(
                "the answer to {method} /Users/{{id}} (HTTP {}{}) is not a SCIM User resource \
                 (a JSON object was expected); check the base URL and any proxy in between",
                seen.status,
                if content_type.is_empty() {
                    String::new()
                } else {
                    format!(", {content_type}")
                }
            );
            Err(Error::UnexpectedResponse(api))
        }
    }
}

fn unreadable_active(at: &Attempt<'_>, seen: &Seen, method: &str, raw: &Value) -> Error {
    let mut api = at.api_error(seen);
    api.message = format!(
        "the answer to {method} /Users/{{id}} has `active: {raw}`, which is neither true nor \
         false"
    );
    Error::UnexpectedResponse(api)
}

/// A server without PATCH on the resource the read just found: 501 (RFC 7644
/// §3.12) or a web framework's 405. Not retried: it will not change.
fn no_patch(at: &Attempt<'_>, seen: &Seen) -> Error {
    let mut api = at.api_error(seen);
    let said = read_error(seen);
    api.code = said.code;
    api.trace_id = said.trace_id.or(api.trace_id);
    let message = said.message.unwrap_or_else(|| api.message.clone());
    api.message = format!(
        "{message}: the SCIM server does not support PATCH on /Users/{{id}}, which userbridge \
         needs to reactivate a user (RFC 7644 §3.5.2)"
    );
    Error::InvalidArgument(api)
}

/// An error answer of either call: the status decides, the body refines.
fn error_answer(at: &Attempt<'_>, seen: &Seen, method: &str) -> Error {
    // A 404 that is not a SCIM error, or a 405 to the read: the request did not
    // reach a SCIM server's /Users (a wrong base URL), not "user not found".
    if seen.status == 404 || (seen.status == 405 && method == "GET") {
        if let Some(wrong) = at.wrong_endpoint(seen) {
            return wrong;
        }
    }
    if (300..400).contains(&seen.status) || (100..200).contains(&seen.status) {
        return at.undocumented(seen);
    }
    let mut api = at.api_error(seen);
    let said = read_error(seen);
    api.code = said.code;
    api.trace_id = said.trace_id.or(api.trace_id);
    match said.message {
        Some(message) => api.message = message,
        None if seen.status == 401 => {
            if let Some(challenge) = header_str(&seen.headers, "www-authenticate") {
                api.message = format!("{}; the server asks for: {challenge}", api.message);
            }
        }
        None => {}
    }
    let kind = match seen.status {
        // 409: a uniqueness conflict (`scimType` `uniqueness`) or a version
        // mismatch; 413/415: the server refuses the request as sent.
        400 | 409 | 413 | 415 | 422 => ErrorKind::InvalidArgument,
        // userbridge sends no If-Match: a 412 is not an answer to its request.
        412 => ErrorKind::UnexpectedResponse,
        status => kind_for_status(status),
    };
    Error::from_api(kind, api)
}

/// What an error body says, read leniently.
struct Said {
    code: Option<String>,
    message: Option<String>,
    trace_id: Option<String>,
}

fn read_error(seen: &Seen) -> Said {
    let trace_from_header = header_str(&seen.headers, "x-amzn-requestid");
    match serde_json::from_slice::<Value>(&seen.body) {
        Ok(body) => {
            // The SCIM envelope where there is one (also nested, SimpleIdServer),
            // else whatever JSON object came.
            let envelope = error_envelope(seen.status, &body).or(body.as_object());
            Said {
                code: envelope.and_then(error_code),
                message: envelope.and_then(error_message),
                trace_id: envelope
                    .and_then(|e| text(e, "exceptionRequestId"))
                    .or(trace_from_header),
            }
        }
        Err(_) => Said {
            code: None,
            message: plain_text(seen),
            trace_id: trace_from_header,
        },
    }
}

/// A short plain-text body as a message (Metatavu's `User not found`); never an
/// HTML page.
fn plain_text(seen: &Seen) -> Option<String> {
    let content_type = header_str(&seen.headers, "content-type").unwrap_or_default();
    let text = String::from_utf8_lossy(&seen.body);
    let text = text.trim();
    if text.is_empty() || text.starts_with('<') || content_type.contains("html") {
        return None;
    }
    let mut message: String = text.chars().take(300).collect();
    if message.len() < text.len() {
        message.push('…');
    }
    Some(message)
}

/// The object holding a SCIM error, if `body` is one: the RFC envelope (its
/// `schemas`, or AWS' `schema`, names the error URN; WSO2 once sent a string), a
/// SCIM 1.1 `Errors` member (Slack), the same nested under `response`
/// (SimpleIdServer before 2.0.5), or a body whose `status` repeats the HTTP
/// status beside a `detail` or `scimType`.
fn error_envelope(status: u16, body: &Value) -> Option<&Map<String, Value>> {
    let obj = body.as_object()?;
    let names_error_urn = |o: &Map<String, Value>| {
        ["schemas", "schema"].iter().any(|key| match field(o, key) {
            Some(Value::String(s)) => s.eq_ignore_ascii_case(ERROR_URN),
            Some(Value::Array(items)) => items.iter().any(|i| {
                i.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(ERROR_URN))
            }),
            _ => false,
        })
    };
    let is_envelope = |o: &Map<String, Value>| {
        let repeats_status = match field(o, "status") {
            Some(Value::String(s)) => s.trim() == status.to_string(),
            Some(Value::Number(n)) => n.as_u64() == Some(u64::from(status)),
            _ => false,
        };
        names_error_urn(o)
            || field(o, "Errors").is_some_and(|e| e.is_object() || e.is_array())
            || (repeats_status && (text(o, "detail").is_some() || text(o, "scimType").is_some()))
    };
    if is_envelope(obj) {
        return Some(obj);
    }
    field(obj, "response")
        .and_then(Value::as_object)
        .filter(|inner| is_envelope(inner))
}

/// The SCIM 1.1 `Errors` member's first entry (an object, or a list of them).
fn errors_entry(envelope: &Map<String, Value>) -> Option<&Map<String, Value>> {
    match field(envelope, "Errors")? {
        Value::Object(o) => Some(o),
        Value::Array(items) => items.first()?.as_object(),
        _ => None,
    }
}

fn error_code(envelope: &Map<String, Value>) -> Option<String> {
    text(envelope, "scimType")
        .or_else(|| errors_entry(envelope).and_then(|e| code_field(e, "code")))
        .or_else(|| code_field(envelope, "code"))
        .or_else(|| text(envelope, "error"))
}

fn error_message(envelope: &Map<String, Value>) -> Option<String> {
    text(envelope, "detail")
        .or_else(|| errors_entry(envelope).and_then(|e| text(e, "description")))
        .or_else(|| text(envelope, "message"))
        .or_else(|| text(envelope, "error_description"))
}

/// A member by name, case-insensitively (SCIM attribute names are, RFC 7643 §2.1).
fn field<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A non-blank string member.
fn text(obj: &Map<String, Value>, name: &str) -> Option<String> {
    field(obj, name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A code member: a string, or a number written as one.
fn code_field(obj: &Map<String, Value>, name: &str) -> Option<String> {
    match field(obj, name)? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// `active`, leniently: a boolean, or the strings `true`/`false` in any case
/// (Microsoft Entra writes `"True"`). `Ok(None)` when absent or null; `Err` with
/// the value when it is something else.
fn active(resource: &Map<String, Value>) -> Result<Option<bool>, Value> {
    match field(resource, "active") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => Err(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn active_is_read_leniently() {
        for (body, want) in [
            (json!({"active": true}), Ok(Some(true))),
            (json!({"active": "True"}), Ok(Some(true))),
            (json!({"Active": false}), Ok(Some(false))),
            (json!({"active": " false "}), Ok(Some(false))),
            (json!({"active": null}), Ok(None)),
            (json!({}), Ok(None)),
            (json!({"active": 1}), Err(json!(1))),
        ] {
            assert_eq!(active(&obj(body.clone())), want, "{body}");
        }
    }

    #[test]
    fn error_envelopes_are_recognized() {
        let own = |status: u16, body: Value| Scim.own_error(status, &body);
        // RFC, string or numeric status.
        let rfc = own(
            404,
            json!({"schemas": [ERROR_URN], "status": "404", "detail": "gone"}),
        )
        .expect("the RFC envelope");
        assert_eq!(rfc.message.as_deref(), Some("gone"));
        assert!(own(
            409,
            json!({"schemas": [ERROR_URN], "status": 409, "detail": "x"})
        )
        .is_some());
        // AWS `schema`, WSO2's string `schemas`, Slack's `Errors`, nesting.
        assert!(own(400, json!({"schema": [ERROR_URN], "detail": "x"})).is_some());
        assert!(own(500, json!({"schemas": ERROR_URN, "detail": "x"})).is_some());
        let slack = own(
            404,
            json!({"Errors": {"code": 404, "description": "user_not_found"}}),
        )
        .expect("Slack");
        assert_eq!(slack.code.as_deref(), Some("404"));
        assert_eq!(slack.message.as_deref(), Some("user_not_found"));
        let list = own(
            400,
            json!({"Errors": [{"code": "invalidValue", "description": "bad"}]}),
        )
        .expect("SCIM 1.1 list");
        assert_eq!(list.code.as_deref(), Some("invalidValue"));
        let nested = own(
            404,
            json!({"status": "404", "response": {"schemas": [ERROR_URN], "detail": "resource X not found"}}),
        )
        .expect("nested");
        assert_eq!(nested.message.as_deref(), Some("resource X not found"));
        // A status that repeats the HTTP status beside a detail.
        assert!(own(404, json!({"status": 404, "detail": "no such user"})).is_some());
        // Not SCIM's: a framework's 404, a gateway's JSON, another status.
        assert!(own(404, json!({"detail": "Not found."})).is_none());
        assert!(own(
            404,
            json!({"message": "no Route matched with those values"})
        )
        .is_none());
        assert!(own(404, json!({"status": 500, "detail": "x"})).is_none());
        assert!(own(404, json!(["x"])).is_none());
    }

    #[test]
    fn codes_and_messages_fall_back_in_order() {
        let e = obj(json!({"scimType": "uniqueness", "detail": "taken", "message": "m"}));
        assert_eq!(error_code(&e).as_deref(), Some("uniqueness"));
        assert_eq!(error_message(&e).as_deref(), Some("taken"));
        let e = obj(json!({"message": "Resource not found", "code": 404}));
        assert_eq!(error_code(&e).as_deref(), Some("404"));
        assert_eq!(error_message(&e).as_deref(), Some("Resource not found"));
        let e = obj(json!({"error": "invalid_token", "error_description": "expired"}));
        assert_eq!(error_code(&e).as_deref(), Some("invalid_token"));
        assert_eq!(error_message(&e).as_deref(), Some("expired"));
        assert_eq!(error_message(&obj(json!({"detail": "  "}))), None);
    }

    #[test]
    fn the_two_request_forms() {
        let rfc = serde_json::to_value(patch_op(ScimPatchForm::Rfc)).unwrap();
        assert_eq!(
            rfc,
            json!({"schemas": [PATCH_OP_URN], "Operations": [{"op": "replace", "path": "active", "value": true}]})
        );
        let path_less = serde_json::to_value(patch_op(ScimPatchForm::PathLess)).unwrap();
        assert_eq!(
            path_less,
            json!({"schemas": [PATCH_OP_URN], "Operations": [{"op": "replace", "value": {"active": true}}]})
        );
        assert_eq!(ScimPatchForm::default(), ScimPatchForm::Rfc);
    }

    #[test]
    fn a_resource_becomes_a_scim_user() {
        let user = ScimUser::from_resource(&obj(json!({
            "id": "2819c223", "externalId": "bjensen", "USERNAME": "bjensen@example.com",
            "displayName": "Babs", "active": "true",
            "meta": {"version": "W/\"2\"", "lastModified": "2011-05-13T04:42:34Z", "location": "https://x/Users/2819c223"}
        })));
        assert_eq!(user.id.as_deref(), Some("2819c223"));
        assert_eq!(user.user_name.as_deref(), Some("bjensen@example.com"));
        assert_eq!(user.active, Some(true));
        assert_eq!(user.version.as_deref(), Some("W/\"2\""));
        assert_eq!(
            ScimUser::from_resource(&obj(json!({"id": 42})))
                .id
                .as_deref(),
            Some("42")
        );
    }
}
