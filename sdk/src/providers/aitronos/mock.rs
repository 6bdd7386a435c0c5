//! Aitronos Users v2 simulator: `POST /v1/organizations/{org}/users/{id}/reactivate`.
//!
//! Success is the user object (`account_state: "active"`); every error is the
//! `{success: false, error: {code, message, system_message, type, status,
//! details, trace_id, timestamp}}` envelope, and every answer carries
//! `x-request-id` (the envelope's `trace_id`).

use serde_json::{Map, Value};

use crate::generated::aitronos::types;
use crate::mock::model::UserState;
use crate::mock::state::Simulate;
use crate::mock::state::{
    rfc3339, to_json, with_key, Auth, Call, Captures, Fault, Reply, Route, State,
};

/// The Aitronos simulator.
pub(crate) struct Sim;

impl Simulate for Sim {
    fn routes(&self) -> &'static [Route] {
        &[ROUTE]
    }

    fn default_organization(&self) -> &'static str {
        DEFAULT_ORGANIZATION
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, _: &Route, to: &Captures) -> Reply {
        let org = to.organization.as_deref().unwrap_or_default();
        reactivate(state, call, org, &to.user_id)
    }

    fn failure(&self, call: &Call<'_>, fault: Fault) -> Reply {
        failure(call, fault)
    }
}

const ROUTE: Route = Route {
    name: "reactivate",
    method: "POST",
    segments: &[
        "v1",
        "organizations",
        "{org}",
        "users",
        "{id}",
        "reactivate",
    ],
};

/// The spec's example organization.
const DEFAULT_ORGANIZATION: &str = "org_xyz789";

fn reactivate(state: &mut State, call: &Call<'_>, org: &str, id: &str) -> Reply {
    let Auth::Token(token) = &call.auth else {
        return envelope(
            call,
            401,
            "UNAUTHORIZED",
            "Authentication is required to access this resource.",
            Map::new(),
        );
    };
    if token.organization != org || !token.permitted {
        return envelope(
            call,
            403,
            "FORBIDDEN",
            "You do not have permission to perform this action.",
            details("organization_id", org),
        );
    }
    let Some(user) = state.users.get(id).filter(|u| u.organization == org) else {
        return envelope(
            call,
            404,
            "USER_NOT_FOUND",
            "The requested user could not be found.",
            details("user_id", id),
        );
    };
    if user.state == UserState::Active {
        return envelope(
            call,
            422,
            "USER_NOT_DEACTIVATED",
            "This user account is not deactivated and cannot be reactivated.",
            details("user_id", id),
        );
    }
    state.activate(id);
    let body = types::User {
        id: id.to_string(),
        account_state: "active".to_string(),
        organization_id: Some(org.to_string()),
        deactivated_at: None,
        department_ids: Vec::new(),
        email: None,
        full_name: None,
        invitation_link: None,
        invited_at: None,
        role_ids: Vec::new(),
        user_name: None,
    };
    // The page's example sends the cleared fields as null.
    let mut body = to_json(&body);
    for key in ["invitation_link", "invited_at", "deactivated_at"] {
        body = with_key(body, key, Value::Null);
    }
    Reply::json(200, &body).header("x-request-id", call.request_id.clone())
}

/// An injected failure in the envelope: 429 (with `details.retry_after` in
/// seconds, as in the spec's example, when a `Retry-After` is sent), 500 (the
/// spec's 5XX example), 502, 503.
fn failure(call: &Call<'_>, fault: Fault) -> Reply {
    let (code, message, details) = match fault {
        Fault::RateLimited { retry_after_secs } => {
            let mut details = Map::new();
            if let Some(seconds) = retry_after_secs {
                details.insert("retry_after".to_string(), Value::from(seconds));
            }
            (
                "RATE_LIMIT_EXCEEDED",
                "Too many requests. Please retry later.",
                details,
            )
        }
        Fault::Internal => (
            "INTERNAL_ERROR",
            "An unexpected error occurred. Please try again later.",
            Map::new(),
        ),
        Fault::BadGateway => (
            "BAD_GATEWAY",
            "The service received an invalid response from an upstream server.",
            Map::new(),
        ),
        Fault::Unavailable => (
            "SERVICE_UNAVAILABLE",
            "The service is temporarily unavailable. Please try again later.",
            Map::new(),
        ),
    };
    envelope(call, fault.status(), code, message, details)
}

fn details(key: &str, value: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(key.to_string(), Value::String(value.to_string()));
    map
}

/// The error envelope, as in the spec's examples.
fn envelope(
    call: &Call<'_>,
    status: u16,
    code: &str,
    message: &str,
    details: Map<String, Value>,
) -> Reply {
    let error = types::ErrorBody {
        code: code.to_string(),
        message: message.to_string(),
        system_message: Some(message.to_lowercase()),
        type_: Some(
            if status >= 500 {
                "server_error"
            } else {
                "client_error"
            }
            .to_string(),
        ),
        status: Some(i64::from(status)),
        details: details.clone(),
        trace_id: Some(call.request_id.clone()),
        timestamp: Some(rfc3339(call.now, false)),
    };
    let body = types::ErrorEnvelope {
        success: Some(false),
        error,
    };
    // The generated type skips an empty `details`; the examples show `{}`.
    let mut body = to_json(&body);
    if let Some(error) = body.get_mut("error") {
        *error = with_key(error.take(), "details", Value::Object(details));
    }
    Reply::json(status, &body).header("x-request-id", call.request_id.clone())
}
