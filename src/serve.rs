//! `careplan serve`: a CDS Hooks 2.0 service (patient-view and encounter-discharge)
//! whose cards come from a rule pack run in the Wasm component. See docs/serve.md.
//!
//! A request passes, outermost first: CORS (when configured), the access log, the
//! request deadline, the body limit; then, on the `/cds-services` routes, the in-flight
//! limit and authentication; then the handler, which reads and checks the hook call,
//! completes the prefetch (fetching from the client's FHIR server only when it is
//! allow-listed), reads it into a case and evaluates it in the component (at most
//! `concurrency` at once), and turns the findings into cards.

mod auth;
mod cards;
mod error;
mod evaluate;
mod feedback;
mod fetch;
mod hook;
mod services;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use self::auth::{Auth, Client};
use self::error::{Outcome, Refusal};
use self::services::Service;

/// Everything `careplan serve` is started with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The rule pack folder.
    pub pack: PathBuf,
    /// Where to listen.
    pub listen: SocketAddr,
    /// The base URL clients call (and put in `aud`); `http://<bound address>` if `None`.
    pub audience: Option<String>,
    /// JWK Set files.
    pub keys: Vec<PathBuf>,
    /// Allow-listed JWKS URLs.
    pub jwks_urls: Vec<String>,
    /// Allow-listed issuers (any if empty).
    pub issuers: Vec<String>,
    /// Allow-listed FHIR server bases.
    pub fhir_servers: Vec<String>,
    /// PEM roots for https.
    pub ca_file: PathBuf,
    /// CORS origins (`*` for any); none: no CORS.
    pub cors_origins: Vec<String>,
    /// The feedback log file.
    pub feedback_log: Option<PathBuf>,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Deadline of a whole request.
    pub timeout: Duration,
    /// Deadline of one component call.
    pub eval_timeout: Duration,
    /// Deadline of one GET to a FHIR server or JWKS URL.
    pub fetch_timeout: Duration,
    /// Evaluations at once.
    pub concurrency: usize,
    /// How long shutting down waits for requests in flight.
    pub drain: Duration,
    /// Clock skew allowed in token times, in seconds.
    pub token_leeway: u64,
    /// Oldest (and longest-lived) token accepted, in seconds.
    pub max_token_age: u64,
    /// The date to evaluate as of; today in England (per request) if `None`.
    pub as_of: Option<String>,
    /// Days ahead within which an upcoming review gets a card.
    pub upcoming_days: u32,
    /// The FHIR mapping table file; the built-in one if `None`.
    pub mapping: Option<PathBuf>,
    /// No authentication (loopback only).
    pub insecure_no_auth: bool,
}

/// What every request shares.
struct AppState {
    services: Vec<Service>,
    discovery: Value,
    health: Value,
    pack: cards::PackFacts,
    mapping: careplan_fhir::Mapping,
    evaluator: Arc<evaluate::Evaluator>,
    auth: Option<Auth>,
    fetcher: Arc<fetch::Fetcher>,
    fhir_servers: Vec<String>,
    audience: String,
    as_of: Option<String>,
    issued: feedback::Issued,
    recorder: feedback::Recorder,
}

/// The banner `--insecure-no-auth` prints on every start.
pub const INSECURE_BANNER: &str = "careplan serve: AUTHENTICATION IS OFF (--insecure-no-auth): for local trials only";

/// Checks the configuration, loads the pack into the component, binds, prints
/// `listening on http://ADDR` as the first line of standard output and serves until
/// SIGINT or SIGTERM. Errors are for the user, naming the flag or file.
pub fn run(config: Config) -> Result<(), String> {
    init_logs();
    if config.insecure_no_auth {
        eprintln!("{INSECURE_BANNER}");
        tracing::warn!(target: "careplan::serve", "authentication is off (--insecure-no-auth): for local trials only");
        if !config.listen.ip().is_loopback() {
            return Err(format!(
                "--insecure-no-auth is for local trials: it only listens on a loopback address (127.0.0.1 or ::1), not {}",
                config.listen.ip()
            ));
        }
    } else if config.keys.is_empty() && config.jwks_urls.is_empty() {
        return Err(
            "give the clients' keys (--key FILE, a JWK Set, or --jwks-url URL), or --insecure-no-auth for a local trial"
                .to_owned(),
        );
    }
    for base in &config.fhir_servers {
        if !(base.starts_with("https://") || fetch::is_loopback_http(base)) {
            return Err(format!(
                "`--fhir-server {base}` must be an https:// URL (http:// only on this machine): the service sends clients' tokens to it"
            ));
        }
    }
    if let Some(date) = &config.as_of {
        date.parse::<careplan_core::Date>()
            .map_err(|err| format!("invalid `--as-of`: {err}"))?;
    }
    let (fetcher, ca_warning) = fetch::Fetcher::new(config.fetch_timeout, &config.ca_file)?;
    if let Some(warning) = ca_warning {
        if !config
            .fhir_servers
            .iter()
            .chain(&config.jwks_urls)
            .all(|u| u.starts_with("http://"))
        {
            tracing::warn!(target: "careplan::serve", message = %warning);
        }
    }
    let fetcher = Arc::new(fetcher);
    let auth = if config.insecure_no_auth {
        None
    } else {
        let (auth, warnings) = Auth::new(
            &config.keys,
            &config.jwks_urls,
            &config.issuers,
            config.token_leeway,
            config.max_token_age,
            fetcher.clone(),
        )?;
        for warning in warnings {
            tracing::warn!(target: "careplan::auth", message = %warning);
        }
        Some(auth)
    };
    let (mapping, mapping_text) = match &config.mapping {
        Some(path) => {
            let text = crate::packs::read_text(path).map_err(|err| err.to_string())?;
            let mapping = careplan_fhir::Mapping::from_toml(&text, &crate::packs::display_path(path))
                .map_err(|err| err.report().text)?;
            (mapping, Some(text))
        }
        None => (
            careplan_fhir::Mapping::uk_core().map_err(|err| err.report().text)?,
            None,
        ),
    };
    let recorder = feedback::Recorder::new(config.feedback_log.as_deref())?;

    let (pack, parents) = crate::packs::read_with_parents(&config.pack, &careplan_core::Limits::default())
        .map_err(|err| err.to_string())?;
    let concurrency = config.concurrency.max(1);
    // A handle per permit, and as many instances again for reading FHIR (each in a
    // fresh instance), and one to spare.
    let instances = u32::try_from(concurrency * 2 + 1).map_err(|_| "--concurrency is too large".to_owned())?;
    let runtime = crate::engine::runtime_for(Some(config.eval_timeout), Some(instances)).map_err(|e| e.to_string())?;
    let evaluator = evaluate::Evaluator::new(
        runtime,
        crate::engine::to_host(pack),
        parents.into_iter().map(crate::engine::to_host).collect(),
        mapping_text,
        concurrency,
    )
    .map_err(|err| crate::render::host_error(&err))?;
    let info = evaluator.info().map_err(|err| err.to_string())?;
    let pack = cards::PackFacts {
        id: info.id.clone(),
        name: info.name.clone(),
        version: info.version.clone(),
        digest: info.digest.clone(),
        titles: info.rules.iter().map(|r| (r.id.clone(), r.title.clone())).collect(),
        upcoming_days: i64::from(config.upcoming_days),
    };
    let services = services::services(&mapping);
    let discovery = services::discovery(&services, &pack.id);
    let health = json!({"status": "ok", "pack": {"id": pack.id, "version": pack.version, "digest": pack.digest}});

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(crate::engine::EVALUATION_STACK)
        .max_blocking_threads(concurrency * 4 + 16)
        .build()
        .map_err(|err| format!("cannot start the server's runtime: {err}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|err| format!("cannot listen on {}: {err}", config.listen))?;
        let bound = listener
            .local_addr()
            .map_err(|err| format!("cannot read the address listened on: {err}"))?;
        let audience = config
            .audience
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"));
        let state = Arc::new(AppState {
            services,
            discovery,
            health,
            pack,
            mapping,
            evaluator: Arc::new(evaluator),
            auth,
            fetcher,
            fhir_servers: config.fhir_servers.iter().map(|b| fetch::trim_base(b).to_owned()).collect(),
            audience: fetch::trim_base(&audience).to_owned(),
            as_of: config.as_of.clone(),
            issued: feedback::Issued::default(),
            recorder,
        });
        let app = router(state.clone(), &config)?;
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on http://{bound}");
            let _ = out.flush();
        }
        tracing::info!(
            target: "careplan::serve",
            listen = %bound,
            audience = %state.audience,
            pack = %state.pack.id,
            version = %state.pack.version,
            digest = %state.pack.digest,
            as_of = state.as_of.as_deref().unwrap_or("today in England"),
            auth = if state.auth.is_some() { "jwt" } else { "off" },
            concurrency,
            "careplan serve started"
        );
        let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
        let signal = async move {
            shutdown_signal().await;
            tracing::info!(target: "careplan::serve", "shutting down: no new connections; finishing requests in flight");
            let _ = stop_tx.send(true);
        };
        let server = axum::serve(listener, app).with_graceful_shutdown(signal);
        let drain = config.drain;
        let deadline = async move {
            let _ = stop_rx.wait_for(|stopped| *stopped).await;
            tokio::time::sleep(drain).await;
        };
        tokio::select! {
            served = server => served.map_err(|err| format!("the server failed: {err}"))?,
            () = deadline => tracing::warn!(target: "careplan::serve", drain_seconds = drain.as_secs(), "requests still in flight at the drain deadline were dropped"),
        }
        tracing::info!(target: "careplan::serve", "careplan serve stopped");
        Ok::<(), String>(())
    })?;
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

/// JSON lines on standard error.
fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .try_init();
}

fn router(state: Arc<AppState>, config: &Config) -> Result<Router, String> {
    let in_flight = config.concurrency.max(1) * 8;
    let cds = Router::new()
        .route("/cds-services", get(discovery))
        .route("/cds-services/{id}", post(hook))
        .route("/cds-services/{id}/feedback", post(feedback))
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(in_flight));
    let mut app = Router::new()
        .route("/healthz", get(healthz))
        .merge(cds)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(config.max_body))
        .layer(middleware::from_fn_with_state(config.timeout, deadline))
        .layer(middleware::from_fn(access_log))
        .with_state(state);
    if !config.cors_origins.is_empty() {
        use tower_http::cors::{AllowOrigin, CorsLayer};
        let origin = if config.cors_origins.iter().any(|o| o == "*") {
            AllowOrigin::any()
        } else {
            let origins = config
                .cors_origins
                .iter()
                .map(|o| HeaderValue::from_str(o).map_err(|_| format!("`--cors-origin {o}` is not an origin")))
                .collect::<Result<Vec<_>, _>>()?;
            AllowOrigin::list(origins)
        };
        app = app.layer(
            CorsLayer::new()
                .allow_origin(origin)
                .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                .max_age(Duration::from_secs(600)),
        );
    }
    Ok(app)
}

async fn not_found() -> Refusal {
    Refusal::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route: see GET /cds-services",
    )
}

async fn healthz(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(state.health.clone())
}

async fn discovery(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(state.discovery.clone())
}

/// The route, as a template: never the client's path itself, which may hold ids.
fn route_of(path: &str) -> &'static str {
    match path.trim_end_matches('/') {
        "/healthz" => "/healthz",
        "/cds-services" => "/cds-services",
        other => match other.strip_prefix("/cds-services/") {
            Some(rest) => match rest.strip_suffix("/feedback") {
                Some(id) if !id.contains('/') => "/cds-services/{id}/feedback",
                _ if !rest.contains('/') => "/cds-services/{id}",
                _ => "other",
            },
            None => "other",
        },
    }
}

/// One JSON line per request, with no personal data: the route template, the service,
/// status, time taken, what was found and fetched, and who called (issuer and key id).
async fn access_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let outcome = response.extensions().get::<Outcome>().cloned().unwrap_or_default();
    let client = response.extensions().get::<Client>().cloned();
    let route = route_of(&path);
    let service = response.extensions().get::<ServiceId>().map(|s| s.0);
    tracing::info!(
        target: "careplan::access",
        method = %method,
        route,
        service,
        hook_instance = outcome.hook_instance.as_deref(),
        status = response.status().as_u16(),
        duration_ms = (started.elapsed().as_micros() as f64 / 1000.0),
        error = outcome.code,
        reason = outcome.reason.as_deref(),
        cards = outcome.cards,
        complete = outcome.complete,
        failed_rules = outcome.failed_rules,
        fetched = outcome.fetched,
        iss = client.as_ref().map(|c| c.iss.as_str()),
        kid = client.as_ref().map(|c| c.kid.as_str()),
    );
    response
}

/// The whole request's deadline (`--timeout`): past it, 503 with careplan's JSON body.
/// An evaluation under way finishes in the blocking pool (bounded by the component's own
/// deadline) and returns its handle there.
async fn deadline(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Refusal::unavailable(format!(
            "the request took longer than the {} seconds allowed (--timeout)",
            limit.as_secs()
        ))
        .into_response(),
    }
}

/// The known service a response is for (a response extension, for the log).
#[derive(Clone, Copy)]
struct ServiceId(&'static str);

/// Checks the bearer JWT of every `/cds-services` call (none with `--insecure-no-auth`).
async fn authenticate(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let Some(auth) = &state.auth else {
        return next.run(request).await;
    };
    let path = request.uri().path().trim_end_matches('/').to_owned();
    let mut audiences = vec![format!("{}{path}", state.audience)];
    if let Some(service) = path.strip_suffix("/feedback") {
        audiences.push(format!("{}{service}", state.audience));
    }
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match auth.verify(authorization.as_deref(), &audiences).await {
        Ok(client) => {
            let mut response = next.run(request).await;
            response.extensions_mut().insert(client);
            response
        }
        Err(refusal) => refusal.into_response(),
    }
}

/// `application/json` or any `+json` type.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// The body, or the refusal for a body that is not JSON or too big.
fn json_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Bytes, Refusal> {
    if !is_json(headers) {
        return Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be JSON (Content-Type: application/json)",
        ));
    }
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the body is larger than this service accepts (--max-body)",
            )
        } else {
            Refusal::invalid("", "the body could not be read")
        }
    })
}

fn service<'a>(state: &'a AppState, id: &str) -> Result<&'a Service, Refusal> {
    state.services.iter().find(|s| s.id == id).ok_or_else(|| {
        Refusal::new(
            StatusCode::NOT_FOUND,
            "unknown_service",
            "no service has this id: see GET /cds-services",
        )
    })
}

/// The date to evaluate as of: `--as-of`, else today in England.
fn as_of(state: &AppState) -> Result<String, Refusal> {
    match &state.as_of {
        Some(date) => Ok(date.clone()),
        None => crate::cmd::today_in_england()
            .map(|d| d.to_string())
            .map_err(Refusal::internal),
    }
}

async fn hook(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut outcome = Outcome::default();
    let result = answer(&state, &id, &headers, body, &mut outcome).await;
    let mut response = match result {
        Ok(cards) => Json(json!({ "cards": cards })).into_response(),
        Err(refusal) => {
            let code = refusal.code;
            let reason = refusal.reason().map(str::to_owned);
            let mut response = refusal.into_response();
            outcome.code = Some(code);
            outcome.reason = reason;
            response.extensions_mut().remove::<Outcome>();
            response
        }
    };
    if let Ok(service) = service(&state, &id) {
        response.extensions_mut().insert(ServiceId(service.id));
    }
    response.extensions_mut().insert(outcome);
    response
}

async fn answer(
    state: &Arc<AppState>,
    id: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    outcome: &mut Outcome,
) -> Result<Vec<Value>, Refusal> {
    let service = service(state, id)?;
    let body = json_body(headers, body)?;
    let request: hook::HookRequest = hook::parse(&body)?;
    if is_uuid_like(&request.hook_instance) {
        outcome.hook_instance = Some(request.hook_instance.clone());
    }
    let context = request.check(service)?;
    // Cards are for professionals: a patient or a relative viewing the record gets none,
    // and nothing of theirs is fetched.
    if context
        .user_id
        .as_deref()
        .is_some_and(|u| u.starts_with("Patient/") || u.starts_with("RelatedPerson/"))
    {
        outcome.cards = Some(0);
        return Ok(Vec::new());
    }
    let as_of = as_of(state)?;
    let allowed = request
        .fhir_server
        .as_deref()
        .is_some_and(|s| state.fhir_servers.iter().any(|b| b == fetch::trim_base(s)));
    let service_index = state.services.iter().position(|s| s.id == service.id).unwrap_or(0);
    let task_state = state.clone();
    let completed = tokio::task::spawn_blocking(move || {
        let state = task_state;
        let service = state
            .services
            .get(service_index)
            .ok_or_else(|| Refusal::internal("no such service"))?;
        let server = match (&request.fhir_server, &request.fhir_authorization) {
            (Some(base), Some(auth)) if allowed => Some(hook::Server {
                base,
                token: &auth.access_token,
            }),
            _ => None,
        };
        let context = context;
        hook::complete(service, &request, &context, server.as_ref(), &state.fetcher)
    })
    .await
    .map_err(|_| Refusal::internal("completing the prefetch stopped unexpectedly"))??;
    outcome.fetched = Some(completed.fetched);
    let merge = if service.hook == services::Hook::EncounterDischarge {
        hook::discharge_event(&completed.data, &state.mapping, &as_of)
    } else {
        None
    };
    let prefetch = Value::Object(completed.data).to_string();
    let json = state.evaluator.run(prefetch, merge, as_of).await?;
    let evaluation: careplan_core::Evaluation =
        serde_json::from_str(&json).map_err(|_| Refusal::internal("the component's evaluation could not be read"))?;
    outcome.complete = Some(evaluation.complete);
    outcome.failed_rules = Some(evaluation.failures.len());
    let cards = cards::cards(&evaluation, &state.pack);
    for card in &cards {
        state.issued.add(&card.uuid, card.rule.as_deref(), card.finding);
    }
    outcome.cards = Some(cards.len());
    Ok(cards.into_iter().map(|c| c.json).collect())
}

/// Whether a `hookInstance` may go in the log: a UUID's characters and length.
fn is_uuid_like(text: &str) -> bool {
    text.len() <= 36 && !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

async fn feedback(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = (|| {
        let service = service(&state, &id)?;
        let body = json_body(&headers, body)?;
        let received = jiff::Timestamp::now().to_string();
        feedback::record(&body, service.id, &received, &state.issued, &state.recorder).map(|n| (service.id, n))
    })();
    match result {
        Ok((service, _)) => {
            let mut response = StatusCode::OK.into_response();
            response.extensions_mut().insert(ServiceId(service));
            response
        }
        Err(refusal) => refusal.into_response(),
    }
}
