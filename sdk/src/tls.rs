//! The HTTP client's TLS: which rustls crypto provider it uses.
//!
//! - feature `rustls-ring` (default): ring, which compiles a small C and
//!   assembly core with the system's C compiler; the platform's certificate
//!   verifier.
//! - feature `rustls-graviola`: graviola (x86_64 and aarch64), Rust only: no C
//!   compiler needed; the platform's certificate verifier.
//! - feature `rustls-aws-lc`: reqwest's own choice, aws-lc-rs (a much larger C
//!   build; FIPS-capable builds exist).
//! - none of them: the process-wide default a program installed with
//!   `rustls::crypto::CryptoProvider::install_default`; without one, building
//!   a client fails with what to enable.
//!
//! When several are on (features add up across a dependency graph): aws-lc-rs,
//! then graviola, then ring. A provider the program installed as the process
//! default is used in every case; userbridge never installs one itself, so a
//! program that installs its own later does not fail.

#[cfg(not(feature = "rustls-aws-lc"))]
use rustls::crypto::CryptoProvider;

/// A `reqwest` client builder with the TLS this build of userbridge uses, or
/// why there is none.
pub(crate) fn client_builder() -> Result<reqwest::ClientBuilder, String> {
    configured(reqwest::Client::builder())
}

#[cfg(feature = "rustls-aws-lc")]
fn configured(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, String> {
    Ok(builder)
}

#[cfg(all(
    any(feature = "rustls-ring", feature = "rustls-graviola"),
    not(feature = "rustls-aws-lc")
))]
fn configured(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, String> {
    use rustls_platform_verifier::BuilderVerifierExt;

    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| std::sync::Arc::new(own_provider()));
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| format!("TLS could not be set up: {e}"))?
        .with_no_client_auth();
    Ok(builder.tls_backend_preconfigured(config))
}

#[cfg(all(feature = "rustls-graviola", not(feature = "rustls-aws-lc")))]
fn own_provider() -> CryptoProvider {
    rustls_graviola::default_provider()
}

#[cfg(all(
    feature = "rustls-ring",
    not(any(feature = "rustls-aws-lc", feature = "rustls-graviola"))
))]
fn own_provider() -> CryptoProvider {
    rustls::crypto::ring::default_provider()
}

#[cfg(not(any(
    feature = "rustls-ring",
    feature = "rustls-graviola",
    feature = "rustls-aws-lc"
)))]
fn configured(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, String> {
    if CryptoProvider::get_default().is_some() {
        Ok(builder)
    } else {
        Err(
            "this build of userbridge has no TLS crypto provider: enable its `rustls-ring` \
             (default), `rustls-graviola` or `rustls-aws-lc` feature, or install a rustls \
             CryptoProvider (`CryptoProvider::install_default`) before building the client"
                .to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_builds_with_the_default_features() {
        let built = client_builder().and_then(|b| b.build().map_err(|e| e.to_string()));
        assert!(built.is_ok(), "{built:?}");
    }
}
