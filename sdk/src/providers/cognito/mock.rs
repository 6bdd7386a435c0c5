//! Amazon Cognito simulator: `POST /` in the AWS JSON 1.1 protocol,
//! `X-Amz-Target: AWSCognitoIdentityProviderService.AdminGetUser` and
//! `.AdminEnableUser`, the user pool and user name in the body.
//!
//! User pools are the organizations (the default one is
//! `us-east-1_Simulator1`); a user is enabled (active) or disabled
//! (deactivated), with `UserStatus` `CONFIRMED`, or another word of
//! [`Simulator::statuses`](crate::mock::Simulator::statuses) given with
//! `add_user_with_status` (`FORCE_CHANGE_PASSWORD` and `RESET_REQUIRED` users
//! are enabled; their `DISABLED_...` forms are those users disabled).
//!
//! Requests must be signed (an `Authorization: AWS4-HMAC-SHA256
//! Credential=<access key id>/<date>/<region>/cognito-idp/aws4_request, ...`):
//! the access key id is what the simulator's tokens are (its default is
//! [`Simulator::token`](crate::mock::Simulator::token)); the signature itself
//! is not verified (the suites prove it against moto). Checks run in the
//! service's order, each answered as the API Reference names it (HTTP 400 and
//! `{"__type", "message"}`, `x-amzn-RequestId`): no signature
//! (`MissingAuthenticationTokenException`), an unknown key
//! (`UnrecognizedClientException`), an unknown operation
//! (`UnknownOperationException`), a body without `UserPoolId` or `Username`
//! (`InvalidParameterException`), an unknown pool
//! (`ResourceNotFoundException`), a pool of another account or a key without
//! the permission to enable users (`AccessDeniedException`), an unknown user
//! (`UserNotFoundException`). Injected failures: 429
//! `TooManyRequestsException`, 500 `InternalErrorException`, 502 and 503
//! `ServiceUnavailable`.

use serde_json::{json, Value};

use crate::mock::model::UserState;
use crate::mock::state::{Auth, Call, Captures, Fault, Reply, Route, Simulate, State};

use super::MEDIA_TYPE;

/// The Amazon Cognito simulator.
pub(crate) struct Sim;

/// The user pool of the default access key.
const DEFAULT_POOL: &str = "us-east-1_Simulator1";

const ROUTE: Route = Route {
    name: "aws-json",
    method: "POST",
    segments: &[""],
};

/// The `X-Amz-Target` prefix of the service.
const SERVICE: &str = "AWSCognitoIdentityProviderService.";

/// Cognito's user statuses, each enabled or disabled (the first of each
/// generic state is what `add_user` gives).
const STATUSES: &[(&str, UserState)] = &[
    ("CONFIRMED", UserState::Active),
    ("DISABLED", UserState::Deactivated),
    ("FORCE_CHANGE_PASSWORD", UserState::Active),
    ("RESET_REQUIRED", UserState::Active),
    ("UNCONFIRMED", UserState::Active),
    ("DISABLED_FORCE_CHANGE_PASSWORD", UserState::Deactivated),
    ("DISABLED_RESET_REQUIRED", UserState::Deactivated),
    ("DISABLED_UNCONFIRMED", UserState::Deactivated),
];

impl Simulate for Sim {
    fn routes(&self) -> &'static [Route] {
        &[ROUTE]
    }

    fn default_organization(&self) -> &'static str {
        DEFAULT_POOL
    }

    fn inactive_label(&self) -> &'static str {
        "disabled"
    }

    fn statuses(&self) -> &'static [(&'static str, UserState)] {
        STATUSES
    }

    fn named_user(&self, _route: &Route, body: &[u8]) -> Option<String> {
        self.body_captures(body).map(|c| c.user_id)
    }

    fn body_captures(&self, body: &[u8]) -> Option<Captures> {
        let body: Value = serde_json::from_slice(body).ok()?;
        Some(Captures {
            organization: body["UserPoolId"].as_str().map(str::to_string),
            user_id: body["Username"].as_str()?.to_string(),
        })
    }

    fn answer(&self, state: &mut State, call: &Call<'_>, _: &Route, _: &Captures) -> Reply {
        answer(state, call).header("x-amzn-RequestId", call.request_id.clone())
    }

    fn failure(&self, call: &Call<'_>, fault: Fault) -> Reply {
        let (name, message) = match fault {
            Fault::RateLimited { .. } => ("TooManyRequestsException", "Too many requests"),
            Fault::Internal => ("InternalErrorException", "Internal error"),
            Fault::BadGateway | Fault::Unavailable => ("ServiceUnavailable", "Service unavailable"),
        };
        error(fault.status(), name, message).header("x-amzn-RequestId", call.request_id.clone())
    }
}

fn answer(state: &mut State, call: &Call<'_>) -> Reply {
    let token = match &call.auth {
        Auth::Token(token) => token.clone(),
        Auth::Unknown => {
            return error(
                400,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
        }
        Auth::Missing | Auth::Malformed => {
            return error(
                400,
                "MissingAuthenticationTokenException",
                "Missing Authentication Token",
            )
        }
    };
    let target = call.header("x-amz-target").unwrap_or_default();
    let operation = target.strip_prefix(SERVICE).unwrap_or_default();
    if !matches!(operation, "AdminGetUser" | "AdminEnableUser") {
        return error(400, "UnknownOperationException", "");
    }
    let body: Value = serde_json::from_slice(call.body).unwrap_or(Value::Null);
    let (Some(pool), Some(name)) = (body["UserPoolId"].as_str(), body["Username"].as_str()) else {
        return error(
            400,
            "InvalidParameterException",
            "1 validation error detected: UserPoolId and Username are required",
        );
    };
    let known_pool = pool == DEFAULT_POOL
        || state.users.values().any(|u| u.organization == pool)
        || state.tokens.values().any(|t| t.organization == pool);
    if !known_pool {
        return error(
            400,
            "ResourceNotFoundException",
            &format!("User pool {pool} does not exist."),
        );
    }
    let action = format!("cognito-idp:{operation}");
    if token.organization != pool || (operation == "AdminEnableUser" && !token.permitted) {
        return error(
            400,
            "AccessDeniedException",
            &format!(
                "User: arn:aws:iam::123456789012:user/simulator is not authorized to perform: \
                 {action} on resource: arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool}"
            ),
        );
    }
    let Some(user) = state.users.get(name).filter(|u| u.organization == pool) else {
        return error(400, "UserNotFoundException", "User does not exist.");
    };
    let created = seconds(user.created);
    let status = user
        .status
        .unwrap_or("CONFIRMED")
        .trim_start_matches("DISABLED_");
    let status = if status == "DISABLED" {
        "CONFIRMED"
    } else {
        status
    };
    if operation == "AdminGetUser" {
        let modified = user.deactivated_at.map_or(created, seconds);
        return ok(json!({
            "Username": name,
            "Enabled": user.state == UserState::Active,
            "UserStatus": status,
            "UserCreateDate": created,
            "UserLastModifiedDate": modified,
            "UserAttributes": [
                {"Name": "sub", "Value": format!("5e1f0000-0000-4000-8000-{:012}", user.sequence)}
            ],
        }));
    }
    // AdminEnableUser: the user status stays what it was.
    let kept = STATUSES
        .iter()
        .find(|(word, generic)| *word == status && *generic == UserState::Active)
        .map(|(word, _)| *word);
    state.activate(name);
    if let (Some(word), Some(user)) = (kept, state.users.get_mut(name)) {
        user.status = Some(word);
    }
    ok(json!({}))
}

/// Seconds since the Unix epoch, as AWS JSON 1.1 writes timestamps.
fn seconds(t: std::time::SystemTime) -> f64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as f64 / 1000.0)
        .unwrap_or(0.0)
}

fn ok(body: Value) -> Reply {
    let mut reply = Reply::json(200, &body);
    reply.content_type = Some(MEDIA_TYPE);
    reply
}

fn error(status: u16, name: &str, message: &str) -> Reply {
    let mut reply = Reply::json(status, &json!({"__type": name, "message": message}));
    reply.content_type = Some(MEDIA_TYPE);
    reply
}
