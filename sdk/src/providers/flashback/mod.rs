//! Flashback: `POST /organization/users/{userId}/activate` (undoes a soft delete).
//!
//! Every answer is `{success, message}`; a 400 `User is not deleted` means the
//! user is already active. The organization is the token's.

use crate::adapter::{text_field, Adapter, Answers, AttemptFuture, Call, Descriptor, OwnError};
use crate::error::{kind_for_status, Error, ErrorKind};
use crate::generated::flashback as gen;
use crate::outcome::{Details, Reactivated};
use crate::transport::{transport_hooks, Outcome};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;

pub(crate) struct Flashback;

impl Answers for Flashback {
    fn own_error(&self, _status: u16, body: &serde_json::Value) -> Option<OwnError> {
        // `{success: false, message}`: a message, and never `success: true`.
        if body.get("success").and_then(serde_json::Value::as_bool) == Some(true) {
            return None;
        }
        Some(OwnError {
            code: None,
            message: Some(text_field(body, "message")?),
        })
    }
}

impl Adapter for Flashback {
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
            let at = call.attempt(progenitor_client::ClientInfo::inner(&client));
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
                    let message = body.message.unwrap_or_default();
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
