//! [`Config`]: what a built [`Client`](crate::Client) holds and every call of
//! it reads. Below the client, users and bulk floors, so that they share it
//! without importing each other.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::adapter::Adapter;
use crate::credentials::Renewing;
use crate::pacing::Budget;
use crate::provider::Provider;
use crate::providers::scim::types::ScimPatchForm;
use crate::retry::RetryPolicy;
use crate::signing::SigV4;
use crate::transport::BaseUrl;

/// What a built client holds, shared by its clones and by everything that
/// runs its calls ([`Users`](crate::Users), bulk runs).
pub(crate) struct Config {
    pub provider: Provider,
    /// The provider's adapter, found once when the client was built (this
    /// build of userbridge includes the provider).
    pub adapter: &'static dyn Adapter,
    /// The base URL, kept parsed too (request URLs are built on it).
    pub base: Arc<BaseUrl>,
    pub http: reqwest::Client,
    pub organization: Option<String>,
    pub timeout: Duration,
    pub deadline: Duration,
    pub retry: RetryPolicy,
    pub max_body: usize,
    pub scim_patch_form: ScimPatchForm,
    /// [`ClientBuilder::tenant`](crate::ClientBuilder::tenant), trimmed.
    pub tenant: Option<String>,
    /// Kept only to scrub it from anything a provider echoes back; never printed.
    pub token: String,
    /// How the token is sent: a bearer token, or the provider's API token.
    pub credential: CredentialKind,
    /// Credentials that renew themselves (then `token` is empty and the HTTP
    /// client has no default `Authorization`).
    pub renewing: Option<Renewing>,
    /// AWS credentials that sign every request (providers that take no
    /// token; then `token` is empty).
    pub signer: Option<Arc<SigV4>>,
    /// The provider's request budget as its answers report it: the tenant's,
    /// so shared by the clones and by every bulk run on them.
    pub budget: Arc<Budget>,
}

/// The two ways a token is sent (see [`ClientBuilder::bearer_token`](crate::ClientBuilder::bearer_token)
/// and [`ClientBuilder::api_token`](crate::ClientBuilder::api_token)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CredentialKind {
    Bearer,
    ApiToken,
}

impl CredentialKind {
    /// The `Debug` field name of a token of this kind.
    pub(crate) fn field(self) -> &'static str {
        match self {
            CredentialKind::Bearer => "bearer_token",
            CredentialKind::ApiToken => "api_token",
        }
    }
}

/// Shown as the client it configures: `Client { provider, base_url, .. }`,
/// never the token.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Client");
        d.field("provider", &self.provider)
            .field("base_url", &self.base.as_str())
            .field("organization", &self.organization);
        match (&self.renewing, &self.signer) {
            (Some(renewing), _) => d.field("credentials", renewing),
            (None, Some(signer)) => d.field("aws_credentials", signer),
            (None, None) => d.field(self.credential.field(), &"<redacted>"),
        };
        d.field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("max_body_bytes", &self.max_body)
            .field("scim_patch_form", &self.scim_patch_form)
            .finish()
    }
}
