//! What every call shares below the adapters: the per-attempt context the
//! generated clients carry, the hooks that run their requests (bounded body
//! reading, per-attempt timeout), and the mapping of generator outcomes onto
//! [`Error`] before a provider's body refines it.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use percent_encoding::{utf8_percent_encode, AsciiSet, PercentEncode, CONTROLS};
use progenitor_client::ResponseValue;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::error::{kind_for_status, ApiError, Error};
use crate::pacing::PacedCall;
use crate::provider::Provider;
use crate::signing::SigV4;

/// The per-attempt state a generated client carries as its `inner` value.
///
/// The transport hook records the raw answer here, so that an adapter can keep
/// the raw body and headers of a response that the generated code decoded (or
/// failed to decode).
#[derive(Debug)]
pub struct CallContext {
    max_body: usize,
    timeout: Duration,
    /// When the attempt must be over: every request of the attempt gets the
    /// time left until then as its (one) timer.
    ends: Instant,
    media_type: Option<&'static str>,
    /// The HTTP client's own total timeout is `timeout` (the SDK's client is
    /// built so): a request with (almost) all of it left needs no timer of its own.
    client_times_out: bool,
    /// The last answer recorded. Not shared with clones (see `Clone`): a
    /// shared slot would cost an allocation per request.
    seen: Mutex<Option<Arc<Seen>>>,
    /// The client's base URL, as it was parsed when the client was built (see
    /// [`CallContext::url`]); `None` in a context made with [`CallContext::new`].
    base: Option<Arc<BaseUrl>>,
    /// The `Authorization` of a client whose token renews itself (a static
    /// token is a default header of the HTTP client instead).
    auth: Option<HeaderValue>,
    /// The call's share of a bulk run's pacer: asked before each request,
    /// told each answer (`None` for a single call: one check per request).
    pacer: Option<Arc<PacedCall>>,
    /// AWS credentials that sign each request as it is sent (providers that
    /// take no token: Amazon Cognito).
    signer: Option<Arc<SigV4>>,
    /// Why the last request could not be signed (it was not sent).
    unsigned: Mutex<Option<String>>,
}

impl Clone for CallContext {
    /// The same settings, with no answer recorded: a context belongs to the
    /// one generated client that records into it. (progenitor derives `Clone`
    /// on the generated clients; the SDK never clones them, and reads a
    /// client's record through the client, `ClientInfo::inner`.)
    fn clone(&self) -> Self {
        CallContext {
            media_type: self.media_type,
            auth: self.auth.clone(),
            pacer: self.pacer.clone(),
            signer: self.signer.clone(),
            ..CallContext::fresh(
                self.max_body,
                self.timeout,
                self.ends,
                self.client_times_out,
                self.base.clone(),
            )
        }
    }
}

/// A client's base URL: its text, and that text parsed once, when the client is
/// built. A request's URL is a clone of the parsed URL with the operation's path
/// set on it ([`CallContext::url`]): `Url::set_path` parses the path alone.
/// `format!` of the whole URL, which reqwest then parses (scheme, host with its
/// IDNA processing, port, path), cost about 7,500 CPU instructions per request,
/// a tenth of a Flashback call.
#[derive(Debug)]
pub(crate) struct BaseUrl {
    /// As the client keeps it and the generated clients are given it.
    text: String,
    /// `text` parsed, where requests' URLs can be built on it (see
    /// [`BaseUrl::new`]).
    parsed: Option<Parsed>,
}

/// A base URL parsed: what [`CallContext::url`] builds on.
#[derive(Debug)]
struct Parsed {
    /// The URL, with a placeholder path of [`Parsed::ROOM`] bytes: a clone's
    /// text then has room for a request's path, which `set_path` puts in place
    /// of the placeholder without growing it (a clone of the bare URL grew its
    /// text two or three times per request).
    url: reqwest::Url,
    /// The path part of the base URL's text (`""` when it has none):
    /// operation paths follow it.
    path: String,
}

impl Parsed {
    /// The room for a request's path in a clone of the base URL, in bytes.
    const ROOM: usize = 256;
}

impl BaseUrl {
    /// `text`, parsed when it is the URL's serialization (or, for an empty
    /// path, the serialization without its `/`: the form the SDK's client
    /// builder keeps), without query or fragment: then `text` is the parsed
    /// URL's part before its path, then its path. Requests on any other text
    /// get their URLs parsed whole.
    pub(crate) fn new(text: impl Into<String>) -> BaseUrl {
        let text = text.into();
        let parsed = Self::parse(&text);
        BaseUrl { text, parsed }
    }

    fn parse(text: &str) -> Option<Parsed> {
        let mut url = reqwest::Url::parse(text).ok()?;
        if url.cannot_be_a_base() || url.query().is_some() || url.fragment().is_some() {
            return None;
        }
        let path = if url.as_str() == text {
            url.path().to_string()
        } else if url.path() == "/" && url.as_str().strip_suffix('/') == Some(text) {
            String::new()
        } else {
            return None;
        };
        url.set_path(&"/".repeat(Parsed::ROOM));
        Some(Parsed { url, path })
    }

    /// The base URL as given to [`BaseUrl::new`].
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Requests' URLs are built on the parsed URL (not parsed whole).
    #[cfg(test)]
    pub(crate) fn is_parsed(&self) -> bool {
        self.parsed.is_some()
    }
}

/// `start + d`, saturating: a configured timeout or deadline so long that the
/// sum overflows `Instant` (`Duration::MAX`, "no limit") ends a century later.
pub(crate) fn later(start: Instant, d: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);
    start
        .checked_add(d)
        .or_else(|| start.checked_add(CENTURY))
        .unwrap_or(start)
}

/// How much of the per-attempt timeout a request may have used up before it is
/// sent and still run on the HTTP client's own timer (see
/// [`CallContext::prepare`]): the attempt then ends at most this much late.
const CLIENT_TIMER_SLACK: Duration = Duration::from_millis(1);

/// The raw answer of one attempt (the last response, for attempts that make
/// several requests).
#[derive(Debug, Clone, Default)]
pub(crate) struct Seen {
    /// The request's method.
    pub method: reqwest::Method,
    /// The URL called, kept for answers other than a success (it names the
    /// endpoint in errors; never a header, so never the token).
    pub url: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The body was longer than the configured maximum and was not read whole.
    pub too_large: bool,
}

impl CallContext {
    /// A context that reads at most `max_body` bytes of an answer and gives one
    /// attempt `timeout` in all. Needed to construct a generated client:
    /// `generated::<provider>::Client::new_with_client(url, http, CallContext::new(..))`.
    pub fn new(max_body: usize, timeout: Duration) -> Self {
        CallContext::fresh(
            max_body,
            timeout,
            later(Instant::now(), timeout),
            false,
            None,
        )
    }

    /// A context with these settings, no media type of its own and no answer
    /// recorded (what every constructor, and `Clone`, starts from; it reads no
    /// clock).
    fn fresh(
        max_body: usize,
        timeout: Duration,
        ends: Instant,
        client_times_out: bool,
        base: Option<Arc<BaseUrl>>,
    ) -> Self {
        CallContext {
            max_body,
            timeout,
            ends,
            media_type: None,
            client_times_out,
            seen: Mutex::new(None),
            base,
            auth: None,
            pacer: None,
            signer: None,
            unsigned: Mutex::new(None),
        }
    }

    /// The same context, its requests signed with `signer` (AWS Signature
    /// Version 4) as they are sent.
    pub(crate) fn with_signer(mut self, signer: Option<Arc<SigV4>>) -> Self {
        self.signer = signer;
        self
    }

    /// Why a request of this context could not be signed, if one could not.
    pub(crate) fn unsigned(&self) -> Option<String> {
        self.unsigned.lock().ok().and_then(|s| s.clone())
    }

    /// The same context, its requests paced by `pacer` (a bulk run's).
    pub(crate) fn with_pacer(mut self, pacer: Option<Arc<PacedCall>>) -> Self {
        self.pacer = pacer;
        self
    }

    /// The same context, sending `auth` as the `Authorization` of its requests.
    pub(crate) fn with_auth(mut self, auth: Option<HeaderValue>) -> Self {
        self.auth = auth;
        self
    }

    /// A context for the SDK's own HTTP client (whose total timeout is the
    /// per-attempt `timeout`), for an attempt that ends at `ends` at the latest
    /// (the call's deadline may come before the per-attempt timeout), on the
    /// client's parsed base URL.
    pub(crate) fn until(
        max_body: usize,
        timeout: Duration,
        ends: Instant,
        base: Option<Arc<BaseUrl>>,
    ) -> Self {
        // Not on `CallContext::new`: that would read the clock for an `ends`
        // that is replaced (on every attempt).
        CallContext::fresh(max_body, timeout, ends, true, base)
    }

    /// The URL of a request: `baseurl` followed by `path` (an operation's path,
    /// its parameters encoded), as `Url::parse` of the two reads it. The
    /// generated code calls it (the codegen post-pass puts it in place of
    /// `format!` of the two). When `baseurl` is the one this context was made
    /// with, the parsed base gets the path set on it, and nothing else is parsed
    /// again. `Err`: why the URL is not valid.
    pub fn url(
        &self,
        baseurl: &str,
        path: std::fmt::Arguments<'_>,
    ) -> Result<reqwest::Url, String> {
        let parsed = self.base.as_deref().filter(|b| b.text == baseurl);
        if let Some(base) = parsed.and_then(|b| b.parsed.as_ref()) {
            use std::fmt::Write as _;
            let mut full = String::with_capacity(Parsed::ROOM);
            full.push_str(&base.path);
            // `Url::parse` of the whole would read the path the same way, unless
            // the path could end it (`?`, `#`) or be trimmed (spaces and
            // controls, which the generated code encodes): those take the long
            // way below.
            let plain = full.write_fmt(path).is_ok()
                && full[base.path.len()..].starts_with('/')
                && !full.bytes().any(|b| b <= b' ' || b == b'?' || b == b'#');
            if plain {
                // `set_path` replaces the whole path (the placeholder).
                let mut url = base.url.clone();
                url.set_path(&full);
                return Ok(url);
            }
        }
        let full = format!("{baseurl}{path}");
        reqwest::Url::parse(&full)
            .map_err(|e| format!("the request URL `{full}` is not valid: {e}"))
    }

    /// Puts the provider's own JSON media type on the wire: `Accept`, and the
    /// `Content-Type` of a JSON body, become `media_type` (e.g.
    /// `application/scim+json`). The generated clients know only
    /// `application/json`: the codegen pre-pass reads a `+json` media type as
    /// that, and this puts it back.
    pub(crate) fn with_media_type(mut self, media_type: &'static str) -> Self {
        self.media_type = Some(media_type);
        self
    }

    fn record(&self, seen: Seen) {
        if let Ok(mut slot) = self.seen.lock() {
            *slot = Some(Arc::new(seen));
        }
    }

    /// The recorded answer, if a response arrived.
    pub(crate) fn seen(&self) -> Option<Arc<Seen>> {
        self.seen.lock().ok().and_then(|s| s.clone())
    }

    /// Sends `request` and reads at most `max_body` bytes of the answer, all within
    /// the per-attempt timeout. The answer (status, headers, body) is recorded;
    /// the response handed back to the generated code has its status, and the
    /// generated code decodes the body from the record
    /// ([`CallContext::from_response`]): every body is read once.
    ///
    /// Little is kept across the awaits: the request is handed to reqwest
    /// before the future is built (an `async fn` would keep room for it). This
    /// future is part of every attempt's, which is allocated and moved on every
    /// call.
    pub(crate) fn execute(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + '_ {
        use futures_util::future::Either;
        let Some(pacer) = &self.pacer else {
            self.prepare(&mut request, self.ends);
            let method = request.method().clone();
            let pending = http.execute(request);
            return Either::Left(async move { self.answer(method, pending.await).await });
        };
        // A paced request: sent when the pacer lets it start. The waits are
        // not the provider's time: the attempt's waits so far move its end
        // back (and the call's deadline, `Call::paced_deadline`), so that its
        // requests have the time they would have had unpaced. Boxed: unboxed,
        // its wait (a timer, a notification) made every request's future,
        // paced or not, twice the size, and copying it cost an unpaced call
        // about 1,200 CPU instructions (callgrind); a paced request pays one
        // allocation instead.
        let http = http.clone();
        Either::Right(Box::pin(async move {
            pacer.wait_to_start().await;
            self.prepare(&mut request, later(self.ends, pacer.attempt_waited()));
            let method = request.method().clone();
            let answer = http.execute(request).await;
            match &answer {
                Ok(response) => pacer.answered(response.headers()),
                Err(_) => pacer.lost(),
            }
            self.answer(method, answer).await
        }))
    }

    /// Reads and records an answer (see [`CallContext::execute`]).
    async fn answer(
        &self,
        method: reqwest::Method,
        response: reqwest::Result<reqwest::Response>,
    ) -> reqwest::Result<reqwest::Response> {
        let mut response = response?;
        let (body, too_large) = read_body(&mut response, self.max_body).await?;
        self.record(Seen {
            method,
            url: if response.status().is_success() {
                String::new()
            } else {
                response.url().to_string()
            },
            status: response.status().as_u16(),
            headers: std::mem::take(response.headers_mut()),
            body,
            too_large,
        });
        Ok(response)
    }

    /// What the transport changes on a request before it is sent, for an
    /// attempt that ends at `ends`.
    fn prepare(&self, request: &mut reqwest::Request, ends: Instant) {
        if let Some(auth) = &self.auth {
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, auth.clone());
        }
        if let Some(media) = self.media_type {
            let value = reqwest::header::HeaderValue::from_static(media);
            let headers = request.headers_mut();
            headers.insert(reqwest::header::ACCEPT, value.clone());
            let json_body = headers
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            if json_body {
                headers.insert(reqwest::header::CONTENT_TYPE, value);
            }
        }
        // One timer per request, reqwest's, for the time left in the attempt.
        // A request that has (almost) the whole per-attempt timeout left, as
        // the first of an attempt has, runs on the client's timer, which is that
        // timeout: a timer of its own would cost three allocations (reqwest keeps
        // it in the request's extensions), for at most CLIENT_TIMER_SLACK.
        let left = ends.saturating_duration_since(Instant::now());
        if !self.client_times_out || left + CLIENT_TIMER_SLACK < self.timeout {
            *request.timeout_mut() = Some(left);
        }
        // Signed last, over the headers and body as they go out, at the
        // moment they go out (a fresh `X-Amz-Date` on every attempt).
        if let Some(signer) = &self.signer {
            if let Err(why) = signer.sign(request) {
                if let Ok(mut slot) = self.unsigned.lock() {
                    *slot = Some(why);
                }
                // Never sent unsigned: reqwest refuses a URL of another scheme
                // at once, before any connection ([`Attempt::outcome`] reports
                // the reason recorded above).
                if let Ok(nowhere) = reqwest::Url::parse("userbridge-unsigned:request") {
                    *request.url_mut() = nowhere;
                }
            }
        }
    }

    /// `read` of the recorded body (the transport read it), in place under the
    /// record's lock; `None` when nothing was recorded.
    fn with_recorded_body<R>(&self, read: impl FnOnce(&Bytes) -> R) -> Option<R> {
        let slot = self.seen.lock().ok()?;
        slot.as_deref().map(|seen| read(&seen.body))
    }

    /// progenitor's `ResponseValue::from_response`, decoding the body the
    /// transport recorded instead of reading `response` again; the generated
    /// code calls it (the codegen post-pass puts it there, not awaited: the
    /// body is already read). The value carries no headers: the record has
    /// them.
    pub fn from_response<T: serde::de::DeserializeOwned, E>(
        &self,
        response: reqwest::Response,
    ) -> Result<ResponseValue<T>, progenitor_client::Error<E>> {
        let status = response.status();
        drop(response);
        // Decoded in place: no copy of the body's handle on the way to a success.
        let decoded = self
            .with_recorded_body(|body| serde_json::from_slice(body).map_err(|e| (body.clone(), e)));
        match decoded {
            Some(Ok(inner)) => Ok(ResponseValue::new(inner, status, HeaderMap::new())),
            Some(Err((body, e))) => Err(progenitor_client::Error::InvalidResponsePayload(body, e)),
            None => Err(progenitor_client::Error::Custom(
                "the response was not recorded".into(),
            )),
        }
    }

    /// progenitor's `ResponseValue::stream`, over the body the transport
    /// recorded (see [`CallContext::from_response`]).
    pub fn stream(
        &self,
        response: reqwest::Response,
    ) -> ResponseValue<progenitor_client::ByteStream> {
        let status = response.status();
        drop(response);
        let body = self
            .with_recorded_body(Bytes::clone)
            .filter(|b| !b.is_empty());
        let chunks = futures_util::stream::iter(body.map(Ok));
        ResponseValue::new(
            progenitor_client::ByteStream::new(Box::pin(chunks)),
            status,
            HeaderMap::new(),
        )
    }
}

/// Reads at most `max` bytes of a body: `(body, false)`, or `(empty, true)`
/// when it is longer (announced by Content-Length, or found while reading). A
/// body that arrives as one chunk is kept without a copy.
pub(crate) async fn read_body(
    response: &mut reqwest::Response,
    max: usize,
) -> reqwest::Result<(Bytes, bool)> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Ok((Bytes::new(), true));
    }
    let mut body = Chunks::None;
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > max {
            return Ok((Bytes::new(), true));
        }
        body.push(chunk);
    }
    Ok((body.into_bytes(), false))
}

/// A body being read (one value, so that the read keeps little across its
/// awaits): the first chunk as it came, and a buffer once a second one comes.
enum Chunks {
    None,
    One(Bytes),
    Many(BytesMut),
}

impl Chunks {
    fn len(&self) -> usize {
        match self {
            Chunks::None => 0,
            Chunks::One(b) => b.len(),
            Chunks::Many(b) => b.len(),
        }
    }

    fn push(&mut self, chunk: Bytes) {
        *self = match std::mem::replace(self, Chunks::None) {
            Chunks::None => Chunks::One(chunk),
            Chunks::One(first) => {
                let mut all = BytesMut::with_capacity(first.len() + chunk.len());
                all.extend_from_slice(&first);
                all.extend_from_slice(&chunk);
                Chunks::Many(all)
            }
            Chunks::Many(mut all) => {
                all.extend_from_slice(&chunk);
                Chunks::Many(all)
            }
        };
    }

    fn into_bytes(self) -> Bytes {
        match self {
            Chunks::None => Bytes::new(),
            Chunks::One(b) => b,
            Chunks::Many(b) => b.freeze(),
        }
    }
}

/// A generated client: what `Call::client` (`adapter.rs`) builds for an
/// attempt ([`transport_hooks!`] implements it).
pub(crate) trait Generated {
    /// progenitor's `new_with_client`.
    fn new_with(baseurl: &str, http: reqwest::Client, ctx: CallContext) -> Self;
}

/// Implements progenitor's `ClientHooks` for a generated client so that its
/// requests go through [`CallContext::execute`], and [`Generated`] so that an
/// adapter builds it with `Call::client` (`adapter.rs`). Each adapter
/// invokes it once for its generated client.
///
/// Only `exec`: the generated operations do not call the `pre` and `post`
/// hooks (the codegen post-pass takes out progenitor's calls of them, which
/// do nothing by default), so implementing them here would change nothing.
macro_rules! transport_hooks {
    ($client:ty) => {
        impl $crate::transport::Generated for $client {
            fn new_with(
                baseurl: &str,
                http: reqwest::Client,
                ctx: $crate::transport::CallContext,
            ) -> Self {
                <$client>::new_with_client(baseurl, http, ctx)
            }
        }
        impl progenitor_client::ClientHooks<$crate::transport::CallContext> for $client {
            // Not an `async fn`: that would keep room for the request in every
            // attempt's future, next to the transport's.
            fn exec(
                &self,
                request: reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> {
                use progenitor_client::ClientInfo as _;
                self.inner().execute(self.client(), request)
            }
        }
    };
}
pub(crate) use transport_hooks;

/// What one attempt through a generated client came to, before a provider's
/// body refines errors.
pub(crate) enum Outcome<T, E> {
    /// A documented success, decoded.
    Success(T, Arc<Seen>),
    /// A documented error, decoded; the adapter refines the kind from the body.
    ErrorBody(E, ApiError),
    /// Everything else, already classified.
    Failed(Error),
}

/// What a provider's own error answer says, read leniently.
#[derive(Debug, Default)]
pub(crate) struct OwnError {
    /// The provider's machine code.
    pub code: Option<String>,
    /// The provider's message.
    pub message: Option<String>,
}

/// How a provider's error answers look: what the transport needs of a
/// provider to tell its own errors from a wrong endpoint's. Every adapter is
/// one.
pub(crate) trait Answers: Sync {
    /// `Some` when `body` is recognizably this provider's own error answer to a
    /// response of `status` (it has the fields the provider's error envelope
    /// always has, even if others are missing), with what it says. A 404 that is
    /// not is a wrong endpoint's answer, not "user not found"; an undocumented
    /// status that is keeps the provider's message.
    fn own_error(&self, status: u16, body: &serde_json::Value) -> Option<OwnError>;
}

/// Per-attempt facts the mapping needs.
pub(crate) struct Attempt<'a> {
    pub provider: Provider,
    /// The provider's error answers.
    pub answers: &'a dyn Answers,
    /// An example base URL of the provider, for the error that says it is wrong.
    pub base_url_example: &'static str,
    pub user_id: &'a str,
    pub ctx: &'a CallContext,
}

impl Attempt<'_> {
    /// An [`ApiError`] for a recorded answer: status, raw body, trace id and
    /// retry hints from the headers; the message a stand-in until a body says more.
    pub fn api_error(&self, seen: &Seen) -> ApiError {
        let mut e = ApiError::new(self.provider, seen.status, stand_in_message(seen.status))
            .with_body(&seen.body);
        e.user_id = self.user_id.to_string();
        e.trace_id = header_str(&seen.headers, "x-request-id")
            .or_else(|| header_str(&seen.headers, "x-amzn-requestid"))
            .or_else(|| header_str(&seen.headers, "request-id"))
            .or_else(|| header_str(&seen.headers, "x-trace-id"))
            .or_else(|| header_str(&seen.headers, "x-correlation-id"));
        e.retry_after = retry_after(&seen.headers, seen.status);
        e
    }

    /// Maps what a generated method returned.
    pub fn outcome<T, E>(
        &self,
        result: Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
    ) -> Outcome<T, E> {
        let seen = self.ctx.seen();
        if let Some(seen) = seen.as_ref().filter(|s| s.too_large) {
            let mut e = self.api_error(seen);
            e.message = format!(
                "the response body is larger than the configured maximum of {} bytes and was \
                 not read",
                self.ctx.max_body
            );
            return Outcome::Failed(Error::UnexpectedResponse(e));
        }
        if let Some(why) = self.ctx.unsigned() {
            return Outcome::Failed(Error::invalid(Some(self.provider), why));
        }
        use progenitor_client::Error as Gen;
        let answered = match result {
            Err(
                Gen::CommunicationError(e) | Gen::ResponseBodyError(e) | Gen::InvalidUpgrade(e),
            ) => {
                return Outcome::Failed(self.transport_error(&e));
            }
            Err(Gen::InvalidRequest(msg)) => {
                return Outcome::Failed(Error::invalid(Some(self.provider), msg));
            }
            Err(Gen::Custom(msg)) => return Outcome::Failed(self.unclassified(&msg)),
            answered => answered,
        };
        // Everything left came from a complete response, which the hook recorded.
        let Some(seen) = seen else {
            return Outcome::Failed(self.unclassified("the response was not recorded"));
        };
        if let Some(wrong) = self.wrong_endpoint(&seen) {
            return Outcome::Failed(wrong);
        }
        match answered {
            Ok(value) => Outcome::Success(value.into_inner(), seen),
            Err(Gen::ErrorResponse(value)) => {
                Outcome::ErrorBody(value.into_inner(), self.api_error(&seen))
            }
            Err(Gen::InvalidResponsePayload(_, decode)) => {
                Outcome::Failed(self.undecodable(&seen, &decode.to_string()))
            }
            Err(_) => Outcome::Failed(self.undocumented(&seen)),
        }
    }

    /// A documented status whose body does not match the documented schema:
    /// classified by status (a 2xx is never a success then).
    pub fn undecodable(&self, seen: &Seen, why: &str) -> Error {
        let mut e = self.api_error(seen);
        let kind = kind_for_status(seen.status);
        e.message = if (200..300).contains(&seen.status) {
            format!("the success body does not match the documented schema ({why})")
        } else {
            format!(
                "{}; the body does not match the documented schema ({why})",
                stand_in_message(seen.status)
            )
        };
        Error::from_api(kind, e)
    }

    /// A status the spec does not document: classified by its class, with the
    /// provider's own code and message when the body is its error answer.
    pub fn undocumented(&self, seen: &Seen) -> Error {
        let mut e = self.api_error(seen);
        let kind = kind_for_status(seen.status);
        if (300..400).contains(&seen.status) {
            let to = header_str(&seen.headers, "location").unwrap_or_default();
            e.message = format!(
                "redirect to `{to}` not followed (API calls never follow redirects; point the \
                 base URL at the final address)"
            );
        } else if let Some(own) = self.own_error(seen) {
            e.code = own.code;
            e.message = own
                .message
                .unwrap_or_else(|| format!("undocumented HTTP status {}", seen.status));
        } else {
            e.message = format!("undocumented HTTP status {}", seen.status);
        }
        Error::from_api(kind, e)
    }

    /// The provider's own error answer in a recorded body, if it is one.
    fn own_error(&self, seen: &Seen) -> Option<OwnError> {
        let body: serde_json::Value = serde_json::from_slice(&seen.body).ok()?;
        self.answers.own_error(seen.status, &body)
    }

    /// An answer that shows the request reached something other than the
    /// provider's operation: a 405, or a 404 whose body is not the provider's own
    /// error answer (empty, HTML, another shape). Never "user not found": the
    /// base URL or the provider variant is wrong.
    pub fn wrong_endpoint(&self, seen: &Seen) -> Option<Error> {
        let what = match seen.status {
            404 if self.own_error(seen).is_none() => format!(
                "is not an error answer of {} ({})",
                self.provider,
                describe_body(seen)
            ),
            405 => "(method not allowed): the server does not offer this operation there".into(),
            _ => return None,
        };
        let mut e = self.api_error(seen);
        e.message = format!(
            "HTTP {} from {} {} {what}; the base URL or the provider variant is likely wrong: \
             the base URL must be the server URL of {} (e.g. {}), the prefix its documented \
             path is appended to, and Provider::{:?} must be the API the server speaks",
            seen.status, seen.method, seen.url, self.provider, self.base_url_example, self.provider,
        );
        Some(Error::Misconfigured(e))
    }

    fn unclassified(&self, why: &str) -> Error {
        let mut e = ApiError::new(self.provider, 0, why.to_string());
        e.user_id = self.user_id.to_string();
        Error::UnexpectedResponse(e)
    }

    /// A transport failure: timeout or no HTTP response at all.
    pub fn transport_error(&self, e: &reqwest::Error) -> Error {
        if e.is_timeout() {
            return Error::Timeout {
                provider: self.provider,
                user_id: self.user_id.to_string(),
                after: self.ctx.timeout,
                attempts: 1,
            };
        }
        Error::Network {
            provider: self.provider,
            user_id: self.user_id.to_string(),
            reason: describe_transport(e),
            connected: !e.is_connect(),
            attempts: 1,
        }
    }
}

/// A reqwest error in words, without the URL's query or any header (so never the
/// token): its chain of sources.
pub(crate) fn describe_transport(e: &reqwest::Error) -> String {
    let what = if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the connection failed while reading the response"
    } else if e.is_request() {
        "the request could not be sent"
    } else {
        "transport error"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        causes.push(s.to_string());
        source = s.source();
    }
    if causes.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {}", causes.join(": "))
    }
}

/// What a body looks like, in a few words, for messages.
fn describe_body(seen: &Seen) -> String {
    let content_type = header_str(&seen.headers, "content-type").unwrap_or_default();
    if seen.body.iter().all(u8::is_ascii_whitespace) {
        "an empty body".to_string()
    } else if content_type.contains("html") || seen.body.trim_ascii_start().starts_with(b"<") {
        "an HTML page".to_string()
    } else if serde_json::from_slice::<serde_json::Value>(&seen.body).is_ok() {
        "JSON of another shape".to_string()
    } else if content_type.is_empty() || content_type.contains("json") {
        "a body that does not parse as JSON".to_string()
    } else {
        format!("a `{content_type}` body")
    }
}

fn stand_in_message(status: u16) -> String {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("unknown status");
    format!("HTTP {status} {reason}")
}

pub(crate) fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The characters a path parameter is sent with percent-encoded, so that an id
/// reaches every server as exactly the one segment sent: those of
/// progenitor's `encode_path` (controls, space, `"#<>?`{}/%`); `|`, `[`, `]`
/// and `^`, which RFC 3986 does not allow raw in a path either and the URL
/// parser leaves as given (an Auth0 user id, `auth0|5f7c...`); `;`, where Java
/// servers (Keycloak's among them) cut a segment as a matrix parameter
/// (`abc;x` would act on user `abc`); and `+`, which some servers read as a
/// space or refuse in a path (IIS' double-escaping filter). Every server
/// decodes them. The other sub-delimiters (`!$&'()*,=`) and `:@` stay raw:
/// within a segment no server gives them a meaning once `;` is encoded.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'|')
    .add(b'[')
    .add(b']')
    .add(b'^')
    .add(b';')
    .add(b'+');

/// A path parameter, percent-encoded as one segment as it is written into the
/// URL (no `String` of its own). The generated clients call it in place of
/// progenitor's `encode_path` (the codegen post-pass puts it there).
pub(crate) fn path_segment(text: &str) -> PercentEncode<'_> {
    utf8_percent_encode(text, PATH_SEGMENT)
}

/// The rate-limit reset headers: when the provider's window resets, in seconds
/// to wait or as a Unix time (`x-ratelimit-reset`: Aitronos, Auth0;
/// `X-Rate-Limit-Reset`: Okta). Read on a 429 only: Okta sends its window's
/// reset on every answer, which is no reason to wait.
const RESET_HEADERS: [&str; 2] = ["x-ratelimit-reset", "x-rate-limit-reset"];

/// When the provider asks to retry: `Retry-After` (seconds or HTTP-date),
/// `retry-after-ms`, or on a 429 a rate-limit reset ([`RESET_HEADERS`]: seconds
/// to wait, or a Unix time).
pub(crate) fn retry_after(headers: &HeaderMap, status: u16) -> Option<Duration> {
    if let Some(ms) = header_str(headers, "retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(Duration::from_secs_f64((ms / 1000.0).min(86_400.0)));
        }
    }
    if let Some(v) = header_str(headers, "retry-after") {
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs.min(86_400)));
        }
        if let Ok(at) = httpdate::parse_http_date(&v) {
            let wait = at
                .duration_since(std::time::SystemTime::now())
                .unwrap_or(Duration::ZERO);
            return Some(wait.min(Duration::from_secs(86_400)));
        }
    }
    if status != 429 {
        return None;
    }
    let reset = RESET_HEADERS
        .iter()
        .find_map(|name| header_str(headers, name).and_then(|v| v.parse::<u64>().ok()));
    if let Some(v) = reset {
        // Large values are a Unix time; small ones are seconds to wait.
        const EPOCH_THRESHOLD: u64 = 1_000_000_000;
        if v >= EPOCH_THRESHOLD {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            return Some(Duration::from_secs(v.saturating_sub(now).min(86_400)));
        }
        return Some(Duration::from_secs(v.min(86_400)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    /// A context on `text`'s parsed base (as the SDK's client makes one).
    fn on_base(text: &str) -> CallContext {
        CallContext::until(
            1024,
            Duration::from_secs(1),
            Instant::now(),
            Some(Arc::new(BaseUrl::new(text))),
        )
    }

    /// The base URLs of the tests, in the form the client builder keeps (its
    /// `check_base_url`: the serialization, without a trailing slash).
    fn kept(raw: &str) -> String {
        reqwest::Url::parse(raw)
            .unwrap()
            .as_str()
            .trim_end_matches('/')
            .to_string()
    }

    const BASES: [&str; 8] = [
        "http://127.0.0.1:8080",
        "https://example.com/",
        "https://example.com/api",
        "https://example.com/scim/v2/",
        "https://B\u{fc}cher.example/a%20b/c d",
        "http://[::1]:9000/auth",
        "https://example.com/a/./b/../c",
        "https://example.com:443/v1.0",
    ];

    /// Every operation path form of the generated clients (one parameter, two,
    /// one in the middle), every ASCII character in an id, and ids that look
    /// like path structure or are not ASCII: the URL set on the parsed base is
    /// the URL `Url::parse` reads from the whole text, which is what reqwest
    /// sent before.
    #[test]
    fn a_url_on_the_parsed_base_is_the_url_of_the_whole_text() {
        let mut ids: Vec<String> = (0u8..=127)
            .map(|c| format!("a{}b", char::from(c)))
            .collect();
        ids.extend(
            [
                "usr_1",
                ".",
                "..",
                "%2e%2e",
                "a/../b",
                "ü",
                "auth0|5f7c",
                "a?b#c",
                " x ",
                "\\",
                "\u{85}",
                "",
            ]
            .map(String::from),
        );
        for raw in BASES {
            let text = kept(raw);
            assert!(BaseUrl::new(text.as_str()).is_parsed(), "{text}");
            let ctx = on_base(&text);
            let plain = CallContext::new(1024, Duration::from_secs(1));
            for id in &ids {
                // One path template: built on the parsed base, by a context
                // without one, and the whole text.
                macro_rules! case {
                    ($($fmt:tt)*) => {
                        (
                            ctx.url(&text, format_args!($($fmt)*)),
                            plain.url(&text, format_args!($($fmt)*)),
                            format!("{text}{}", format_args!($($fmt)*)),
                        )
                    };
                }
                let seg = path_segment(id);
                let cases = [
                    case!("/users/{seg}/activate"),
                    case!("/Users/{seg}"),
                    case!("/r/{seg}/u/{seg}"),
                ];
                for (on_base, parsed, whole) in cases {
                    let expected = reqwest::Url::parse(&whole).unwrap();
                    assert_eq!(on_base.as_ref(), Ok(&expected), "{whole}");
                    assert_eq!(parsed.as_ref(), Ok(&expected), "{whole}");
                }
            }
        }
    }

    /// Text the path could end or be trimmed at, a base that is not the
    /// context's, and a base that does not parse: each is parsed whole, as
    /// before.
    #[test]
    fn other_urls_are_parsed_whole() {
        let ctx = on_base("https://example.com/api");
        for (base, path, expected) in [
            (
                "https://example.com/api",
                "/a?b=1#c",
                "https://example.com/api/a?b=1#c",
            ),
            (
                "https://example.com/api",
                "/a ",
                "https://example.com/api/a",
            ),
            ("https://other.example", "/a", "https://other.example/a"),
            ("https://example.com/api", "x", "https://example.com/apix"),
        ] {
            let url = ctx.url(base, format_args!("{path}")).unwrap();
            assert_eq!(url.as_str(), expected, "{base} {path}");
        }
        // A context on a base kept unparsed: its own base, parsed whole.
        let unparsed = on_base("https://EXAMPLE.com");
        let url = unparsed
            .url(
                "https://EXAMPLE.com",
                format_args!("/a/{}", path_segment("b c")),
            )
            .unwrap();
        assert_eq!(url.as_str(), "https://example.com/a/b%20c");
        let err = ctx.url("not a url", format_args!("/a")).unwrap_err();
        assert!(
            err.contains("`not a url/a` is not valid") && err.contains("relative URL"),
            "{err}"
        );
        // Not in the form the client builder keeps: no parsed base.
        for text in [
            "https://EXAMPLE.com",
            "https://e.com/?q",
            "https://e.com/#f",
            "mailto:a@b",
        ] {
            assert!(!BaseUrl::new(text).is_parsed(), "{text}");
        }
    }

    #[test]
    fn later_saturates_instead_of_overflowing() {
        let now = Instant::now();
        assert_eq!(
            later(now, Duration::from_secs(1)),
            now + Duration::from_secs(1)
        );
        let far = later(now, Duration::MAX);
        assert!(far > now + Duration::from_secs(50 * 365 * 24 * 60 * 60));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3")]), 429),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after-ms", "250")]), 429),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]),
                429
            ),
            Some(Duration::ZERO)
        );
        let later = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(30));
        let d = retry_after(&headers(&[("retry-after", &later)]), 503).unwrap();
        assert!(
            d > Duration::from_secs(25) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        assert_eq!(
            retry_after(&headers(&[("x-ratelimit-reset", "7")]), 429),
            Some(Duration::from_secs(7))
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), 429), None);
        assert_eq!(retry_after(&HeaderMap::new(), 429), None);
    }

    #[test]
    fn rate_limit_resets_in_either_spelling_on_a_429_only() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let in_a_minute = (now + 60).to_string();
        for name in ["x-ratelimit-reset", "x-rate-limit-reset"] {
            let h = headers(&[(name, in_a_minute.as_str())]);
            let d = retry_after(&h, 429).unwrap();
            assert!(
                d > Duration::from_secs(55) && d <= Duration::from_secs(60),
                "{name}: {d:?}"
            );
            // Okta sends its window's reset on every answer: no wait on a 404.
            assert_eq!(retry_after(&h, 404), None, "{name}");
            assert_eq!(retry_after(&h, 200), None, "{name}");
        }
        // A reset in the past: no wait.
        let past = headers(&[("x-rate-limit-reset", "1000000000")]);
        assert_eq!(retry_after(&past, 429), Some(Duration::ZERO));
        // `Retry-After` wins, and counts on any status.
        let both = headers(&[
            ("retry-after", "2"),
            ("x-rate-limit-reset", in_a_minute.as_str()),
        ]);
        assert_eq!(retry_after(&both, 429), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(&both, 503), Some(Duration::from_secs(2)));
    }

    #[test]
    fn path_parameters_are_one_segment() {
        let encoded = |s: &str| path_segment(s).to_string();
        // progenitor's `encode_path` set, and `|[]^;+`.
        assert_eq!(encoded("auth0|5f7c8e"), "auth0%7C5f7c8e");
        assert_eq!(encoded("a/b c%d?e#f"), "a%2Fb%20c%25d%3Fe%23f");
        assert_eq!(encoded("<\"{`}>"), "%3C%22%7B%60%7D%3E");
        assert_eq!(encoded("usr_a1-b.c~d@e:f+g"), "usr_a1-b.c~d@e:f%2Bg");
        assert_eq!(encoded("8f3a0718;x"), "8f3a0718%3Bx");
        assert_eq!(encoded("a[0]^b"), "a%5B0%5D%5Eb");
        assert_eq!(encoded("ü"), "%C3%BC");
        // Every ASCII character is encoded as progenitor's `encode_path` would,
        // and `|[]^;+` too.
        let ours = [
            ('|', "%7C"),
            ('[', "%5B"),
            (']', "%5D"),
            ('^', "%5E"),
            (';', "%3B"),
            ('+', "%2B"),
        ];
        for c in (0u8..=127).map(char::from) {
            let id = format!("a{c}b");
            let mut want = progenitor_client::encode_path(&id);
            for (raw, enc) in ours {
                want = want.replace(raw, enc);
            }
            assert_eq!(encoded(&id), want, "{c:?}");
        }
    }
}
