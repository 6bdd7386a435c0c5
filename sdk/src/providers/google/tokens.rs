//! Google's OAuth 2.0 token endpoint as the Google simulators serve it
//! (`POST /token` on the simulator's origin; point a service account key's
//! `token_uri` there): the JWT bearer grant of a service account (RFC 7523
//! §2.1, as Google's "Using OAuth 2.0 for Server to Server Applications"
//! describes it), no client secrets. The core verifies the assertion (the
//! client is its `iss`, registered with `Simulator::add_jwt_client(client_email,
//! public_key_pem, Some(private_key_id))`; RS256; `aud` = the token URL; at
//! most an hour's lifetime); this service checks the scopes and answers as
//! Google does: `{access_token, expires_in: 3599, token_type: "Bearer"}`, and
//! errors `{error, error_description}` (`invalid_grant` for a bad assertion,
//! `invalid_scope`, `unauthorized_client` for a `sub` without delegation).

use std::time::Duration;

use serde_json::Value;

use crate::mock::state::{
    oauth_error, AssertionFault, AuthenticatedClient, Call, Endpoint, Grant, Issued, Refusal,
    Reply, TokenForm, TokenService,
};

/// A Google token endpoint: the scopes a token must carry for the API, and
/// whether the API needs domain-wide delegation (`sub`) to act.
pub(crate) struct GoogleTokens {
    /// One of these scopes must be asked for.
    pub scopes: &'static [&'static str],
    /// Whether a token without `sub` may change users (Workspace: only a
    /// delegated administrator may; Firebase: the service account's role).
    pub needs_subject: bool,
}

impl TokenService for GoogleTokens {
    fn path(&self) -> &'static [&'static str] {
        &["token"]
    }

    fn default_client_id(&self) -> &'static str {
        "userbridge-sim@demo-userbridge.iam.gserviceaccount.com"
    }

    fn default_lifetime(&self) -> Duration {
        Duration::from_secs(3599)
    }

    fn takes_secrets(&self) -> bool {
        false
    }

    fn takes_jwt_bearer_grant(&self) -> bool {
        true
    }

    fn max_assertion_lifetime(&self) -> Option<Duration> {
        Some(Duration::from_secs(3600))
    }

    fn audiences(&self, at: &Endpoint) -> Vec<String> {
        vec![at.url.clone()]
    }

    fn grant(
        &self,
        _call: &Call<'_>,
        _at: &Endpoint,
        form: &TokenForm,
        client: &AuthenticatedClient,
    ) -> Result<Grant, Reply> {
        let asked = form.scopes();
        if asked.is_empty() {
            return Err(oauth_error(
                400,
                "invalid_scope",
                "Invalid OAuth scope or ID token audience provided.",
            ));
        }
        if !asked.iter().any(|s| self.scopes.contains(s)) {
            return Err(oauth_error(
                400,
                "invalid_scope",
                &format!(
                    "No scope the API takes was asked for (asked: {}).",
                    asked.join(" ")
                ),
            ));
        }
        let subject = form.get("sub");
        Ok(Grant {
            organization: client.organization.clone(),
            permitted: subject.is_some() || !self.needs_subject,
            for_api: true,
            scope: Some(asked.join(" ")),
        })
    }

    fn issued(&self, token: &Issued<'_>) -> Value {
        serde_json::json!({
            "access_token": token.access_token,
            "expires_in": token.expires_in,
            "token_type": "Bearer",
        })
    }

    fn refused(&self, _call: &Call<'_>, _at: &Endpoint, refusal: &Refusal) -> Reply {
        match refusal {
            Refusal::Missing(name) => oauth_error(
                400,
                "invalid_request",
                &format!("Missing required parameter: {name}"),
            ),
            Refusal::UnsupportedGrant(grant) => oauth_error(
                400,
                "unsupported_grant_type",
                &format!("Invalid grant_type: {grant}"),
            ),
            Refusal::BadBasic
            | Refusal::NoSecret(_)
            | Refusal::WrongSecret(_)
            | Refusal::SecretNotAllowed(_) => oauth_error(
                400,
                "unsupported_grant_type",
                "Invalid grant_type: a service account uses the JWT bearer grant",
            ),
            Refusal::UnknownClient(_) => {
                oauth_error(400, "invalid_grant", "Invalid grant: account not found")
            }
            Refusal::Assertion { fault, .. } => {
                let description = match fault {
                    AssertionFault::Signature | AssertionFault::KeyId => {
                        "Invalid JWT Signature.".to_string()
                    }
                    AssertionFault::Expired
                    | AssertionFault::TooLong
                    | AssertionFault::NoExpiry => {
                        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a \
                         reasonable timeframe. Check your iat and exp values in the JWT claim."
                            .to_string()
                    }
                    AssertionFault::Audience { got, .. } => {
                        format!("Invalid JWT audience: {got}")
                    }
                    _ => "Invalid JWT.".to_string(),
                };
                oauth_error(400, "invalid_grant", &description)
            }
        }
    }
}
