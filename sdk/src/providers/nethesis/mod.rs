//! My Nethesis: `PATCH /users/{id}/reactivate` on the self-hosted backend
//! (`https://<host>/api`).
//!
//! Answers are `{code, message, data}`. The HTTP status decides (the page's 404
//! example carries `"code": 400`); a 400 is refined by its body: `validation_error`
//! becomes field errors, `external_api_error` an upstream failure, and `user not
//! found or not suspended` (the backend's answer for a user that is not suspended)
//! "not deactivated". The organization is the token's.

use crate::adapter::{
    pasted_api_path, text_field, Adapter, Answers, AttemptFuture, Call, Descriptor, OwnError,
};
use crate::error::{kind_for_status, Error, ErrorKind, FieldError};
use crate::generated::nethesis as gen;
use crate::outcome::{Details, Reactivated};
use crate::transport::{transport_hooks, Outcome};

use gen::types::{NethesisErrorDataInnerType as DataType, ReactivateUserErrorBody as Body};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;

pub(crate) struct Nethesis;

impl Answers for Nethesis {
    fn own_error(&self, status: u16, body: &serde_json::Value) -> Option<OwnError> {
        // `{code, message, data}`: a numeric `code` (an HTTP status, not a
        // machine code) and a message. The backend's router answers a path it
        // does not serve (a base URL without `/api`, say) in the same shape with
        // "api not found" (gin's NoRoute, NethServer/my backend/main.go): that
        // 404 is a wrong endpoint, not a missing user.
        let code = body.get("code")?.as_u64()?;
        let message = text_field(body, "message")?;
        if status == 404 && message.eq_ignore_ascii_case("api not found") {
            return None;
        }
        // The backend's `code` is an HTTP status (its own 404 page says 400):
        // a 404 whose `code` is no HTTP status (grpc-gateway's `{"code": 5,
        // "message": "Not Found"}`) is another server's route miss.
        if status == 404 && code < 100 {
            return None;
        }
        Some(OwnError {
            code: None,
            message: Some(message),
        })
    }
}

impl Adapter for Nethesis {
    /// The server URL ends with the backend's `/api`: `/users/...` follows it.
    fn check_base_url(&self, url: &reqwest::Url) -> Result<(), String> {
        pasted_api_path(
            url,
            &["/users"],
            "your server's API root, e.g. `https://my.example.com/api`",
        )
    }

    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            default_base_url: None,
            base_url_example: "https://my.example.com/api",
        }
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(async move {
            let client: gen::Client = call.client();
            let result = client.reactivate_user(call.user_id).await;
            let at = call.attempt_on(&client);
            match at.outcome(result) {
                Outcome::Success(body, _) => {
                    Ok(Reactivated::new(call.provider, Details::None).with_message(body.message))
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
                Outcome::Failed(e) => Err(partial_failure(e)),
            }
        })
    }
}

/// The backend's 500 "failed to reactivate user" (NethServer/my
/// `backend/methods/users.go` `ReactivateUser`): the local record may already be
/// active while Logto still has the user suspended, and a retry would be
/// answered "user not found or not suspended", which would read as done. It is
/// not retried, and says what to check.
fn partial_failure(e: Error) -> Error {
    let Error::Server(mut api) = e else {
        return e;
    };
    if api.status == 500
        && api
            .message
            .eq_ignore_ascii_case("failed to reactivate user")
    {
        api.no_retry = true;
        api.message = "failed to reactivate user (the backend may have marked the user active \
                       while its identity provider still blocks the login: check the user before \
                       retrying; a retry would be answered \"not suspended\")"
            .to_string();
    }
    Error::Server(api)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    /// NethServer/my backend/main.go: gin's NoRoute answers "api not found" in
    /// the backend's shape; backend/methods/users.go answers "user not found".
    #[test]
    fn the_routers_404_is_not_the_providers_user_not_found() {
        let body = |m: &str| serde_json::json!({"code": 404, "message": m, "data": null});
        assert!(Nethesis.own_error(404, &body("api not found")).is_none());
        assert!(Nethesis.own_error(404, &body("user not found")).is_some());
        assert!(Nethesis.own_error(400, &body("api not found")).is_some());
    }

    /// backend/methods/users.go `ReactivateUser`: a failure upstream (Logto)
    /// after the local update is a 500 that must not be retried.
    #[test]
    fn the_partial_failure_is_not_retried() {
        let mut api = ApiError::new(
            crate::provider::Provider::Nethesis,
            500,
            "failed to reactivate user",
        );
        api.user_id = "jf584cz36kce".into();
        let e = partial_failure(Error::Server(api.clone()));
        assert_eq!(e.kind(), ErrorKind::Server);
        assert!(!e.is_retryable());
        assert!(
            e.to_string().contains("check the user before retrying"),
            "{e}"
        );
        api.message = "internal server error".into();
        assert!(partial_failure(Error::Server(api)).is_retryable());
    }
}
