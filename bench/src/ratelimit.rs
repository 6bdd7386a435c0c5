//! `ratelimit`: bulk runs against a provider's quota (issue 31). N users
//! reactivated against the Okta and Auth0 simulators under a quota of L
//! requests per window of W, for:
//!
//! - `sdk`: userbridge with no rate set (paced by the provider's headers);
//! - `sdk-rate`: userbridge with the provider's number set as a fixed
//!   `rate_limit` (calls per second: what a user did before issue 31);
//! - `sdk-req`: userbridge with the provider's number as `request_rate`;
//! - `loop`: a hand-written loop that sends the same requests and, on each
//!   429, waits for `Retry-After` or the reset and sends again (what the
//!   official SDKs do).
//!
//! Each figure is the wall time against the theoretical minimum (requests
//! answered / L x W) and the 429 answers per request. Runs start on a window
//! boundary; the sides alternate, their order rotating per round.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt as _;
use userbridge::mock::{ReceivedRequest, Simulator, UserState};
use userbridge::{Client, Provider, ReactivateRequest, RetryPolicy};

/// The settings of a run.
#[derive(Clone, Debug)]
pub struct Options {
    pub users: usize,
    pub limit: u32,
    pub window: Duration,
    pub rounds: usize,
    pub concurrency: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            users: 200,
            limit: 60,
            window: Duration::from_secs(1),
            rounds: 3,
            concurrency: 8,
        }
    }
}

impl Options {
    pub fn quick() -> Options {
        Options {
            users: 20,
            limit: 20,
            rounds: 1,
            ..Options::default()
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Sdk,
    SdkRate,
    SdkReq,
    Loop,
}

const SIDES: [Side; 4] = [Side::Sdk, Side::SdkRate, Side::SdkReq, Side::Loop];

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Sdk => "(a) sdk, no rate",
            Side::SdkRate => "(b) sdk, rate_limit(L/W)",
            Side::SdkReq => "    sdk, request_rate(L/W)",
            Side::Loop => "(c) loop, retry on 429",
        }
    }
}

/// One run's figures.
#[derive(Clone, Copy, Debug, Default)]
struct Figures {
    /// Wall time / theoretical minimum.
    ratio: f64,
    /// 429 answers / requests sent.
    refused: f64,
    refusals: u64,

    failed: usize,
}

pub fn run(opts: &Options) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(compare(opts))
}

async fn compare(opts: &Options) -> Result<(), String> {
    println!(
        "ratelimit: {} users, quota {} requests per {:?}, concurrency {}, {} round(s)",
        opts.users, opts.limit, opts.window, opts.concurrency, opts.rounds
    );
    let mut failed = 0;
    for provider in [Provider::Okta, Provider::Auth0] {
        let script = script(provider).await?;
        let mut all: Vec<(Side, Vec<Figures>)> = SIDES.iter().map(|s| (*s, Vec::new())).collect();
        for round in 0..opts.rounds {
            for k in 0..SIDES.len() {
                let side = SIDES[(k + round) % SIDES.len()];
                let f = once(provider, side, opts, &script).await?;
                failed += f.failed;
                if let Some((_, v)) = all.iter_mut().find(|(s, _)| *s == side) {
                    v.push(f);
                }
            }
        }
        println!("\n{provider} ({} requests per reactivation):", script.len());
        println!(
            "  {:<28} {:>10} {:>10} {:>8}",
            "side", "time/min", "429/req", "429s"
        );
        for (side, figures) in &all {
            let ratio = median(figures.iter().map(|f| f.ratio).collect());
            let refused = median(figures.iter().map(|f| f.refused).collect());
            let refusals = median(figures.iter().map(|f| f.refusals as f64).collect());
            println!(
                "  {:<28} {:>9.3}x {:>9.2}% {:>8.0}",
                side.name(),
                ratio,
                refused * 100.0,
                refusals
            );
        }
        let get = |s: Side| {
            all.iter()
                .find(|(x, _)| *x == s)
                .map(|(_, v)| median(v.iter().map(|f| f.ratio).collect()))
                .unwrap_or(f64::NAN)
        };
        let refused = |s: Side| {
            all.iter()
                .find(|(x, _)| *x == s)
                .map(|(_, v)| median(v.iter().map(|f| f.refused).collect()))
                .unwrap_or(f64::NAN)
        };
        let ok = get(Side::Sdk) <= 1.05
            && refused(Side::Sdk) <= 0.01
            && get(Side::Sdk) <= get(Side::Loop) * 1.01
            && refused(Side::Sdk) < refused(Side::Loop).max(f64::MIN_POSITIVE);
        println!(
            "  (a)/(c) time {:.3}; target (a) <= 1.05x the minimum, <= 1% 429s, fewer 429s than (c) \
             and no slower (within 1%): {}",
            get(Side::Sdk) / get(Side::Loop),
            if ok { "met" } else { "NOT met" }
        );
    }
    if failed > 0 {
        return Err(format!("{failed} reactivation(s) did not succeed"));
    }
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The requests one reactivation of a deactivated user makes, as the SDK sends
/// them (method, path, body), its user id as `{id}`: what the hand-written
/// loop sends.
async fn script(provider: Provider) -> Result<Vec<ReceivedRequest>, String> {
    let sim = Simulator::start(provider).await;
    let id = user_id(usize::MAX);
    sim.add_user(id.as_str(), sim.organization(), UserState::Deactivated);
    client(&sim)?
        .users()
        .reactivate(id.as_str())
        .await
        .map_err(|e| e.to_string())?;
    Ok(sim
        .requests()
        .into_iter()
        .map(|mut r| {
            r.path = r.path.replace(&encoded(&id), "{id}");
            r
        })
        .collect())
}

fn encoded(id: &str) -> String {
    id.replace('|', "%7C")
}

/// The id of simulated user `i`: one every provider accepts.
fn user_id(i: usize) -> String {
    format!("usr_bench{i}")
}

fn client(sim: &Simulator) -> Result<Client, String> {
    Client::builder(sim.provider())
        .base_url(sim.base_url())
        .bearer_token(sim.token())
        .organization(sim.organization())
        .retry_policy(RetryPolicy::default().max_attempts(20))
        .build()
        .map_err(|e| e.to_string())
}

/// Sleeps until the next window boundary (windows are aligned on Unix time).
async fn window_start(window: Duration) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    let w = window.as_nanos().max(1);
    let into = now.as_nanos() % w;
    let left = u64::try_from(w - into).unwrap_or(0);
    tokio::time::sleep(Duration::from_nanos(left)).await;
}

async fn once(
    provider: Provider,
    side: Side,
    opts: &Options,
    script: &[ReceivedRequest],
) -> Result<Figures, String> {
    let sim = Simulator::start(provider).await;
    let ids: Vec<String> = (0..opts.users).map(user_id).collect();
    for id in &ids {
        sim.add_user(id.as_str(), sim.organization(), UserState::Deactivated);
    }
    sim.set_quota(opts.limit, opts.window);
    let per_second = (f64::from(opts.limit) / opts.window.as_secs_f64()).max(1.0) as u32;
    let client = client(&sim)?;
    window_start(opts.window).await;
    let started = Instant::now();
    let failed = match side {
        Side::Loop => hand_written(&sim, &ids, script, opts.concurrency).await?,
        _ => {
            let run = client
                .users()
                .reactivate_many(ids.clone().into_iter().map(ReactivateRequest::new))
                .concurrency(opts.concurrency);
            let run = match side {
                Side::SdkRate => run.rate_limit(per_second),
                Side::SdkReq => run.request_rate(per_second),
                _ => run,
            };
            run.run().await.failed()
        }
    };
    let took = started.elapsed();
    let requests = sim.requests().len();
    let refusals = sim.quota_refusals();
    let answered = requests as f64 - refusals as f64;
    let minimum = answered / f64::from(opts.limit) * opts.window.as_secs_f64();
    Ok(Figures {
        ratio: took.as_secs_f64() / minimum,
        refused: refusals as f64 / requests.max(1) as f64,
        refusals,

        failed,
    })
}

/// The hand-written loop: each user's requests in order, `concurrency` users
/// at a time; a 429 waits for `Retry-After` or the reset header (a Unix time
/// in seconds, or seconds) and sends again. Returns the users that failed.
async fn hand_written(
    sim: &Simulator,
    ids: &[String],
    script: &[ReceivedRequest],
    concurrency: usize,
) -> Result<usize, String> {
    let http = reqwest::Client::new();
    // The recorded paths are whole (the base URL's path included).
    let base = reqwest::Url::parse(&sim.base_url()).map_err(|e| e.to_string())?;
    let base = Arc::new(base.origin().ascii_serialization());
    let token = sim.token();
    let failed = futures_util::stream::iter(ids.iter().cloned())
        .map(|id| {
            let (http, base) = (http.clone(), base.clone());
            async move {
                for step in script {
                    let url = format!("{base}{}", step.path.replace("{id}", &encoded(&id)));
                    loop {
                        let method = reqwest::Method::from_bytes(step.method.as_bytes())
                            .unwrap_or(reqwest::Method::GET);
                        let mut req = http.request(method, &url).bearer_auth(token);
                        if !step.body.is_empty() {
                            req = req
                                .header("content-type", "application/json")
                                .body(step.body.clone());
                        }
                        let Ok(r) = req.send().await else {
                            return false;
                        };
                        if r.status().as_u16() != 429 {
                            let (ok, status) = (r.status().is_success(), r.status());
                            let _ = r.bytes().await;
                            if !ok {
                                eprintln!("loop: {} {url}: {status}", step.method);
                                return false;
                            }
                            break;
                        }
                        tokio::time::sleep(wait_of(r.headers())).await;
                    }
                }
                true
            }
        })
        .buffer_unordered(concurrency)
        .filter(|ok| std::future::ready(!ok))
        .count()
        .await;
    Ok(failed)
}

/// `Retry-After` (seconds), else the reset of a rate-limit header (a Unix
/// time, or seconds), else a second.
fn wait_of(headers: &reqwest::header::HeaderMap) -> Duration {
    let number = |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.parse().ok() };
    if let Some(s) = number("retry-after") {
        return Duration::from_secs(s);
    }
    let reset = number("x-rate-limit-reset").or_else(|| number("x-ratelimit-reset"));
    match reset {
        Some(at) if at > 1_000_000_000 => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or(Duration::ZERO);
            Duration::from_secs(at).saturating_sub(now)
        }
        Some(s) => Duration::from_secs(s),
        None => Duration::from_secs(1),
    }
}
