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

pub(crate) mod aitronos;
pub(crate) mod auth0;
pub(crate) mod entra_id;
#[cfg(feature = "firebase")]
pub(crate) mod firebase;
pub(crate) mod flashback;
#[cfg(any(feature = "google-workspace", feature = "firebase"))]
pub(crate) mod google;
#[cfg(feature = "google-workspace")]
pub(crate) mod google_workspace;
pub(crate) mod keycloak;
pub(crate) mod nethesis;
pub(crate) mod okta;
pub(crate) mod scim;
pub(crate) mod zitadel;

pub use aitronos::types::AitronosUser;
pub use auth0::types::Auth0Unblock;
pub use entra_id::types::EntraUser;
#[cfg(feature = "firebase")]
pub use firebase::types::FirebaseUser;
#[cfg(feature = "google-workspace")]
pub use google_workspace::types::WorkspaceUser;
pub use keycloak::types::KeycloakUser;
pub use okta::types::{ActivationLink, OktaLifecycle, OktaTransition};
pub use scim::types::{ScimPatchForm, ScimUser};
pub use zitadel::types::ChangeDetails;

/// Declares [`Provider::adapter`] and [`Provider::simulator`] from one line
/// per provider: `Variant => adapter, simulator`. The matches are exhaustive:
/// a provider without a line does not compile.
macro_rules! registry {
    ($($variant:ident => $adapter:expr, $simulator:expr;)*) => {
        impl Provider {
            /// The provider's adapter: its descriptor, request rules and mapping.
            pub(crate) fn adapter(self) -> &'static dyn Adapter {
                match self {
                    $(Provider::$variant => &$adapter,)*
                }
            }

            /// The provider's simulator (`providers/<provider>/mock.rs`).
            #[cfg(feature = "mock")]
            pub(crate) fn simulator(self) -> &'static dyn crate::mock::state::Simulate {
                match self {
                    $(Provider::$variant => &$simulator,)*
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
    pub fn reads_users(self) -> bool {
        self.adapter().reads_users()
    }
}

// One line per provider.
registry! {
    Aitronos => aitronos::Aitronos, aitronos::mock::Sim;
    Flashback => flashback::Flashback, flashback::mock::Sim;
    ZitadelV1 => zitadel::V1, zitadel::mock::V1;
    ZitadelV2 => zitadel::V2, zitadel::mock::V2;
    Nethesis => nethesis::Nethesis, nethesis::mock::Sim;
    Scim => scim::Scim, scim::mock::Sim;
    Keycloak => keycloak::Keycloak, keycloak::mock::Sim;
    EntraId => entra_id::EntraId, entra_id::mock::Sim;
    Okta => okta::Okta, okta::mock::Sim;
    Auth0 => auth0::Auth0, auth0::mock::Sim;
    GoogleWorkspace => google_workspace::GoogleWorkspace, google_workspace::mock::Sim;
    Firebase => firebase::Firebase, firebase::mock::Sim;
}
