//! Flashback simulator: `POST /organization/users/{userId}/activate` (undoes a soft
//! delete). Every answer is `{success, message}`; the organization is the token's.
//!
//! The page documents no 401 and no rate limiting: a missing or unknown token is
//! answered 401 `{success: false, message: "Unauthorized"}`, and injected 429 / 503
//! answers use the same shape. The message for a user of another organization
//! ("Users not in same organization") is ours; the page only names the case.

use super::state::{Auth, Call, Reply, Route, State};
use super::UserState;
use crate::generated::flashback::types;

pub(crate) const ROUTE: Route = Route {
    method: "POST",
    segments: &["organization", "users", "{id}", "activate"],
};

pub(crate) const DEFAULT_ORGANIZATION: &str = "5b0c8f2e-3d41-4a6b-9c7e-1f2a3b4c5d6e";

pub(crate) fn reactivate(state: &mut State, call: &Call<'_>, id: &str) -> Reply {
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

/// An injected 429 or 503 (both undocumented; the shape of the other errors).
pub(crate) fn failure(status: u16) -> Reply {
    if status == 429 {
        error(429, "Too many requests")
    } else {
        error(status, "Service unavailable")
    }
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
