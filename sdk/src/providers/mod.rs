//! The supported providers and their adapters.
//!
//! Everything particular to a provider lives in its own directory,
//! `providers/<provider>/`: `mod.rs` (its [`Descriptor`] and adapter: request
//! rules, the call on its generated client, the mapping of every answer) and
//! `mock.rs` (its simulator, feature `mock`). This file is the registry: the
//! [`registry!`] invocation below lists every provider on one line, and the rest
//! of the SDK reads a provider's facts through [`Provider::adapter`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::users::Reactivated;

mod aitronos;
mod auth0;
mod entra_id;
mod flashback;
mod keycloak;
mod nethesis;
mod okta;
mod scim;
mod zitadel;

pub use aitronos::AitronosUser;
pub use auth0::Auth0Unblock;
pub use entra_id::EntraUser;
pub use keycloak::KeycloakUser;
pub use okta::{ActivationLink, OktaLifecycle, OktaTransition};
pub use scim::{ScimPatchForm, ScimUser};
pub use zitadel::ChangeDetails;

/// Declares [`Provider`] (one variant per line, with its doc), [`Provider::ALL`]
/// and [`Provider::adapter`], the one place that maps a provider to its code.
macro_rules! registry {
    ($($(#[$doc:meta])* $variant:ident => $adapter:path,)*) => {
        /// A supported provider.
        ///
        /// Its machine name ([`Provider::as_str`], also its serde form and what
        /// `FromStr` accepts) and its human name (`Display`) come from the
        /// provider's descriptor. It deserializes from that machine name, so it
        /// can come from a configuration file.
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(rename_all = "kebab-case")]
        pub enum Provider {
            $($(#[$doc])* $variant,)*
        }

        const COUNT: usize = [$(stringify!($variant)),*].len();

        impl Provider {
            /// Every provider, in declaration order.
            pub const ALL: [Provider; COUNT] = [$(Provider::$variant),*];

            /// The provider's adapter: its descriptor, request rules and mapping.
            pub(crate) fn adapter(self) -> &'static dyn Adapter {
                match self {
                    $(Provider::$variant => &$adapter,)*
                }
            }
        }
    };
}

// The registry: one line per provider.
registry! {
    /// Aitronos Users v2 (`https://api.aitronos.com`).
    Aitronos => aitronos::Aitronos,
    /// Flashback (`https://backend.flashback.tech`).
    Flashback => flashback::Flashback,
    /// Zitadel management API v1 (deprecated upstream, still served).
    ZitadelV1 => zitadel::V1,
    /// Zitadel user service v2.
    ZitadelV2 => zitadel::V2,
    /// My Nethesis (self-hosted backend, `https://<host>/api`).
    Nethesis => nethesis::Nethesis,
    /// Any SCIM 2.0 service provider (RFC 7643/7644): reads `GET /Users/{id}`,
    /// then replaces `active` with `true` by `PATCH /Users/{id}`. The base URL is
    /// the SCIM root, e.g. `https://example.com/scim/v2`; see [`ScimPatchForm`]
    /// for servers built for Okta.
    Scim => scim::Scim,
    /// Keycloak Admin REST API (your server; the realm is the organization).
    Keycloak => keycloak::Keycloak,
    /// Microsoft Entra ID through Microsoft Graph v1.0 (`https://graph.microsoft.com/v1.0`).
    EntraId => entra_id::EntraId,
    /// Okta management API (`https://{your Okta domain}`): the lifecycle
    /// transition the user's status needs.
    Okta => okta::Okta,
    /// Auth0 Management API v2 (`https://{tenant domain}/api/v2`): lifts an
    /// administrator's block and brute-force protection blocks.
    Auth0 => auth0::Auth0,
}

impl Provider {
    /// A stable machine name: `aitronos`, `flashback`, `zitadel-v1`,
    /// `zitadel-v2`, `nethesis`, `scim`, `keycloak`, `entra-id`, `okta`, `auth0` (also
    /// what `FromStr` accepts, and the serde form).
    ///
    /// ```
    /// use userbridge::Provider;
    ///
    /// assert_eq!(Provider::ZitadelV2.as_str(), "zitadel-v2");
    /// let p: Provider = serde_json::from_str(r#""zitadel-v2""#).unwrap();
    /// assert_eq!(p, Provider::ZitadelV2);
    /// assert_eq!("Zitadel-V2".parse::<Provider>().unwrap(), p);
    /// ```
    pub fn as_str(self) -> &'static str {
        self.adapter().descriptor().name
    }
}

impl fmt::Display for Provider {
    /// The human name: `Aitronos`, `Flashback`, `Zitadel v1`, `Zitadel v2`,
    /// `My Nethesis`, `SCIM 2.0`, `Keycloak`, `Microsoft Entra ID`, `Okta`, `Auth0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.adapter().descriptor().display)
    }
}

impl std::str::FromStr for Provider {
    type Err = Error;

    /// Parses [`Provider::as_str`] names (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::invalid(
                    None,
                    format!(
                        "unknown provider `{s}`; expected one of: {}",
                        Provider::ALL.map(Provider::as_str).join(", ")
                    ),
                )
            })
    }
}

/// What a provider returned on success, typed.
///
/// The three large payloads (Aitronos' user, a SCIM resource, Okta's
/// lifecycle) are boxed, so that every [`Reactivated`](crate::Reactivated) is
/// small (152 bytes, not 320): it is moved on every call and kept per item in a
/// [`BulkReport`](crate::BulkReport). Read them through
/// [`Reactivated::user`](crate::Reactivated::user),
/// [`Reactivated::scim_user`](crate::Reactivated::scim_user) and
/// [`Reactivated::okta`](crate::Reactivated::okta), or match and use the box
/// as the value (`Details::Okta(lifecycle) => lifecycle.status`).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Details {
    /// Nothing beyond a message (Flashback, My Nethesis), a SCIM server's 204,
    /// or an already active user.
    None,
    /// Aitronos' updated user object.
    Aitronos(Box<AitronosUser>),
    /// Zitadel's change details.
    Zitadel(ChangeDetails),
    /// The User resource a SCIM server returned with its 200.
    Scim(Box<ScimUser>),
    /// What a Keycloak reactivation did: re-enabled the user, or released a
    /// brute-force lockout.
    Keycloak(KeycloakUser),
    /// The Entra ID user, by object id and principal name.
    EntraId(EntraUser),
    /// Okta: the lifecycle transition that ran and the status the user ends in.
    Okta(Box<OktaLifecycle>),
    /// Auth0: which blocks were lifted.
    Auth0(Auth0Unblock),
}

/// One call as an adapter sees it: everything is already validated generically.
pub(crate) struct Call<'a> {
    pub provider: Provider,
    pub http: &'a reqwest::Client,
    /// The client's base URL: every generated client of the call is built on
    /// it ([`Call::client`]).
    pub base: &'a std::sync::Arc<crate::transport::BaseUrl>,
    pub user_id: &'a str,
    pub organization: Option<&'a str>,
    pub max_body: usize,
    pub timeout: Duration,
    /// The call's overall deadline: no attempt runs past it.
    pub deadline: std::time::Instant,
    /// When the current attempt must be over: its start plus the per-attempt
    /// timeout, or the deadline if sooner. All requests of the attempt share it.
    pub attempt_ends: std::time::Instant,
    /// How a SCIM PATCH is written ([`Provider::Scim`] only).
    pub scim_patch_form: ScimPatchForm,
    /// What the current attempt has sent so far (adapters that read before they
    /// write say so here).
    pub phase: Phase,
}

/// What an attempt has sent so far, for the retry loop: when an attempt's
/// answer is lost (a timeout, a dropped connection, a 5xx), a later "not
/// deactivated" means that attempt did the reactivation, unless the attempt had
/// only read the user by then. Adapters that make one call never set it (the
/// call may have written); adapters that read first mark the read and the write.
///
/// Written and read by the one task that runs the call (the attempt's future,
/// then the retry loop after it): an atomic only so that a `&Call` may be held
/// across the attempt's awaits in a `Send` future. Release stores and acquire
/// loads are plain moves on x86; a `SeqCst` store is a locked exchange, on
/// every attempt.
#[derive(Debug, Default)]
pub(crate) struct Phase(AtomicU8);

impl Phase {
    const UNKNOWN: u8 = 0;
    const READING: u8 = 1;
    const WRITING: u8 = 2;

    /// The attempt is reading: a failure now changed nothing.
    pub fn reading(&self) {
        self.0.store(Self::READING, Ordering::Release);
    }

    /// The attempt is about to send a request that may change the user.
    pub fn writing(&self) {
        self.0.store(Self::WRITING, Ordering::Release);
    }

    /// A new attempt starts.
    pub(crate) fn reset(&self) {
        self.0.store(Self::UNKNOWN, Ordering::Release);
    }

    /// The attempt had sent nothing that may change the user.
    pub(crate) fn only_read(&self) -> bool {
        self.0.load(Ordering::Acquire) == Self::READING
    }
}

impl Call<'_> {
    /// A fresh context for a generated client of the current attempt: its
    /// requests end at [`Call::attempt_ends`] at the latest.
    pub fn context(&self) -> crate::transport::CallContext {
        crate::transport::CallContext::until(
            self.max_body,
            self.timeout,
            self.attempt_ends,
            Some(self.base.clone()),
        )
    }

    /// A generated client for the current attempt, with a fresh
    /// [`Call::context`].
    pub fn client<C: crate::transport::Generated>(&self) -> C {
        self.client_with(self.context())
    }

    /// A generated client for the current attempt, with `ctx` (a
    /// [`Call::context`] the adapter adjusted). Always on the client's base
    /// URL: request URLs are built on its parsed form only for that text
    /// ([`crate::transport::CallContext::url`]).
    pub fn client_with<C: crate::transport::Generated>(
        &self,
        ctx: crate::transport::CallContext,
    ) -> C {
        C::new_with(self.base.as_str(), self.http.clone(), ctx)
    }

    /// What the mapping of one request of this call needs: the provider, the
    /// user, and the request's recorded answer (`ctx`).
    pub fn attempt<'s>(
        &'s self,
        ctx: &'s crate::transport::CallContext,
    ) -> crate::transport::Attempt<'s> {
        crate::transport::Attempt {
            provider: self.provider,
            user_id: self.user_id,
            ctx,
        }
    }
}

pub(crate) type AttemptFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Reactivated, Error>> + Send + 'a>>;

/// What the rest of the SDK knows of a provider: constants only.
pub(crate) struct Descriptor {
    /// The machine name ([`Provider::as_str`]); its spec is `openapi/<name>.yaml`.
    pub name: &'static str,
    /// The human name (`Display`).
    pub display: &'static str,
    /// The public host, for providers that have one.
    pub default_base_url: Option<&'static str>,
    /// An example base URL, for the error that asks for one.
    pub base_url_example: &'static str,
}

/// What a provider's own error answer says, read leniently.
#[derive(Debug, Default)]
pub(crate) struct OwnError {
    /// The provider's machine code.
    pub code: Option<String>,
    /// The provider's message.
    pub message: Option<String>,
}

/// A string field of a JSON object, if present and not blank.
pub(crate) fn text_field(v: &serde_json::Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A provider adapter.
pub(crate) trait Adapter: Sync {
    /// The provider's constants.
    fn descriptor(&self) -> &'static Descriptor;
    /// Provider-specific rules for a client's configuration, checked by
    /// `build()`: `organization` is the client's default organization. `Err` is
    /// the reason.
    fn validate_client(&self, _organization: Option<&str>) -> Result<(), String> {
        Ok(())
    }
    /// The scheme of the provider's own API tokens, sent as `Authorization:
    /// <scheme> <token>` when a client is built with
    /// [`ClientBuilder::api_token`](crate::ClientBuilder::api_token) (Okta:
    /// `SSWS`); `None` when the provider has none (bearer tokens only).
    fn api_token_scheme(&self) -> Option<&'static str> {
        None
    }
    /// Provider-specific request rules for the user id and the organization
    /// the call would use (the request's, else the client's); `Err` is the
    /// reason (nothing is sent).
    fn validate(&self, _user_id: &str, _organization: Option<&str>) -> Result<(), String> {
        Ok(())
    }
    /// `Some` when `body` is recognizably this provider's own error answer to a
    /// response of `status` (it has the fields the provider's error envelope
    /// always has, even if others are missing), with what it says. A 404 that is
    /// not is a wrong endpoint's answer, not "user not found"; an undocumented
    /// status that is keeps the provider's message.
    fn own_error(&self, status: u16, body: &serde_json::Value) -> Option<OwnError>;
    /// One attempt: the request, and the mapping of whatever came back.
    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a>;
    /// The provider's simulator (`providers/<provider>/mock.rs`).
    #[cfg(feature = "mock")]
    fn simulator(&self) -> &'static dyn crate::mock::Simulate;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_agree_with_serde_and_parse_back() {
        for p in Provider::ALL {
            assert_eq!(serde_json::to_value(p).ok(), Some(p.as_str().into()));
            let back: Option<Provider> =
                serde_json::from_value(serde_json::Value::from(p.as_str())).ok();
            assert_eq!(back, Some(p));
            assert_eq!(p.as_str().parse::<Provider>().ok(), Some(p));
            assert!(!p.to_string().is_empty());
        }
    }
}
