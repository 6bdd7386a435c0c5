//! The supported providers and their adapters.
//!
//! An adapter is the only place that knows a provider's shapes: it validates
//! provider-specific request rules, calls its generated client, and maps every
//! outcome onto [`Reactivated`] or [`Error`]. Adding a provider means a spec, an
//! adapter file, its tests, a [`Provider`] variant and one line in [`adapter`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::Serialize;

use crate::error::Error;
use crate::users::Reactivated;

mod aitronos;
mod flashback;
mod nethesis;
mod zitadel;

pub use aitronos::AitronosUser;
pub use zitadel::ChangeDetails;

/// A supported provider.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    /// Aitronos Users v2 (`https://api.aitronos.com`).
    Aitronos,
    /// Flashback (`https://backend.flashback.tech`).
    Flashback,
    /// Zitadel management API v1 (deprecated upstream, still served).
    ZitadelV1,
    /// Zitadel user service v2.
    ZitadelV2,
    /// My Nethesis (self-hosted backend, `https://<host>/api`).
    Nethesis,
}

impl Provider {
    /// Every provider, in declaration order.
    pub const ALL: [Provider; 5] = [
        Provider::Aitronos,
        Provider::Flashback,
        Provider::ZitadelV1,
        Provider::ZitadelV2,
        Provider::Nethesis,
    ];

    /// A stable machine name: `aitronos`, `flashback`, `zitadel-v1`,
    /// `zitadel-v2`, `nethesis` (also what `FromStr` accepts).
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Aitronos => "aitronos",
            Provider::Flashback => "flashback",
            Provider::ZitadelV1 => "zitadel-v1",
            Provider::ZitadelV2 => "zitadel-v2",
            Provider::Nethesis => "nethesis",
        }
    }
}

impl fmt::Display for Provider {
    /// The human name: `Aitronos`, `Flashback`, `Zitadel v1`, `Zitadel v2`,
    /// `My Nethesis`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::Aitronos => "Aitronos",
            Provider::Flashback => "Flashback",
            Provider::ZitadelV1 => "Zitadel v1",
            Provider::ZitadelV2 => "Zitadel v2",
            Provider::Nethesis => "My Nethesis",
        })
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
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Details {
    /// Nothing beyond a message (Flashback, My Nethesis), or an already active
    /// user.
    None,
    /// Aitronos' updated user object.
    Aitronos(AitronosUser),
    /// Zitadel's change details.
    Zitadel(ChangeDetails),
}

/// One call as an adapter sees it: everything is already validated generically.
pub(crate) struct Call<'a> {
    pub http: &'a reqwest::Client,
    pub base_url: &'a str,
    pub user_id: &'a str,
    pub organization: Option<&'a str>,
    pub max_body: usize,
    pub timeout: Duration,
}

impl Call<'_> {
    /// A fresh per-attempt context for a generated client.
    pub fn context(&self) -> crate::transport::CallContext {
        crate::transport::CallContext::new(self.max_body, self.timeout)
    }
}

pub(crate) type AttemptFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Reactivated, Error>> + Send + 'a>>;

/// A provider adapter.
pub(crate) trait Adapter: Sync {
    /// The public host, for providers that have one.
    fn default_base_url(&self) -> Option<&'static str> {
        None
    }
    /// An example base URL, for the error that asks for one.
    fn base_url_example(&self) -> &'static str;
    /// Provider-specific request rules; `Err` is the reason (nothing is sent).
    fn validate(&self, _call: &Call<'_>) -> Result<(), String> {
        Ok(())
    }
    /// One attempt: the request, and the mapping of whatever came back.
    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a>;
}

/// The adapter of each provider: the registration line of a new provider.
pub(crate) fn adapter(provider: Provider) -> &'static dyn Adapter {
    match provider {
        Provider::Aitronos => &aitronos::Aitronos,
        Provider::Flashback => &flashback::Flashback,
        Provider::ZitadelV1 => &zitadel::Zitadel(Provider::ZitadelV1),
        Provider::ZitadelV2 => &zitadel::Zitadel(Provider::ZitadelV2),
        Provider::Nethesis => &nethesis::Nethesis,
    }
}
