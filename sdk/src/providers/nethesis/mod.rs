//! My Nethesis: `PATCH /users/{id}/reactivate` on the self-hosted backend
//! (`https://<host>/api`).
//!
//! Answers are `{code, message, data}`. The HTTP status decides (the page's 404
//! example carries `"code": 400`); a 400 is refined by its body: `validation_error`
//! becomes field errors, `external_api_error` an upstream failure, and `user not
//! found or not suspended` (the backend's answer for a user that is not suspended)
//! "not deactivated". The organization is the token's.

use super::{text_field, Adapter, AttemptFuture, Call, Descriptor, Details, OwnError};
use crate::error::{kind_for_status, Error, ErrorKind, FieldError};
use crate::generated::nethesis as gen;
use crate::transport::{transport_hooks, Outcome};
use crate::users::Reactivated;

use gen::types::{NethesisErrorDataInnerType as DataType, ReactivateUserErrorBody as Body};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
mod mock;

pub(crate) struct Nethesis;

impl Adapter for Nethesis {
    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            name: "nethesis",
            display: "My Nethesis",
            default_base_url: None,
            base_url_example: "https://my.example.com/api",
        }
    }

    #[cfg(feature = "mock")]
    fn simulator(&self) -> &'static dyn crate::mock::Simulate {
        &mock::Sim
    }

    fn own_error(&self, _status: u16, body: &serde_json::Value) -> Option<OwnError> {
        // `{code, message, data}`: a numeric `code` (an HTTP status, not a
        // machine code) and a message.
        body.get("code")?.as_u64()?;
        Some(OwnError {
            code: None,
            message: Some(text_field(body, "message")?),
        })
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(async move {
            let client =
                gen::Client::new_with_client(call.base_url, call.http.clone(), call.context());
            let result = client.reactivate_user(call.user_id).await;
            let at = crate::transport::Attempt {
                provider: call.provider,
                user_id: call.user_id,
                ctx: progenitor_client::ClientInfo::inner(&client),
            };
            match at.outcome(result) {
                Outcome::Success(body, _) => {
                    Ok(Reactivated::new(call.provider, call.user_id, Details::None)
                        .with_message(body.message))
                }
                Outcome::ErrorBody(body, mut api) => {
                    let status_kind = kind_for_status(api.status);
                    let (message, data) = match body {
                        Body::ErrorResponse(e) => (e.message, e.data.and_then(|d| d.0)),
                        Body::SimpleError(e) => (e.message, None),
                    };
                    let message = message.unwrap_or_default();
                    let mut kind = status_kind;
                    if api.status == 400 {
                        if message.to_ascii_lowercase().contains("not suspended") {
                            kind = ErrorKind::NotDeactivated;
                        }
                        match data.as_ref().and_then(|d| d.type_) {
                            Some(DataType::ExternalApiError) => kind = ErrorKind::Server,
                            Some(DataType::ValidationError) => kind = ErrorKind::InvalidArgument,
                            None => {}
                        }
                    }
                    if let Some(data) = data {
                        api.field_errors = data
                            .errors
                            .into_iter()
                            .map(|fe| {
                                FieldError::new(
                                    fe.key.unwrap_or_default(),
                                    fe.message.unwrap_or_default(),
                                    fe.value,
                                )
                            })
                            .collect();
                    }
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
