//! Flashback: `POST /organization/users/{userId}/activate` (undoes a soft delete).
//!
//! Every answer is `{success, message}`; a 400 `User is not deleted` means the
//! user is already active. The organization is the token's. The backend's
//! common response format also carries errors as `{success: false, error}`
//! (its device routes answer so): that is its own answer too, the `error`
//! text its message.

use crate::adapter::{
    pasted_api_path, text_field, Adapter, Answers, AttemptFuture, Call, Descriptor, OwnError,
};
use crate::error::{kind_for_status, Error, ErrorKind};
use crate::generated::flashback as gen;
use crate::outcome::{Details, Reactivated};
use crate::transport::{transport_hooks, Outcome};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;

pub(crate) struct Flashback;

impl Answers for Flashback {
    fn own_error(&self, status: u16, body: &serde_json::Value) -> Option<OwnError> {
        // `{success: false, message}`: a message, and never `success: true`;
        // or `{success: false, error}`, where `success: false` is required (a
        // bare `{"error": ...}` is any server's).
        let success = body.get("success").and_then(serde_json::Value::as_bool);
        if success == Some(true) {
            return None;
        }
        // A 404 is Flashback's answer about the user only with `success:
        // false`, as every error of its spec has it: a bare `{message}` 404
        // is another server's route miss (grpc-gateway's `{"code": 5,
        // "message": "Not Found"}`), a wrong base URL.
        if status == 404 && success != Some(false) {
            return None;
        }
        let message = text_field(body, "message")
            .or_else(|| text_field(body, "error").filter(|_| success == Some(false)))?;
        Some(OwnError {
            code: None,
            message: Some(message),
        })
    }
}

impl Adapter for Flashback {
    /// The server URL is the host: `/organization/...` is the operation's path.
    fn check_base_url(&self, url: &reqwest::Url) -> Result<(), String> {
        pasted_api_path(
            url,
            &["/organization"],
            "the API host, `https://backend.flashback.tech`",
        )
    }

    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            default_base_url: Some("https://backend.flashback.tech"),
            base_url_example: "https://backend.flashback.tech",
        }
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(async move {
            let client: gen::Client = call.client();
            let result = client.activate_organization_user(call.user_id).await;
            let at = call.attempt_on(&client);
            match at.outcome(result) {
                Outcome::Success(body, seen) => {
                    if body.success == Some(false) {
                        let mut api = at.api_error(&seen);
                        api.message = format!(
                            "HTTP {} with `success: false`: {}",
                            seen.status,
                            body.message.unwrap_or_default()
                        );
                        return Err(Error::UnexpectedResponse(api));
                    }
                    Ok(Reactivated::new(call.provider, Details::None).with_message(body.message))
                }
                Outcome::ErrorBody(body, mut api) => {
                    // The generated type has no `error`: the other shape's
                    // message is read from the raw answer.
                    let message = body
                        .message
                        .or_else(|| {
                            let seen = at.ctx.seen()?;
                            let raw = serde_json::from_slice(&seen.body).ok()?;
                            self.own_error(seen.status, &raw)?.message
                        })
                        .unwrap_or_default();
                    let kind = if api.status == 400
                        && message.to_ascii_lowercase().contains("not deleted")
                    {
                        ErrorKind::NotDeactivated
                    } else {
                        kind_for_status(api.status)
                    };
                    if !message.is_empty() {
                        api.message = message;
                    }
                    Err(Error::from_api(kind, api))
                }
                Outcome::Failed(e) => Err(e),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// docs.flashback.tech (DELETE /devices/{id}): the backend's `{success:
    /// false, error}` is its own answer; a bare `{"error": ...}` is not.
    #[test]
    fn the_error_field_is_the_message_of_a_failure() {
        let own = Flashback
            .own_error(404, &json!({"success": false, "error": "Device not found"}))
            .expect("the backend's other shape");
        assert_eq!(own.message.as_deref(), Some("Device not found"));
        assert!(Flashback
            .own_error(404, &json!({"error": "Not Found"}))
            .is_none());
        assert!(Flashback
            .own_error(404, &json!({"success": true, "message": "x"}))
            .is_none());
        let both = json!({"success": false, "message": "User not found", "error": "x"});
        assert_eq!(
            Flashback
                .own_error(404, &both)
                .and_then(|o| o.message)
                .as_deref(),
            Some("User not found")
        );
    }
}
