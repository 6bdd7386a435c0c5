//! Amazon Cognito user pools (feature `cognito`): the user pool id is the
//! organization, the user name (or an alias Cognito accepts for it) the user
//! id; every request is `POST /` in the AWS JSON 1.1 protocol, the operation
//! named by `X-Amz-Target`, signed with AWS Signature Version 4 for service
//! `cognito-idp` (the transport signs; see `signing.rs`).
//!
//! `AdminEnableUser` succeeds for an enabled user too, so a reactivation reads
//! the user first (`AdminGetUser`):
//! - `Enabled: false`: `AdminEnableUser`, and the user is reactivated (its
//!   `UserStatus`, e.g. `FORCE_CHANGE_PASSWORD`, is kept in the details:
//!   enabling changes it not);
//! - `Enabled: true`: "not deactivated".
//!
//! Errors (Cognito API Reference, "Common Errors" and each operation's
//! Errors) are told by their name, not their status (most are 400): the
//! `X-Amzn-ErrorType` header, else the body's `__type` (bare,
//! `#`-prefixed, namespaced `aws.cognito#Name`, or with a `:http://...`
//! suffix), else the `<Code>` of an IAM-style XML `<ErrorResponse>` (which
//! AWS's authentication layer and emulators send, sometimes as text/html).
//! An unknown user pool (`ResourceNotFoundException`) is the client's
//! configuration, never "user not found". The request id is
//! `x-amzn-RequestId`.

use serde_json::Value;

use crate::adapter::{
    text_field, Adapter, Answers, AttemptFuture, AwsSigning, Call, Descriptor, OwnError,
};
use crate::error::{kind_for_status, ApiError, Error, ErrorKind};
use crate::generated::cognito as gen;
use crate::outcome::{Details, Reactivated};
use crate::transport::{header_str, transport_hooks, Attempt, Outcome, Seen};

transport_hooks!(gen::Client);

#[cfg(feature = "mock")]
pub(crate) mod mock;
pub(crate) mod types;

use self::types::CognitoUser;

/// The media type of the AWS JSON 1.1 protocol, requests and answers.
pub(crate) const MEDIA_TYPE: &str = "application/x-amz-json-1.1";

pub(crate) struct Cognito;

impl Answers for Cognito {
    fn own_error(&self, _status: u16, body: &Value) -> Option<OwnError> {
        let name = text_field(body, "__type")?;
        Some(OwnError {
            code: Some(error_name(&name).to_string()),
            message: message_of(body),
        })
    }
}

impl Adapter for Cognito {
    fn reads_users(&self) -> bool {
        true
    }

    fn aws_signing(&self) -> Option<&'static AwsSigning> {
        Some(&AwsSigning {
            service: "cognito-idp",
            endpoint: |region| format!("https://cognito-idp.{region}.amazonaws.com"),
        })
    }

    fn descriptor(&self) -> &'static Descriptor {
        &Descriptor {
            default_base_url: None,
            base_url_example: "https://cognito-idp.us-east-1.amazonaws.com (the default, from \
                               the region)",
        }
    }

    fn validate_client(&self, organization: Option<&str>) -> Result<(), String> {
        let pool = organization.ok_or(
            "Amazon Cognito needs a user pool id as the organization (e.g. \
             `eu-west-1_AbCdEf123`): set .organization(..) on the client; a request can \
             override it with ReactivateRequest::organization",
        )?;
        check_pool_id(pool)
    }

    fn validate(&self, _user_id: &str, organization: Option<&str>) -> Result<(), String> {
        let pool = organization.ok_or(
            "Amazon Cognito needs the user pool id (e.g. `eu-west-1_AbCdEf123`): set \
             .organization(..) on the client or the request",
        )?;
        check_pool_id(pool)
    }

    fn attempt<'a>(&'a self, call: &'a Call<'a>) -> AttemptFuture<'a> {
        Box::pin(reactivate(call))
    }
}

/// A user pool id has the form `<region>_<id>` (the API Reference's pattern
/// `[\w-]+_[0-9a-zA-Z]+`).
fn check_pool_id(pool: &str) -> Result<(), String> {
    let well_formed = pool.split_once('_').is_some_and(|(region, id)| {
        !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric())
    }) && pool.len() <= 55;
    if well_formed {
        Ok(())
    } else {
        Err(format!(
            "`{pool}` is not an Amazon Cognito user pool id: the organization is the user \
             pool id, `<region>_<id>` (e.g. `eu-west-1_AbCdEf123`)"
        ))
    }
}

/// A generated client for one request of the call, speaking AWS JSON 1.1.
fn client(call: &Call<'_>) -> gen::Client {
    call.client_with(call.context().with_media_type(MEDIA_TYPE))
}

async fn reactivate(call: &Call<'_>) -> Result<Reactivated, Error> {
    let pool = call.organization.unwrap_or_default();
    let invalid = |what: &str, e: gen::types::error::ConversionError| {
        Error::invalid(
            Some(call.provider),
            format!("the {what} is not one Cognito takes: {e}"),
        )
    };
    let body = gen::types::UserRequest {
        user_pool_id: pool.parse().map_err(|e| invalid("user pool id", e))?,
        username: call.user_id.parse().map_err(|e| invalid("user name", e))?,
    };
    use gen::types::CognitoUserCallXAmzTarget as Target;

    let read = client(call);
    let at = call.attempt_on(&read);
    call.phase.reading();
    let answer = read
        .cognito_user_call(Target::AwsCognitoIdentityProviderServiceAdminGetUser, &body)
        .await;
    let (user, seen) = match at.outcome(answer) {
        Outcome::Success(gen::types::UserCallResponse::GetUserResponse(user), seen) => (user, seen),
        Outcome::Success(_, seen) => {
            return Err(at.undecodable(&seen, "AdminGetUser answered without a user"))
        }
        Outcome::ErrorBody(_, api) => return Err(cognito_error(call, &at, api)),
        Outcome::Failed(e) => return Err(refine(call, &at, e)),
    };
    let mut done = CognitoUser {
        username: user.username.clone(),
        user_status: user.user_status.clone(),
        re_enabled: false,
    };
    match user.enabled {
        Some(false) => {}
        Some(true) => {
            let mut api = at.api_error(&seen);
            api.message = format!(
                "the user is enabled (UserStatus {})",
                user.user_status.as_deref().unwrap_or("not given")
            );
            return Err(Error::NotDeactivated(api));
        }
        None => {
            return Err(at.undecodable(
                &seen,
                "AdminGetUser's answer does not say whether the user is enabled",
            ))
        }
    }
    if call.dry_run {
        done.re_enabled = true;
        return Ok(success(call, done).planned());
    }

    let write = client(call);
    let at = call.attempt_on(&write);
    call.phase.writing();
    let answer = write
        .cognito_user_call(
            Target::AwsCognitoIdentityProviderServiceAdminEnableUser,
            &body,
        )
        .await;
    match at.outcome(answer) {
        Outcome::Success(_, _) => {
            done.re_enabled = true;
            Ok(success(call, done))
        }
        Outcome::ErrorBody(_, api) => Err(cognito_error(call, &at, api)),
        Outcome::Failed(e) => Err(refine(call, &at, e)),
    }
}

fn success(call: &Call<'_>, user: CognitoUser) -> Reactivated {
    Reactivated::new(call.provider, Details::Cognito(user))
}

/// An answer the generated client could not take as documented (an XML
/// `<ErrorResponse>`, an HTML page, JSON of another shape): still Cognito's
/// when it names an AWS error, then mapped by that name.
fn refine(call: &Call<'_>, at: &Attempt<'_>, e: Error) -> Error {
    let Some(seen) = at.ctx.seen().filter(|s| s.status >= 400) else {
        return e;
    };
    if named_error(&seen).is_none() {
        return e;
    }
    cognito_error(call, at, at.api_error(&seen))
}

/// An error answer: its AWS error name decides the kind (the status where it
/// names none); the name is the code, the message Cognito's.
fn cognito_error(call: &Call<'_>, at: &Attempt<'_>, mut api: ApiError) -> Error {
    let Some(seen) = at.ctx.seen() else {
        return Error::from_api(kind_for_status(api.status), api);
    };
    let named = named_error(&seen);
    let kind = match &named {
        Some((name, _)) => kind_of(name).unwrap_or_else(|| kind_for_status(api.status)),
        None => kind_for_status(api.status),
    };
    if let Some((name, message)) = named {
        if let Some(message) = message {
            api.message = message;
        }
        api.code = Some(name);
    }
    if api.trace_id.is_none() {
        // An XML error document carries its request id in the body.
        api.trace_id = std::str::from_utf8(&seen.body)
            .ok()
            .and_then(|t| xml_element(t, "RequestId"));
    }
    if kind == ErrorKind::Misconfigured {
        let pool = call.organization.unwrap_or_default();
        let region = call
            .signer
            .map(|s| format!(" in region `{}`", s.region()))
            .unwrap_or_default();
        api.message = format!(
            "{} (the user pool `{pool}` does not exist{region}: check .organization(..), the \
             user pool id, and .region(..), the region it is in)",
            api.message
        );
    }
    Error::from_api(kind, api)
}

/// The AWS error an answer names, with its message: the `X-Amzn-ErrorType`
/// header, the JSON body's `__type` (or `code`), or the `<Code>` of an XML
/// error document.
fn named_error(seen: &Seen) -> Option<(String, Option<String>)> {
    let json: Option<Value> = serde_json::from_slice(&seen.body).ok();
    let from_json = json
        .as_ref()
        .and_then(|b| text_field(b, "__type").or_else(|| text_field(b, "code")));
    let xml = std::str::from_utf8(&seen.body)
        .ok()
        .filter(|t| t.contains("<Error"));
    let from_xml = xml.and_then(|t| xml_element(t, "Code"));
    let name = header_str(&seen.headers, "x-amzn-errortype")
        .or(from_json)
        .or(from_xml)?;
    let message = json
        .as_ref()
        .and_then(message_of)
        .or_else(|| xml.and_then(|t| xml_element(t, "Message")));
    Some((error_name(&name).to_string(), message))
}

/// The text of the first `<name>` element of an XML document (IAM's
/// `<ErrorResponse><Error><Code>..</Code><Message>..</Message></Error>`),
/// with the five predefined entities decoded.
fn xml_element(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    let text = xml[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// An AWS error message: `message`, or `Message` (both are sent).
fn message_of(body: &Value) -> Option<String> {
    text_field(body, "message")
        .or_else(|| text_field(body, "Message"))
        .or_else(|| text_field(body, "errorMessage"))
}

/// The bare name of an AWS error type: without a `:http://...` suffix and
/// without its namespace (`aws.cognito#UserNotFoundException`,
/// `#UserNotFoundException` -> `UserNotFoundException`).
fn error_name(raw: &str) -> &str {
    let raw = raw.trim();
    let raw = raw.split(':').next().unwrap_or(raw);
    raw.rsplit('#').next().unwrap_or(raw).trim()
}

/// The kind of an AWS error name (the Cognito API Reference's errors of
/// AdminGetUser and AdminEnableUser, and the Common Errors); `None` for a
/// name it does not list (then the status decides).
fn kind_of(name: &str) -> Option<ErrorKind> {
    Some(match name {
        "UserNotFoundException" => ErrorKind::NotFound,
        "ResourceNotFoundException" => ErrorKind::Misconfigured,
        "NotAuthorizedException"
        | "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "IncompleteSignature"
        | "MissingAuthenticationToken"
        | "InvalidSignatureException"
        | "ExpiredTokenException"
        | "ExpiredToken" => ErrorKind::Unauthenticated,
        "AccessDeniedException" | "AccessDenied" => ErrorKind::PermissionDenied,
        "TooManyRequestsException"
        | "LimitExceededException"
        | "ThrottlingException"
        | "Throttling"
        | "RequestLimitExceeded" => ErrorKind::RateLimited,
        "InvalidParameterException" | "ValidationException" | "ValidationError" => {
            ErrorKind::InvalidArgument
        }
        "InternalErrorException" | "InternalFailure" | "ServiceUnavailable" => ErrorKind::Server,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_an_error_name_is_read() {
        for raw in [
            "UserNotFoundException",
            "#UserNotFoundException",
            "aws.cognito#UserNotFoundException",
            "com.amazonaws.cognitoidentityprovider#UserNotFoundException",
            "UserNotFoundException:http://internal.amazon.com/coral/com.amazon.coral.service/",
            "aws.cognito#UserNotFoundException:http://internal.amazon.com/",
        ] {
            assert_eq!(error_name(raw), "UserNotFoundException", "{raw}");
        }
        assert_eq!(
            kind_of("ResourceNotFoundException"),
            Some(ErrorKind::Misconfigured)
        );
        assert_eq!(kind_of("SomethingNew"), None);
    }

    #[test]
    fn an_iam_xml_error_is_read() {
        let xml = "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
                   <Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>\
                   <Message>The request signature we calculated does not match the signature \
                   you provided.</Message></Error><RequestId>abc</RequestId></ErrorResponse>";
        assert_eq!(
            xml_element(xml, "Code").as_deref(),
            Some("SignatureDoesNotMatch")
        );
        assert!(xml_element(xml, "Message")
            .unwrap()
            .starts_with("The request signature"));
        assert_eq!(xml_element("<a></a>", "Code"), None);
    }

    #[test]
    fn pool_ids_are_checked() {
        assert!(check_pool_id("eu-west-1_AbCdEf123").is_ok());
        assert!(check_pool_id("us-east-1_abc").is_ok());
        assert!(check_pool_id("eu-west-1").is_err());
        assert!(check_pool_id("eu-west-1_").is_err());
        assert!(check_pool_id("a/b_c").is_err());
    }
}
