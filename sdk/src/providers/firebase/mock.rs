//! Firebase Authentication simulator: Identity Toolkit v1's `POST
//! /v1/projects/{project}/accounts:lookup` and `accounts:update` (the base URL
//! ends in `/v1`, as Google's does).
//!
//! Organizations are projects: a token acts in its own project; a project no
//! token and no user belongs to is 400 `PROJECT_NOT_FOUND`, another known
//! project 403 `PERMISSION_DENIED`. `tenantId` is accepted and not checked.
//! The lookup answers `{"kind", "users": [...]}`, without `users` for an
//! unknown uid; `disabled` is sent only for a disabled account (missing means
//! false, as the API leaves it out). The update answers 400 `USER_NOT_FOUND`
//! for an unknown uid; a token marked with `deny_permission` may read but not
//! update (403 `PERMISSION_DENIED`). Injected 429s are `RESOURCE_EXHAUSTED`,
//! 5xx `INTERNAL_ERROR` / `UNAVAILABLE`. Failures targeted at a user reach
//! the requests whose `localId` names it. The token endpoint is Google's
//! (`POST /token`, `providers::google::tokens`), scope `cloud-platform` or
//! `firebase`.

use serde_json::Value;

use crate::mock::model::UserState;
use crate::mock::state::{
    Auth, Call, Captures, Fault, Reply, Route, Simulate, State, TokenService,
};
use crate::providers::google::tokens::GoogleTokens;

/// The Firebase Authentication simulator.
pub(crate) struct Sim;

static ROUTES: [Route; 2] = [
    Route {
        name: "lookup",
        method: "POST",
        segments: &["projects", "{org}", "accounts:lookup"],
    },
    Route {
        name: "update",
        method: "POST",
        segments: &["projects", "{org}", "accounts:update"],
    },
];

static TOKENS: GoogleTokens = GoogleTokens {
    scopes: &super::SCOPES,
    needs_subject: false,
};

impl Simulate for Sim {
    fn routes(&self) -> &'static [Route] {
        &ROUTES
    }

    fn base_path(&self) -> &'static str {
        "/v1"
    }

    fn default_organization(&self) -> &'static str {
        "demo-userbridge"
    }

    fn inactive_label(&self) -> &'static str {
        "disabled"
    }

    fn named_user(&self, _route: &Route, body: &[u8]) -> Option<String> {
        let body: Value = serde_json::from_slice(body).ok()?;
        match body.get("localId")? {
            Value::String(id) => Some(id.clone()),
            Value::Array(ids) => ids.first()?.as_str().map(str::to_string),
            _ => None,
        }
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, route: &Route, to: &Captures) -> Reply {
        let token = match &call.auth {
            Auth::Token(token) => token.clone(),
            Auth::Missing => {
                return error(
                    401,
                    "Request is missing required authentication credential.",
                    Some("UNAUTHENTICATED"),
                )
            }
            Auth::Malformed | Auth::Unknown => {
                return error(
                    401,
                    "Request had invalid authentication credentials.",
                    Some("UNAUTHENTICATED"),
                )
            }
        };
        let project = to.organization.clone().unwrap_or_default();
        if project != token.organization {
            let known = state.users.values().any(|u| u.organization == project)
                || state.tokens.values().any(|t| t.organization == project);
            return if known {
                error(403, "PERMISSION_DENIED", None)
            } else {
                error(400, "PROJECT_NOT_FOUND", None)
            };
        }
        let Ok(body) = serde_json::from_slice::<Value>(call.body) else {
            return error(
                400,
                "Invalid JSON payload received.",
                Some("INVALID_ARGUMENT"),
            );
        };
        match route.name {
            "update" => update(state, &body, &project, token.permitted),
            _ => lookup(state, &body, &project),
        }
    }

    fn failure(&self, _call: &Call<'_>, fault: Fault) -> Reply {
        match fault {
            Fault::RateLimited { .. } => error(
                429,
                "Quota exceeded for quota metric 'Account lookups'.",
                Some("RESOURCE_EXHAUSTED"),
            ),
            Fault::Internal | Fault::BadGateway => error(fault.status(), "INTERNAL_ERROR", None),
            Fault::Unavailable => error(
                503,
                "The service is currently unavailable.",
                Some("UNAVAILABLE"),
            ),
        }
    }

    fn tokens(&self) -> Option<&'static dyn TokenService> {
        Some(&TOKENS)
    }
}

/// The account `uid` of `project`, if there is one.
fn account(state: &State, project: &str, uid: &str) -> Option<Value> {
    let user = state.users.get(uid).filter(|u| u.organization == project)?;
    let mut json = serde_json::json!({
        "localId": uid,
        "createdAt": user
            .created
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis())
            .to_string(),
    });
    if user.state == UserState::Deactivated {
        json["disabled"] = Value::Bool(true);
    }
    Some(json)
}

fn lookup(state: &State, body: &Value, project: &str) -> Reply {
    let ids: Vec<&str> = body
        .get("localId")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let users: Vec<Value> = ids
        .iter()
        .filter_map(|uid| account(state, project, uid))
        .collect();
    let mut answer = serde_json::json!({"kind": "identitytoolkit#GetAccountInfoResponse"});
    if !users.is_empty() {
        answer["users"] = Value::Array(users);
    }
    Reply::json(200, &answer)
}

fn update(state: &mut State, body: &Value, project: &str, permitted: bool) -> Reply {
    let Some(uid) = body.get("localId").and_then(Value::as_str) else {
        return error(400, "MISSING_LOCAL_ID", None);
    };
    if account(state, project, uid).is_none() {
        return error(400, "USER_NOT_FOUND", None);
    }
    if !permitted {
        return error(403, "PERMISSION_DENIED", None);
    }
    match body.get("disableUser") {
        Some(Value::Bool(false)) => state.activate(uid),
        Some(Value::Bool(true)) => {
            if let Some(user) = state.users.get_mut(uid) {
                user.state = UserState::Deactivated;
                user.deactivated_at = Some(std::time::SystemTime::now());
            }
        }
        _ => {}
    }
    Reply::json(
        200,
        &serde_json::json!({
            "kind": "identitytoolkit#SetAccountInfoResponse",
            "localId": uid,
        }),
    )
}

/// Google's error envelope, the Identity Toolkit way: the message is the code.
fn error(status: u16, message: &str, canonical: Option<&str>) -> Reply {
    let mut error = serde_json::json!({
        "code": status,
        "message": message,
        "errors": [{"message": message, "domain": "global", "reason": "invalid"}],
    });
    if let (Some(canonical), Some(obj)) = (canonical, error.as_object_mut()) {
        obj.insert("status".into(), canonical.into());
    }
    Reply::json(status, &serde_json::json!({ "error": error }))
}
