//! The post-pass: edits of progenitor's output, for what is sent, how an
//! answer's body is read, and a copy per path parameter.
//!
//! 1. **No `api-version` header.** progenitor 0.15 adds one, with the spec's
//!    `info.version`, to every request. None of our providers documents it, so
//!    it is not sent. Building it (a header map, a header name, a header value,
//!    a merge into the request's headers) and taking it off again in the
//!    transport was about 1,500 CPU instructions per call; instead:
//!    - the `header_map.append("api-version", ...)` statement goes;
//!    - when that was the operation's only header, the `header_map` binding and
//!      the `.headers(header_map)` step of the request builder go too;
//!      otherwise the map's capacity is one less.
//! 2. **One read of every body.** The SDK's transport hook reads each answer's
//!    body (bounded by the client's maximum) and records it with the status and
//!    headers, because the mapping needs the raw answer. progenitor's
//!    `ResponseValue::from_response(response)` and `ResponseValue::stream(response)`
//!    would read the body again, so the hook had to rebuild a `reqwest::Response`
//!    around the buffered body for them (six allocations and a second read per
//!    call). They become `self.inner().from_response(response)` and
//!    `self.inner().stream(response)`: the same results, decoded from the
//!    recorded body (`CallContext` in `sdk/src/transport.rs`).
//!
//! 3. **Path parameters are encoded straight into the URL.** progenitor
//!    writes a path parameter into the URL's `format!` as
//!    `encode_path(&user_id.to_string())`: a copy of the text, then an encoded
//!    copy, two allocations per parameter and request. It becomes
//!    `path_segment(user_id)` (`use crate::transport::path_segment`, added
//!    after progenitor's `use`s), which encodes as it is
//!    formatted: progenitor's set of characters, plus `|`, which RFC 3986 does
//!    not allow in a path either (an Auth0 id, `auth0|5f7c...`). A parameter
//!    that is not a `&str` keeps its `.to_string()`.
//! 4. **No awaits on what cannot wait.** Every operation awaits
//!    `self.pre(&mut request, &info)` and `self.post(&result, &info)`,
//!    progenitor's `ClientHooks` defaults, which do nothing: the SDK's hooks
//!    (`transport_hooks!` in `sdk/src/transport.rs`) implement only `exec`.
//!    Both statements go, and `self.inner().from_response(response)` (edit 2)
//!    is not awaited: it returns its result. Each await kept the request, the
//!    result and the response in the operation's future, which is part of
//!    every attempt's allocation (the Flashback attempt's future: 1,016 bytes
//!    before, 488 after).
//! 5. **The URL is built on the parsed base URL.** progenitor writes an
//!    operation's URL as `format!("{}/path/{}", self.baseurl, ...)`, which
//!    reqwest then parses whole: scheme, host (with its IDNA processing),
//!    port and path, about 7,500 CPU instructions per request. The statement
//!    becomes `self.inner().url(&self.baseurl, format_args!("/path/{}", ...))`
//!    `.map_err(Error::InvalidRequest)?`: `CallContext::url` sets the path on
//!    the base URL the SDK's client parsed when it was built (the same URL as
//!    the parse of the whole; checked by its tests), and parses the whole for a
//!    context without one. A URL that does not parse is an `InvalidRequest`
//!    of the generated client rather than an error of reqwest's request builder.
//! 6. **`Accept: application/json` comes from the SDK's HTTP client.**
//!    progenitor adds `.header(ACCEPT, HeaderValue::from_static("application/json"))`
//!    to the request builder of every operation with a JSON answer. The SDK's
//!    `reqwest::Client` (`ClientBuilder::build` in `sdk/src/client.rs`) sends
//!    that header by default, as a hand-written client does, and reqwest adds
//!    a default header to every request that has none of its own: the same
//!    header on the wire without building it per request. The per-request step
//!    (a header name and value converted, the request's header map grown)
//!    was about 30 of the 64-byte lines of code a Flashback call runs (2,641
//!    before, 2,611 after: `cargo xtask bench --callgrind`). The step goes; an `Accept`
//!    of any other value stays. (The SDK's transport still puts a provider's
//!    own `+json` type in place, on every request.)
//!
//! Anything else in progenitor's output stays as it is. When progenitor's shape
//! is not the expected one (a header map without the `api-version` line, a
//! capacity that is not a literal, a `ResponseValue` constructor that reads a
//! body and is not rewritten, an operation without exactly one `pre` and one
//! `post` hook call, or without exactly one `let url = format!("{}...",
//! self.baseurl, ...)`), the pass fails and names the function, so a generator
//! upgrade cannot silently change what is sent or read.

use syn::visit_mut::VisitMut;

/// The binding progenitor builds an operation's headers in.
const MAP: &str = "header_map";

/// What the post-pass did, for the generated file's header.
pub const NOTE: &str = "post-pass: progenitor's `api-version` request header is not built (no \
     provider documents it); bodies are decoded from the transport's record \
     (`self.inner().from_response`/`stream`), not read twice; path parameters are \
     encoded into the URL by `crate::transport::path_segment`, `&str` ones without \
     a copy; the no-op `pre`/`post` hooks are not awaited; the URL is built on the \
     client's parsed base URL (`self.inner().url`), not parsed whole; \
     `Accept: application/json` is not set per request (the SDK's HTTP client sends it \
     by default)";

/// progenitor's `ResponseValue` constructors that read a body, and the
/// `CallContext` methods they become. `empty` reads none and stays.
const READERS: [&str; 2] = ["from_response", "stream"];

/// Makes the edits above in every generated operation of `file`.
/// `Ok(n)`: the number of operations edited.
pub fn run(file: &mut syn::File) -> Result<usize, String> {
    let mut edited = 0;
    let mut segments = 0;
    for item in &mut file.items {
        let syn::Item::Impl(imp) = item else { continue };
        for member in &mut imp.items {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            let name = f.sig.ident.to_string();
            let fail = |why: String| format!("post-pass, fn `{name}`: {why}");
            let headers = edit_operation(&mut f.block.stmts).map_err(fail)?;
            let hooks = drop_noop_hooks(&mut f.block.stmts).map_err(fail)?;
            let mut reads = ReadRecorded::default();
            reads.visit_block_mut(&mut f.block);
            if let Some(other) = reads.unknown {
                return Err(fail(format!(
                    "`ResponseValue::{other}` is not rewritten: it may read the body the \
                     transport already read; update xtask/src/postpass.rs"
                )));
            }
            let strs = str_params(&f.sig);
            let mut copies = NoCopyToEncode {
                strs: &strs,
                in_format: false,
                rewritten: 0,
                segments: 0,
            };
            copies.visit_block_mut(&mut f.block);
            segments += copies.segments;
            // An operation (it had the hooks): its URL.
            if hooks {
                url_on_parsed_base(&mut f.block.stmts).map_err(fail)?;
            }
            let mut accept = StripStep {
                is_step: is_default_accept_step,
                removed: 0,
            };
            accept.visit_block_mut(&mut f.block);
            if accept.removed > 1 {
                return Err(fail(format!(
                    "{} `.header(ACCEPT, \"{JSON}\")` steps; progenitor's output changed: \
                     update xtask/src/postpass.rs",
                    accept.removed
                )));
            }
            if headers || hooks || reads.rewritten > 0 || copies.rewritten > 0 || accept.removed > 0
            {
                edited += 1;
            }
        }
    }
    if segments > 0 {
        // After progenitor's own `use`s (an item of its own: the generated
        // files are not run through rustfmt, which would sort it in).
        let at = file
            .items
            .iter()
            .rposition(|item| matches!(item, syn::Item::Use(_)))
            .map_or(0, |i| i + 1);
        file.items.insert(
            at,
            syn::parse_quote!(
                use crate::transport::path_segment;
            ),
        );
    }
    Ok(edited)
}

fn tokens(node: &impl quote::ToTokens) -> String {
    node.to_token_stream().to_string()
}

/// `let mut header_map = ...;`
fn is_map_binding(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Local(local) = stmt else {
        return false;
    };
    matches!(&local.pat, syn::Pat::Ident(p) if p.ident == MAP)
}

/// `header_map.append(HeaderName::from_static("api-version"), ...);`
fn is_api_version_append(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    call.method == "append"
        && tokens(&call.receiver) == MAP
        && call
            .args
            .first()
            .is_some_and(|name| tokens(name).contains("\"api-version\""))
}

/// Edits one function body; `Ok(false)` when it builds no header map.
fn edit_operation(stmts: &mut Vec<syn::Stmt>) -> Result<bool, String> {
    let Some(binding) = stmts.iter().position(is_map_binding) else {
        return Ok(false);
    };
    let before = stmts.len();
    stmts.retain(|s| !is_api_version_append(s));
    if stmts.len() + 1 != before {
        return Err(format!(
            "expected exactly one `{MAP}.append(\"api-version\", ...)` after `let mut {MAP}`, \
             found {}; progenitor's output changed: update xtask/src/postpass.rs",
            before - stmts.len()
        ));
    }
    let mentions = |s: &syn::Stmt| {
        tokens(s)
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| word == MAP)
    };
    // The binding and the request builder's `.headers(header_map)` always name
    // it; other headers of the operation (header parameters) name it too.
    let others = stmts.iter().filter(|s| mentions(s)).count() - 2;
    if others == 0 {
        stmts.remove(binding);
        let mut strip = StripStep {
            is_step: is_headers_step,
            removed: 0,
        };
        for stmt in stmts.iter_mut() {
            strip.visit_stmt_mut(stmt);
        }
        if strip.removed != 1 {
            return Err(format!(
                "expected one `.headers({MAP})` in the request builder, found {}",
                strip.removed
            ));
        }
    } else {
        let syn::Stmt::Local(local) = &mut stmts[binding] else {
            return Err(format!("`let mut {MAP}` moved"));
        };
        let mut fix = OneLess { fixed: 0 };
        if let Some(init) = local.init.as_mut() {
            fix.visit_expr_mut(&mut init.expr);
        }
        if fix.fixed != 1 {
            return Err(format!(
                "expected `let mut {MAP} = HeaderMap::with_capacity(<N>usize)` with a literal N"
            ));
        }
    }
    Ok(true)
}

/// The `ClientHooks` calls that do nothing in the SDK (edit 4).
const NOOP_HOOKS: [&str; 2] = ["pre", "post"];

/// `self.<hook>(..).await?;` for a hook of [`NOOP_HOOKS`]: its name.
fn noop_hook_call(stmt: &syn::Stmt) -> Option<String> {
    let syn::Stmt::Expr(syn::Expr::Try(t), Some(_)) = stmt else {
        return None;
    };
    let syn::Expr::Await(a) = &*t.expr else {
        return None;
    };
    let syn::Expr::MethodCall(call) = &*a.base else {
        return None;
    };
    let name = call.method.to_string();
    (tokens(&call.receiver) == "self" && NOOP_HOOKS.contains(&name.as_str())).then_some(name)
}

/// Removes the `pre` and `post` hook calls of an operation (one of each, or
/// none in a function that sends nothing); `Ok(true)` when it did.
fn drop_noop_hooks(stmts: &mut Vec<syn::Stmt>) -> Result<bool, String> {
    let found: Vec<String> = stmts.iter().filter_map(noop_hook_call).collect();
    if found.is_empty() {
        return Ok(false);
    }
    if found != NOOP_HOOKS {
        return Err(format!(
            "expected `self.pre(..).await?;` then `self.post(..).await?;`, found the hook \
             calls {found:?}; progenitor's output changed: update xtask/src/postpass.rs"
        ));
    }
    stmts.retain(|s| noop_hook_call(s).is_none());
    Ok(true)
}

/// `let url = format!("{}<path>", self.baseurl, <args>);` becomes
/// `let url = self.inner().url(&self.baseurl, format_args!("<path>", <args>))
/// .map_err(Error::InvalidRequest)?;` (edit 5), in exactly one statement.
fn url_on_parsed_base(stmts: &mut [syn::Stmt]) -> Result<(), String> {
    use syn::parse::Parser as _;
    let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
    let mut rewritten = 0;
    for stmt in stmts.iter_mut() {
        let syn::Stmt::Local(local) = stmt else {
            continue;
        };
        if !matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "url") {
            continue;
        }
        let Some(init) = local.init.as_mut() else {
            continue;
        };
        let syn::Expr::Macro(mac) = &*init.expr else {
            continue;
        };
        if !mac.mac.path.is_ident("format") {
            continue;
        }
        let args = parser
            .parse2(mac.mac.tokens.clone())
            .map_err(|e| format!("the URL's `format!` does not parse: {e}"))?;
        let mut args = args.into_iter();
        let template = match args.next() {
            Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            })) => s,
            _ => return Err("the URL's `format!` has no literal template".into()),
        };
        let value = template.value();
        let Some(path) = value.strip_prefix("{}") else {
            return Err(format!(
                "the URL template `{value}` does not start with the base URL (`{{}}`)"
            ));
        };
        if args.next().map(|a| tokens(&a)).as_deref() != Some("self . baseurl") {
            return Err("the URL's `format!` does not start with `self.baseurl`".into());
        }
        let path = syn::LitStr::new(path, template.span());
        let rest: Vec<syn::Expr> = args.collect();
        *init.expr = syn::parse_quote!(self
            .inner()
            .url(&self.baseurl, format_args!(#path #(, #rest)*))
            .map_err(Error::InvalidRequest)?);
        rewritten += 1;
    }
    if rewritten != 1 {
        return Err(format!(
            "expected one `let url = format!(\"{{}}...\", self.baseurl, ...)`, found {rewritten}; \
             progenitor's output changed: update xtask/src/postpass.rs"
        ));
    }
    Ok(())
}

/// Replaces every `<receiver>.<step>(..)` of a request builder for which
/// `is_step` holds with `<receiver>`: the `.headers(header_map)` step (edit 1)
/// and the default `Accept` step (edit 6).
struct StripStep<F: Fn(&syn::ExprMethodCall) -> bool> {
    is_step: F,
    removed: usize,
}

impl<F: Fn(&syn::ExprMethodCall) -> bool> VisitMut for StripStep<F> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = expr {
            if (self.is_step)(call) {
                let receiver = (*call.receiver).clone();
                *expr = receiver;
                self.removed += 1;
                self.visit_expr_mut(expr);
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

/// `.headers(header_map)` (edit 1).
fn is_headers_step(call: &syn::ExprMethodCall) -> bool {
    call.method == "headers" && call.args.len() == 1 && tokens(&call.args[0]) == MAP
}

/// The `Accept` value the SDK's HTTP client sends by default (edit 6).
const JSON: &str = "application/json";

/// `.header(::reqwest::header::ACCEPT,
/// ::reqwest::header::HeaderValue::from_static("application/json"))` (edit 6).
fn is_default_accept_step(call: &syn::ExprMethodCall) -> bool {
    call.method == "header"
        && call.args.len() == 2
        && tokens(&call.args[0]) == ":: reqwest :: header :: ACCEPT"
        && is_json_value(&call.args[1])
}

/// `::reqwest::header::HeaderValue::from_static("application/json")`.
fn is_json_value(expr: &syn::Expr) -> bool {
    let syn::Expr::Call(call) = expr else {
        return false;
    };
    let value = match call.args.first() {
        Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        })) if call.args.len() == 1 => s.value(),
        _ => return false,
    };
    tokens(&call.func) == ":: reqwest :: header :: HeaderValue :: from_static" && value == JSON
}

/// `ResponseValue::from_response(x).await` becomes
/// `self.inner().from_response(x)`, and `ResponseValue::stream(x)` becomes
/// `self.inner().stream(x)`.
#[derive(Default)]
struct ReadRecorded {
    rewritten: usize,
    /// A `ResponseValue::<name>` call that is neither rewritten nor known not to
    /// read a body.
    unknown: Option<String>,
}

impl VisitMut for ReadRecorded {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        // `self.inner().from_response(x).await` (rewritten just now, below):
        // the record is already read, so the result is returned, not awaited.
        if let syn::Expr::Await(a) = expr {
            if tokens(&a.base).starts_with("self . inner () . from_response (") {
                *expr = (*a.base).clone();
            }
            return;
        }
        let syn::Expr::Call(call) = expr else { return };
        let syn::Expr::Path(path) = &*call.func else {
            return;
        };
        let segments: Vec<String> = path
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let [ty, name] = segments.as_slice() else {
            return;
        };
        if ty != "ResponseValue" {
            return;
        }
        if !READERS.contains(&name.as_str()) || call.args.len() != 1 {
            if name != "empty" {
                self.unknown = Some(name.clone());
            }
            return;
        }
        let method = syn::Ident::new(name, proc_macro2::Span::call_site());
        let arg = &call.args[0];
        *expr = syn::parse_quote!(self.inner().#method(#arg));
        self.rewritten += 1;
    }
}

/// The parameters of `sig` whose type is a `&str` (any lifetime).
fn str_params(sig: &syn::Signature) -> Vec<String> {
    sig.inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(arg) => Some(arg),
            syn::FnArg::Receiver(_) => None,
        })
        .filter(|arg| match &*arg.ty {
            syn::Type::Reference(r) => r.mutability.is_none() && tokens(&r.elem) == "str",
            _ => false,
        })
        .filter_map(|arg| match &*arg.pat {
            syn::Pat::Ident(p) => Some(p.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// In the arguments of `format!`, `encode_path(x)` becomes
/// `path_segment(x)` (`crate::transport`'s, encoded as it is formatted), and
/// `encode_path(&p.to_string())` becomes `..path_segment(p)` for a `&str`
/// parameter `p`. Elsewhere `encode_path`'s `String` may be needed, and only
/// the copy of a `&str` goes.
struct NoCopyToEncode<'a> {
    strs: &'a [String],
    /// Visiting the arguments of a `format!`.
    in_format: bool,
    rewritten: usize,
    /// `path_segment` calls written.
    segments: usize,
}

impl NoCopyToEncode<'_> {
    /// `Some(p)` when `arg` is `&p.to_string()` for a `&str` parameter `p`.
    fn copied_param(&self, arg: &syn::Expr) -> Option<syn::Expr> {
        let syn::Expr::Reference(r) = arg else {
            return None;
        };
        let syn::Expr::MethodCall(call) = &*r.expr else {
            return None;
        };
        let receiver = tokens(&call.receiver);
        (call.method == "to_string" && call.args.is_empty() && self.strs.contains(&receiver))
            .then(|| (*call.receiver).clone())
    }
}

impl VisitMut for NoCopyToEncode<'_> {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, call);
        if tokens(&call.func) != "encode_path" || call.args.len() != 1 {
            return;
        }
        if let Some(param) = self.copied_param(&call.args[0]) {
            call.args[0] = param;
            self.rewritten += 1;
        }
        if self.in_format {
            *call.func = syn::parse_quote!(path_segment);
            self.rewritten += 1;
            self.segments += 1;
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        // `format!("...", a, b)`: its arguments are expressions after the
        // literal; other macros are left alone.
        if !mac.path.is_ident("format") {
            return;
        }
        use syn::parse::Parser as _;
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        let Ok(mut args) = parser.parse2(mac.tokens.clone()) else {
            return;
        };
        let before = self.rewritten;
        self.in_format = true;
        for arg in args.iter_mut() {
            self.visit_expr_mut(arg);
        }
        self.in_format = false;
        if self.rewritten != before {
            mac.tokens = quote::quote!(#args);
        }
    }
}

/// `HeaderMap::with_capacity(Nusize)` becomes `with_capacity((N-1)usize)`.
struct OneLess {
    fixed: usize,
}

impl VisitMut for OneLess {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if tokens(&call.func).ends_with("with_capacity") && call.args.len() == 1 {
            if let Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(n),
                ..
            })) = call.args.first_mut()
            {
                if let Ok(value) = n.base10_parse::<usize>() {
                    if value > 0 {
                        *n = syn::LitInt::new(&format!("{}usize", value - 1), n.span());
                        self.fixed += 1;
                        return;
                    }
                }
            }
        }
        syn::visit_mut::visit_expr_call_mut(self, call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edited(src: &str) -> Result<String, String> {
        let mut file: syn::File = syn::parse_str(src).map_err(|e| e.to_string())?;
        run(&mut file)?;
        Ok(prettyplease::unparse(&file))
    }

    const ONLY: &str = r#"
        impl Client {
            pub async fn op<'a>(&'a self, id: &'a str) -> Result<(), ()> {
                let url = format!("{}/x/{}", self.baseurl, id);
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(Self::api_version()),
                );
                let mut request = self
                    .client
                    .post(url)
                    .header(
                        ::reqwest::header::ACCEPT,
                        ::reqwest::header::HeaderValue::from_static("application/json"),
                    )
                    .headers(header_map)
                    .build()?;
                let info = OperationInfo { operation_id: "op" };
                self.pre(&mut request, &info).await?;
                let result = self.exec(request, &info).await;
                self.post(&result, &info).await?;
                let response = result?;
                match response.status().as_u16() {
                    200u16 => ResponseValue::from_response(response).await,
                    204u16 => Ok(ResponseValue::stream(response)),
                    404u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        }
    "#;

    #[test]
    fn the_only_header_goes_with_its_map() {
        let out = edited(ONLY).unwrap();
        assert!(!out.contains("api-version"), "{out}");
        assert!(!out.contains("header_map"), "{out}");
        assert!(out.contains("self.client.post(url).build()?;"), "{out}");
    }

    #[test]
    fn the_default_accept_is_left_to_the_http_client() {
        let out = edited(ONLY).unwrap();
        assert!(!out.contains("ACCEPT"), "{out}");
        // Another media type is the operation's own: it stays.
        let text = ONLY.replace(
            "from_static(\"application/json\")",
            "from_static(\"text/plain\")",
        );
        let out = edited(&text).unwrap();
        assert!(
            out.contains(".header(\n                ::reqwest::header::ACCEPT,"),
            "{out}"
        );
        assert!(out.contains("from_static(\"text/plain\")"), "{out}");
        // Two are not progenitor's shape.
        let two = ONLY.replace(
            ".headers(header_map)",
            ".header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static(\"application/json\")).headers(header_map)",
        );
        let err = edited(&two).unwrap_err();
        assert!(
            err.contains("fn `op`") && err.contains("2 `.header(ACCEPT"),
            "{err}"
        );
    }

    #[test]
    fn bodies_are_decoded_from_the_record() {
        let out = edited(ONLY).unwrap();
        assert!(!out.contains("ResponseValue::from_response"), "{out}");
        assert!(!out.contains("ResponseValue::stream"), "{out}");
        assert_eq!(
            out.matches("self.inner().from_response(response)").count(),
            2,
            "{out}"
        );
        assert!(!out.contains("from_response(response).await"), "{out}");
        assert!(
            out.contains("200u16 => self.inner().from_response(response),"),
            "{out}"
        );
        assert!(
            out.contains("Err(Error::ErrorResponse(self.inner().from_response(response)?))"),
            "{out}"
        );
        assert!(out.contains("Ok(self.inner().stream(response))"), "{out}");
    }

    #[test]
    fn str_parameters_are_encoded_without_a_copy() {
        let src = r#"
            impl Client {
                pub async fn op<'a>(&'a self, realm: &'a str, id: &'a str, n: i64) -> Result<(), ()> {
                    let url = format!(
                        "{}/r/{}/u/{}/n/{}", self.baseurl, encode_path(&realm.to_string()),
                        encode_path(&id.to_string()), encode_path(&n.to_string()),
                    );
                    let other = encode_path(&id.to_string());
                    Ok(())
                }
            }
        "#;
        let out = edited(src).unwrap();
        assert!(out.contains("path_segment(realm),"), "{out}");
        assert!(out.contains("path_segment(id),"), "{out}");
        assert!(out.contains("use crate::transport::path_segment;"), "{out}");
        // Not a string: its text is needed.
        assert!(out.contains("path_segment(& n.to_string())"), "{out}");
        // Outside a `format!`, the encoded `String` may be needed: only the
        // copy goes.
        assert!(out.contains("let other = encode_path(id);"), "{out}");
        assert!(!out.contains("id.to_string()"), "{out}");
    }

    #[test]
    fn the_url_is_built_on_the_parsed_base() {
        let out = edited(ONLY).unwrap();
        assert!(!out.contains("format!"), "{out}");
        assert!(
            out.contains(
                "let url = self\n            .inner()\n            .url(&self.baseurl, format_args!(\"/x/{}\", id))\n            .map_err(Error::InvalidRequest)?;"
            ),
            "{out}"
        );
        let other = ONLY.replace("\"{}/x/{}\", self.baseurl", "\"{}/x/{}\", base");
        let err = edited(&other).unwrap_err();
        assert!(
            err.contains("fn `op`") && err.contains("self.baseurl"),
            "{err}"
        );
        let none = ONLY.replace("let url = format!", "let address = format!");
        let err = edited(&none).unwrap_err();
        assert!(err.contains("found 0"), "{err}");
    }

    #[test]
    fn the_noop_hooks_are_not_called() {
        let out = edited(ONLY).unwrap();
        assert!(!out.contains("self.pre("), "{out}");
        assert!(!out.contains("self.post("), "{out}");
        assert!(
            out.contains("let result = self.exec(request, &info).await;"),
            "{out}"
        );
        assert!(out.contains("let response = result?;"), "{out}");
    }

    #[test]
    fn a_missing_hook_call_is_an_error() {
        let src = ONLY.replace("self.post(&result, &info).await?;", "");
        let err = edited(&src).unwrap_err();
        assert!(err.contains("fn `op`") && err.contains("post"), "{err}");
    }

    #[test]
    fn an_unknown_body_reader_is_an_error() {
        let src = ONLY.replace(
            "ResponseValue::stream(response)",
            "ResponseValue::upgrade(response)",
        );
        let err = edited(&src).unwrap_err();
        assert!(err.contains("ResponseValue::upgrade"), "{err}");
    }

    #[test]
    fn other_headers_keep_the_map_one_smaller() {
        let src = ONLY.replace("1usize", "2usize").replace(
            "let mut request",
            "if let Some(v) = org { header_map.append(\"x-org\", v.to_string().try_into()?); }\n\
             let mut request",
        );
        let out = edited(&src).unwrap();
        assert!(!out.contains("api-version"), "{out}");
        assert!(out.contains("with_capacity(1usize)"), "{out}");
        assert!(out.contains("header_map.append(\"x-org\""), "{out}");
        assert!(out.contains(".headers(header_map)"), "{out}");
    }

    #[test]
    fn a_changed_generator_is_an_error() {
        let src = ONLY.replace("\"api-version\"", "\"x-api-version\"");
        let err = edited(&src).unwrap_err();
        assert!(
            err.contains("fn `op`") && err.contains("api-version"),
            "{err}"
        );
    }

    #[test]
    fn functions_without_headers_are_left_alone() {
        let src = "impl Client { fn new() -> Self { Self {} } }";
        let mut file: syn::File = syn::parse_str(src).unwrap();
        assert_eq!(run(&mut file), Ok(0));
    }
}
