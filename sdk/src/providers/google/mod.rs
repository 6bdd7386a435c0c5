//! What Google's APIs share, for the providers built on them (Google
//! Workspace, Firebase Authentication): their JSON error envelope
//! ([`envelope`]). Not a provider of its own.

pub(crate) mod envelope;
#[cfg(feature = "mock")]
pub(crate) mod tokens;
