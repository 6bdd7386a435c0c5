//! The registry: which adapter (and, with feature `mock`, which simulator)
//! serves each [`Provider`], one line per provider.
//!
//! Everything particular to a provider lives in its own directory,
//! `providers/<provider>/`: `mod.rs` (its adapter: request rules, the call on
//! its generated client, the mapping of every answer), `types.rs` (its public
//! result types, data only) and `mock.rs` (its simulator, feature `mock`). The
//! rest of the SDK reaches a provider's code only through this file.

use crate::adapter::Adapter;
use crate::provider::Provider;

/// Declares each provider's module, compiled whole with its cargo feature and,
/// without it, as its `types.rs` alone (where it has public result types).
macro_rules! modules {
    ($($module:ident: $feature:literal $(, $types:ident)?;)*) => {
        $(
            #[cfg(feature = $feature)]
            pub(crate) mod $module;
            #[cfg(not(feature = $feature))]
            pub(crate) mod $module {
                $(pub(crate) mod $types;)?
            }
        )*
    };
}

// One line per provider directory: its module, the cargo feature that builds
// it, and `types` where it has public result types (`types.rs`, data only).
// Without the feature only those types are compiled, so the public API is the
// same whatever features are on; the adapter, generated client and simulator
// are not.
modules! {
    aitronos: "aitronos", types;
    auth0: "auth0", types;
    cognito: "cognito", types;
    entra_id: "entra-id", types;
    firebase: "firebase", types;
    flashback: "flashback";
    google_workspace: "google-workspace", types;
    keycloak: "keycloak", types;
    nethesis: "nethesis";
    okta: "okta", types;
    scim: "scim", types;
    zitadel: "zitadel", types;
}

/// What Google's APIs share (the error envelope; Google's token endpoint in
/// the simulators), for Google Workspace and Firebase.
#[cfg(any(feature = "google-workspace", feature = "firebase"))]
pub(crate) mod google;

pub use aitronos::types::AitronosUser;
pub use auth0::types::Auth0Unblock;
pub use cognito::types::CognitoUser;
pub use entra_id::types::EntraUser;
pub use firebase::types::FirebaseUser;
pub use google_workspace::types::WorkspaceUser;
pub use keycloak::types::KeycloakUser;
pub use okta::types::{ActivationLink, OktaLifecycle, OktaTransition};
pub use scim::types::{ScimPatchForm, ScimUser};
pub use zitadel::types::ChangeDetails;

/// Declares [`Provider::adapter`], [`Provider::simulator`] and
/// [`Provider::feature`] from one line per provider:
/// `Variant => adapter, simulator, "cargo feature"`. A provider without a line
/// does not compile (the feature match is exhaustive); one whose feature is
/// off has no adapter and no simulator.
macro_rules! registry {
    ($($variant:ident => $adapter:expr, $simulator:expr, $feature:literal;)*) => {
        impl Provider {
            /// The provider's adapter (its descriptor, request rules and
            /// mapping), `None` when its cargo feature is off.
            #[allow(unreachable_patterns)]
            pub(crate) fn adapter(self) -> Option<&'static dyn Adapter> {
                match self {
                    $(
                        #[cfg(feature = $feature)]
                        Provider::$variant => Some(&$adapter),
                    )*
                    _ => None,
                }
            }

            /// The provider's simulator (`providers/<provider>/mock.rs`), `None`
            /// when its cargo feature is off.
            #[cfg(feature = "mock")]
            #[allow(unreachable_patterns)]
            pub(crate) fn simulator(self) -> Option<&'static dyn crate::mock::state::Simulate> {
                match self {
                    $(
                        #[cfg(feature = $feature)]
                        Provider::$variant => Some(&$simulator),
                    )*
                    _ => None,
                }
            }

            /// The cargo feature of the `userbridge` crate that builds this
            /// provider's support (all are on by default): `"okta"`,
            /// `"entra-id"`, `"zitadel"` (both Zitadel APIs), ...
            ///
            /// ```
            /// use userbridge::Provider;
            ///
            /// assert_eq!(Provider::EntraId.feature(), "entra-id");
            /// assert_eq!(Provider::ZitadelV2.feature(), "zitadel");
            /// ```
            pub fn feature(self) -> &'static str {
                match self {
                    $(Provider::$variant => $feature,)*
                }
            }
        }
    };
}

impl Provider {
    /// Whether userbridge reads a user of this provider before changing it
    /// (SCIM, Keycloak, Microsoft Entra ID, Okta, Auth0, Google Workspace,
    /// Firebase): then an already
    /// active user is reported as such, and a
    /// [dry run](crate::ReactivateRequest::dry_run) says what a reactivation
    /// would do without doing it.
    ///
    /// ```
    /// use userbridge::Provider;
    ///
    /// assert!(Provider::Okta.reads_users());
    /// assert!(!Provider::Flashback.reads_users());
    /// ```
    ///
    /// `false` for a provider this build does not include (see
    /// [`Provider::is_compiled`]).
    pub fn reads_users(self) -> bool {
        self.adapter().is_some_and(|a| a.reads_users())
    }

    /// Whether this build of userbridge includes the provider: its cargo
    /// feature ([`Provider::feature`]) is on. A client for a provider that is
    /// not included fails at [`build`](crate::ClientBuilder::build) with
    /// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest),
    /// naming the feature.
    ///
    /// ```
    /// use userbridge::Provider;
    ///
    /// // With the default features, every provider is included.
    /// assert!(Provider::ALL.iter().all(|p| p.is_compiled()));
    /// ```
    pub fn is_compiled(self) -> bool {
        self.adapter().is_some()
    }

    /// Whether the provider's requests are signed with AWS credentials (AWS
    /// Signature Version 4) instead of carrying a token (Amazon Cognito): its
    /// clients take [`aws_credentials`](crate::ClientBuilder::aws_credentials)
    /// (or the standard AWS environment variables) and a
    /// [`region`](crate::ClientBuilder::region), and no bearer token. `false`
    /// for a provider this build does not include.
    ///
    /// ```
    /// use userbridge::Provider;
    ///
    /// assert!(!Provider::Okta.takes_aws_credentials());
    /// ```
    pub fn takes_aws_credentials(self) -> bool {
        self.adapter().is_some_and(|a| a.aws_signing().is_some())
    }
}

// One line per provider.
registry! {
    Aitronos => aitronos::Aitronos, aitronos::mock::Sim, "aitronos";
    Flashback => flashback::Flashback, flashback::mock::Sim, "flashback";
    ZitadelV1 => zitadel::V1, zitadel::mock::V1, "zitadel";
    ZitadelV2 => zitadel::V2, zitadel::mock::V2, "zitadel";
    Nethesis => nethesis::Nethesis, nethesis::mock::Sim, "nethesis";
    Scim => scim::Scim, scim::mock::Sim, "scim";
    Keycloak => keycloak::Keycloak, keycloak::mock::Sim, "keycloak";
    EntraId => entra_id::EntraId, entra_id::mock::Sim, "entra-id";
    Okta => okta::Okta, okta::mock::Sim, "okta";
    Auth0 => auth0::Auth0, auth0::mock::Sim, "auth0";
    GoogleWorkspace => google_workspace::GoogleWorkspace, google_workspace::mock::Sim, "google-workspace";
    Firebase => firebase::Firebase, firebase::mock::Sim, "firebase";
    Cognito => cognito::Cognito, cognito::mock::Sim, "cognito";
}
