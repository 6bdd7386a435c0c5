//! Auth0 Management API v2: two kinds of block stop a user from signing in, and
//! a reactivation lifts both.
//!
//! 1. `GET /users/{id}`: `blocked: true` is an administrator's block.
//! 2. `GET /user-blocks/{id}`: `blocked_for` lists brute-force protection blocks.
//! 3. `PATCH /users/{id}` `{"blocked": false}` when the user is blocked (it does
//!    not lift brute-force blocks).
//! 4. `DELETE /user-blocks/{id}` when brute-force blocks are listed (it does not
//!    lift an administrator's block).
//!
//! A user with neither block is "not deactivated". Brute-force blocks are
//! lifted by default, not on an option: a caller who reactivates a user wants
//! them able to sign in, an administrator's unblock leaves them locked out while
//! a brute-force block stands, and both calls need the same `read:users` /
//! `update:users` scopes. The result says which blocks were lifted.
//!
//! Errors are `{statusCode, error, message, errorCode}`: the status decides;
//! `errorCode` is kept as the code and `message` as the message.

use crate::adapter::{
    base_path_ends_with, pasted_api_path, text_field, Adapter, Answers, AttemptFuture, Call,
    Descriptor, OwnError,
};
use crate::credentials::{origin, AssertionAudience, TokenEndpoint, TokenScope};
use crate::error::{kind_for_status, ApiError, Error};
use crate::generated::auth0 as gen;
use crate::outcome::{Details, Reactivated};
use crate::transport::{transport_hooks, Attempt, Outcome, Seen};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;
pub(crate) mod types;

use self::types::Auth0Unblock;

pub(crate) struct Auth0;

impl Answers for Auth0 {
    fn own_error(&self, status: u16, body: &serde_json::Value) -> Option<OwnError> {
        // `{statusCode, error, message, errorCode}`: a numeric `statusCode` and a
        // message always. A path the API does not serve is answered 404 in the
        // same shape without an `errorCode` ("Not Found"); Auth0's "no such user"
        // has one (`inexistent_user`) or speaks of the user.
        body.get("statusCode")?.as_u64()?;
        let code = text_field(body, "errorCode");
        let message = text_field(body, "message").or_else(|| text_field(body, "error"))?;
        if status == 404 && code.is_none() && !message.to_ascii_lowercase().contains("user") {
            return None;
        }
        Some(OwnError {
            code,
            message: Some(message),
        })
    }
}

impl Adapter for Auth0 {
    fn reads_users(&self) -> bool {
        true
    }

    /// The Management API's root, `https://{tenant}/api/v2`: a path after
    /// it cannot be right, nor, on an Auth0 tenant host, its absence. (A
    /// custom domain, a proxy or a mock may serve it under another path.)
    fn check_base_url(&self, url: &reqwest::Url) -> Result<(), String> {
        let what = "the Management API's root, e.g. `https://acme.us.auth0.com/api/v2`";
        pasted_api_path(url, &["/users", "/user-blocks", "/oauth"], what)?;
        match url.host_str() {
            Some(host) if host.ends_with(".auth0.com") => {
                base_path_ends_with(url, &["/api/v2"], what)
            }
            _ => Ok(()),
        }
    }

    /// Auth0's token endpoint on the tenant's host, for the Management API
    /// (Auth0 docs, "Get Management API Access Tokens for Production":
    /// `audience` = `https://{tenant}/api/v2/`, the secret in the form; a
    /// private key JWT's `aud` is the tenant's issuer, `https://{tenant}/`).
    fn token_endpoint(&self, scope: &TokenScope<'_>) -> Result<TokenEndpoint, String> {
        let issuer = origin(scope.base_url).ok_or("its base URL has no host")?;
        Ok(TokenEndpoint {
            audience: Some(format!("{}/", scope.base_url)),
            misconfigured: &[(
                "Service not found",
                ".base_url(..) (the Management API's audience)",
            )],
            assertion_audience: AssertionAudience::Issuer(format!("{issuer}/")),
            ..TokenEndpoint::at(format!("{issuer}/oauth/token"))
        })
    }

    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            default_base_url: None,
            base_url_example: "https://example.us.auth0.com/api/v2",
        }
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(async move {
            let client: gen::Client = call.client();
            // Every answer is recorded in the client's context.
            let at = call.attempt_on(&client);
            let id = call.user_id;

            call.phase.reading();
            let (user, _) = answer(&at, client.get_user(id).await)?;
            let blocked = user.blocked == Some(true);
            let (blocks, seen) = answer(&at, client.get_user_blocks(id).await)?;
            let brute_force = blocks.blocked_for.len();
            if !blocked && brute_force == 0 {
                return Err(not_blocked(&at, &seen));
            }

            let mut done = Auth0Unblock::default();
            if call.dry_run {
                done.admin_block_lifted = blocked;
                done.brute_force_blocks_lifted = brute_force;
                return Ok(Reactivated::new(call.provider, Details::Auth0(done)).planned());
            }
            if blocked {
                call.phase.writing();
                let (after, seen) = answer(
                    &at,
                    client
                        .update_user(id, &gen::types::UnblockUser { blocked: false })
                        .await,
                )?;
                if after.blocked == Some(true) {
                    let mut api = at.api_error(&seen);
                    api.message = "Auth0 answered the unblock with a success, but the user it \
                                   returned is still blocked"
                        .into();
                    return Err(Error::UnexpectedResponse(api));
                }
                done.admin_block_lifted = true;
            }
            if brute_force > 0 {
                call.phase.writing();
                if let Err(mut e) = answer(&at, client.delete_user_blocks(id).await) {
                    if blocked {
                        note(
                            &mut e,
                            "the administrator's block was lifted, the brute-force protection \
                             blocks were not",
                        );
                    }
                    return Err(e);
                }
                done.brute_force_blocks_lifted = brute_force;
            }
            Ok(Reactivated::new(call.provider, Details::Auth0(done)))
        })
    }
}

/// One call's answer, or the error it means.
fn answer<T>(
    at: &Attempt<'_>,
    result: Result<
        progenitor_client::ResponseValue<T>,
        progenitor_client::Error<gen::types::Auth0Error>,
    >,
) -> Result<(T, std::sync::Arc<Seen>), Error> {
    match at.outcome(result) {
        Outcome::Success(value, seen) => Ok((value, seen)),
        Outcome::ErrorBody(body, api) => Err(auth0_error(body, api)),
        Outcome::Failed(e) => Err(e),
    }
}

/// Auth0's error object onto an [`Error`]: by status, with its code and message.
fn auth0_error(body: gen::types::Auth0Error, mut api: ApiError) -> Error {
    let kind = kind_for_status(api.status);
    api.code = body.error_code.filter(|c| !c.trim().is_empty());
    if let Some(message) = body
        .message
        .filter(|m| !m.trim().is_empty())
        .or(body.error.filter(|m| !m.trim().is_empty()))
    {
        api.message = message;
    }
    Error::from_api(kind, api)
}

/// "Not deactivated", from the reads: neither kind of block.
fn not_blocked(at: &Attempt<'_>, seen: &Seen) -> Error {
    let mut api = at.api_error(seen);
    api.message = "the user is not blocked: no administrator's block (`blocked` is not true) \
                   and no brute-force protection block"
        .into();
    Error::NotDeactivated(api)
}

/// Adds a sentence to an error's message.
fn note(e: &mut Error, what: &str) {
    if let Some(api) = e.api_error_mut() {
        api.message = format!("{} ({what})", api.message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_404_is_auth0s_own_only_when_it_is_about_a_user() {
        let own = |status, body| Auth0.own_error(status, &body);
        let user = json!({"statusCode": 404, "error": "Not Found",
            "message": "The user does not exist.", "errorCode": "inexistent_user"});
        let found = own(404, user).expect("Auth0's own");
        assert_eq!(found.code.as_deref(), Some("inexistent_user"));
        assert_eq!(found.message.as_deref(), Some("The user does not exist."));
        // A path the API does not serve.
        let path = json!({"statusCode": 404, "error": "Not Found", "message": "Not Found"});
        assert!(own(404, path.clone()).is_none());
        // Other statuses: the shape is enough.
        assert!(own(500, path).is_some());
        assert!(own(401, json!({"message": "no statusCode"})).is_none());
    }
}
