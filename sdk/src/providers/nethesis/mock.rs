//! My Nethesis simulator: `PATCH /api/users/{id}/reactivate` (the backend serves
//! the spec's paths under `/api`). Answers are `{code, message, data}`, as sent by
//! `backend/methods/users.go` `ReactivateUser` in NethServer/my: 404 `user not
//! found`, 403 for a user outside the caller's organization (the hierarchy check's
//! reason; the simulated token is a customer's), 400 `user not found or not
//! suspended` for a user that is not suspended, 200 `user reactivated
//! successfully` with `data: null`. 401 and the permission 403 are the page's
//! examples. The organization is the token's.

use serde_json::{Map, Value};

use crate::generated::nethesis::types;
use crate::mock::model::UserState;
use crate::mock::state::Simulate;
use crate::mock::state::{to_json, with_key, Auth, Call, Captures, Fault, Reply, Route, State};

/// The My Nethesis simulator.
pub(crate) struct Sim;

impl Simulate for Sim {
    fn routes(&self) -> &'static [Route] {
        &[Route {
            name: "reactivate",
            method: "PATCH",
            segments: &["users", "{id}", "reactivate"],
        }]
    }

    /// The backend serves the spec's paths under `/api`.
    fn base_path(&self) -> &'static str {
        "/api"
    }

    fn default_organization(&self) -> &'static str {
        DEFAULT_ORGANIZATION
    }

    fn inactive_label(&self) -> &'static str {
        "suspended"
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, _: &Route, to: &Captures) -> Reply {
        reactivate(state, call, &to.user_id)
    }

    fn failure(&self, _call: &Call<'_>, fault: Fault) -> Reply {
        failure(fault)
    }

    fn unrouted(&self, _call: &Call<'_>, _method: &str, _path: &str) -> Option<Reply> {
        // The backend's router for a path it does not serve (gin's NoRoute
        // in NethServer/my `backend/main.go`): 404 "api not found".
        Some(plain(404, "api not found"))
    }
}

const DEFAULT_ORGANIZATION: &str = "cust-8f3a2b1c";

fn reactivate(state: &mut State, call: &Call<'_>, id: &str) -> Reply {
    let Auth::Token(token) = &call.auth else {
        return simple(401, "invalid token", Some(Map::new()));
    };
    if !token.permitted {
        return simple(403, "insufficient permissions", Some(Map::new()));
    }
    let Some(user) = state.users.get(id) else {
        return plain(404, "user not found");
    };
    if user.organization != token.organization {
        return simple(
            403,
            "customers can only suspend users in their own organization",
            None,
        );
    }
    if user.state == UserState::Active {
        return plain(400, "user not found or not suspended");
    }
    state.activate(id);
    let body = types::NethesisSuccess {
        code: Some(200),
        message: Some("user reactivated successfully".to_string()),
        data: None,
    };
    // The handler sends `data: null`, which the generated type skips.
    Reply::json(200, &with_key(to_json(&body), "data", Value::Null))
}

/// An injected 429, 500, 502 or 503 (all undocumented; the shape of the
/// backend's errors).
fn failure(fault: Fault) -> Reply {
    let message = match fault {
        Fault::RateLimited { .. } => "too many requests",
        Fault::Internal => "internal server error",
        Fault::BadGateway => "bad gateway",
        Fault::Unavailable => "service unavailable",
    };
    plain(fault.status(), message)
}

/// `{code, message, data: null}` (`NethesisErrorResponse`, as 400 and 404 use).
fn plain(status: u16, message: &str) -> Reply {
    let body = types::NethesisErrorResponse {
        code: Some(i64::from(status)),
        message: Some(message.to_string()),
        data: Some(types::NethesisErrorData(None)),
    };
    Reply::json(status, &body)
}

/// `{code, message, data}` (`NethesisSimpleError`, as 401 and 403 use); `data`
/// `{}` as on the page, or `null` as `response.Forbidden(reason, nil)` sends.
fn simple(status: u16, message: &str, data: Option<Map<String, Value>>) -> Reply {
    let null_data = data.is_none();
    let body = types::NethesisSimpleError {
        code: Some(i64::from(status)),
        message: Some(message.to_string()),
        data,
    };
    let body = to_json(&body);
    if null_data {
        Reply::json(status, &with_key(body, "data", Value::Null))
    } else {
        Reply::json(status, &body)
    }
}
