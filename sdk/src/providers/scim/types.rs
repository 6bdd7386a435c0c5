//! SCIM's public types: the PATCH form setting and the User resource a
//! reactivation returns. Data only (a leaf module, so that the bottom of the
//! house can name them).

use serde::Serialize;

/// How a SCIM reactivation writes its PATCH operation; set with
/// [`ClientBuilder::scim_patch_form`](crate::ClientBuilder::scim_patch_form).
///
/// Both are RFC 7644 (§3.5.2.3 allows `replace` with or without `path`), but
/// servers implement what the identity providers they were built for send:
///
/// | form | operation sent | use for |
/// |---|---|---|
/// | [`Rfc`](ScimPatchForm::Rfc) (default) | `{"op":"replace","path":"active","value":true}` | RFC servers, servers built for Microsoft Entra ID, servers that need `path` |
/// | [`PathLess`](ScimPatchForm::PathLess) | `{"op":"replace","value":{"active":true}}` | servers built for Okta, which sends only this form (GitHub, Postman and Statsig document only it) |
///
/// A server that does not understand the form answers 400 (`scimType`
/// `invalidPath`, `noTarget` or `invalidSyntax`), or 500 for some: the call
/// fails with that error, and nothing was changed (a PATCH is atomic). The other
/// providers ignore this setting.
///
/// ```
/// use userbridge::{Client, Provider, ScimPatchForm};
///
/// let client = Client::builder(Provider::Scim)
///     .base_url("https://example.com/scim/v2")
///     .bearer_token("token")
///     .scim_patch_form(ScimPatchForm::PathLess)
///     .build()?;
/// # Ok::<(), userbridge::Error>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ScimPatchForm {
    /// `{"op":"replace","path":"active","value":true}`: RFC 7644 §3.5.2.3 with a
    /// `path` (the default).
    #[default]
    Rfc,
    /// `{"op":"replace","value":{"active":true}}`: `replace` without a `path`,
    /// whose value holds the attributes to replace (RFC 7644 §3.5.2.3); what Okta
    /// sends.
    PathLess,
}

/// The User resource a SCIM server returned with its 200 to the PATCH (the
/// attributes userbridge reads; RFC 7643 §3.1, §4.1). Fields the server left out
/// (a partial resource, RFC 7644 §3.9) are `None`.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScimUser {
    /// The service provider's id of the user.
    pub id: Option<String>,
    /// The client's identifier (`externalId`).
    pub external_id: Option<String>,
    /// `userName`.
    pub user_name: Option<String>,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `active`: `true` after a reactivation, or `None` when the resource does not
    /// say.
    pub active: Option<bool>,
    /// `meta.version`, the resource's ETag (e.g. `W/"3"`).
    pub version: Option<String>,
    /// `meta.lastModified` (as sent).
    pub last_modified: Option<String>,
    /// `meta.location`, the resource's URI.
    pub location: Option<String>,
}
