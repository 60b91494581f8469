//! `careplan serve`: the CDS Hooks service (see [`crate::serve`] and docs/serve.md).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::{tool_error, Exit};
use crate::render::ErrorFormat;

/// `careplan serve`'s flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The rule pack folder, e.g. `rules/england` (its parents come from the folders
    /// beside it).
    #[arg(long)]
    pack: PathBuf,
    /// The address and port to listen on; port 0 picks a free one (printed first).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The base URL clients call this service at, which their tokens' `aud` names (with
    /// the endpoint's path); `http://<the address listened on>` by default.
    #[arg(long, value_name = "URL")]
    audience: Option<String>,
    /// A JWK Set (JSON) of the clients' public keys: EC P-384 (ES384) or RSA of 2048
    /// bits or more (RS384), each with a `kid`. May be given more than once.
    #[arg(long = "key", value_name = "FILE")]
    keys: Vec<PathBuf>,
    /// A JWKS URL clients may name in their tokens' `jku` (exactly); keys are fetched
    /// from it. May be given more than once.
    #[arg(long = "jwks-url", value_name = "URL")]
    jwks_urls: Vec<String>,
    /// An issuer (`iss`) to accept; any issuer with a known key if none is given. May be
    /// given more than once.
    #[arg(long = "issuer", value_name = "ISS")]
    issuers: Vec<String>,
    /// A FHIR server base URL the service may fetch missing prefetch data from, with the
    /// client's token (https://, or http:// on this machine). May be given more than
    /// once; with none, missing data is answered with 412.
    #[arg(long = "fhir-server", value_name = "URL")]
    fhir_servers: Vec<String>,
    /// PEM file of the certificate authorities trusted for https FHIR servers and JWKS
    /// URLs.
    #[arg(long, value_name = "FILE", default_value = "/etc/ssl/certs/ca-certificates.crt")]
    ca_file: PathBuf,
    /// A browser origin allowed to call the service (CORS), or `*` for any. May be given
    /// more than once; with none, no CORS headers are sent.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// Where to append feedback on cards (JSON Lines); without it, feedback is logged to
    /// standard error.
    #[arg(long, value_name = "FILE")]
    feedback_log: Option<PathBuf>,
    /// The largest request body accepted, in bytes (413 beyond).
    #[arg(long, value_name = "BYTES", default_value_t = 4 << 20, value_parser = clap::value_parser!(u64).range(1024..=(256 << 20)))]
    max_body: u64,
    /// Seconds one request may take in all (503 beyond).
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,
    /// Seconds one component call (reading FHIR, or evaluating) may take.
    #[arg(long, value_name = "SECS", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=600))]
    eval_timeout: u64,
    /// Seconds one GET to a FHIR server or JWKS URL may take.
    #[arg(long, value_name = "SECS", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=120))]
    fetch_timeout: u64,
    /// Evaluations at once; twice the cores by default.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=256))]
    concurrency: Option<u64>,
    /// Seconds shutting down waits for requests in flight.
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=600))]
    drain: u64,
    /// Seconds of clock skew allowed in tokens' `exp`, `nbf` and `iat`.
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=600))]
    token_leeway: u64,
    /// The oldest token accepted (by `iat`), and the longest `exp - iat`, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    max_token_age: u64,
    /// The date to evaluate as of (`YYYY-MM-DD`), for trials and tests; today in England
    /// (at each request) by default.
    #[arg(long)]
    as_of: Option<String>,
    /// An upcoming review (not yet due) gets an `info` card when it falls due within
    /// this many days; later ones get none.
    #[arg(long, value_name = "DAYS", default_value_t = 14, value_parser = clap::value_parser!(u32).range(0..=366))]
    upcoming_days: u32,
    /// A FHIR mapping table instead of the built-in UK Core one (see `careplan
    /// fhir-to-case --print-mapping`); the prefetch templates follow it.
    #[arg(long, value_name = "TOML")]
    mapping: Option<PathBuf>,
    /// Turn authentication off, for a local trial only: refused unless listening on a
    /// loopback address, and announced on every start.
    #[arg(long)]
    insecure_no_auth: bool,
}

pub(super) fn run(args: Args, format: ErrorFormat) -> Exit {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let config = crate::serve::Config {
        pack: args.pack,
        listen: args.listen,
        audience: args.audience,
        keys: args.keys,
        jwks_urls: args.jwks_urls,
        issuers: args.issuers,
        fhir_servers: args.fhir_servers,
        ca_file: args.ca_file,
        cors_origins: args.cors_origins,
        feedback_log: args.feedback_log,
        max_body: usize::try_from(args.max_body).unwrap_or(usize::MAX),
        timeout: Duration::from_secs(args.timeout),
        eval_timeout: Duration::from_secs(args.eval_timeout),
        fetch_timeout: Duration::from_secs(args.fetch_timeout),
        concurrency: args
            .concurrency
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or((cores * 2).max(2)),
        drain: Duration::from_secs(args.drain),
        token_leeway: args.token_leeway,
        max_token_age: args.max_token_age,
        as_of: args.as_of,
        upcoming_days: args.upcoming_days,
        mapping: args.mapping,
        insecure_no_auth: args.insecure_no_auth,
    };
    match crate::serve::run(config) {
        Ok(()) => Exit::Ok,
        Err(message) => tool_error(&message, format),
    }
}
