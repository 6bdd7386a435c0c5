//! Aitronos Users v2: `POST /v1/organizations/{organization_id}/users/{user_id}/reactivate`.
//!
//! Success is the updated user object; errors share one envelope
//! (`{success, error: {code, message, status, trace_id, ...}}`) whose `error.code`
//! refines the status (`USER_NOT_DEACTIVATED` on 422).

use crate::adapter::{text_field, Adapter, Answers, AttemptFuture, Call, Descriptor, OwnError};
use crate::error::{kind_for_status, Error, ErrorKind};
use crate::generated::aitronos as gen;
use crate::outcome::{Details, Reactivated};
use crate::transport::{transport_hooks, Outcome};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;
pub(crate) mod types;

use self::types::AitronosUser;

impl From<gen::types::User> for AitronosUser {
    fn from(u: gen::types::User) -> Self {
        AitronosUser {
            id: u.id,
            full_name: u.full_name,
            email: u.email,
            user_name: u.user_name,
            account_state: u.account_state,
            role_ids: u.role_ids,
            department_ids: u.department_ids,
            organization_id: u.organization_id,
            invitation_link: u.invitation_link,
            invited_at: u.invited_at,
            deactivated_at: u.deactivated_at,
        }
    }
}

pub(crate) struct Aitronos;

fn check_prefix(what: &str, id: &str, prefix: &str) -> Result<(), String> {
    let rest = id.strip_prefix(prefix).unwrap_or_default();
    if rest.is_empty()
        || !rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "Aitronos {what} ids have the form `{prefix}<letters, digits, _ or ->`; got `{id}`"
        ));
    }
    Ok(())
}

impl Answers for Aitronos {
    fn own_error(&self, _status: u16, body: &serde_json::Value) -> Option<OwnError> {
        // `{success: false, error: {code, message, ...}}`: `error.code` is always there.
        let error = body.get("error")?;
        Some(OwnError {
            code: Some(text_field(error, "code")?),
            message: text_field(error, "message"),
        })
    }
}

impl Adapter for Aitronos {
    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            default_base_url: Some("https://api.aitronos.com"),
            base_url_example: "https://api.aitronos.com",
        }
    }

    fn validate_client(&self, organization: Option<&str>) -> Result<(), String> {
        let org = organization.ok_or(
            "Aitronos needs an organization: set .organization(..) on the client (a request \
             can override it with ReactivateRequest::organization)",
        )?;
        check_prefix("organization", org, "org_")
    }

    fn validate(&self, user_id: &str, organization: Option<&str>) -> Result<(), String> {
        let org = organization.ok_or(
            "Aitronos needs an organization: set .organization(..) on the client or the request",
        )?;
        check_prefix("organization", org, "org_")?;
        check_prefix("user", user_id, "usr_")
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(async move {
            let org = call.organization.unwrap_or_default();
            let client: gen::Client = call.client();
            let result = client.reactivate_user(org, call.user_id).await;
            let at = call.attempt(progenitor_client::ClientInfo::inner(&client));
            match at.outcome(result) {
                Outcome::Success(user, _) => Ok(Reactivated::new(
                    call.provider,
                    Details::Aitronos(Box::new(user.into())),
                )),
                Outcome::ErrorBody(envelope, mut api) => {
                    let body = envelope.error;
                    // The status decides; the code refines a client error only.
                    let kind = match (api.status, body.code.as_str()) {
                        (400 | 409 | 422, "USER_NOT_DEACTIVATED") => ErrorKind::NotDeactivated,
                        (status, _) => kind_for_status(status),
                    };
                    api.trace_id = body.trace_id.or(api.trace_id);
                    api.code = Some(body.code);
                    api.message = body.message;
                    Err(Error::from_api(kind, api))
                }
                Outcome::Failed(e) => Err(e),
            }
        })
    }
}
