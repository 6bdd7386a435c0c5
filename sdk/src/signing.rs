//! AWS Signature Version 4: the credential of providers that sign every
//! request instead of sending a token (Amazon Cognito, service `cognito-idp`).
//!
//! A [`SigV4`] is made once per built client (from
//! [`ClientBuilder::aws_credentials`](crate::ClientBuilder::aws_credentials) or
//! the standard environment variables) and handed to every request's context;
//! the transport signs each request just before it is sent (after pacing), over
//! the exact bytes of its body, so that every attempt of a retry carries a
//! fresh `X-Amz-Date`. The signature itself is the `aws-sigv4` crate's (AWS's
//! own implementation, RustCrypto HMAC-SHA-256; no C code), compiled only with
//! feature `sigv4` (which feature `cognito` enables).
//!
//! Nothing here is printed: `Debug` shows the access key id and the region,
//! never the secret access key or the session token.

use std::fmt;

/// AWS credentials and where they sign: a region and a service.
pub(crate) struct SigV4 {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    region: String,
    service: &'static str,
    #[cfg(feature = "sigv4")]
    identity: aws_smithy_runtime_api::client::identity::Identity,
}

impl fmt::Debug for SigV4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("region", &self.region)
            .field("service", &self.service)
            .finish()
    }
}

/// Whether `text` may stand in an HTTP header as it is (visible ASCII).
fn header_safe(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_graphic())
}

/// Whether `region` has the form of an AWS region (`us-east-1`,
/// `eu-central-2`, `us-gov-west-1`): lower-case letters, digits and `-`. It is
/// part of the default endpoint's host name and of the signature's scope.
pub(crate) fn is_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 32
        && !region.starts_with('-')
        && !region.ends_with('-')
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl SigV4 {
    /// Credentials that sign for `service` in `region`; `Err` says which
    /// part is unusable (never echoing a secret).
    pub(crate) fn new(
        access_key_id: &str,
        secret_access_key: &str,
        session_token: Option<&str>,
        region: &str,
        service: &'static str,
    ) -> Result<SigV4, String> {
        let (access_key_id, secret_access_key) = (access_key_id.trim(), secret_access_key.trim());
        let session_token = session_token.map(str::trim).filter(|t| !t.is_empty());
        if !header_safe(access_key_id) {
            return Err(
                "the AWS access key id is empty or holds spaces or characters that are \
                        not visible ASCII"
                    .into(),
            );
        }
        if !header_safe(secret_access_key) {
            return Err(
                "the AWS secret access key is empty or holds spaces or characters that \
                        are not visible ASCII"
                    .into(),
            );
        }
        if session_token.is_some_and(|t| !header_safe(t)) {
            return Err(
                "the AWS session token holds spaces or characters that are not visible \
                        ASCII"
                    .into(),
            );
        }
        if !is_region(region) {
            return Err(format!(
                "`{region}` is not an AWS region (e.g. `us-east-1`, `eu-west-1`)"
            ));
        }
        #[cfg(feature = "sigv4")]
        let identity = aws_credential_types::Credentials::new(
            access_key_id,
            secret_access_key,
            session_token.map(str::to_string),
            None,
            "userbridge",
        )
        .into();
        Ok(SigV4 {
            access_key_id: access_key_id.to_string(),
            secret_access_key: secret_access_key.to_string(),
            session_token: session_token.map(str::to_string),
            region: region.to_string(),
            service,
            #[cfg(feature = "sigv4")]
            identity,
        })
    }

    /// The region the requests are signed for.
    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    /// What to scrub from anything a provider echoes back: the secrets, and
    /// the access key id (not a secret, but it names the key).
    pub(crate) fn secrets(&self) -> impl Iterator<Item = &str> {
        [self.secret_access_key.as_str(), self.access_key_id.as_str()]
            .into_iter()
            .chain(self.session_token.as_deref())
    }

    /// Signs `request` as it will be sent: adds `X-Amz-Date`,
    /// `X-Amz-Security-Token` (with a session token) and `Authorization`
    /// (marked sensitive), over its method, URL, headers and body bytes.
    /// `Err` says why it could not be signed (the request must not be sent).
    #[cfg(feature = "sigv4")]
    pub(crate) fn sign(&self, request: &mut reqwest::Request) -> Result<(), String> {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        use aws_sigv4::sign::v4;

        let body = match request.body() {
            None => SignableBody::Bytes(&[]),
            Some(body) => SignableBody::Bytes(
                body.as_bytes()
                    .ok_or("a streamed request body cannot be signed")?,
            ),
        };
        let headers = request
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)));
        let signable = SignableRequest::new(
            request.method().as_str(),
            request.url().as_str(),
            headers,
            body,
        )
        .map_err(|e| format!("the request could not be signed: {e}"))?;
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(&self.region)
            .name(self.service)
            .time(std::time::SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| format!("the request could not be signed: {e}"))?
            .into();
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|e| format!("the request could not be signed: {e}"))?
            .into_parts();
        let (headers, _query) = instructions.into_parts();
        for header in headers {
            let mut value = reqwest::header::HeaderValue::from_str(header.value())
                .map_err(|_| format!("the signature's `{}` is not a header", header.name()))?;
            value.set_sensitive(header.sensitive() || header.name() == "authorization");
            request.headers_mut().insert(header.name(), value);
        }
        Ok(())
    }

    /// Without feature `sigv4` no provider signs: never called.
    #[cfg(not(feature = "sigv4"))]
    pub(crate) fn sign(&self, _request: &mut reqwest::Request) -> Result<(), String> {
        Err("userbridge was built without AWS Signature Version 4 (feature `sigv4`)".into())
    }
}

#[cfg(all(test, feature = "sigv4"))]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secret() {
        let s = SigV4::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("FwoGZXIvYXdzEXAMPLETOKEN"),
            "us-east-1",
            "cognito-idp",
        )
        .unwrap();
        let shown = format!("{s:?}");
        assert!(shown.contains("AKIDEXAMPLE"));
        assert!(!shown.contains("wJalr"));
        assert!(!shown.contains("FwoGZX"));
    }

    #[test]
    fn bad_parts_are_named_without_their_value() {
        let e = SigV4::new("AKID", "se cret", None, "us-east-1", "x").unwrap_err();
        assert!(
            e.contains("secret access key") && !e.contains("se cret"),
            "{e}"
        );
        assert!(SigV4::new("", "s", None, "us-east-1", "x")
            .unwrap_err()
            .contains("access key id"));
        assert!(SigV4::new("a", "s", None, "US East", "x")
            .unwrap_err()
            .contains("not an AWS region"));
        assert!(is_region("us-gov-west-1") && !is_region("-x") && !is_region("a.b"));
    }

    #[test]
    fn a_signed_request_carries_the_aws_headers() {
        let s = SigV4::new(
            "AKIDEXAMPLE",
            "secret",
            Some("tok"),
            "eu-west-1",
            "cognito-idp",
        )
        .unwrap();
        let mut req = reqwest::Request::new(
            reqwest::Method::POST,
            "https://cognito-idp.eu-west-1.amazonaws.com/"
                .parse()
                .unwrap(),
        );
        *req.body_mut() = Some(b"{}".to_vec().into());
        s.sign(&mut req).unwrap();
        let h = req.headers();
        let auth = h["authorization"].to_str().unwrap();
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
            "{auth}"
        );
        assert!(
            auth.contains("/eu-west-1/cognito-idp/aws4_request"),
            "{auth}"
        );
        assert!(h["authorization"].is_sensitive());
        assert!(h.contains_key("x-amz-date"));
        assert_eq!(h["x-amz-security-token"], "tok");
    }
}
