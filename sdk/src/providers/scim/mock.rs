//! SCIM 2.0 simulator: a small User store under the SCIM root `/scim/v2`.
//!
//! What a reactivation touches, as RFC 7644 has it and as scim2-server 0.8.3
//! (a real SCIM server) answers:
//! - `GET /Users/{id}`: the User (`active` false for a deactivated user), with
//!   `ETag` and `meta.version` (`W/"<n>"`).
//! - `PATCH /Users/{id}`: a PatchOp (`schemas` must name
//!   `urn:ietf:params:scim:api:messages:2.0:PatchOp`; `Operations` applied in
//!   order, atomically). `op` is `add`, `replace` or `remove` (any case, as
//!   Microsoft Entra sends `Replace`); `active` may be set with
//!   `"path": "active"` or path-less (`"value": {"active": true}`), to a boolean
//!   or the strings `"true"`/`"false"` (any case, as scim2-server accepts). Other
//!   top-level attributes of the User schema are stored as given (`password`
//!   never returned); other names, sub-attribute, filter and extension paths are
//!   `invalidPath`, `id`/`meta`/`schemas`/`groups` `mutability`. Removing
//!   `active` leaves it unassigned (not returned; the user keeps its state). Answer: 200 with the whole resource (the
//!   RFC's MUST branch), idempotent (replacing `active` with its value changes
//!   nothing, not even the version).
//! - errors: the RFC 7644 §3.12 envelope (`schemas`, `status` as a string,
//!   `scimType`, `detail`): 401 with `WWW-Authenticate: Bearer realm="SCIM"`, 403,
//!   404 `User '<id>' not found`, 400 `invalidSyntax` / `invalidValue` /
//!   `invalidPath` / `mutability`, 415 for a body that is not JSON.
//!
//! So that SCIM clients and conformance checkers (scim2-client's `discover()`,
//! scim2-tester) can drive it, it also serves discovery without a token:
//! `GET /ServiceProviderConfig` (`patch`, `filter` and `etag` supported),
//! `GET /ResourceTypes` (the `User` resource type) and `GET /Schemas` (the
//! User schema's attributes, RFC 7643 §7 and §8.7.1), each also by id; and
//! `POST /Users` (201; `userName` required and unique, `active` defaults to
//! true), `PUT /Users/{id}` (RFC 7644 §3.5.1: the resource replaced; read-only
//! attributes ignored, `userName` required, an `active` left out unassigned),
//! `DELETE /Users/{id}` (204) and `GET /Users` with `filter` (RFC 7644
//! §3.4.2.2 expressions: `userName eq "x"`, `active eq false`,
//! `emails.value co "@example.com"`, `and`/`or`/`not`), `startIndex` and
//! `count`, answered as a ListResponse. `If-Match` with a version that is not
//! the current one is 412 on a write (RFC 7644 §3.14), `If-None-Match` with the
//! current one 304 on a read. Users of another organization than the token's
//! are not visible (404): a SCIM root serves one tenant. A method an endpoint
//! does not take is 405 in the error envelope; a path outside the endpoints a
//! plain-text 404, as the web server around a SCIM service answers it.

use serde_json::{json, Map, Value};

use super::{ERROR_URN, PATCH_OP_URN, USER_URN};
use crate::generated::scim::types;
use crate::mock::model::UserState;
use crate::mock::state::Simulate;
use crate::mock::state::{
    query_param, rfc3339, to_json, with_key, Auth, Call, Captures, Fault, Filter, Reply, Route,
    State,
};

/// The SCIM simulator.
pub(crate) struct Sim;

const BASE_PATH: &str = "/scim/v2";
const MEDIA_TYPE: &str = "application/scim+json";
/// The schema URI of the ServiceProviderConfig resource (RFC 7643 §5).
const SPC_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";

const ROUTES: &[Route] = &[
    Route {
        name: "get-user",
        method: "GET",
        segments: &["Users", "{id}"],
    },
    Route {
        name: "patch-user",
        method: "PATCH",
        segments: &["Users", "{id}"],
    },
    Route {
        name: "delete-user",
        method: "DELETE",
        segments: &["Users", "{id}"],
    },
    Route {
        name: "create-user",
        method: "POST",
        segments: &["Users"],
    },
    Route {
        name: "replace-user",
        method: "PUT",
        segments: &["Users", "{id}"],
    },
    Route {
        name: "list-users",
        method: "GET",
        segments: &["Users"],
    },
    Route {
        name: "service-provider-config",
        method: "GET",
        segments: &["ServiceProviderConfig"],
    },
    Route {
        name: "resource-types",
        method: "GET",
        segments: &["ResourceTypes"],
    },
    Route {
        name: "resource-type",
        method: "GET",
        segments: &["ResourceTypes", "{id}"],
    },
    Route {
        name: "schemas",
        method: "GET",
        segments: &["Schemas"],
    },
    Route {
        name: "schema",
        method: "GET",
        segments: &["Schemas", "{id}"],
    },
];

/// The schema URI of a list response (RFC 7644 §3.4.2).
const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// The schema URIs of the discovery resources (RFC 7643 §6, §7).
const RESOURCE_TYPE_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// Attributes a client may not set (RFC 7643 §3.1: `id` and `meta` are
/// read-only; `schemas` describes the resource; §4.1.2: `groups` is read-only).
const READ_ONLY: [&str; 4] = ["id", "meta", "schemas", "groups"];

/// The other attributes of the User schema (RFC 7643 §3.1, §4.1); any other
/// name is `invalidPath`, as scim2-server answers.
const USER_ATTRIBUTES: [&str; 20] = [
    "externalId",
    "userName",
    "name",
    "displayName",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "password",
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "entitlements",
    "roles",
];
/// Also a User attribute (RFC 7643 §4.1.2).
const X509: &str = "x509Certificates";

/// `password` is never returned (RFC 7643 §4.1.1, `returned: never`).
const NEVER_RETURNED: &str = "password";

/// Kept in a user's stored attributes once a PATCH removed `active`.
const UNASSIGNED_ACTIVE: &str = "$activeUnassigned";

impl Simulate for Sim {
    fn routes(&self) -> &'static [Route] {
        ROUTES
    }

    fn base_path(&self) -> &'static str {
        BASE_PATH
    }

    fn default_organization(&self) -> &'static str {
        "scim-tenant-1"
    }

    fn inactive_label(&self) -> &'static str {
        "inactive"
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, route: &Route, to: &Captures) -> Reply {
        // Discovery is served without a token (RFC 7644 §4 lets a service
        // provider require none; scim2-server requires none).
        match route.name {
            "service-provider-config" => return service_provider_config(call),
            "resource-types" => return list_of(vec![user_resource_type(call)]),
            "resource-type" if to.user_id == "User" => {
                return scim_json(200, &user_resource_type(call))
            }
            "schemas" => return list_of(vec![user_schema(call)]),
            "schema" if to.user_id.eq_ignore_ascii_case(USER_URN) => {
                return scim_json(200, &user_schema(call))
            }
            "resource-type" | "schema" => {
                return error(404, None, &format!("Resource '{}' not found", to.user_id))
            }
            _ => {}
        }
        let organization = match &call.auth {
            Auth::Token(token) if token.permitted => token.organization.clone(),
            Auth::Token(_) => {
                return error(
                    403,
                    None,
                    "Operation is not permitted based on the supplied authorization.",
                )
            }
            Auth::Missing | Auth::Malformed | Auth::Unknown => {
                return error(
                    401,
                    None,
                    "Authorization failure. The authorization header is invalid or missing",
                )
                .header("www-authenticate", r#"Bearer realm="SCIM""#)
            }
        };
        let id = to.user_id.as_str();
        // RFC 7644 §3.14: a stale `If-Match` is 412, a current
        // `If-None-Match` on a read 304.
        if !id.is_empty() && visible(state, id, &organization) {
            let current = state.users.get(id).map(|u| version(u.sequence));
            if let Some(current) = current {
                if let Some(reply) = preconditions(call, route.method, &current) {
                    return reply;
                }
            }
        }
        match route.name {
            "get-user" => match visible(state, id, &organization) {
                true => user_reply(state, call, id, 200),
                false => not_found(id),
            },
            "patch-user" => patch(state, call, id, &organization),
            "replace-user" => replace(state, call, id, &organization),
            "delete-user" => delete(state, id, &organization),
            "list-users" => list_users(state, call, &organization),
            _ => create(state, call, &organization),
        }
    }

    // A path outside the SCIM endpoints is not the SCIM service's to answer
    // (RFC 7644 defines the endpoints, not the web server around them): the
    // default plain-text 404 stands, so that a wrong SCIM root is not taken
    // for "user not found". A method an endpoint does not take is the
    // service's: 405 in the error envelope.
    fn wrong_method(&self, _call: &Call<'_>, method: &str, path: &str) -> Option<Reply> {
        Some(error(
            405,
            None,
            &format!("{method} is not supported on {path}"),
        ))
    }

    fn failure(&self, _call: &Call<'_>, fault: Fault) -> Reply {
        let detail = match fault {
            Fault::RateLimited { .. } => "Too many requests",
            Fault::Internal => "Internal server error",
            Fault::BadGateway => "Bad gateway",
            Fault::Unavailable => "Service temporarily unavailable",
        };
        error(fault.status(), None, detail)
    }
}

fn visible(state: &State, id: &str, organization: &str) -> bool {
    state
        .users
        .get(id)
        .is_some_and(|u| u.organization == organization)
}

/// An RFC 7644 §3.12 error message.
fn error(status: u16, scim_type: Option<&str>, detail: &str) -> Reply {
    let body = types::ScimError {
        schemas: vec![ERROR_URN.to_string()],
        status: Some(status.to_string()),
        scim_type: scim_type.map(str::to_string),
        detail: Some(detail.to_string()),
    };
    scim_json(status, &to_json(&body))
}

fn not_found(id: &str) -> Reply {
    error(404, None, &format!("User '{id}' not found"))
}

fn scim_json(status: u16, body: &Value) -> Reply {
    let mut reply = Reply::json(status, body);
    reply.content_type = Some(MEDIA_TYPE);
    reply
}

/// The URI of a user, from the `Host` the client called.
fn location(call: &Call<'_>, id: &str) -> String {
    let host = call.header("host").unwrap_or("127.0.0.1");
    let id = percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC);
    format!("http://{host}{BASE_PATH}/Users/{id}")
}

/// The whole resource of a user, as stored.
fn resource(state: &State, call: &Call<'_>, id: &str) -> Option<Value> {
    let user = state.users.get(id)?;
    let stored = state
        .extra
        .get(id)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let created = rfc3339(user.created, true);
    let last_modified = stored
        .get("meta")
        .and_then(|m| m.get("lastModified"))
        .and_then(Value::as_str)
        .map_or_else(|| created.clone(), str::to_string);
    let user_name = stored
        .get("userName")
        .and_then(Value::as_str)
        .or(user.login.as_deref())
        .unwrap_or(id)
        .to_string();
    let body = types::User {
        schemas: vec![USER_URN.to_string()],
        id: Some(id.to_string()),
        user_name: Some(user_name),
        active: Some(user.state == UserState::Active),
        meta: Some(types::Meta {
            resource_type: Some("User".to_string()),
            created: Some(created),
            last_modified: Some(last_modified),
            location: Some(location(call, id)),
            version: Some(version(user.sequence)),
        }),
        display_name: None,
        emails: Vec::new(),
        external_id: None,
        name: None,
    };
    // The generated type lists what userbridge reads; a User holds more
    // (RFC 7643 §4.1): the other stored attributes are added as given.
    let mut body = to_json(&body);
    let unassigned = stored.contains_key(UNASSIGNED_ACTIVE);
    for (key, value) in stored {
        let own = READ_ONLY.contains(&key.as_str())
            || ["userName", NEVER_RETURNED, UNASSIGNED_ACTIVE].contains(&key.as_str());
        if !own {
            body = with_key(body, &key, value);
        }
    }
    if let (Some(email), Some(obj)) = (&user.email, body.as_object_mut()) {
        if !obj.contains_key("emails") {
            obj.insert(
                "emails".into(),
                json!([{"value": email, "type": "work", "primary": true}]),
            );
        }
    }
    if unassigned {
        // Removed by a PATCH: no longer returned. The user keeps its state (what
        // an unassigned `active` means is the provider's call, RFC 7643 §4.1.1).
        if let Some(obj) = body.as_object_mut() {
            obj.remove("active");
        }
    }
    Some(body)
}

fn version(sequence: u64) -> String {
    format!("W/\"{sequence}\"")
}

fn user_reply(state: &State, call: &Call<'_>, id: &str, status: u16) -> Reply {
    let (Some(body), Some(user)) = (resource(state, call, id), state.users.get(id)) else {
        return not_found(id);
    };
    scim_json(status, &body)
        .header("etag", version(user.sequence))
        .header("location", location(call, id))
}

/// Whether a request body is declared as JSON (`application/json` or any
/// `application/*+json`, as scim2-server accepts); a missing type is accepted.
fn json_content(call: &Call<'_>) -> bool {
    let Some(content_type) = call.header("content-type") else {
        return true;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A JSON object request body, or the error to answer.
fn object_body(call: &Call<'_>) -> Result<Map<String, Value>, Reply> {
    if !json_content(call) {
        return Err(error(
            415,
            None,
            "The request body must be application/scim+json",
        ));
    }
    match serde_json::from_slice::<Value>(call.body) {
        Ok(Value::Object(body)) => Ok(body),
        Ok(_) => Err(error(
            400,
            Some("invalidSyntax"),
            "The request body must be a JSON object",
        )),
        Err(e) => Err(error(
            400,
            Some("invalidSyntax"),
            &format!("Invalid JSON: {e}"),
        )),
    }
}

/// A member by name, case-insensitively (RFC 7643 §2.1).
fn member<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<(&'a String, &'a Value)> {
    obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))
}

/// One change a PATCH makes.
enum Change {
    Active(bool),
    Set(String, Value),
    Remove(String),
}

/// `active`'s new value: a boolean, or `"true"`/`"false"` in any case.
fn active_value(value: &Value) -> Result<bool, Reply> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(error(
            400,
            Some("invalidValue"),
            &format!("'active' must be a boolean, not {other}"),
        )),
    }
}

/// The attribute a PATCH `path` names: a top-level attribute of the User.
fn attribute(path: &str) -> Result<String, Reply> {
    let path = path.trim();
    let simple = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
    if !simple {
        return Err(error(
            400,
            Some("invalidPath"),
            &format!(
                "'{path}' is not a path this simulator serves (top-level User attributes only)"
            ),
        ));
    }
    if READ_ONLY.iter().any(|r| r.eq_ignore_ascii_case(path)) {
        return Err(error(
            400,
            Some("mutability"),
            &format!("'{path}' is read-only"),
        ));
    }
    // The schema's own spelling (attribute names are case-insensitive, §2.1).
    USER_ATTRIBUTES
        .iter()
        .chain(std::iter::once(&X509))
        .find(|a| a.eq_ignore_ascii_case(path))
        .map(|a| a.to_string())
        .ok_or_else(|| {
            error(
                400,
                Some("invalidPath"),
                &format!("'{path}' is not an attribute of the schema"),
            )
        })
}

/// The changes of one attribute set to `value` (an `add` or a `replace`).
fn set(attribute: String, value: Value) -> Result<Change, Reply> {
    if attribute.eq_ignore_ascii_case("active") {
        return Ok(Change::Active(active_value(&value)?));
    }
    if attribute.eq_ignore_ascii_case("userName")
        && value.as_str().is_none_or(|s| s.trim().is_empty())
    {
        return Err(error(
            400,
            Some("invalidValue"),
            "'userName' must be a non-empty string",
        ));
    }
    Ok(Change::Set(attribute, value))
}

/// The changes a PatchOp message asks for, validated as a whole first (the
/// operations are atomic, RFC 7644 §3.5.2).
fn changes(body: &Map<String, Value>) -> Result<Vec<Change>, Reply> {
    let names_patch_op = member(body, "schemas")
        .and_then(|(_, v)| v.as_array())
        .is_some_and(|s| {
            s.iter().any(|u| {
                u.as_str()
                    .is_some_and(|u| u.eq_ignore_ascii_case(PATCH_OP_URN))
            })
        });
    if !names_patch_op {
        return Err(error(
            400,
            Some("invalidSyntax"),
            &format!("'schemas' must be [\"{PATCH_OP_URN}\"]"),
        ));
    }
    let operations = match member(body, "Operations").map(|(_, v)| v) {
        Some(Value::Array(ops)) if !ops.is_empty() => ops,
        _ => {
            return Err(error(
                400,
                Some("invalidSyntax"),
                "'Operations' must be a non-empty array",
            ))
        }
    };
    let mut changes = Vec::new();
    for operation in operations {
        let Some(operation) = operation.as_object() else {
            return Err(error(
                400,
                Some("invalidSyntax"),
                "each operation must be an object",
            ));
        };
        let op = member(operation, "op")
            .and_then(|(_, v)| v.as_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let path = member(operation, "path").and_then(|(_, v)| v.as_str());
        let value = member(operation, "value").map(|(_, v)| v.clone());
        match (op.as_str(), path, value) {
            ("add" | "replace", Some(path), Some(value)) => {
                changes.push(set(attribute(path)?, value)?);
            }
            // Without a path the value holds the attributes to set (§3.5.2.1, §3.5.2.3).
            ("add" | "replace", None, Some(Value::Object(values))) => {
                for (name, value) in values {
                    changes.push(set(attribute(&name)?, value)?);
                }
            }
            ("add" | "replace", _, _) => {
                return Err(error(
                    400,
                    Some("invalidValue"),
                    "an add or replace operation needs a 'value' (an object when there is no \
                     'path')",
                ))
            }
            ("remove", Some(path), _) => {
                let name = attribute(path)?;
                // userName is REQUIRED (RFC 7643 §4.1.1); `active` is not, and
                // removing it leaves it unassigned (§3.5.2.2).
                if name.eq_ignore_ascii_case("userName") {
                    return Err(error(
                        400,
                        Some("mutability"),
                        &format!("'{name}' cannot be removed"),
                    ));
                }
                changes.push(Change::Remove(name));
            }
            ("remove", None, _) => {
                return Err(error(
                    400,
                    Some("noTarget"),
                    "a remove operation needs a 'path'",
                ))
            }
            (other, _, _) => {
                return Err(error(
                    400,
                    Some("invalidValue"),
                    &format!("'{other}' is not a PATCH operation: add, remove or replace"),
                ))
            }
        }
    }
    Ok(changes)
}

fn patch(state: &mut State, call: &Call<'_>, id: &str, organization: &str) -> Reply {
    let body = match object_body(call) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let changes = match changes(&body) {
        Ok(changes) => changes,
        Err(reply) => return reply,
    };
    if !visible(state, id, organization) {
        return not_found(id);
    }
    if let Some(taken) = changes.iter().find_map(|c| match c {
        Change::Set(name, Value::String(v)) if name.eq_ignore_ascii_case("userName") => {
            user_name_taken(state, v, Some(id)).then_some(v)
        }
        _ => None,
    }) {
        return uniqueness(taken);
    }
    let mut stored = state
        .extra
        .get(id)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let before = stored.clone();
    let was_active = state
        .users
        .get(id)
        .is_some_and(|u| u.state == UserState::Active);
    let mut active = was_active;
    for change in changes {
        match change {
            Change::Active(a) => {
                active = a;
                stored.remove(UNASSIGNED_ACTIVE);
            }
            Change::Remove(name) if name == "active" => {
                stored.insert(UNASSIGNED_ACTIVE.to_string(), Value::Bool(true));
            }
            Change::Set(name, value) => {
                let key = member(&stored, &name).map_or(name, |(k, _)| k.clone());
                stored.insert(key, value);
            }
            Change::Remove(name) => {
                if let Some(key) = member(&stored, &name).map(|(k, _)| k.clone()) {
                    stored.remove(&key);
                }
            }
        }
    }
    let changed = active != was_active || stored != before;
    if changed {
        // One change, one new version (a no-op keeps it, as scim2-server does).
        if active && !was_active {
            state.activate(id);
        } else if let Some(user) = state.users.get_mut(id) {
            user.sequence += 1;
            if !active && was_active {
                user.state = UserState::Deactivated;
                user.deactivated_at = Some(call.now);
            }
        }
        stored.insert(
            "meta".to_string(),
            json!({ "lastModified": rfc3339(call.now, true) }),
        );
        state.extra.insert(id.to_string(), Value::Object(stored));
    }
    user_reply(state, call, id, 200)
}

/// Whether another user than `except` has `user_name` (its stored one, its
/// seeded login, or its id), case-insensitively.
fn user_name_taken(state: &State, user_name: &str, except: Option<&str>) -> bool {
    state.users.iter().any(|(other, user)| {
        let stored = state
            .extra
            .get(other)
            .and_then(|attrs| attrs.get("userName"))
            .and_then(Value::as_str);
        let name = stored.or(user.login.as_deref()).unwrap_or(other);
        Some(other.as_str()) != except && name.eq_ignore_ascii_case(user_name)
    })
}

fn uniqueness(user_name: &str) -> Reply {
    error(
        409,
        Some("uniqueness"),
        &format!("userName '{user_name}' is already in use"),
    )
}

fn create(state: &mut State, call: &Call<'_>, organization: &str) -> Reply {
    let body = match object_body(call) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let Some(user_name) = member(&body, "userName")
        .and_then(|(_, v)| v.as_str())
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string)
    else {
        return error(400, Some("invalidValue"), "'userName' is required");
    };
    let active = match member(&body, "active") {
        Some((_, value)) => match active_value(value) {
            Ok(active) => active,
            Err(reply) => return reply,
        },
        None => true,
    };
    if user_name_taken(state, &user_name, None) {
        return uniqueness(&user_name);
    }
    // A 32-hex-digit id, as scim2-server issues them.
    let mut n = state.users.len() as u128;
    let id = loop {
        n += 1;
        let candidate = format!("{:032x}", 0x5c1a_0000 + n);
        if !state.users.contains_key(&candidate) {
            break candidate;
        }
    };
    // Read-only attributes in a creation are ignored (RFC 7644 §3.3), and so are
    // names the User schema does not have.
    let mut stored = Map::new();
    for (name, value) in body {
        if name.eq_ignore_ascii_case("active") {
            continue;
        }
        if let Ok(name) = attribute(&name) {
            stored.insert(name, value);
        }
    }
    stored.insert("userName".to_string(), Value::String(user_name));
    let record = crate::mock::state::UserRecord {
        organization: organization.to_string(),
        state: if active {
            UserState::Active
        } else {
            UserState::Deactivated
        },
        sequence: 1,
        created: call.now,
        deactivated_at: (!active).then_some(call.now),
        status: None,
        locked_out: false,
        login: None,
        email: None,
    };
    state.users.insert(id.clone(), record);
    state.extra.insert(id.clone(), Value::Object(stored));
    user_reply(state, call, &id, 201)
}

fn delete(state: &mut State, id: &str, organization: &str) -> Reply {
    if !visible(state, id, organization) {
        return not_found(id);
    }
    state.users.remove(id);
    state.extra.remove(id);
    Reply {
        status: 204,
        body: Vec::new(),
        content_type: Some(MEDIA_TYPE),
        headers: Vec::new(),
    }
}

/// `/ServiceProviderConfig` (RFC 7643 §5, RFC 7644 §4): what this simulator
/// supports. Served without a token, as scim2-server does.
fn service_provider_config(call: &Call<'_>) -> Reply {
    let body = json!({
        "schemas": [SPC_URN],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with a bearer token (RFC 6750)",
            "specUri": "https://www.rfc-editor.org/rfc/rfc6750",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!(
                "http://{}{BASE_PATH}/ServiceProviderConfig",
                call.header("host").unwrap_or("127.0.0.1")
            ),
        },
    });
    scim_json(200, &body)
}

/// The most resources a list answers (`filter.maxResults`).
const MAX_RESULTS: usize = 200;

/// Whether an entity tag of `If-Match` / `If-None-Match` names `current`
/// (`*` names any; weak and strong tags compare by their value, as
/// RFC 9110 §8.8.3.2's weak comparison does).
fn tag_matches(header: &str, current: &str) -> bool {
    let value = |tag: &str| {
        tag.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_string()
    };
    header
        .split(',')
        .any(|tag| tag.trim() == "*" || value(tag) == value(current))
}

/// RFC 7644 §3.14: a write whose `If-Match` names another version than the
/// current one is 412; a read whose `If-None-Match` names the current one is
/// 304 without a body.
fn preconditions(call: &Call<'_>, method: &str, current: &str) -> Option<Reply> {
    let writes = matches!(method, "PUT" | "PATCH" | "DELETE");
    if writes {
        if let Some(wanted) = call.header("if-match") {
            if !tag_matches(wanted, current) {
                return Some(
                    error(
                        412,
                        None,
                        &format!(
                            "Failed to update. Resource changed on the server: its version is \
                             {current}, the request's If-Match is {wanted}"
                        ),
                    )
                    .header("etag", current.to_string()),
                );
            }
        }
    } else if let Some(unwanted) = call.header("if-none-match") {
        if tag_matches(unwanted, current) {
            return Some(Reply::empty(304).header("etag", current.to_string()));
        }
    }
    None
}

/// `PUT /Users/{id}` (RFC 7644 §3.5.1): every attribute replaced by the
/// request's; read-only ones (`id`, `meta`, `schemas`, `groups`) and names
/// the schema does not have ignored; `userName` required (and unique); an
/// `active` left out is unassigned (the user keeps its state).
fn replace(state: &mut State, call: &Call<'_>, id: &str, organization: &str) -> Reply {
    let body = match object_body(call) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    if !visible(state, id, organization) {
        return not_found(id);
    }
    let Some(user_name) = member(&body, "userName")
        .and_then(|(_, v)| v.as_str())
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string)
    else {
        return error(400, Some("invalidValue"), "'userName' is required");
    };
    if user_name_taken(state, &user_name, Some(id)) {
        return uniqueness(&user_name);
    }
    let active = match member(&body, "active") {
        Some((_, value)) => match active_value(value) {
            Ok(active) => Some(active),
            Err(reply) => return reply,
        },
        None => None,
    };
    let mut stored = Map::new();
    for (name, value) in body {
        if name.eq_ignore_ascii_case("active") {
            continue;
        }
        if let Ok(name) = attribute(&name) {
            stored.insert(name, value);
        }
    }
    stored.insert("userName".to_string(), Value::String(user_name));
    let was_active = state
        .users
        .get(id)
        .is_some_and(|u| u.state == UserState::Active);
    match active {
        Some(true) if !was_active => state.activate(id),
        Some(false) if was_active => {
            if let Some(user) = state.users.get_mut(id) {
                user.sequence += 1;
                user.state = UserState::Deactivated;
                user.deactivated_at = Some(call.now);
            }
        }
        _ => {
            if let Some(user) = state.users.get_mut(id) {
                user.sequence += 1;
            }
        }
    }
    if active.is_none() {
        stored.insert(UNASSIGNED_ACTIVE.to_string(), Value::Bool(true));
    }
    stored.insert(
        "meta".to_string(),
        json!({ "lastModified": rfc3339(call.now, true) }),
    );
    state.extra.insert(id.to_string(), Value::Object(stored));
    user_reply(state, call, id, 200)
}

/// The value of an attribute path (`userName`, `emails.value`,
/// `meta.lastModified`) in a resource, names compared case-insensitively;
/// a path through a multi-valued attribute gives every value.
fn attribute_value(resource: &Value, path: &str) -> Option<Value> {
    let path = path
        .strip_prefix(USER_URN)
        .map_or(path, |p| p.trim_start_matches(':'));
    let mut current = vec![resource.clone()];
    for part in path.split('.') {
        let mut next = Vec::new();
        for value in current {
            let items = match value {
                Value::Array(items) => items,
                other => vec![other],
            };
            for item in items {
                if let Some(obj) = item.as_object() {
                    if let Some((_, v)) = member(obj, part) {
                        next.push(v.clone());
                    }
                }
            }
        }
        current = next;
    }
    match current.len() {
        0 => None,
        1 => current.pop(),
        _ => Some(Value::Array(current)),
    }
}

/// `GET /Users`: the users matching `filter` (RFC 7644 §3.4.2.2), from
/// `startIndex` (1-based), at most `count`, as a ListResponse.
fn list_users(state: &State, call: &Call<'_>, organization: &str) -> Reply {
    let filter = match query_param(call.query, "filter") {
        None => None,
        Some(text) => match Filter::parse(&text) {
            Ok(filter) => Some(filter),
            Err(why) => {
                return error(
                    400,
                    Some("invalidFilter"),
                    &format!("The specified filter syntax is invalid: {why}"),
                )
            }
        },
    };
    let start = query_param(call.query, "startIndex")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let count = query_param(call.query, "count")
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(MAX_RESULTS)
        .min(MAX_RESULTS);
    let matching: Vec<Value> = state
        .users
        .iter()
        .filter(|(_, u)| u.organization == organization)
        .filter_map(|(id, _)| resource(state, call, id))
        .filter(|resource| {
            filter
                .as_ref()
                .is_none_or(|f| f.matches(&|path| attribute_value(resource, path)))
        })
        .collect();
    let total = matching.len();
    let page: Vec<Value> = matching.into_iter().skip(start - 1).take(count).collect();
    scim_json(
        200,
        &json!({
            "schemas": [LIST_URN],
            "totalResults": total,
            "itemsPerPage": page.len(),
            "startIndex": start,
            "Resources": page,
        }),
    )
}

/// A ListResponse of all of `resources`.
fn list_of(resources: Vec<Value>) -> Reply {
    scim_json(
        200,
        &json!({
            "schemas": [LIST_URN],
            "totalResults": resources.len(),
            "itemsPerPage": resources.len(),
            "startIndex": 1,
            "Resources": resources,
        }),
    )
}

/// The `User` resource type (RFC 7643 §6, §8.6).
fn user_resource_type(call: &Call<'_>) -> Value {
    let host = call.header("host").unwrap_or("127.0.0.1");
    json!({
        "schemas": [RESOURCE_TYPE_URN],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "User Account",
        "schema": USER_URN,
        "schemaExtensions": [],
        "meta": {
            "location": format!("http://{host}{BASE_PATH}/ResourceTypes/User"),
            "resourceType": "ResourceType",
        },
    })
}

/// One attribute definition of a schema (RFC 7643 §7).
fn attr(name: &str, kind: &str, multi: bool, description: &str) -> Value {
    json!({
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": description,
        "required": false,
        "caseExact": false,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
    })
}

/// `attr` with sub-attributes (a complex attribute).
fn complex(name: &str, multi: bool, description: &str, subs: Vec<Value>) -> Value {
    let mut value = attr(name, "complex", multi, description);
    value["subAttributes"] = Value::Array(subs);
    value
}

/// The sub-attributes of a multi-valued attribute (`value`, `display`,
/// `type`, `primary`).
fn multi_subs(kind: &str) -> Vec<Value> {
    vec![
        attr("value", kind, false, "The attribute's significant value."),
        attr("display", "string", false, "A human-readable name."),
        attr(
            "type",
            "string",
            false,
            "A label indicating the attribute's function.",
        ),
        attr(
            "primary",
            "boolean",
            false,
            "Whether this is the primary value.",
        ),
    ]
}

/// The User schema (RFC 7643 §4.1, its representation §8.7.1): the
/// attributes this simulator stores.
fn user_schema(call: &Call<'_>) -> Value {
    let host = call.header("host").unwrap_or("127.0.0.1");
    let mut user_name = attr(
        "userName",
        "string",
        false,
        "Unique identifier for the User, typically used by the user to directly authenticate.",
    );
    user_name["required"] = Value::Bool(true);
    user_name["uniqueness"] = Value::String("server".into());
    let mut password = attr(
        "password",
        "string",
        false,
        "The User's cleartext password.",
    );
    password["mutability"] = Value::String("writeOnly".into());
    password["returned"] = Value::String("never".into());
    let mut groups = complex(
        "groups",
        true,
        "A list of groups to which the user belongs.",
        multi_subs("string"),
    );
    groups["mutability"] = Value::String("readOnly".into());
    let mut attributes = vec![
        user_name,
        complex(
            "name",
            false,
            "The components of the user's real name.",
            [
                "formatted",
                "familyName",
                "givenName",
                "middleName",
                "honorificPrefix",
                "honorificSuffix",
            ]
            .iter()
            .map(|n| attr(n, "string", false, "A component of the user's name."))
            .collect(),
        ),
    ];
    for (name, description) in [
        (
            "displayName",
            "The name of the User, suitable for display to end-users.",
        ),
        (
            "nickName",
            "The casual way to address the user in real life.",
        ),
        ("title", "The user's title, such as \"Vice President\"."),
        (
            "userType",
            "The relationship between the organization and the user.",
        ),
        (
            "preferredLanguage",
            "The User's preferred written or spoken language.",
        ),
        ("locale", "The User's default location."),
        (
            "timezone",
            "The User's time zone in the 'Olson' time zone database format.",
        ),
    ] {
        attributes.push(attr(name, "string", false, description));
    }
    let mut profile = attr(
        "profileUrl",
        "reference",
        false,
        "A URI of the User's online profile.",
    );
    profile["referenceTypes"] = json!(["external"]);
    attributes.push(profile);
    attributes.push(attr(
        "active",
        "boolean",
        false,
        "The User's administrative status.",
    ));
    attributes.push(password);
    for (name, description) in [
        ("emails", "Email addresses for the user."),
        ("phoneNumbers", "Phone numbers for the User."),
        ("ims", "Instant messaging addresses for the User."),
        ("photos", "URLs of photos of the User."),
        ("entitlements", "A list of entitlements for the User."),
        ("roles", "A list of roles for the User."),
    ] {
        attributes.push(complex(name, true, description, multi_subs("string")));
    }
    attributes.push(complex(
        "x509Certificates",
        true,
        "A list of certificates issued to the User.",
        multi_subs("binary"),
    ));
    attributes.push(complex(
        "addresses",
        true,
        "A physical mailing address for this User.",
        [
            "formatted",
            "streetAddress",
            "locality",
            "region",
            "postalCode",
            "country",
            "type",
        ]
        .iter()
        .map(|n| attr(n, "string", false, "A component of the address."))
        .collect(),
    ));
    attributes.push(groups);
    json!({
        "schemas": [SCHEMA_URN],
        "id": USER_URN,
        "name": "User",
        "description": "User Account",
        "attributes": attributes,
        "meta": {
            "resourceType": "Schema",
            "location": format!("http://{host}{BASE_PATH}/Schemas/{USER_URN}"),
        },
    })
}
