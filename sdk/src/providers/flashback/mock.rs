//! Flashback simulator: `POST /organization/users/{userId}/activate` (undoes a soft
//! delete). Every answer is `{success, message}`; the organization is the token's.
//!
//! The page documents no 401 and no rate limiting: a missing or unknown token is
//! answered 401 `{success: false, message: "Unauthorized"}`, and injected 429 /
//! 502 / 503 answers use the same shape (500 is the page's example). The message for a user of another organization
//! ("Users not in same organization") is ours; the page only names the case.

use crate::generated::flashback::types;
use crate::mock::model::UserState;
use crate::mock::state::Simulate;
use crate::mock::state::{Auth, Call, Captures, Fault, Reply, Route, State};

/// The Flashback simulator.
pub(crate) struct Sim;

impl Simulate for Sim {
    fn routes(&self) -> &'static [Route] {
        &[ROUTE]
    }

    fn default_organization(&self) -> &'static str {
        DEFAULT_ORGANIZATION
    }

    fn inactive_label(&self) -> &'static str {
        "deleted"
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, _: &Route, to: &Captures) -> Reply {
        reactivate(state, call, &to.user_id)
    }

    fn failure(&self, _call: &Call<'_>, fault: Fault) -> Reply {
        failure(fault)
    }
}

const ROUTE: Route = Route {
    name: "reactivate",
    method: "POST",
    segments: &["organization", "users", "{id}", "activate"],
};

const DEFAULT_ORGANIZATION: &str = "5b0c8f2e-3d41-4a6b-9c7e-1f2a3b4c5d6e";

fn reactivate(state: &mut State, call: &Call<'_>, id: &str) -> Reply {
    let Auth::Token(token) = &call.auth else {
        return error(401, "Unauthorized");
    };
    if !token.permitted {
        return error(403, "Insufficient permissions to activate users");
    }
    let Some(user) = state.users.get(id) else {
        return error(404, "User not found");
    };
    if user.organization != token.organization {
        return error(403, "Users not in same organization");
    }
    if user.state == UserState::Active {
        return error(400, "User is not deleted");
    }
    state.activate(id);
    Reply::json(
        200,
        &types::ActivateUserResponse {
            success: Some(true),
            message: Some("User activated successfully".to_string()),
        },
    )
}

/// An injected failure: 500 as on the page; 429, 502 and 503 (undocumented) in
/// the shape of the other errors.
fn failure(fault: Fault) -> Reply {
    let message = match fault {
        Fault::RateLimited { .. } => "Too many requests",
        Fault::Internal => "Internal server error",
        Fault::BadGateway => "Bad gateway",
        Fault::Unavailable => "Service unavailable",
    };
    error(fault.status(), message)
}

fn error(status: u16, message: &str) -> Reply {
    Reply::json(
        status,
        &types::FlashbackError {
            success: Some(false),
            message: Some(message.to_string()),
        },
    )
}
