//! [`Client`], its [`ClientBuilder`], and the [`RetryPolicy`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, USER_AGENT};

use crate::adapter::Adapter;
use crate::config::{Config, CredentialKind};
use crate::credentials::{
    rsa_key, service_account_key, AccessToken, AssertionAudience, BoxError, ClientAuth, Exchange,
    Renewing, Secret, Source, TokenEndpoint, TokenFn, TokenFuture, TokenScope, GOOGLE_TOKEN_URL,
};
use crate::error::Error;
use crate::provider::Provider;
use crate::providers::ScimPatchForm;
use crate::retry::RetryPolicy;
use crate::signing::SigV4;
use crate::transport::BaseUrl;
use crate::users::{check_id, Users};

/// Default per-attempt timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// Default overall deadline for one call, retries and waits included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
/// Default maximum response body the SDK reads (1 MiB).
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// A client for one provider. Cheap to clone: clones share one connection pool.
///
/// ```no_run
/// use userbridge::{Client, Provider};
///
/// # async fn run() -> Result<(), userbridge::Error> {
/// let client = Client::builder(Provider::ZitadelV2)
///     .base_url("https://example.zitadel.cloud")
///     .bearer_token(std::env::var("ZITADEL_TOKEN").unwrap_or_default())
///     .build()?;
/// let done = client.users().reactivate("69629023906488334").await?;
/// println!("reactivated {} on {}", done.user_id(), done.provider());
/// # Ok(())
/// # }
/// ```
///
/// Runnable, against the embedded simulator (feature `mock`):
///
#[cfg_attr(feature = "mock", doc = "```")]
#[cfg_attr(not(feature = "mock"), doc = "```ignore")]
/// use userbridge::mock::{Simulator, UserState};
/// use userbridge::{Client, Provider};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sim = Simulator::start(Provider::Flashback).await;
/// let id = "550e8400-e29b-41d4-a716-446655440000";
/// sim.add_user(id, sim.organization(), UserState::Deactivated);
///
/// let client = Client::builder(Provider::Flashback)
///     .base_url(sim.base_url())
///     .bearer_token(sim.token())
///     .build()?;
/// assert_eq!(client.provider(), Provider::Flashback);
/// let done = client.users().reactivate(id).await?;
/// assert_eq!(done.message(), Some("User activated successfully"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Config>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.inner, f)
    }
}

impl Client {
    /// Starts configuring a client for `provider`.
    pub fn builder(provider: Provider) -> ClientBuilder {
        ClientBuilder {
            provider,
            base_url: None,
            token: None,
            credential: CredentialKind::Bearer,
            renewal: None,
            token_url: None,
            scopes: None,
            tenant: None,
            subject: None,
            private_http: false,
            organization: None,
            timeout: DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            retry: RetryPolicy::default(),
            max_body: DEFAULT_MAX_BODY,
            scim_patch_form: ScimPatchForm::default(),
            region: None,
            aws_keys: None,
            aws_session_token: None,
        }
    }

    /// The provider this client talks to.
    pub fn provider(&self) -> Provider {
        self.inner.provider
    }

    /// The base URL requests go to (the spec's server URL).
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str()
    }

    /// User operations. Cheap: shares this client's pool.
    pub fn users(&self) -> Users {
        Users {
            config: self.inner.clone(),
        }
    }
}

/// Configures a [`Client`]; [`ClientBuilder::build`] checks everything before any
/// request is made.
#[must_use = "a builder does nothing until .build() is called"]
#[derive(Clone)]
pub struct ClientBuilder {
    provider: Provider,
    base_url: Option<String>,
    token: Option<String>,
    credential: CredentialKind,
    /// Credentials that renew themselves, when set (they replace `token`).
    renewal: Option<Renewal>,
    token_url: Option<String>,
    scopes: Option<Vec<String>>,
    tenant: Option<String>,
    /// The user a Google service account acts as (domain-wide delegation).
    subject: Option<String>,
    private_http: bool,
    organization: Option<String>,
    timeout: Duration,
    deadline: Duration,
    retry: RetryPolicy,
    max_body: usize,
    scim_patch_form: ScimPatchForm,
    /// The AWS region ([`ClientBuilder::region`]).
    region: Option<String>,
    /// The AWS access key id and secret access key.
    aws_keys: Option<(String, Secret)>,
    aws_session_token: Option<Secret>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field(
                self.credential.field(),
                &self.token.as_ref().map(|_| "<redacted>"),
            )
            .field("renewal", &self.renewal)
            .field("token_url", &self.token_url)
            .field("scopes", &self.scopes)
            .field("tenant", &self.tenant)
            .field("subject", &self.subject)
            .field("private_http", &self.private_http)
            .field("organization", &self.organization)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("max_body_bytes", &self.max_body)
            .field("scim_patch_form", &self.scim_patch_form)
            .field("region", &self.region)
            .field(
                "aws_credentials",
                &self.aws_keys.as_ref().map(|(id, secret)| (id, secret)),
            )
            .field("aws_session_token", &self.aws_session_token)
            .finish()
    }
}

impl ClientBuilder {
    /// The spec's server URL: the prefix the documented path is appended to.
    /// Aitronos, Flashback and Microsoft Entra ID
    /// (`https://graph.microsoft.com/v1.0`) default to their public hosts;
    /// Zitadel (custom domain), Nethesis (self-hosted, e.g.
    /// `https://my.example.com/api`) and Keycloak (the server root, e.g.
    /// `https://sso.example.com`, with `/auth` before Keycloak 17) require it.
    /// Plain `http` is accepted only for loopback hosts.
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.base_url = Some(url.as_ref().to_string());
        self
    }

    /// The bearer token sent as `Authorization: Bearer <token>`: the token
    /// alone, without the `Bearer ` scheme. Leading and trailing whitespace (the
    /// newline of a file or a secret store) is removed; an empty token, or one
    /// that starts with `Bearer `, is rejected by [`ClientBuilder::build`].
    ///
    /// It is marked sensitive and never appears in `Debug`, errors or logs; if a
    /// provider echoes it back in an answer, it is replaced by `<redacted>` where
    /// it stands as a whole token in what the SDK keeps of that answer (tokens
    /// shorter than [`MIN_REDACTED_SECRET_CHARS`](crate::MIN_REDACTED_SECRET_CHARS)
    /// characters cannot be real secrets and are not searched for).
    ///
    /// ```
    /// use userbridge::{Client, ErrorKind, Provider};
    ///
    /// // What `std::env::var("TOKEN").unwrap_or_default()` gives when it is unset:
    /// let err = Client::builder(Provider::Flashback).bearer_token("").build().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    /// assert!(err.to_string().contains("the bearer token is empty"));
    ///
    /// let err = Client::builder(Provider::Flashback).bearer_token("Bearer abc").build().unwrap_err();
    /// assert!(err.to_string().contains("without the `Bearer ` scheme"));
    /// ```
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self.credential = CredentialKind::Bearer;
        self.renewal = None;
        self
    }

    /// An API token of the provider's own scheme, sent as `Authorization:
    /// <scheme> <token>`: for [`Provider::Okta`], an Okta API token (`SSWS
    /// <token>`). The token alone, without the scheme; trimmed, checked and
    /// kept secret exactly as [`ClientBuilder::bearer_token`]'s. It replaces a
    /// bearer token set earlier (and `.bearer_token(..)` replaces it): a client
    /// sends one credential. [`ClientBuilder::build`] rejects it for a provider
    /// without such a scheme; Okta also accepts OAuth 2.0 access tokens, through
    /// `.bearer_token(..)`.
    ///
    /// ```
    /// use userbridge::{Client, ErrorKind, Provider};
    ///
    /// let client = Client::builder(Provider::Okta)
    ///     .base_url("https://example.okta.com")
    ///     .api_token("00QCjAl4MlV-WPXM-ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    ///     .build()
    ///     .unwrap();
    /// assert!(!format!("{client:?}").contains("00QCjAl4MlV"));
    ///
    /// let err = Client::builder(Provider::Okta)
    ///     .base_url("https://example.okta.com")
    ///     .api_token("SSWS 00QCjAl4MlV-WPXM")
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("without the `SSWS ` scheme"));
    ///
    /// // Auth0's Management API takes bearer tokens only.
    /// let err = Client::builder(Provider::Auth0)
    ///     .base_url("https://example.us.auth0.com/api/v2")
    ///     .api_token("abc123456789")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    /// ```
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self.credential = CredentialKind::ApiToken;
        self.renewal = None;
        self
    }

    /// OAuth 2.0 client credentials (RFC 6749 §4.4): the client fetches its
    /// own bearer tokens from the provider's token endpoint, derived from the
    /// base URL and scoping unless [`ClientBuilder::token_url`] is set:
    ///
    /// | provider | token endpoint | sent |
    /// |---|---|---|
    /// | Keycloak | `{base}/realms/{realm}/protocol/openid-connect/token` (a service client kept in another realm, e.g. `master`: `token_url`) | the secret in the form |
    /// | Auth0 | `{scheme}://{tenant host}/oauth/token` | the secret in the form, `audience` = the base URL + `/` (the Management API) |
    /// | Entra ID | `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token` ([`ClientBuilder::tenant`]) | the secret in the form, scope `https://graph.microsoft.com/.default` |
    /// | Zitadel v1 / v2 | `{base}/oauth/v2/token` | HTTP Basic, scope `openid urn:zitadel:iam:org:project:id:zitadel:aud` |
    /// | Okta | `{base}/oauth2/v1/token` | private key JWT only: use [`ClientBuilder::private_key_jwt`] |
    ///
    /// The token is fetched on first use, shared by every clone of the client
    /// and every item of a bulk run, renewed before it expires (a fifth of its
    /// lifetime before, at most a minute), and renewed once (the request then
    /// retried once) after a 401. Calls that need a new token at the same
    /// moment wait for one fetch. A refusal of the token endpoint
    /// (`invalid_client`, `unauthorized_client`, `invalid_scope`, an HTML page)
    /// is [`Error::Unauthenticated`] with the endpoint's error code and
    /// description, and nothing is sent to the provider's API; a rate-limited
    /// (429) or failing (5xx, timeout, network) endpoint is retried as the
    /// [`RetryPolicy`] says, like any call. The client id and secret are
    /// trimmed; the secret never appears in `Debug`, errors or logs.
    ///
    /// ```
    /// use userbridge::{Client, Provider};
    ///
    /// let client = Client::builder(Provider::Keycloak)
    ///     .base_url("https://sso.example.com")
    ///     .realm("acme")
    ///     .client_credentials("userbridge", "s3cr3t-value")
    ///     .build()?;
    /// assert!(!format!("{client:?}").contains("s3cr3t-value"));
    /// # Ok::<(), userbridge::Error>(())
    /// ```
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.renewal = Some(Renewal::ClientSecret {
            client_id: client_id.into(),
            secret: Secret::new(client_secret),
        });
        self.token = None;
        self
    }

    /// OAuth 2.0 client credentials, the client authenticated by a private key
    /// JWT (RFC 7523 §2.2: RS256, `iss` = `sub` = the client id, `aud` = the
    /// token endpoint (Auth0 and Zitadel: the issuer), a lifetime of two
    /// minutes, a unique `jti`, `kid` = `key_id` when given): Okta service
    /// apps, Zitadel applications, Entra ID certificates, Keycloak's "Signed
    /// JWT" clients. `private_key_pem` is the key's PEM text (PKCS#8 `BEGIN
    /// PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE KEY`, not encrypted), read
    /// by [`ClientBuilder::build`], which refuses a key it cannot use. Tokens
    /// are fetched, shared and renewed as with
    /// [`ClientBuilder::client_credentials`]; no secret is sent. Okta asks
    /// for `okta.users.read okta.users.manage` unless
    /// [`ClientBuilder::scopes`] says otherwise; its app must not require
    /// DPoP (userbridge sends bearer tokens).
    ///
    /// ```
    /// use userbridge::{Client, ErrorKind, Provider};
    ///
    /// let err = Client::builder(Provider::Okta)
    ///     .base_url("https://example.okta.com")
    ///     .private_key_jwt("0oa1b2c3", "/etc/keys/okta.pem", Some("kid-1".into()))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    /// assert!(err.to_string().contains("not PEM text"));
    /// ```
    pub fn private_key_jwt(
        mut self,
        client_id: impl Into<String>,
        private_key_pem: impl Into<String>,
        key_id: Option<String>,
    ) -> Self {
        self.renewal = Some(Renewal::PrivateKeyJwt {
            client_id: client_id.into(),
            pem: Secret::new(private_key_pem),
            key_id,
        });
        self.token = None;
        self
    }

    /// The token endpoint of [`ClientBuilder::client_credentials`] and
    /// [`ClientBuilder::private_key_jwt`], instead of the provider's (a
    /// Keycloak service client in the `master` realm, an Okta custom
    /// authorization server, a national cloud). `https`, or `http` to a
    /// loopback host.
    pub fn token_url(mut self, url: impl AsRef<str>) -> Self {
        self.token_url = Some(url.as_ref().trim().to_string());
        self
    }

    /// The scopes asked of the token endpoint, replacing the provider's
    /// defaults (see [`ClientBuilder::client_credentials`]).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// A Google service account key (the JSON of its key file, as downloaded
    /// from IAM > Service accounts > Keys), for [`Provider::GoogleWorkspace`]
    /// and [`Provider::Firebase`]: the client fetches its own access tokens
    /// with the JWT bearer grant (RFC 7523 §2.1). It signs an assertion with
    /// the key (RS256, `kid` = `private_key_id`, `iss` = `client_email`, the
    /// scopes in `scope`, `aud` = the key's `token_uri`, an hour's lifetime,
    /// `sub` = [`ClientBuilder::subject`] when set) and exchanges it at
    /// `token_uri` (or [`ClientBuilder::token_url`]). Tokens are cached,
    /// shared, renewed and single-flight as with
    /// [`ClientBuilder::client_credentials`].
    ///
    /// Scopes unless [`ClientBuilder::scopes`] says otherwise: Google
    /// Workspace `https://www.googleapis.com/auth/admin.directory.user`;
    /// Firebase `https://www.googleapis.com/auth/cloud-platform` and
    /// `https://www.googleapis.com/auth/firebase` (the scopes Identity
    /// Toolkit v1's Discovery document lists).
    ///
    /// [`ClientBuilder::build`] reads the key and refuses one it cannot use
    /// (not JSON, not `"type": "service_account"`, no `client_email`, a
    /// `private_key` that is no RSA key in PEM), naming the field, never a
    /// value of the key. The private key never appears in `Debug`, errors or
    /// logs.
    ///
    /// ```
    /// use userbridge::{Client, ErrorKind, Provider};
    ///
    /// let err = Client::builder(Provider::GoogleWorkspace)
    ///     .google_service_account(r#"{"type": "service_account", "client_email": "sync@acme.iam.gserviceaccount.com"}"#)
    ///     .subject("admin@acme.com")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    /// assert!(err.to_string().contains("no `private_key` field"));
    /// ```
    pub fn google_service_account(mut self, key_json: impl Into<String>) -> Self {
        self.renewal = Some(Renewal::ServiceAccount {
            key_json: Secret::new(key_json),
        });
        self.token = None;
        self
    }

    /// The user a [Google service account](ClientBuilder::google_service_account)
    /// acts as, by domain-wide delegation (the assertion's `sub`): for Google
    /// Workspace, the email of an administrator allowed to manage the users
    /// (the service account's client id must be granted the scope
    /// `https://www.googleapis.com/auth/admin.directory.user` in the admin
    /// console, Security > API controls > Domain-wide delegation). Without
    /// it, the token is the service account's own, which the Directory API
    /// accepts only if the service account holds an admin role itself.
    /// [`ClientBuilder::build`] refuses it without a service account.
    pub fn subject(mut self, user_email: impl Into<String>) -> Self {
        self.subject = Some(user_email.into());
        self
    }

    /// The Microsoft Entra ID directory (tenant): its id or a verified domain
    /// (`contoso.onmicrosoft.com`), for the token endpoint of
    /// [`ClientBuilder::client_credentials`]; for [`Provider::Firebase`], the
    /// Identity Platform tenant whose accounts are reactivated (sent as
    /// `tenantId`). Other providers ignore it.
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// Any other source of bearer tokens: a secrets manager, a sidecar,
    /// workload identity. `fetch` is called when the client needs a token
    /// (first use, shortly before the last one expires, after a 401), never
    /// by two calls at once; its token is shared by every clone of the client
    /// and every item of a bulk run. A token with `expires_in: None` is used
    /// until the provider refuses it. An error of `fetch` is
    /// [`Error::Unauthenticated`] for the calls that needed the token, and
    /// nothing is sent to the provider's API.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use userbridge::{AccessToken, Client, Provider};
    ///
    /// # fn main() -> Result<(), userbridge::Error> {
    /// let client = Client::builder(Provider::ZitadelV2)
    ///     .base_url("https://example.zitadel.cloud")
    ///     .token_source(|| async {
    ///         let token = std::fs::read_to_string("/var/run/secrets/zitadel/token")?;
    ///         Ok(AccessToken::new(token.trim(), Some(Duration::from_secs(300))))
    ///     })
    ///     .build()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn token_source<F, Fut>(mut self, fetch: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<AccessToken, BoxError>> + Send + 'static,
    {
        let fetch: Arc<TokenFn> = Arc::new(move || -> TokenFuture { Box::pin(fetch()) });
        self.renewal = Some(Renewal::Source(fetch));
        self.token = None;
        self
    }

    /// Default organization (Aitronos path parameter, Zitadel v1
    /// `x-zitadel-orgid`, the Keycloak realm). Providers that scope by the token
    /// ignore it.
    pub fn organization(mut self, id: impl Into<String>) -> Self {
        self.organization = Some(id.into());
        self
    }

    /// The AWS region of a provider that signs its requests with AWS
    /// credentials (Amazon Cognito: the region of the user pool, the prefix
    /// of its id, e.g. `eu-west-1` for `eu-west-1_AbCdEf123`). It picks the
    /// default endpoint (`https://cognito-idp.{region}.amazonaws.com`) and
    /// the signature's scope. Without it, `AWS_REGION` and then
    /// `AWS_DEFAULT_REGION` are read when the client is built.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// AWS credentials (an IAM access key) that sign every request with AWS
    /// Signature Version 4, for providers that take them instead of a token
    /// (Amazon Cognito, service `cognito-idp`). Without them,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`
    /// are read when the client is built. The secret access key never
    /// appears in `Debug`, errors or logs.
    ///
    /// ```
    /// use userbridge::{Client, Provider};
    ///
    /// let client = Client::builder(Provider::Cognito)
    ///     .region("eu-west-1")
    ///     .aws_credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    ///     .organization("eu-west-1_AbCdEf123") // the user pool id
    ///     .build()?;
    /// assert_eq!(client.base_url(), "https://cognito-idp.eu-west-1.amazonaws.com");
    /// assert!(!format!("{client:?}").contains("wJalr"));
    /// # Ok::<(), userbridge::Error>(())
    /// ```
    pub fn aws_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.aws_keys = Some((access_key_id.into(), Secret::new(secret_access_key)));
        self
    }

    /// The session token of temporary AWS credentials (from STS, an assumed
    /// role, SSO), sent as `X-Amz-Security-Token` with
    /// [`ClientBuilder::aws_credentials`]. Never printed.
    pub fn aws_session_token(mut self, token: impl Into<String>) -> Self {
        self.aws_session_token = Some(Secret::new(token));
        self
    }

    /// The default Keycloak realm (its name, not its id): the same as
    /// [`ClientBuilder::organization`].
    ///
    /// ```
    /// use userbridge::{Client, ErrorKind, Provider};
    ///
    /// let client = Client::builder(Provider::Keycloak)
    ///     .base_url("https://sso.example.com")
    ///     .bearer_token("token")
    ///     .realm("acme")
    ///     .build();
    /// assert!(client.is_ok());
    ///
    /// // Keycloak has no default realm.
    /// let err = Client::builder(Provider::Keycloak)
    ///     .base_url("https://sso.example.com")
    ///     .bearer_token("token")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    /// assert!(err.to_string().contains("realm"));
    /// ```
    pub fn realm(self, name: impl Into<String>) -> Self {
        self.organization(name)
    }

    /// Accepts plain `http` base and token URLs to a host of a private
    /// network: a single-label name (a service of a compose or Kubernetes
    /// network, `http://keycloak:8080`), an internal domain (`.local`,
    /// `.internal`, `.lan`, `.home.arpa`, `.localdomain`, `.svc`,
    /// `.cluster.local`), or a private, link-local or unique-local address
    /// (10/8, 172.16/12, 192.168/16, 169.254/16, fc00::/7, fe80::/10). Off by
    /// default; a public host stays refused even when on.
    ///
    /// **Risk**: tokens, client secrets and the users' data then travel
    /// unencrypted; anyone who can read that network's traffic (another
    /// container, a compromised host, a mirrored port) can read them and act
    /// as the client. Use it for a provider in the same private network only,
    /// never across networks you do not control.
    ///
    /// ```
    /// use userbridge::{Client, Provider};
    ///
    /// let refused = Client::builder(Provider::Keycloak)
    ///     .base_url("http://keycloak:8080")
    ///     .realm("acme")
    ///     .bearer_token("token")
    ///     .build();
    /// assert!(refused.is_err());
    ///
    /// let client = Client::builder(Provider::Keycloak)
    ///     .base_url("http://keycloak:8080")
    ///     .danger_accept_plain_http_on_private_network(true)
    ///     .realm("acme")
    ///     .bearer_token("token")
    ///     .build()?;
    /// # Ok::<(), userbridge::Error>(())
    /// ```
    pub fn danger_accept_plain_http_on_private_network(mut self, accept: bool) -> Self {
        self.private_http = accept;
        self
    }

    /// Timeout of one attempt: connecting, sending and reading the whole answer.
    /// Default [`DEFAULT_TIMEOUT`]. Must be greater than zero; `Duration::MAX`
    /// means no limit. In a bulk run, the time a request waits for its start
    /// under the run's pacing does not count
    /// ([`ReactivateMany::request_rate`](crate::ReactivateMany::request_rate)).
    pub fn timeout(mut self, per_attempt: Duration) -> Self {
        self.timeout = per_attempt;
        self
    }

    /// Overall deadline of one call, all attempts and waits included. Default
    /// [`DEFAULT_DEADLINE`]. Must be greater than zero; `Duration::MAX` means no
    /// limit. In a bulk run, the waits for the run's pacing between a call's
    /// requests are not the call's and do not count
    /// ([`ReactivateMany::request_rate`](crate::ReactivateMany::request_rate)).
    pub fn deadline(mut self, overall: Duration) -> Self {
        self.deadline = overall;
        self
    }

    /// How failed attempts are retried. Default [`RetryPolicy::default`];
    /// [`RetryPolicy::none`] turns retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The largest response body read, in bytes (default 1 MiB). A larger
    /// answer is an [`Error::UnexpectedResponse`] and is not buffered.
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_body = max;
        self
    }

    /// How [`Provider::Scim`] writes its PATCH: the RFC 7644 form with
    /// `"path": "active"` ([`ScimPatchForm::Rfc`], the default) or the path-less
    /// form servers built for Okta expect ([`ScimPatchForm::PathLess`]). See
    /// [`ScimPatchForm`] for which servers need which. Other providers ignore it.
    pub fn scim_patch_form(mut self, form: ScimPatchForm) -> Self {
        self.scim_patch_form = form;
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// Fails with [`Error::InvalidRequest`] for a missing or malformed base URL,
    /// plain `http` to a non-loopback host, a missing, empty or malformed token
    /// (or an [API token](ClientBuilder::api_token) for a provider without an
    /// API-token scheme), a zero timeout or deadline, or an organization the
    /// provider needs but was not given (Aitronos, the Keycloak realm) or whose
    /// form it rejects. Nothing is sent.
    pub fn build(self) -> Result<Client, Error> {
        let provider = self.provider;
        let invalid = |reason: String| Error::invalid(Some(provider), reason);
        let adapter = provider.adapter().ok_or_else(|| {
            invalid(format!(
                "this build of userbridge does not include {provider}: enable the `{feature}` \
                 feature of the userbridge crate (features = [\"{feature}\"]; on by default)",
                feature = provider.feature()
            ))
        })?;
        let facts = adapter.descriptor();
        // AWS credentials are checked after the base URL and the organization
        // (their errors come first), but give the default base URL.
        let signer = self.signer(adapter);
        let regional = adapter
            .aws_signing()
            .zip(signer.as_ref().ok().and_then(Option::as_ref))
            .map(|(signing, signer)| (signing.endpoint)(signer.region()));
        let base = match (&self.base_url, facts.default_base_url, regional) {
            (Some(url), _, _) => url.trim().to_string(),
            (None, Some(default), _) => default.to_string(),
            (None, None, Some(regional)) => regional,
            (None, None, None) => {
                signer?;
                return Err(invalid(format!(
                    "{provider} has no public host: set the base URL with .base_url(..) (e.g. {})",
                    facts.base_url_example
                )));
            }
        };
        let base_url = check_base_url(&base, self.private_http).map_err(invalid)?;
        if let Ok(parsed) = reqwest::Url::parse(&base_url) {
            adapter.check_base_url(&parsed).map_err(invalid)?;
        }
        if self.subject.is_some() && !matches!(self.renewal, Some(Renewal::ServiceAccount { .. })) {
            return Err(invalid(
                ".subject(..) is the user a Google service account acts as: set the key with \
                 .google_service_account(..)"
                    .into(),
            ));
        }
        let (auth, token, renewing) = match &self.renewal {
            _ if !matches!(signer, Ok(None)) => (None, String::new(), None),
            Some(renewal) => (
                None,
                String::new(),
                Some(self.renewing(adapter, renewal, &base_url)?),
            ),
            None => {
                if self.token_url.is_some() || self.scopes.is_some() {
                    return Err(invalid(
                        ".token_url(..) and .scopes(..) are for .client_credentials(..) and \
                         .private_key_jwt(..); a fixed token is sent as it is"
                            .into(),
                    ));
                }
                let (auth, token) = self.fixed_token(adapter)?;
                (Some(auth), token, None)
            }
        };
        if self.timeout.is_zero() || self.deadline.is_zero() {
            return Err(invalid(
                "the timeout and the deadline must be greater than zero".into(),
            ));
        }
        if let Some(org) = &self.organization {
            check_id("organization", org).map_err(invalid)?;
        }
        adapter
            .validate_client(self.organization.as_deref())
            .map_err(invalid)?;
        let signer = signer?;
        let mut headers = HeaderMap::new();
        if let Some(auth) = auth {
            headers.insert(AUTHORIZATION, auth);
        }
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("userbridge/", env!("CARGO_PKG_VERSION"))),
        );
        // Every operation answers JSON: the generated operations leave this
        // header to the client (the codegen post-pass, edit 6), and the
        // transport puts a provider's own `+json` type in its place.
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = crate::tls::client_builder()
            .map_err(invalid)?
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.timeout)
            // The per-attempt timeout; transport::CallContext relies on it.
            .timeout(self.timeout)
            .build()
            .map_err(|e| invalid(format!("the HTTP client could not be set up: {e}")))?;
        Ok(Client {
            inner: Arc::new(Config {
                provider,
                adapter,
                base: Arc::new(BaseUrl::new(base_url)),
                http,
                organization: self.organization,
                timeout: self.timeout,
                deadline: self.deadline,
                retry: self.retry,
                max_body: self.max_body,
                scim_patch_form: self.scim_patch_form,
                tenant: self
                    .tenant
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string),
                token,
                credential: self.credential,
                renewing,
                signer: signer.map(Arc::new),
                budget: Arc::default(),
            }),
        })
    }

    /// The AWS credentials that sign the requests of a provider that signs
    /// (from the builder, else the standard environment variables), checked;
    /// `None` for the others, which must not be given any.
    fn signer(&self, adapter: &dyn Adapter) -> Result<Option<SigV4>, Error> {
        let provider = self.provider;
        let invalid = |reason: String| Error::invalid(Some(provider), reason);
        let Some(signing) = adapter.aws_signing() else {
            if self.region.is_some() || self.aws_keys.is_some() || self.aws_session_token.is_some()
            {
                return Err(invalid(format!(
                    "{provider} does not sign requests with AWS credentials: .region(..), \
                     .aws_credentials(..) and .aws_session_token(..) are for Amazon Cognito"
                )));
            }
            return Ok(None);
        };
        if self.token.is_some() || self.renewal.is_some() {
            return Err(invalid(format!(
                "{provider} takes no bearer token or OAuth credentials: its requests are signed \
                 with AWS credentials (.aws_credentials(..), or AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY)"
            )));
        }
        let env = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let region = self
            .region
            .clone()
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .ok_or_else(|| {
                invalid(format!(
                    "{provider} needs an AWS region: set .region(..) (e.g. \"eu-west-1\", the \
                     prefix of the user pool id) or AWS_REGION"
                ))
            })?;
        let (key_id, secret, token) = match &self.aws_keys {
            Some((id, secret)) => (
                id.clone(),
                secret.expose().to_string(),
                self.aws_session_token
                    .as_ref()
                    .map(|t| t.expose().to_string()),
            ),
            None => {
                let id = env("AWS_ACCESS_KEY_ID");
                let secret = env("AWS_SECRET_ACCESS_KEY");
                let missing: Vec<&str> = [
                    ("AWS_ACCESS_KEY_ID", id.is_none()),
                    ("AWS_SECRET_ACCESS_KEY", secret.is_none()),
                ]
                .into_iter()
                .filter_map(|(name, missing)| missing.then_some(name))
                .collect();
                let (Some(id), Some(secret)) = (id, secret) else {
                    return Err(invalid(format!(
                        "{provider} needs AWS credentials: set .aws_credentials(..) or the \
                         environment variables {} (not set)",
                        missing.join(" and ")
                    )));
                };
                let token = self
                    .aws_session_token
                    .as_ref()
                    .map(|t| t.expose().to_string())
                    .or_else(|| env("AWS_SESSION_TOKEN"));
                (id, secret, token)
            }
        };
        SigV4::new(
            &key_id,
            &secret,
            token.as_deref(),
            region.trim(),
            signing.service,
        )
        .map(Some)
        .map_err(invalid)
    }

    /// The `Authorization` of a fixed token ([`ClientBuilder::bearer_token`],
    /// [`ClientBuilder::api_token`]), and the token, checked.
    fn fixed_token(&self, adapter: &dyn Adapter) -> Result<(HeaderValue, String), Error> {
        let provider = self.provider;
        let invalid = |reason: String| Error::invalid(Some(provider), reason);
        let (scheme, what, setter) = match self.credential {
            CredentialKind::Bearer => ("Bearer", "bearer token", "bearer_token"),
            CredentialKind::ApiToken => {
                let scheme = adapter.api_token_scheme().ok_or_else(|| {
                    invalid(format!(
                        "{provider} has no API-token scheme: pass its token with \
                     .bearer_token(..)"
                    ))
                })?;
                (scheme, "API token", "api_token")
            }
        };
        let token = self
            .token
            .as_deref()
            .map(str::trim)
            .ok_or_else(|| invalid(format!("no {what}: set it with .{setter}(..)")))?;
        if token.is_empty() {
            return Err(invalid(format!(
                "the {what} is empty (was it read from an environment variable that is not \
             set?)"
            )));
        }
        let prefix = format!("{scheme} ");
        if token
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(&prefix))
        {
            return Err(invalid(format!(
                "pass the token without the `{scheme} ` scheme: .{setter}(..) adds it"
            )));
        }
        let mut auth = HeaderValue::from_str(&format!("{scheme} {token}")).map_err(|_| {
            invalid(format!(
                "the {what} contains characters not allowed in an HTTP header"
            ))
        })?;
        auth.set_sensitive(true);
        Ok((auth, token.to_string()))
    }

    /// The renewing credentials of `renewal`, checked: the token endpoint
    /// (the provider's, or [`ClientBuilder::token_url`]), the client id, the
    /// secret or the private key.
    fn renewing(
        &self,
        adapter: &dyn Adapter,
        renewal: &Renewal,
        base_url: &str,
    ) -> Result<Renewing, Error> {
        let provider = self.provider;
        let invalid = |reason: String| Error::invalid(Some(provider), reason);
        let (client_id, secret_or_key) = match renewal {
            Renewal::Source(fetch) => {
                if self.token_url.is_some() || self.scopes.is_some() {
                    return Err(invalid(
                        ".token_url(..) and .scopes(..) are for .client_credentials(..) and \
                         .private_key_jwt(..); a token source fetches its tokens itself"
                            .into(),
                    ));
                }
                return Ok(Renewing::new(provider, Source::Custom(fetch.clone())));
            }
            Renewal::ServiceAccount { key_json } => {
                return self.service_account(key_json, base_url)
            }
            Renewal::ClientSecret { client_id, secret } => (client_id, Ok(secret)),
            Renewal::PrivateKeyJwt {
                client_id,
                pem,
                key_id,
            } => (client_id, Err((pem, key_id))),
        };
        let client_id = client_id.trim();
        if client_id.is_empty() {
            return Err(invalid(
                "the client id is empty (was it read from an environment variable that is not \
                 set?)"
                    .into(),
            ));
        }
        let scope = TokenScope {
            base_url,
            organization: self.organization.as_deref(),
            tenant: self.tenant.as_deref().map(str::trim),
        };
        let mut endpoint = match (&self.token_url, adapter.token_endpoint(&scope)) {
            (Some(url), Ok(derived)) => TokenEndpoint {
                url: url.clone(),
                no_secret: None,
                ..derived
            },
            (Some(url), Err(_)) => TokenEndpoint::at(url.clone()),
            (None, Ok(derived)) => derived,
            (None, Err(why)) => {
                return Err(invalid(format!(
                    "{provider}: {why}; set the token endpoint with .token_url(..)"
                )))
            }
        };
        let url = check_token_url(&endpoint.url, self.private_http).map_err(invalid)?;
        if let Some(scopes) = &self.scopes {
            endpoint.scopes = scopes.iter().map(|s| s.trim().to_string()).collect();
        }
        let auth = match secret_or_key {
            Ok(secret) => {
                if let Some(why) = endpoint.no_secret {
                    return Err(invalid(why.into()));
                }
                let secret = secret.expose().trim();
                if secret.is_empty() {
                    return Err(invalid(
                        "the client secret is empty (was it read from an environment variable \
                         that is not set?)"
                            .into(),
                    ));
                }
                ClientAuth::Secret(Secret::new(secret), endpoint.secret_in)
            }
            Err((pem, key_id)) => ClientAuth::PrivateKeyJwt {
                key: rsa_key(pem.expose()).map_err(invalid)?,
                key_id: key_id.clone(),
                audience: match endpoint.assertion_audience {
                    AssertionAudience::TokenUrl => url.to_string(),
                    AssertionAudience::Issuer(issuer) => issuer,
                },
            },
        };
        let scopes: Vec<&str> = endpoint
            .scopes
            .iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        Ok(Renewing::new(
            provider,
            Source::Exchange(Box::new(Exchange {
                url,
                client_id: client_id.to_string(),
                auth,
                scope: (!scopes.is_empty()).then(|| scopes.join(" ")),
                audience: endpoint.audience,
                misconfigured: endpoint.misconfigured,
            })),
        ))
    }
}

impl ClientBuilder {
    /// The renewing credentials of a Google service account: the key read
    /// and checked, its token URI (or [`ClientBuilder::token_url`]), the
    /// provider's scopes (or [`ClientBuilder::scopes`]), the subject.
    fn service_account(&self, key_json: &Secret, base_url: &str) -> Result<Renewing, Error> {
        let provider = self.provider;
        let invalid = |reason: String| Error::invalid(Some(provider), reason);
        let key = service_account_key(key_json.expose()).map_err(invalid)?;
        let scope = TokenScope {
            base_url,
            organization: self.organization.as_deref(),
            tenant: self.tenant.as_deref().map(str::trim),
        };
        let derived = provider
            .adapter()
            .and_then(|adapter| adapter.token_endpoint(&scope).ok());
        let url = self
            .token_url
            .clone()
            .or_else(|| key.token_uri.clone())
            .unwrap_or_else(|| GOOGLE_TOKEN_URL.to_string());
        let url = check_token_url(&url, self.private_http).map_err(invalid)?;
        let scopes: Vec<String> = match &self.scopes {
            Some(scopes) => scopes.clone(),
            None => derived.map(|d| d.scopes).unwrap_or_default(),
        };
        let scopes: Vec<&str> = scopes
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        if scopes.is_empty() {
            return Err(invalid(format!(
                "{provider} has no default Google scope: name the scopes with .scopes(..)"
            )));
        }
        let subject = match self.subject.as_deref().map(str::trim) {
            Some("") => {
                return Err(invalid(
                    "the subject is empty (was it read from a variable that is not set?)".into(),
                ))
            }
            Some(s) if !s.contains('@') => {
                return Err(invalid(format!(
                    "the subject `{s}` is not an email address: it is the user the service \
                     account acts as"
                )))
            }
            other => other.map(str::to_string),
        };
        Ok(Renewing::new(
            provider,
            Source::Exchange(Box::new(Exchange {
                url,
                client_id: key.client_email,
                auth: ClientAuth::ServiceAccount {
                    key: key.key,
                    key_id: key.private_key_id,
                    subject,
                },
                scope: Some(scopes.join(" ")),
                audience: None,
                misconfigured: &[],
            })),
        ))
    }
}

/// Checks a base URL: absolute, `https` (or `http` to a loopback host), no query
/// or fragment, no credentials. Returns it without a trailing slash.
fn check_base_url(raw: &str, private_http: bool) -> Result<String, String> {
    let url = reqwest::Url::parse(raw)
        .map_err(|e| format!("the base URL `{raw}` is not an absolute URL ({e})"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the base URL must not contain credentials: use .bearer_token(..)".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "the base URL `{raw}` must not have a query or a fragment"
        ));
    }
    check_scheme(&url, raw, "base URL", private_http)?;
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// `https`, or `http` to a loopback host (and, when the builder accepts it,
/// to a host of a private network).
fn check_scheme(
    url: &reqwest::Url,
    raw: &str,
    what: &str,
    private_http: bool,
) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) || (private_http && is_private_network(url)) => Ok(()),
        "http" if private_http => Err(format!(
            "the {what} `{raw}` uses plain http to a host outside a private network; use https \
             (.danger_accept_plain_http_on_private_network(true) accepts http only to private \
             addresses and internal host names)"
        )),
        "http" => Err(format!(
            "the {what} `{raw}` uses plain http to a non-loopback host; use https (http is \
             accepted for localhost / 127.0.0.1 / ::1, and with \
             .danger_accept_plain_http_on_private_network(true) for a host of a private \
             network, such as `http://keycloak:8080`)"
        )),
        other => Err(format!("the {what} scheme `{other}` is not http(s)")),
    }
}

/// A host of a private network: a single-label name (a service of a compose
/// or Kubernetes network: `keycloak`), an internal domain (`.local`,
/// `.internal`, `.lan`, `.home.arpa`, `.localdomain`, `.svc`,
/// `.cluster.local`), or a private, link-local or unique-local address.
fn is_private_network(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_private() || ip.is_link_local() || ip.is_loopback(),
        Ok(std::net::IpAddr::V6(ip)) => {
            let first = ip.segments()[0];
            ip.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
        Err(_) => {
            let name = host.trim_end_matches('.').to_ascii_lowercase();
            !name.contains('.')
                || [
                    ".local",
                    ".internal",
                    ".lan",
                    ".home.arpa",
                    ".localdomain",
                    ".svc",
                    ".cluster.local",
                ]
                .iter()
                .any(|suffix| name.ends_with(suffix))
        }
    }
}

/// Credentials that renew themselves, as the builder was given them.
#[derive(Clone)]
enum Renewal {
    ClientSecret {
        client_id: String,
        secret: Secret,
    },
    PrivateKeyJwt {
        client_id: String,
        pem: Secret,
        key_id: Option<String>,
    },
    Source(Arc<TokenFn>),
    ServiceAccount {
        key_json: Secret,
    },
}

impl fmt::Debug for Renewal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Renewal::ClientSecret { client_id, secret } => f
                .debug_struct("ClientCredentials")
                .field("client_id", client_id)
                .field("client_secret", secret)
                .finish(),
            Renewal::PrivateKeyJwt {
                client_id,
                pem,
                key_id,
            } => f
                .debug_struct("PrivateKeyJwt")
                .field("client_id", client_id)
                .field("private_key", pem)
                .field("key_id", key_id)
                .finish(),
            Renewal::Source(_) => f.write_str("TokenSource"),
            Renewal::ServiceAccount { key_json } => f
                .debug_struct("GoogleServiceAccount")
                .field("key", key_json)
                .finish(),
        }
    }
}

/// Checks a token URL: absolute, `https` (or `http` to a loopback host), no
/// credentials or fragment.
fn check_token_url(raw: &str, private_http: bool) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|e| format!("the token URL `{raw}` is not an absolute URL ({e})"))?;
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(format!(
            "the token URL `{}` must not contain credentials or a fragment",
            url.host_str().unwrap_or_default()
        ));
    }
    check_scheme(&url, raw, "token URL", private_http)?;
    Ok(url)
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_goes_to_private_networks_only_when_accepted() {
        let private = [
            "http://keycloak:8080",
            "http://sso.internal/auth",
            "http://idp.local",
            "http://auth.corp.svc.cluster.local",
            "http://10.1.2.3",
            "http://172.16.0.9:8443",
            "http://192.168.1.20",
            "http://169.254.1.1",
            "http://[fd00::1]:8080",
            "http://[fe80::1]",
        ];
        let public = [
            "http://sso.example.com",
            "http://8.8.8.8",
            "http://172.32.0.1",
            "http://[2001:db8::1]",
            "http://keycloak.example.org",
        ];
        for raw in private {
            assert!(
                check_base_url(raw, false).is_err(),
                "{raw} refused by default"
            );
            assert!(
                check_base_url(raw, true).is_ok(),
                "{raw} accepted when opted in"
            );
        }
        for raw in public {
            let refused = check_base_url(raw, true).unwrap_err();
            assert!(
                refused.contains("outside a private network"),
                "{raw}: {refused}"
            );
            let refused = check_base_url(raw, false).unwrap_err();
            assert!(
                refused.contains("danger_accept_plain_http_on_private_network"),
                "{refused}"
            );
        }
        assert!(check_base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(check_token_url("http://keycloak:8080/token", true).is_ok());
        assert!(check_token_url("http://keycloak:8080/token", false).is_err());
    }

    /// Every base URL the builder accepts, as written or by default, is kept
    /// parsed too: request URLs are built on it (`transport::BaseUrl`).
    #[test]
    fn every_accepted_base_url_is_kept_parsed() {
        for raw in [
            "https://example.com",
            "https://example.com/",
            " https://Example.COM/api/v2/ ",
            "http://localhost:8080/auth",
            "http://[::1]/x/./y/../z",
            "https://b\u{fc}cher.example/scim/v2",
            "https://example.com:443/a%20b",
        ] {
            let client = Client::builder(Provider::Flashback)
                .base_url(raw)
                .bearer_token("token-123")
                .build()
                .unwrap();
            assert!(client.inner.base.is_parsed(), "{raw}");
        }
        for provider in Provider::ALL {
            let Some(adapter) = provider.adapter() else {
                continue;
            };
            if adapter.descriptor().default_base_url.is_none() {
                continue;
            }
            let mut builder = Client::builder(provider).bearer_token("token-123");
            if provider == Provider::Aitronos {
                builder = builder.organization("org_1");
            }
            let client = builder.build().unwrap();
            assert!(client.inner.base.is_parsed(), "{provider}");
        }
    }
}
