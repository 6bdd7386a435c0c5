//! Microsoft Entra ID through Microsoft Graph v1.0 (`https://graph.microsoft.com/v1.0`).
//!
//! A reactivation reads the account first (`GET /users/{id}?$select=id,accountEnabled,userPrincipalName`;
//! the id is the object id or the user principal name): `accountEnabled: false` is
//! followed by `PATCH /users/{id}` with `{"accountEnabled": true}` (204);
//! `accountEnabled: true` is "not deactivated".
//!
//! Errors are `{"error": {"code", "message", "innerError": {"request-id", "date",
//! "client-request-id"}}}`: the status decides the kind (409 is an invalid argument:
//! the change was rejected), `error.code` is the code, `error.message` the message,
//! `innerError.request-id` (or the `request-id` header) the trace id; `Retry-After`
//! is honoured on 429 and 503, also in the fractional seconds Graph's throttling
//! guidance shows (`Retry-After: 2.128`).

use serde_json::Value;

use crate::adapter::{
    base_path_ends_with, pasted_api_path, text_field, Adapter, Answers, AttemptFuture, Call,
    Descriptor, OwnError,
};
use crate::credentials::{TokenEndpoint, TokenScope};
use crate::error::{kind_for_status, ApiError, Error, ErrorKind};
use crate::generated::entra_id as gen;
use crate::outcome::{Details, Reactivated};
use crate::transport::path_segment;
use crate::transport::{header_str, transport_hooks, Attempt, Outcome};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;
pub(crate) mod types;

use self::types::EntraUser;

/// The properties the read asks for.
const SELECT: &str = "id,accountEnabled,userPrincipalName";

pub(crate) struct EntraId;

impl Answers for EntraId {
    fn own_error(&self, _status: u16, body: &Value) -> Option<OwnError> {
        // `{"error": {"code", "message", ...}}`: `error.code` is always there.
        let error = body.get("error")?;
        Some(OwnError {
            code: Some(text_field(error, "code")?),
            message: text_field(error, "message"),
        })
    }
}

impl Adapter for EntraId {
    fn reads_users(&self) -> bool {
        true
    }

    /// Graph's versioned root: `https://graph.microsoft.com/v1.0` (or `/beta`;
    /// the national clouds' Graph hosts likewise). Another host (a proxy, a
    /// mock) may serve it under any path.
    fn check_base_url(&self, url: &reqwest::Url) -> Result<(), String> {
        let what = "Microsoft Graph's versioned root, `https://graph.microsoft.com/v1.0`";
        pasted_api_path(url, &["/users", "/me"], what)?;
        let graph = [
            "graph.microsoft.com",
            "graph.microsoft.us",
            "dod-graph.microsoft.us",
            "microsoftgraph.chinacloudapi.cn",
        ];
        match url.host_str() {
            Some(host) if graph.contains(&host) => {
                base_path_ends_with(url, &["/v1.0", "/beta"], what)
            }
            _ => Ok(()),
        }
    }

    /// The Microsoft identity platform's v2.0 token endpoint of the tenant,
    /// for Microsoft Graph (learn.microsoft.com, "OAuth 2.0 client
    /// credentials flow": scope `https://graph.microsoft.com/.default`, the
    /// secret in the form).
    fn token_endpoint(&self, scope: &TokenScope<'_>) -> Result<TokenEndpoint, String> {
        let tenant = scope.tenant.filter(|t| !t.is_empty()).ok_or(
            "its token endpoint is per directory: set .tenant(..) to the directory (tenant) id \
             or a verified domain",
        )?;
        Ok(TokenEndpoint {
            scopes: vec!["https://graph.microsoft.com/.default".into()],
            misconfigured: &[("AADSTS90002", ".tenant(..)")],
            ..TokenEndpoint::at(format!(
                "https://login.microsoftonline.com/{}/oauth2/v2.0/token",
                path_segment(tenant)
            ))
        })
    }

    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            default_base_url: Some("https://graph.microsoft.com/v1.0"),
            base_url_example: "https://graph.microsoft.com/v1.0",
        }
    }

    fn validate(&self, user_id: &str, _organization: Option<&str>) -> Result<(), String> {
        if user_id.starts_with('$') {
            return Err(format!(
                "Microsoft Graph cannot address the user principal name `{}` as a path segment \
                 (names that start with `$` are answered 400 Bad Request); use the user's \
                 object id instead",
                user_id
            ));
        }
        Ok(())
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(reactivate(call))
    }
}

async fn reactivate(call: &Call<'_>) -> Result<Reactivated, Error> {
    let id = call.user_id;
    let read: gen::Client = call.client();
    let at = call.attempt_on(&read);
    call.phase.reading();
    let (user, seen) = match at.outcome(read.get_user(id, Some(SELECT)).await) {
        Outcome::Success(user, seen) => (user, seen),
        Outcome::ErrorBody(body, api) => return Err(retry_hint(&at, graph_error(body, api))),
        Outcome::Failed(e) => return Err(retry_hint(&at, e)),
    };
    let done = EntraUser {
        id: user.id.clone().unwrap_or_else(|| id.to_string()),
        user_principal_name: user.user_principal_name.clone(),
    };
    match user.account_enabled {
        Some(false) => {}
        Some(true) => {
            let mut api = at.api_error(&seen);
            api.message = "the account is enabled (accountEnabled: true)".into();
            return Err(Error::NotDeactivated(api));
        }
        None => {
            let mut api = at.api_error(&seen);
            api.message = "the answer does not say whether the account is enabled \
                           (`accountEnabled` is missing although it was selected)"
                .into();
            return Err(Error::UnexpectedResponse(api));
        }
    }

    if call.dry_run {
        return Ok(Reactivated::new(call.provider, Details::EntraId(done)).planned());
    }
    let write: gen::Client = call.client();
    let at = call.attempt_on(&write);
    let body = gen::types::UserEnable {
        account_enabled: true,
    };
    call.phase.writing();
    match at.outcome(write.update_user(id, &body).await) {
        Outcome::Success((), _) => Ok(Reactivated::new(call.provider, Details::EntraId(done))),
        Outcome::ErrorBody(body, api) => Err(retry_hint(&at, graph_error(body, api))),
        Outcome::Failed(e) => Err(retry_hint(&at, e)),
    }
}

/// Graph's `Retry-After` in fractional seconds (`2.128`, the throttling
/// guidance's sample answer), which the generic reading of the header (whole
/// seconds or an HTTP date) leaves out.
fn retry_hint(at: &Attempt<'_>, mut e: Error) -> Error {
    let seen = at.ctx.seen();
    if let (Some(api), Some(seen)) = (e.api_error_mut(), seen) {
        if api.retry_after.is_none() {
            api.retry_after = header_str(&seen.headers, "retry-after")
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|secs| secs.is_finite() && *secs >= 0.0)
                .map(|secs| std::time::Duration::from_secs_f64(secs.min(86_400.0)));
        }
    }
    e
}

/// A documented error status: the status decides, `error` refines.
fn graph_error(body: gen::types::ODataError, mut api: ApiError) -> Error {
    let kind = match api.status {
        409 => ErrorKind::InvalidArgument,
        status => kind_for_status(status),
    };
    let error = body.error;
    if let Some(request_id) = error
        .inner_error
        .and_then(|inner| inner.request_id)
        .filter(|id| !id.trim().is_empty())
    {
        api.trace_id = Some(request_id);
    }
    if !error.code.trim().is_empty() {
        api.code = Some(error.code);
    }
    if !error.message.trim().is_empty() {
        api.message = error.message;
    }
    Error::from_api(kind, api)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn graphs_envelope_is_its_own() {
        let own = EntraId
            .own_error(
                404,
                &json!({"error": {"code": "Request_ResourceNotFound", "message": "gone"}}),
            )
            .expect("Graph's answer");
        assert_eq!(own.code.as_deref(), Some("Request_ResourceNotFound"));
        assert_eq!(own.message.as_deref(), Some("gone"));
        assert!(EntraId.own_error(404, &json!({"error": "x"})).is_none());
        assert!(EntraId.own_error(404, &json!({"message": "x"})).is_none());
    }
}
