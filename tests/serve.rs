//! `careplan serve`, the CDS Hooks 2.0.1 service, run as the real binary and spoken to over
//! HTTP: discovery, both hooks, prefetch fetched from a FHIR server (with paging), the
//! 412/400/401/404/413/415 refusals, feedback and its log, the start-up refusals, SIGTERM,
//! CORS, and a bounded load test, against the contract docs/serve.md describes.
//!
//! Nothing leaves 127.0.0.1. The server listens on `127.0.0.1:0`; the test FHIR servers (an
//! axum router each, on a thread with its own tokio runtime) listen on `127.0.0.1:0`; the spec
//! examples' `fhirServer` (`hooks.smarthealthit.org`) is rewritten to a test FHIR server before
//! a request is sent, and their `jku` (`fhir-ehr.example.com`) is never allow-listed, so the
//! server refuses it without fetching. The "not allow-listed" cases use other loopback ports.
//! Proxy variables are removed from the server's environment, and the client has no proxy.
//!
//! Tokens are signed here: ES384 with the spec's own private key (example 27, turned into
//! PKCS#8 DER by hand) and RS384 with the test-only key `tests/data/serve/rs384-test-key.der`;
//! `tests/data/serve/keys.jwks.json` holds both public keys (see its README).
//!
//! Servers: one shared by the tests that do not care about flags (starting one loads the
//! rules component, which is slow), and one of their own for tests that need other flags.
//! A `Drop` guard kills a test's own server; a watchdog shell (`kill -0` once a second)
//! kills any server, shared ones included, once this test process is gone.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Constants

/// The as-of date every server is started with.
const AS_OF: &str = "2026-12-01";
/// The invented patient of crates/fhir/tests/cases/prefetch-gp-record.json.
const PATIENT: &str = "cp-fhir-1";
const PATIENT_VIEW: &str = "careplan-patient-view";
const DISCHARGE: &str = "careplan-encounter-discharge";
/// Example 02's opaque FHIR access token: what the test FHIR servers require.
const FHIR_ACCESS_TOKEN: &str = "some-opaque-fhir-access-token";
/// The issuer of the spec's example token (25), used for every fresh token.
const ISSUER: &str = "https://fhir-ehr.example.com/";
/// The kid of the spec's EC P-384 key (26, 27).
const EC_KID: &str = "example-kid";
/// The kid of the RSA test key in keys.jwks.json.
const RSA_KID: &str = "careplan-test-rs384";
/// Put inside refused bodies: error bodies must never quote what the client sent.
const MARKER: &str = "MARKER-7f3a";
/// The banner `--insecure-no-auth` writes on stderr.
const BANNER: &str = "careplan serve: AUTHENTICATION IS OFF (--insecure-no-auth): for local trials only";
/// Every `reason` a 401 may give (contract, "Error bodies").
const REASONS: [&str; 12] = [
    "missing",
    "malformed",
    "algorithm",
    "unknown_key",
    "bad_signature",
    "expired",
    "not_yet_valid",
    "bad_audience",
    "bad_issuer",
    "iat",
    "replayed",
    "jku",
];
/// How long a server may take to print its address: the first start compiles the component.
const STARTUP: Duration = Duration::from_secs(300);

// ---------------------------------------------------------------------------------------
// Files and small helpers

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path} reads: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is JSON: {e}"))
}

/// A file of tests/data/serve (the spec's examples and our fixtures).
fn data(name: &str) -> Value {
    read_json(&format!("tests/data/serve/{name}"))
}

/// The full CDS Hooks prefetch of the invented patient `cp-fhir-1`.
fn full_prefetch() -> Value {
    read_json("crates/fhir/tests/cases/prefetch-gp-record.json")
}

/// Example 02 as a client that prefetched everything would send it: `prefetch` is the full
/// fixture, `context.patientId` is `cp-fhir-1`, and there is no `fhirServer` or
/// `fhirAuthorization` (nothing to fetch).
fn patient_view_request() -> Value {
    let mut request = data("02-request-patient-view.json");
    request["prefetch"] = full_prefetch();
    request["context"]["patientId"] = json!(PATIENT);
    let object = request.as_object_mut().expect("example 02 is an object");
    object.remove("fhirServer");
    object.remove("fhirAuthorization");
    request
}

/// Gives `request` a FHIR server and example 02's `fhirAuthorization` (for `cp-fhir-1`, with
/// `access_token`).
fn give_fhir_access(request: &mut Value, fhir_base: &str, access_token: &str) {
    let mut authorization = data("02-request-patient-view.json")["fhirAuthorization"].clone();
    authorization["patient"] = json!(PATIENT);
    authorization["access_token"] = json!(access_token);
    request["fhirServer"] = json!(fhir_base);
    request["fhirAuthorization"] = authorization;
}

/// Example 02 as is, but for `cp-fhir-1` and with its `fhirServer` on loopback: its prefetch
/// holds only `patientToGreet`, so every key careplan asks for is absent.
fn fetching_request(fhir_base: &str, access_token: &str) -> Value {
    let mut request = data("02-request-patient-view.json");
    request["context"]["patientId"] = json!(PATIENT);
    give_fhir_access(&mut request, fhir_base, access_token);
    request
}

fn discharge_request() -> Value {
    data("discharge-request.json")
}

/// The version of rules/england/pack.toml (the first `version = "…"` line is the pack's).
fn pack_version() -> String {
    let text = std::fs::read_to_string(root().join("rules/england/pack.toml")).expect("rules/england/pack.toml reads");
    text.lines()
        .find_map(|line| line.strip_prefix("version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("rules/england/pack.toml has a version line")
        .to_owned()
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

/// A path under CARGO_TARGET_TMPDIR that no other server of any run uses.
fn temp_path(name: &str, extension: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("serve-{name}-{}-{n}-{nanos}.{extension}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is a string in {value}"))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}

/// Lowercase 8-4-4-4-12 hex, version 8, RFC 9562 variant.
fn is_uuid_v8(uuid: &str) -> bool {
    let groups: Vec<&str> = uuid.split('-').collect();
    let shape = groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, len)| {
            group.len() == len && group.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
    shape && uuid.get(14..15) == Some("8") && uuid.get(19..20).is_some_and(|c| "89ab".contains(c))
}

/// The `{{…}}` tokens of a prefetch template.
fn template_tokens(template: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .unwrap_or_else(|| panic!("an unclosed token in {template}"));
        tokens.push(after[..end].to_owned());
        rest = &after[end + 2..];
    }
    assert!(!rest.contains("}}"), "a stray `}}}}` in {template}");
    tokens
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first value of query parameter `name`, percent-decoded.
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key) == name).then(|| percent_decode(value))
    })
}

// ---------------------------------------------------------------------------------------
// base64url (no padding), for the keys and the hand-made tokens

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64url_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b0 = u32::from(chunk[0]);
        let b1 = u32::from(chunk.get(1).copied().unwrap_or(0));
        let b2 = u32::from(chunk.get(2).copied().unwrap_or(0));
        let n = (b0 << 16) | (b1 << 8) | b2;
        for i in 0..=chunk.len() {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(B64URL[index as usize]));
        }
    }
    out
}

fn b64url_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    for c in text.bytes().filter(|&c| c != b'=') {
        let value = B64URL
            .iter()
            .position(|&a| a == c)
            .unwrap_or_else(|| panic!("not base64url: {text}"));
        acc = (acc << 6) | value as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Tokens

#[derive(Clone, Copy, Debug)]
enum Key {
    /// The spec's EC P-384 key (examples 26, 27), kid `example-kid`.
    Es384,
    /// The test RSA key (rs384-test-key.der), kid `careplan-test-rs384`.
    Rs384,
}

/// Example 27's private JWK as PKCS#8 DER (serve-design.md §3.4): the fixed prefix, `d`, the
/// public-key tag, then the uncompressed point `04 ‖ x ‖ y`. Checked byte for byte against
/// OpenSSL's PKCS#8 for that key.
fn es384_pkcs8_der() -> Vec<u8> {
    let jwk = data("27-jwk-private-key.json");
    let part = |name: &str| {
        let bytes = b64url_decode(text(&jwk, name));
        assert_eq!(bytes.len(), 48, "example 27's `{name}` is 48 bytes");
        bytes
    };
    let mut der = vec![
        0x30, 0x81, 0xb6, 0x02, 0x01, 0x00, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
        0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x04, 0x81, 0x9e, 0x30, 0x81, 0x9b, 0x02, 0x01, 0x01, 0x04, 0x30,
    ];
    der.extend(part("d"));
    der.extend([0xa1, 0x64, 0x03, 0x62, 0x00, 0x04]);
    der.extend(part("x"));
    der.extend(part("y"));
    assert_eq!(der.len(), 185, "the PKCS#8 DER of a P-384 key");
    der
}

fn encoding_key(key: Key) -> &'static EncodingKey {
    static EC: OnceLock<EncodingKey> = OnceLock::new();
    static RSA: OnceLock<EncodingKey> = OnceLock::new();
    match key {
        Key::Es384 => EC.get_or_init(|| EncodingKey::from_ec_der(&es384_pkcs8_der())),
        Key::Rs384 => RSA.get_or_init(|| {
            let der =
                std::fs::read(root().join("tests/data/serve/rs384-test-key.der")).expect("the RSA test key reads");
            EncodingKey::from_rsa_der(&der)
        }),
    }
}

fn header(key: Key) -> Header {
    match key {
        Key::Es384 => Header {
            kid: Some(EC_KID.to_owned()),
            ..Header::new(Algorithm::ES384)
        },
        Key::Rs384 => Header {
            kid: Some(RSA_KID.to_owned()),
            ..Header::new(Algorithm::RS384)
        },
    }
}

/// A jti no other token of this run has (the server's replay cache lives as long as it).
fn next_jti() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "careplan-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Claims a CDS client would send now: `iat` now, `exp` in 300 s, a fresh `jti`.
fn fresh_claims(aud: &str) -> Value {
    let now = now();
    json!({"iss": ISSUER, "aud": aud, "iat": now, "exp": now + 300, "jti": next_jti()})
}

fn sign_with(header: &Header, claims: &Value, key: &EncodingKey) -> String {
    encode(header, claims, key).unwrap_or_else(|e| panic!("the test token signs ({:?}): {e}", header.alg))
}

fn sign(key: Key, claims: &Value) -> String {
    sign_with(&header(key), claims, encoding_key(key))
}

/// A fresh ES384 token for the endpoint `aud`.
fn token_for(aud: &str) -> String {
    sign(Key::Es384, &fresh_claims(aud))
}

/// A token with no signature, whatever its header says (`alg: none`).
fn unsigned_token(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}.",
        b64url_encode(header.to_string().as_bytes()),
        b64url_encode(claims.to_string().as_bytes())
    )
}

/// The token with one character of its signature changed (still valid base64url).
fn flip_signature(token: &str) -> String {
    let dot = token.rfind('.').expect("a JWT has two dots");
    let at = dot + (token.len() - dot) / 2;
    let mut chars: Vec<char> = token.chars().collect();
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// The signature segment: a token's secret part, which must never be logged or echoed.
fn signature_of(token: &str) -> &str {
    token.rsplit('.').next().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// HTTP client

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("the body is JSON ({e}); status {}, body: {}", self.status, self.body))
    }

    /// A header's value (give the name in lowercase).
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// A client that never treats an HTTP status as an error and never uses a proxy.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .new_agent()
}

fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Result<Reply, String> {
    let response = match (method, body) {
        ("GET", None) => {
            let mut request = agent.get(url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.call()
        }
        ("OPTIONS", None) => {
            let mut request = agent.options(url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.call()
        }
        ("POST", Some(body)) => {
            let mut request = agent.post(url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.send(body)
        }
        other => panic!("the tests send no {other:?}"),
    };
    let mut response = response.map_err(|e| format!("{method} {url}: {e}"))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("{method} {url}: reading the body: {e}"))?;
    Ok(Reply { status, headers, body })
}

// ---------------------------------------------------------------------------------------
// The careplan process

fn careplan_command(args: &[String]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_careplan"));
    command
        // The precompiled component goes under target/, never in the user's ~/.cache.
        .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .current_dir(root());
    // Loopback traffic must not be sent to a proxy, wherever the tests run.
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        command.env_remove(name);
    }
    command
}

/// Kills `server` (SIGTERM) once this test process is gone; ends by itself when the server
/// does. Statics are never dropped, so the shared servers need this.
fn watchdog(server: u32) {
    let script = format!(
        "while kill -0 {test} 2>/dev/null && kill -0 {server} 2>/dev/null; do sleep 1; done; \
         if ! kill -0 {test} 2>/dev/null; then kill {server} 2>/dev/null; fi; exit 0",
        test = std::process::id()
    );
    let spawned = Command::new("sh")
        .args(["-c", script.as_str()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    if let Ok(mut child) = spawned {
        std::thread::spawn(move || {
            let _ = child.wait();
        });
    }
}

/// Copies a pipe into `sink` until it closes, so that it never fills.
fn drain_into(pipe: impl Read + Send + 'static, sink: Arc<Mutex<String>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => lock(&sink).push_str(&String::from_utf8_lossy(&line)),
            }
        }
    })
}

/// A running `careplan serve`. Dropping it kills the process.
struct Serve {
    child: Mutex<Child>,
    pid: u32,
    /// `http://127.0.0.1:<port>`, from the first stdout line; also the default audience.
    base: String,
    stderr: Arc<Mutex<String>>,
    feedback_log: PathBuf,
    agent: ureq::Agent,
}

impl Serve {
    /// `careplan serve --pack rules/england --listen 127.0.0.1:0 --as-of 2026-12-01
    /// --feedback-log <tmp>` followed by `extra`; waits for `listening on http://ADDR`.
    fn start(name: &str, extra: Vec<String>) -> Serve {
        let feedback_log = temp_path(name, "jsonl");
        let mut args = strings(&[
            "serve",
            "--pack",
            "rules/england",
            "--listen",
            "127.0.0.1:0",
            "--as-of",
            AS_OF,
        ]);
        args.push("--feedback-log".to_owned());
        args.push(feedback_log.display().to_string());
        args.extend(extra);
        let mut child = careplan_command(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the careplan binary starts");
        let pid = child.id();
        watchdog(pid);
        let stderr = Arc::new(Mutex::new(String::new()));
        let _stderr_reader = drain_into(child.stderr.take().expect("stderr is piped"), Arc::clone(&stderr));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line).map(|_| line);
            let _ = sender.send(read);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let first = receiver.recv_timeout(STARTUP);
        let base = match &first {
            Ok(Ok(line)) => line.trim_end().strip_prefix("listening on ").map(str::to_owned),
            _ => None,
        };
        let Some(base) = base else {
            let _ = child.kill();
            let status = child.wait();
            std::thread::sleep(Duration::from_millis(200));
            panic!(
                "careplan {args:?} did not print `listening on http://ADDR` first (got {first:?}, exit {status:?}); \
                 stderr:\n{}",
                lock(&stderr)
            );
        };
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "the bound address is loopback: {base}"
        );
        Serve {
            child: Mutex::new(child),
            pid,
            base,
            stderr,
            feedback_log,
            agent: agent(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn stderr(&self) -> String {
        lock(&self.stderr).clone()
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Reply {
        send(&self.agent, method, &self.url(path), headers, body)
            .unwrap_or_else(|e| panic!("the server answers: {e}; its stderr:\n{}", self.stderr()))
    }

    /// GET with `Authorization: Bearer <token>` when a token is given.
    fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let authorization = token.map(|token| format!("Bearer {token}"));
        let headers: Vec<(&str, &str)> = authorization
            .iter()
            .map(|value| ("authorization", value.as_str()))
            .collect();
        self.request("GET", path, &headers, None)
    }

    /// GET with a fresh ES384 token whose `aud` is this endpoint.
    fn get_signed(&self, path: &str) -> Reply {
        self.get(path, Some(&token_for(&self.url(path))))
    }

    fn post(&self, path: &str, token: Option<&str>, content_type: &str, body: &[u8]) -> Reply {
        let authorization = token.map(|token| format!("Bearer {token}"));
        let mut headers = vec![("content-type", content_type)];
        headers.extend(authorization.iter().map(|value| ("authorization", value.as_str())));
        self.request("POST", path, &headers, Some(body))
    }

    /// POST of JSON with a fresh ES384 token whose `aud` is this endpoint.
    fn post_signed(&self, path: &str, body: &Value) -> Reply {
        let token = token_for(&self.url(path));
        self.post(path, Some(&token), "application/json", body.to_string().as_bytes())
    }

    /// Calls a CDS service with a fresh token.
    fn hook(&self, service: &str, request: &Value) -> Reply {
        self.post_signed(&format!("/cds-services/{service}"), request)
    }

    /// Calls a CDS service and checks it answered 200 with well-formed cards.
    fn cards(&self, service: &str, request: &Value) -> Value {
        let reply = self.hook(service, request);
        assert_eq!(reply.status, 200, "{service}: {}", reply.body);
        let cards = reply.json();
        check_cards(&cards);
        cards
    }

    /// Waits for the process to exit.
    fn wait_for_exit(&self, timeout: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = lock(&self.child).try_wait().expect("the server's status can be read") {
                return Some(status);
            }
            if started.elapsed() > timeout {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for `needle` to appear on stderr (it is read by another thread).
    fn stderr_contains(&self, needle: &str, timeout: Duration) -> bool {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if self.stderr().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.stderr().contains(needle)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(PoisonError::into_inner);
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// `--key tests/data/serve/keys.jwks.json`, `--fhir-server <base>` for each server, then `more`.
fn keyed(fhir: &[&FhirServer], more: &[&str]) -> Vec<String> {
    let mut args = strings(&["--key", "tests/data/serve/keys.jwks.json"]);
    for server in fhir {
        args.push("--fhir-server".to_owned());
        args.push(server.base.clone());
    }
    args.extend(strings(more));
    args
}

struct Exited {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs careplan with `args`, which must make it exit by itself (it is killed, and the test
/// fails, after `timeout`).
fn run_to_exit(args: &[String], timeout: Duration) -> Exited {
    let mut child = careplan_command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the careplan binary starts");
    watchdog(child.id());
    let stdout = Arc::new(Mutex::new(String::new()));
    let stderr = Arc::new(Mutex::new(String::new()));
    let readers = [
        drain_into(child.stdout.take().expect("stdout is piped"), Arc::clone(&stdout)),
        drain_into(child.stderr.take().expect("stderr is piped"), Arc::clone(&stderr)),
    ];
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child's status can be read") {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "careplan {args:?} was still running after {timeout:?}; stdout:\n{}\nstderr:\n{}",
                lock(&stdout),
                lock(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    for reader in readers {
        let _ = reader.join();
    }
    let stdout = lock(&stdout).clone();
    let stderr = lock(&stderr).clone();
    Exited {
        code: status.code(),
        stdout,
        stderr,
    }
}

// ---------------------------------------------------------------------------------------
// The test FHIR server

/// One request the test FHIR server received.
#[derive(Clone, Debug)]
struct Hit {
    path: String,
    query: String,
    /// Whether it carried `Authorization: Bearer some-opaque-fhir-access-token`.
    authorized: bool,
    status: u16,
}

/// A FHIR server on 127.0.0.1 serving the fixture's resources to requests bearing example
/// 02's access token (401 otherwise): `Patient/cp-fhir-1`, `Organization/practice-1`,
/// `Encounter/e4`, and the searches `Condition?patient=cp-fhir-1` (in two pages, linked by
/// `next`), `Encounter?patient=cp-fhir-1&class=…IMP…` and `RelatedPerson?patient=cp-fhir-1`.
/// It also serves keys.jwks.json at `/jwks.json`, for a `jku` that must never be fetched.
/// Every request is recorded.
struct FhirServer {
    base: String,
    hits: Arc<Mutex<Vec<Hit>>>,
}

struct FhirState {
    base: String,
    data: Value,
    jwks: Value,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl FhirServer {
    fn start() -> FhirServer {
        let hits = Arc::new(Mutex::new(Vec::new()));
        let thread_hits = Arc::clone(&hits);
        let data = full_prefetch();
        let jwks = read_json("tests/data/serve/keys.jwks.json");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("the test FHIR server's runtime builds");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("the test FHIR server binds");
                let port = listener
                    .local_addr()
                    .expect("the test FHIR server has an address")
                    .port();
                let state = Arc::new(FhirState {
                    base: format!("http://127.0.0.1:{port}"),
                    data,
                    jwks,
                    hits: thread_hits,
                });
                let _ = sender.send(port);
                let app = Router::new().fallback(fhir_handler).with_state(state);
                axum::serve(listener, app).await.expect("the test FHIR server runs");
            });
        });
        let port = receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("the test FHIR server starts");
        FhirServer {
            base: format!("http://127.0.0.1:{port}"),
            hits,
        }
    }

    fn hits(&self) -> Vec<Hit> {
        lock(&self.hits).clone()
    }

    fn count(&self, path: &str, page_two: bool) -> usize {
        self.hits()
            .iter()
            .filter(|hit| hit.path == path && hit.query.contains("_page=2") == page_two)
            .count()
    }
}

async fn fhir_handler(State(state): State<Arc<FhirState>>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or_default().to_owned();
    let expected = format!("Bearer {FHIR_ACCESS_TOKEN}");
    let authorized = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value == expected);
    let (status, body) = if !authorized {
        (
            StatusCode::UNAUTHORIZED,
            operation_outcome("security", "a bearer token is required"),
        )
    } else if let Some(body) = state.resource(&path, &query) {
        (StatusCode::OK, body)
    } else {
        (
            StatusCode::NOT_FOUND,
            operation_outcome("not-found", "the test FHIR server has no such resource"),
        )
    };
    lock(&state.hits).push(Hit {
        path,
        query,
        authorized,
        status: status.as_u16(),
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/fhir+json")],
        body.to_string(),
    )
        .into_response()
}

fn operation_outcome(code: &str, diagnostics: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}]
    })
}

fn searchset(self_url: &str, next: Option<String>, entries: &[Value]) -> Value {
    let mut links = vec![json!({"relation": "self", "url": self_url})];
    if let Some(next) = next {
        links.push(json!({"relation": "next", "url": next}));
    }
    json!({"resourceType": "Bundle", "type": "searchset", "link": links, "entry": entries})
}

impl FhirState {
    fn resource(&self, path: &str, query: &str) -> Option<Value> {
        let for_patient = query_param(query, "patient").as_deref() == Some(PATIENT);
        let inpatient = query_param(query, "class").is_some_and(|class| {
            class
                .split(',')
                .any(|token| token == "http://terminology.hl7.org/CodeSystem/v3-ActCode|IMP")
        });
        match path {
            "/Patient/cp-fhir-1" => Some(self.data["patient"].clone()),
            "/Organization/practice-1" => Some(self.data["practice"].clone()),
            "/Encounter/e4" => self.data["encounters"]["entry"]
                .as_array()?
                .iter()
                .map(|entry| &entry["resource"])
                .find(|resource| resource["id"] == "e4")
                .cloned(),
            "/Condition" if for_patient => Some(self.conditions_page(query)),
            "/Encounter" if for_patient && inpatient => Some(self.data["encounters"].clone()),
            "/RelatedPerson" if for_patient => Some(self.data["carers"].clone()),
            "/jwks.json" => Some(self.jwks.clone()),
            _ => None,
        }
    }

    /// The fixture's Conditions in two pages: the first two, with a `next` link, then the rest.
    fn conditions_page(&self, query: &str) -> Value {
        let entries = self.data["conditions"]["entry"].as_array().cloned().unwrap_or_default();
        let (first, second) = entries.split_at(entries.len().min(2));
        let this = format!("{}/Condition?{query}", self.base);
        if query_param(query, "_page").as_deref() == Some("2") {
            searchset(&this, None, second)
        } else {
            searchset(
                &this,
                Some(format!("{}/Condition?patient={PATIENT}&_page=2", self.base)),
                first,
            )
        }
    }
}

// ---------------------------------------------------------------------------------------
// Shared servers

/// The server most tests share, and the FHIR servers it allow-lists: `fhir` is used only by
/// the fetch test (it counts hits), `fhir_oo` only by the OperationOutcome test, `denied`
/// only by the refused-token test, and `quiet` by tests after which it must have had no
/// request at all.
struct Shared {
    serve: Serve,
    fhir: FhirServer,
    fhir_oo: FhirServer,
    denied: FhirServer,
    quiet: FhirServer,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let fhir = FhirServer::start();
        let fhir_oo = FhirServer::start();
        let denied = FhirServer::start();
        let quiet = FhirServer::start();
        let serve = Serve::start("shared", keyed(&[&fhir, &fhir_oo, &denied, &quiet], &[]));
        Shared {
            serve,
            fhir,
            fhir_oo,
            denied,
            quiet,
        }
    })
}

impl Shared {
    fn assert_quiet(&self) {
        let hits = self.quiet.hits();
        assert!(hits.is_empty(), "the server fetched where it must not have: {hits:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Checks

/// Checks every card against the contract ("Cards") and returns their uuids, in order.
/// A card without `source.topic` is the one card of an incomplete evaluation (it names the
/// failed rules rather than one rule): a warning, with only the common fields checked.
fn check_cards(response: &Value) -> Vec<String> {
    let cards = response["cards"]
        .as_array()
        .unwrap_or_else(|| panic!("`cards` is an array: {response}"));
    let label = format!("careplan england {}", pack_version());
    let mut uuids = Vec::new();
    let mut previous: Option<(usize, String)> = None;
    for card in cards {
        let uuid = text(card, "uuid");
        assert!(is_uuid_v8(uuid), "the uuid is a lowercase 8-4-4-4-12 UUIDv8: {uuid}");
        let summary = text(card, "summary");
        let chars = summary.chars().count();
        assert!(
            (1..=139).contains(&chars),
            "a summary of 1 to 139 characters, not {chars}: {summary}"
        );
        let indicator = text(card, "indicator");
        let rank = ["critical", "warning", "info"]
            .iter()
            .position(|known| *known == indicator)
            .unwrap_or_else(|| panic!("an indicator of info, warning or critical: {card}"));
        if let Some((previous_rank, previous_summary)) = &previous {
            assert!(
                (*previous_rank, previous_summary.as_str()) <= (rank, summary),
                "cards sorted critical, warning, info, then by summary: {response}"
            );
        }
        let detail = text(card, "detail");
        let source = &card["source"];
        let source_label = text(source, "label");
        assert!(
            source_label.starts_with(&label),
            "source.label starts `{label}`: {source_label}"
        );
        if source["topic"].is_null() {
            assert_eq!(indicator, "warning", "the incomplete-evaluation card: {card}");
            assert!(
                detail.contains("**Why:**"),
                "the incomplete-evaluation card says why: {card}"
            );
            previous = Some((rank, summary.to_owned()));
            uuids.push(uuid.to_owned());
            continue;
        }
        assert!(detail.contains("**Rule:**"), "the detail names the rule: {detail}");
        assert_eq!(source["topic"]["system"], "urn:careplan:rule", "{card}");
        assert!(
            !text(&source["topic"], "code").is_empty(),
            "source.topic.code is the rule id: {card}"
        );
        let reasons = card["overrideReasons"]
            .as_array()
            .unwrap_or_else(|| panic!("overrideReasons: {card}"));
        let codes: BTreeSet<&str> = reasons
            .iter()
            .map(|reason| {
                assert_eq!(reason["system"], "urn:careplan:override-reason", "{reason}");
                assert!(
                    !text(reason, "display").is_empty(),
                    "an override reason has a display: {reason}"
                );
                text(reason, "code")
            })
            .collect();
        assert_eq!(
            codes,
            BTreeSet::from(["already-arranged", "not-applicable", "record-out-of-date"])
        );
        previous = Some((rank, summary.to_owned()));
        uuids.push(uuid.to_owned());
    }
    let distinct: BTreeSet<&String> = uuids.iter().collect();
    assert_eq!(distinct.len(), uuids.len(), "card uuids are distinct: {uuids:?}");
    uuids
}

/// Asserts the evaluation behind `response` was complete: every card is one rule's.
fn assert_complete(response: &Value) {
    let cards = response["cards"].as_array().into_iter().flatten();
    for card in cards {
        assert!(
            !card["source"]["topic"].is_null(),
            "the evaluation was incomplete (a rule failed on the fixture): {card}"
        );
    }
}

/// The summaries of the cards, in order.
fn summaries(response: &Value) -> Vec<String> {
    response["cards"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|card| text(card, "summary").to_owned())
        .collect()
}

/// A refusal with `status` and `error`, whose body does not quote the marker.
fn assert_refused(reply: &Reply, status: u16, error: &str, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.body);
    let body = reply.json();
    assert_eq!(body["error"], error, "{what}: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: a message: {body}"
    );
    assert!(
        !reply.body.contains(MARKER) && !reply.body.contains("7f3a"),
        "{what}: the body quotes the request: {body}"
    );
}

/// None if `reply` is a 401 `invalid_token` with one of `reasons` and a Bearer challenge;
/// otherwise what is wrong.
fn token_refusal_problem(reply: &Reply, reasons: &[&str]) -> Option<String> {
    if reply.status != 401 {
        return Some(format!("status {} (want 401): {}", reply.status, reply.body));
    }
    let body: Value = match serde_json::from_str(&reply.body) {
        Ok(body) => body,
        Err(e) => return Some(format!("the body is not JSON ({e}): {}", reply.body)),
    };
    let reason = body["reason"].as_str().unwrap_or_default();
    // RFC 6750 §3.1: a request with no credentials gets a bare `Bearer` challenge.
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    let error_named = challenge.contains("error=\"invalid_token\"");
    if !challenge.starts_with("Bearer") || (reason != "missing" && !error_named) {
        return Some(format!("WWW-Authenticate is `{challenge}` (reason {reason})"));
    }
    if body["error"] != "invalid_token" || !REASONS.contains(&reason) || !reasons.contains(&reason) {
        return Some(format!(
            "body {body} (want error invalid_token, reason one of {reasons:?})"
        ));
    }
    None
}

fn assert_token_refused(reply: &Reply, reasons: &[&str], what: &str) {
    if let Some(problem) = token_refusal_problem(reply, reasons) {
        panic!("{what}: {problem}");
    }
}

// ---------------------------------------------------------------------------------------
// Discovery and health

#[test]
fn discovery_lists_both_services_with_context_only_prefetch_templates() {
    let s = shared();
    let reply = s.serve.get_signed("/cds-services");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    let services = body["services"]
        .as_array()
        .unwrap_or_else(|| panic!("`services` is an array: {body}"));
    assert_eq!(services.len(), 2, "{body}");
    let common = ["patient", "conditions", "encounters", "carers"];
    for (id, hook, extra) in [
        (PATIENT_VIEW, "patient-view", None),
        (DISCHARGE, "encounter-discharge", Some("encounter")),
    ] {
        let service = services
            .iter()
            .find(|service| service["id"] == id)
            .unwrap_or_else(|| panic!("a service `{id}`: {body}"));
        assert_eq!(service["hook"], hook, "{service}");
        assert!(!text(service, "title").is_empty(), "{service}");
        assert!(!text(service, "description").is_empty(), "{service}");
        let prefetch = service["prefetch"]
            .as_object()
            .unwrap_or_else(|| panic!("a prefetch object: {service}"));
        let keys: BTreeSet<&str> = prefetch.keys().map(String::as_str).collect();
        let mut expected: BTreeSet<&str> = common.into_iter().collect();
        expected.extend(extra);
        assert_eq!(keys, expected, "{id}: exactly the keys the built-in mapping reads");
        for (key, template) in prefetch {
            let template = template.as_str().unwrap_or_else(|| panic!("{id}.{key} is a string"));
            let tokens = template_tokens(template);
            assert!(!tokens.is_empty(), "{id}.{key} is for this patient: {template}");
            for token in tokens {
                let allowed = token == "context.patientId" || (key == "encounter" && token == "context.encounterId");
                assert!(allowed, "{id}.{key}: the token {{{{{token}}}}} in {template}");
            }
        }
        assert_eq!(prefetch["patient"], "Patient/{{context.patientId}}");
        assert_eq!(prefetch["conditions"], "Condition?patient={{context.patientId}}");
        assert_eq!(prefetch["carers"], "RelatedPerson?patient={{context.patientId}}");
        let encounters = text(&service["prefetch"], "encounters");
        let class = encounters
            .strip_prefix("Encounter?patient={{context.patientId}}&class=")
            .unwrap_or_else(|| panic!("an inpatient Encounter search: {encounters}"));
        let classes: Vec<String> = class.split(',').map(percent_decode).collect();
        assert!(
            classes.contains(&"http://terminology.hl7.org/CodeSystem/v3-ActCode|IMP".to_owned()),
            "{encounters}"
        );
        if extra.is_some() {
            assert_eq!(prefetch["encounter"], "Encounter/{{context.encounterId}}");
        }
    }
}

#[test]
fn healthz_needs_no_token_and_names_the_pack() {
    let s = shared();
    let reply = s.serve.get("/healthz", None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["pack"]["id"], "england", "{body}");
    assert_eq!(body["pack"]["version"], pack_version().as_str(), "{body}");
    assert!(!text(&body["pack"], "digest").is_empty(), "{body}");
}

// ---------------------------------------------------------------------------------------
// Hooks

#[test]
fn patient_view_with_the_full_prefetch_gives_well_formed_stable_cards() {
    let s = shared();
    let mut request = patient_view_request();
    let first = s.serve.cards(PATIENT_VIEW, &request);
    let uuids = check_cards(&first);
    assert_complete(&first);
    // cp-fhir-1 is 85 with no named accountable GP recorded: england.gp.named-gp-75
    // recommends one, due long ago, so overdue, so a warning.
    let named_gp = first["cards"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|card| card["source"]["topic"]["code"] == "england.gp.named-gp-75")
        .unwrap_or_else(|| panic!("a card from england.gp.named-gp-75: {first}"));
    assert_eq!(named_gp["indicator"], "warning", "{named_gp}");
    // The same finding keeps its uuid across requests, whatever the hookInstance.
    request["hookInstance"] = json!("5b9b7e1c-0c8e-4a43-9d6f-2f4f0c7e9a11");
    let second = s.serve.cards(PATIENT_VIEW, &request);
    assert_eq!(check_cards(&second), uuids);
    assert_eq!(summaries(&second), summaries(&first));
}

#[test]
fn patient_view_fetches_absent_prefetch_from_the_fhir_server_following_next_pages() {
    let s = shared();
    let request = fetching_request(&s.fhir.base, FHIR_ACCESS_TOKEN);
    let fetched = s.serve.cards(PATIENT_VIEW, &request);
    let hits = s.fhir.hits();
    assert!(
        hits.iter().all(|hit| hit.authorized && hit.status == 200),
        "every fetch was authorised and found: {hits:?}"
    );
    for (path, page_two) in [
        ("/Patient/cp-fhir-1", false),
        ("/Condition", false),
        ("/Condition", true),
        ("/Encounter", false),
        ("/RelatedPerson", false),
    ] {
        assert_eq!(
            s.fhir.count(path, page_two),
            1,
            "{path} (page 2: {page_two}) fetched once: {hits:?}"
        );
    }
    // What was fetched is what the full prefetch gives, less `practice` (the GP practice's
    // Organization, read when a client sends it, but asked for by no template).
    let mut request = patient_view_request();
    request["prefetch"]
        .as_object_mut()
        .expect("a prefetch object")
        .remove("practice");
    let prefetched = s.serve.cards(PATIENT_VIEW, &request);
    assert_eq!(check_cards(&fetched), check_cards(&prefetched));
    assert_eq!(summaries(&fetched), summaries(&prefetched));
}

#[test]
fn an_operation_outcome_in_place_of_a_key_is_fetched_again() {
    let s = shared();
    let mut request = patient_view_request();
    give_fhir_access(&mut request, &s.fhir_oo.base, FHIR_ACCESS_TOKEN);
    request["prefetch"]["carers"] = operation_outcome("timeout", "the client could not fetch this");
    let cards = s.serve.cards(PATIENT_VIEW, &request);
    let hits = s.fhir_oo.hits();
    assert_eq!(
        s.fhir_oo.count("/RelatedPerson", false),
        1,
        "the carers search was fetched: {hits:?}"
    );
    assert!(
        hits.iter().all(|hit| hit.path == "/RelatedPerson"),
        "only the carers were fetched: {hits:?}"
    );
    let prefetched = s.serve.cards(PATIENT_VIEW, &patient_view_request());
    assert_eq!(check_cards(&cards), check_cards(&prefetched));
}

#[test]
fn a_null_key_is_final_and_a_null_patient_is_412() {
    let s = shared();
    let mut request = patient_view_request();
    give_fhir_access(&mut request, &s.quiet.base, FHIR_ACCESS_TOKEN);
    request["prefetch"]["carers"] = Value::Null;
    s.serve.cards(PATIENT_VIEW, &request);
    request["prefetch"]["patient"] = Value::Null;
    let reply = s.serve.hook(PATIENT_VIEW, &request);
    assert_refused(&reply, 412, "prefetch_unavailable", "a null patient");
    s.assert_quiet();
}

#[test]
fn missing_prefetch_without_fhir_authorization_is_412() {
    let s = shared();
    let all_keys = BTreeSet::from(["carers", "conditions", "encounters", "patient"]);
    let mut no_authorization = fetching_request(&s.quiet.base, FHIR_ACCESS_TOKEN);
    no_authorization
        .as_object_mut()
        .expect("an object")
        .remove("fhirAuthorization");
    let mut neither = no_authorization.clone();
    neither.as_object_mut().expect("an object").remove("fhirServer");
    for (what, request) in [
        ("fhirServer but no fhirAuthorization", &no_authorization),
        ("neither", &neither),
    ] {
        let reply = s.serve.hook(PATIENT_VIEW, request);
        assert_refused(&reply, 412, "prefetch_unavailable", what);
        let body = reply.json();
        let keys: BTreeSet<&str> = body["keys"]
            .as_array()
            .unwrap_or_else(|| panic!("{what}: `keys` lists the missing keys: {body}"))
            .iter()
            .map(|key| {
                key.as_str()
                    .unwrap_or_else(|| panic!("{what}: a key is a string: {body}"))
            })
            .collect();
        assert_eq!(keys, all_keys, "{what}: {body}");
    }
    s.assert_quiet();
}

#[test]
fn missing_prefetch_from_a_server_not_allow_listed_is_412_with_no_request() {
    let s = shared();
    let other = FhirServer::start();
    let reply = s
        .serve
        .hook(PATIENT_VIEW, &fetching_request(&other.base, FHIR_ACCESS_TOKEN));
    assert_refused(&reply, 412, "prefetch_unavailable", "a FHIR server not allow-listed");
    // The allow-list is an exact match: the same server spelt `localhost` is another one.
    let port = s.quiet.base.rsplit(':').next().expect("a port");
    let localhost = format!("http://localhost:{port}");
    let reply = s
        .serve
        .hook(PATIENT_VIEW, &fetching_request(&localhost, FHIR_ACCESS_TOKEN));
    assert_refused(
        &reply,
        412,
        "prefetch_unavailable",
        "an allow-listed server spelt differently",
    );
    let hits = other.hits();
    assert!(hits.is_empty(), "a server not allow-listed got requests: {hits:?}");
    s.assert_quiet();
}

#[test]
fn a_fhir_server_refusing_the_access_token_gives_412() {
    let s = shared();
    let reply = s.serve.hook(
        PATIENT_VIEW,
        &fetching_request(&s.denied.base, "an-access-token-the-server-refuses"),
    );
    assert_refused(&reply, 412, "prefetch_unavailable", "the FHIR server answered 401");
    let hits = s.denied.hits();
    assert!(!hits.is_empty() && hits.iter().all(|hit| !hit.authorized), "{hits:?}");
    assert!(
        !s.serve.stderr().contains("an-access-token-the-server-refuses"),
        "the access token was logged"
    );
}

#[test]
fn encounter_discharge_with_the_full_prefetch_gives_well_formed_stable_cards() {
    let s = shared();
    let request = discharge_request();
    assert_eq!(request["prefetch"]["encounter"]["status"], "in-progress");
    let first = s.serve.cards(DISCHARGE, &request);
    let uuids = check_cards(&first);
    assert_complete(&first);
    assert!(
        !uuids.is_empty(),
        "cp-fhir-1 has findings (at least the named GP): {first}"
    );
    let second = s.serve.cards(DISCHARGE, &request);
    assert_eq!(check_cards(&second), uuids);
    // The patient-view service refuses the discharge hook, and the discharge service needs
    // its encounterId.
    let reply = s.serve.hook(PATIENT_VIEW, &request);
    assert_refused(
        &reply,
        400,
        "invalid_request",
        "encounter-discharge sent to the patient-view service",
    );
    let mut no_encounter = request.clone();
    no_encounter["context"]
        .as_object_mut()
        .expect("a context object")
        .remove("encounterId");
    no_encounter["context"]["userId"] = json!(format!("PractitionerRole/{MARKER}"));
    let reply = s.serve.hook(DISCHARGE, &no_encounter);
    assert_refused(
        &reply,
        400,
        "invalid_request",
        "encounter-discharge without encounterId",
    );
}

#[test]
fn an_area_mapping_asks_for_its_register_and_a_discharge_sets_off_the_post_discharge_contact() {
    // The area's table lists its GP system's register code: discovery asks for Flags, and
    // the register read from them makes the discharge the hook announces owe a contact.
    let serve = Serve::start(
        "register-mapping",
        keyed(&[], &["--mapping", "tests/data/serve/register-mapping.toml"]),
    );
    let discovery = serve.get_signed("/cds-services").json();
    for service in discovery["services"].as_array().expect("services") {
        assert_eq!(
            service["prefetch"]["flags"], "Flag?patient={{context.patientId}}",
            "the area's register is asked for: {service}"
        );
    }
    let flag = json!({
        "resourceType": "Flag", "id": "reg1", "status": "active",
        "subject": {"reference": format!("Patient/{PATIENT}")},
        "code": {"coding": [{"system": "https://gp-system.example.invalid/CodeSystem/local", "code": "AUA-REG"}]},
        "period": {"start": "2025-06-01"},
    });
    let mut request = discharge_request();
    request["prefetch"]["flags"] = searchset("https://fhir.example.invalid/Flag", None, &[json!({"resource": flag})]);
    let post_discharge = |response: &Value| -> Vec<Value> {
        response["cards"]
            .as_array()
            .expect("cards")
            .iter()
            .filter(|card| text(card, "summary").contains("post-discharge contact"))
            .cloned()
            .collect()
    };
    let discharged = serve.cards(DISCHARGE, &request);
    check_cards(&discharged);
    assert_complete(&discharged);
    let cards = post_discharge(&discharged);
    assert_eq!(cards.len(), 1, "one post-discharge contact card: {discharged}");
    let card = &cards[0];
    assert!(
        text(card, "summary").starts_with("Coming up: post-discharge contact by the GP practice, due "),
        "{card}"
    );
    assert_eq!(card["indicator"], "info", "not yet due: {card}");
    assert_eq!(
        card["source"]["topic"]["code"], "england.gp.post-discharge-contact",
        "{card}"
    );
    assert!(
        text(card, "detail").contains(&format!("discharged from hospital on {AS_OF}")),
        "the discharge is dated the as-of date: {card}"
    );
    // The same record viewed, not discharged: the stay is still under way, nothing is owed.
    let mut viewed = patient_view_request();
    viewed["prefetch"]["flags"] = request["prefetch"]["flags"].clone();
    let viewed = serve.cards(PATIENT_VIEW, &viewed);
    check_cards(&viewed);
    assert!(
        !viewed
            .to_string()
            .contains(&format!("discharged from hospital on {AS_OF}")),
        "no discharge today without the discharge hook: {viewed}"
    );
}

#[test]
fn patients_and_carers_as_users_get_no_cards() {
    let s = shared();
    for user in ["Patient/cp-fhir-1", "RelatedPerson/rp1"] {
        let mut request = patient_view_request();
        request["context"]["userId"] = json!(user);
        let reply = s.serve.hook(PATIENT_VIEW, &request);
        assert_eq!(reply.status, 200, "{user}: {}", reply.body);
        assert_eq!(reply.json(), json!({"cards": []}), "{user}");
    }
}

// ---------------------------------------------------------------------------------------
// Tokens

#[test]
fn es384_and_rs384_tokens_are_accepted() {
    let s = shared();
    let discovery = s.serve.url("/cds-services");
    let mut array_aud = fresh_claims(&discovery);
    array_aud["aud"] = json!(["https://cds.example.org/cds-services", discovery]);
    for (what, token) in [
        ("ES384", sign(Key::Es384, &fresh_claims(&discovery))),
        ("RS384", sign(Key::Rs384, &fresh_claims(&discovery))),
        ("aud as an array", sign(Key::Es384, &array_aud)),
    ] {
        let reply = s.serve.get("/cds-services", Some(&token));
        assert_eq!(reply.status, 200, "{what}: {}", reply.body);
    }
    let path = format!("/cds-services/{PATIENT_VIEW}");
    let token = sign(Key::Rs384, &fresh_claims(&s.serve.url(&path)));
    let reply = s.serve.post(
        &path,
        Some(&token),
        "application/json",
        patient_view_request().to_string().as_bytes(),
    );
    assert_eq!(reply.status, 200, "an RS384-signed hook call: {}", reply.body);
    check_cards(&reply.json());
}

/// A bad-token case: what it is, the Authorization header (none for `None`), and the reasons
/// the refusal may give.
type TokenCase = (&'static str, Option<String>, &'static [&'static str]);

fn case(what: &'static str, authorization: Option<String>, reasons: &'static [&'static str]) -> TokenCase {
    (what, authorization, reasons)
}

/// `Bearer <token>`, as an Authorization header value.
fn bearer(token: String) -> Option<String> {
    Some(format!("Bearer {token}"))
}

#[test]
fn every_bad_token_is_401_invalid_token() {
    let s = shared();
    let discovery = s.serve.url("/cds-services");
    let now = now();
    let claims = |changes: Value| {
        let mut claims = fresh_claims(&discovery);
        for (key, value) in changes.as_object().expect("changes are an object") {
            if value.is_null() {
                claims.as_object_mut().expect("claims are an object").remove(key);
            } else {
                claims[key] = value.clone();
            }
        }
        claims
    };
    let es384 = |changes: Value| sign(Key::Es384, &claims(changes));
    let hs256 = sign_with(
        &Header {
            kid: Some(EC_KID.to_owned()),
            ..Header::new(Algorithm::HS256)
        },
        &claims(json!({})),
        &EncodingKey::from_secret(b"a shared secret no CDS service may accept").expect("an HMAC key"),
    );
    let rs256 = sign_with(
        &Header {
            kid: Some(RSA_KID.to_owned()),
            ..Header::new(Algorithm::RS256)
        },
        &claims(json!({})),
        encoding_key(Key::Rs384),
    );
    let spec_claims = data("25-jwt-payload.json");
    let spec_resigned = sign(Key::Es384, &spec_claims);
    let spec_token = std::fs::read_to_string(root().join("tests/data/serve/spec-expired-token.jwt"))
        .expect("the spec's token reads")
        .trim()
        .to_owned();
    let any: &'static [&'static str] = &REASONS;
    let cases: Vec<TokenCase> = vec![
        case("no Authorization header", None, &["missing"]),
        case("not a JWT", Some("Bearer not-a-jwt".to_owned()), &["malformed"]),
        case(
            "Basic, not Bearer",
            Some("Basic dXNlcjpwYXNz".to_owned()),
            &["missing", "malformed"],
        ),
        case(
            "one ES384 signature byte changed",
            bearer(flip_signature(&es384(json!({})))),
            &["bad_signature"],
        ),
        case(
            "one RS384 signature byte changed",
            bearer(flip_signature(&sign(Key::Rs384, &claims(json!({}))))),
            &["bad_signature"],
        ),
        case("HS256", bearer(hs256), &["algorithm"]),
        case("RS256 with the RSA key", bearer(rs256), &["algorithm"]),
        case(
            "alg none",
            bearer(unsigned_token(
                &json!({"alg": "none", "typ": "JWT", "kid": EC_KID}),
                &claims(json!({})),
            )),
            &["algorithm", "malformed"],
        ),
        case(
            "an unknown kid",
            bearer(sign_with(
                &Header {
                    kid: Some("no-such-kid".to_owned()),
                    ..Header::new(Algorithm::ES384)
                },
                &claims(json!({})),
                encoding_key(Key::Es384),
            )),
            &["unknown_key"],
        ),
        case(
            "no kid",
            bearer(sign_with(
                &Header::new(Algorithm::ES384),
                &claims(json!({})),
                encoding_key(Key::Es384),
            )),
            &["malformed", "unknown_key"],
        ),
        case(
            "a wrong aud",
            bearer(es384(json!({"aud": "https://cds.example.org/cds-services"}))),
            &["bad_audience"],
        ),
        case(
            "the aud of another endpoint",
            bearer(es384(
                json!({"aud": s.serve.url(&format!("/cds-services/{PATIENT_VIEW}"))}),
            )),
            &["bad_audience"],
        ),
        case(
            "no aud",
            bearer(es384(json!({"aud": null}))),
            &["bad_audience", "malformed"],
        ),
        case("no jti", bearer(es384(json!({"jti": null}))), any),
        case("no iat", bearer(es384(json!({"iat": null}))), any),
        case("no exp", bearer(es384(json!({"exp": null}))), any),
        case("no iss", bearer(es384(json!({"iss": null}))), any),
        case(
            "expired",
            bearer(es384(json!({"iat": now - 200, "exp": now - 100}))),
            &["expired"],
        ),
        case(
            "iat in the future",
            bearer(es384(json!({"iat": now + 600, "exp": now + 900}))),
            &["iat"],
        ),
        case(
            "iat older than --max-token-age",
            bearer(es384(json!({"iat": now - 600, "exp": now + 60}))),
            &["iat"],
        ),
        case(
            "exp - iat over --max-token-age",
            bearer(es384(json!({"iat": now, "exp": now + 3600}))),
            &["iat"],
        ),
        case(
            "nbf in the future",
            bearer(es384(json!({"nbf": now + 600}))),
            &["not_yet_valid"],
        ),
        case(
            "the spec's payload re-signed (expired 2015)",
            bearer(spec_resigned),
            &["expired", "iat"],
        ),
        // Its jku (fhir-ehr.example.com) is not allow-listed, and it expired in 2015.
        case(
            "the spec's own token (L1092)",
            bearer(spec_token),
            &["jku", "expired", "bad_audience"],
        ),
    ];
    let mut problems = Vec::new();
    for (what, authorization, reasons) in &cases {
        let headers: Vec<(&str, &str)> = authorization
            .iter()
            .map(|value| ("authorization", value.as_str()))
            .collect();
        let reply = s.serve.request("GET", "/cds-services", &headers, None);
        if let Some(problem) = token_refusal_problem(&reply, reasons) {
            problems.push(format!("{what}: {problem}"));
        }
        if let Some(token) = authorization.as_deref().and_then(|value| value.strip_prefix("Bearer ")) {
            let signature = signature_of(token);
            if signature.len() > 8 && reply.body.contains(signature) {
                problems.push(format!("{what}: the refusal quotes the token"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} bad tokens not refused as they should be:\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n")
    );
}

#[test]
fn every_route_but_healthz_needs_a_token() {
    let s = shared();
    let hook = s.serve.post(
        &format!("/cds-services/{PATIENT_VIEW}"),
        None,
        "application/json",
        patient_view_request().to_string().as_bytes(),
    );
    assert_token_refused(&hook, &["missing"], "a hook call without a token");
    let feedback = s.serve.post(
        &format!("/cds-services/{PATIENT_VIEW}/feedback"),
        None,
        "application/json",
        data("22-feedback-overridden.json").to_string().as_bytes(),
    );
    assert_token_refused(&feedback, &["missing"], "feedback without a token");
    let discovery = s.serve.get("/cds-services", None);
    assert_token_refused(&discovery, &["missing"], "discovery without a token");
}

#[test]
fn a_replayed_token_is_refused() {
    let s = shared();
    let token = token_for(&s.serve.url("/cds-services"));
    let first = s.serve.get("/cds-services", Some(&token));
    assert_eq!(first.status, 200, "the first use: {}", first.body);
    let second = s.serve.get("/cds-services", Some(&token));
    assert_token_refused(&second, &["replayed"], "the second use of one token");
}

#[test]
fn a_jku_not_allow_listed_is_refused_without_fetching() {
    let s = shared();
    // A loopback URL that does serve our JWK Set: refusing it must not depend on the fetch.
    let jku = format!("{}/jwks.json", s.quiet.base);
    let with_jku = Header {
        jku: Some(jku),
        ..header(Key::Es384)
    };
    let token = sign_with(
        &with_jku,
        &fresh_claims(&s.serve.url("/cds-services")),
        encoding_key(Key::Es384),
    );
    let reply = s.serve.get("/cds-services", Some(&token));
    assert_token_refused(&reply, &["jku"], "a jku not allow-listed");
    s.assert_quiet();
}

// ---------------------------------------------------------------------------------------
// Malformed requests

#[test]
fn malformed_hook_requests_are_400_without_echoing_them() {
    let s = shared();
    let path = format!("/cds-services/{PATIENT_VIEW}");
    let good = patient_view_request();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut request = good.clone();
        change(&mut request);
        request.to_string()
    };
    let cases: Vec<(&str, String)> = vec![
        ("not JSON", format!("{{\"hook\": \"{MARKER}")),
        ("a bare brace", "{".to_owned()),
        ("an array", format!("[\"{MARKER}\"]")),
        (
            "no hookInstance",
            with(&|r| {
                r.as_object_mut().expect("an object").remove("hookInstance");
                r["context"]["encounterId"] = json!(MARKER);
            }),
        ),
        (
            "hookInstance not a string",
            with(&|r| r["hookInstance"] = json!([MARKER])),
        ),
        ("the wrong hook", with(&|r| r["hook"] = json!(MARKER))),
        ("order-select", with(&|r| r["hook"] = json!("order-select"))),
        ("no context", with(&|r| r["context"] = Value::Null)),
        ("context not an object", with(&|r| r["context"] = json!(MARKER))),
        (
            "no patientId",
            with(&|r| {
                r["context"]
                    .as_object_mut()
                    .expect("a context object")
                    .remove("patientId");
                r["context"]["userId"] = json!(format!("Practitioner/{MARKER}"));
            }),
        ),
        (
            "patientId not a string",
            with(&|r| r["context"]["patientId"] = json!({ "id": MARKER })),
        ),
        (
            "fhirAuthorization without fhirServer",
            with(&|r| {
                give_fhir_access(r, "http://127.0.0.1:9", MARKER);
                r.as_object_mut().expect("an object").remove("fhirServer");
            }),
        ),
        (
            "token_type not Bearer",
            with(&|r| {
                give_fhir_access(r, "http://127.0.0.1:9", FHIR_ACCESS_TOKEN);
                r["fhirAuthorization"]["token_type"] = json!(MARKER);
            }),
        ),
    ];
    for (what, body) in &cases {
        let token = token_for(&s.serve.url(&path));
        let reply = s.serve.post(&path, Some(&token), "application/json", body.as_bytes());
        assert_refused(&reply, 400, "invalid_request", what);
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(!s.serve.stderr().contains(MARKER), "the log quotes a refused request");
}

#[test]
fn a_body_that_is_not_json_is_415_and_json_types_are_accepted() {
    let s = shared();
    let path = format!("/cds-services/{PATIENT_VIEW}");
    let body = patient_view_request().to_string();
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let token = token_for(&s.serve.url(&path));
        let reply = s.serve.post(&path, Some(&token), content_type, body.as_bytes());
        assert_refused(&reply, 415, "unsupported_media_type", content_type);
    }
    for content_type in ["application/json; charset=utf-8", "application/fhir+json"] {
        let token = token_for(&s.serve.url(&path));
        let reply = s.serve.post(&path, Some(&token), content_type, body.as_bytes());
        assert_eq!(reply.status, 200, "{content_type}: {}", reply.body);
    }
}

#[test]
fn an_unknown_service_is_404() {
    let s = shared();
    // Its own marker, not MARKER: the server may log a service id, and
    // malformed_hook_requests_are_400_without_echoing_them looks for MARKER in the log.
    for path in [
        "/cds-services/no-such-service-3c1d",
        "/cds-services/no-such-service-3c1d/feedback",
    ] {
        let reply = s.serve.post_signed(path, &patient_view_request());
        assert_refused(&reply, 404, "unknown_service", path);
        assert!(
            !reply.body.contains("3c1d"),
            "{path}: the body quotes the path: {}",
            reply.body
        );
    }
}

#[test]
fn a_body_over_max_body_is_413() {
    let serve = Serve::start("small-body", keyed(&[], &["--max-body", "2048", "--concurrency", "2"]));
    let path = format!("/cds-services/{PATIENT_VIEW}");
    // Under the limit: a request whose prefetch is the Patient alone, the rest `null`.
    let mut small = patient_view_request();
    small["prefetch"] = json!({
        "patient": full_prefetch()["patient"].clone(),
        "conditions": null,
        "encounters": null,
        "carers": null,
    });
    let small = small.to_string();
    assert!(small.len() < 2048, "the small request is {} bytes", small.len());
    let token = token_for(&serve.url(&path));
    let reply = serve.post(&path, Some(&token), "application/json", small.as_bytes());
    assert_eq!(reply.status, 200, "under --max-body: {}", reply.body);
    // Over it, by a little: small enough to be read at once, so the server's early answer is
    // not lost to a connection reset (retried if it is).
    let mut big: Value = serde_json::from_str(&small).expect("JSON");
    big["extension"] = json!({ "careplan-test-filler": "x".repeat(2500) });
    let big = big.to_string();
    let mut attempts = Vec::new();
    let reply = loop {
        let token = token_for(&serve.url(&path));
        let authorization = format!("Bearer {token}");
        let headers = [
            ("content-type", "application/json"),
            ("authorization", authorization.as_str()),
        ];
        match send(&serve.agent, "POST", &serve.url(&path), &headers, Some(big.as_bytes())) {
            Ok(reply) => break reply,
            Err(e) if attempts.len() < 4 => attempts.push(e),
            Err(e) => panic!("no answer to an over-long body in 5 attempts: {attempts:?}, {e}"),
        }
    };
    assert_refused(&reply, 413, "payload_too_large", "a body over --max-body");
}

// ---------------------------------------------------------------------------------------
// Feedback

#[test]
fn feedback_examples_are_logged_one_line_each_without_the_comment_text() {
    let s = shared();
    let cards = s.serve.cards(PATIENT_VIEW, &patient_view_request());
    let card = &cards["cards"][0];
    let uuid = text(card, "uuid").to_owned();
    let rule = text(&card["source"]["topic"], "code").to_owned();
    let feedback = format!("/cds-services/{PATIENT_VIEW}/feedback");
    let service = format!("/cds-services/{PATIENT_VIEW}");
    // Example 22 is sent with the service's own URL as aud, which the contract also accepts.
    let examples = [
        ("21-feedback-accepted.json", &feedback),
        ("22-feedback-overridden.json", &service),
        ("23-feedback-overridden-with-reason.json", &feedback),
    ];
    let mut sent = Vec::new();
    for (file, aud) in examples {
        let mut body = data(file);
        body["feedback"][0]["card"] = json!(uuid);
        let token = token_for(&s.serve.url(aud));
        let reply = s
            .serve
            .post(&feedback, Some(&token), "application/json", body.to_string().as_bytes());
        assert_eq!(reply.status, 200, "{file}: {}", reply.body);
        assert!(reply.body.is_empty(), "{file}: an empty body, not {}", reply.body);
        sent.push(body["feedback"][0].clone());
    }
    let log = std::fs::read_to_string(&s.serve.feedback_log)
        .unwrap_or_else(|e| panic!("the feedback log {} reads: {e}", s.serve.feedback_log.display()));
    assert!(
        !log.contains("A comment entered by the clinician"),
        "the comment's text was written: {log}"
    );
    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("a JSON line ({e}): {line}")))
        .filter(|line| line["card"] == uuid.as_str())
        .collect();
    assert_eq!(lines.len(), 3, "one line per entry: {log}");
    for (line, entry) in lines.iter().zip(&sent) {
        let received: Result<jiff::Timestamp, _> = text(line, "received").parse();
        assert!(received.is_ok(), "`received` is RFC 3339: {line}");
        assert_eq!(line["service"], PATIENT_VIEW, "{line}");
        assert_eq!(line["outcome"], entry["outcome"], "{line}");
        let logged: jiff::Timestamp = text(line, "outcome_timestamp")
            .parse()
            .expect("outcome_timestamp is RFC 3339");
        let given: jiff::Timestamp = text(entry, "outcomeTimestamp")
            .parse()
            .expect("the example's timestamp");
        assert_eq!(logged, given, "{line}");
        let suggestions: Vec<Value> = entry["acceptedSuggestions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|suggestion| suggestion["id"].clone())
            .collect();
        assert_eq!(line["accepted_suggestions"], json!(suggestions), "{line}");
        let reason = &entry["overrideReason"]["reason"];
        let expected_reason = if reason.is_null() {
            Value::Null
        } else {
            json!({"system": reason["system"], "code": reason["code"]})
        };
        assert_eq!(line["override_reason"], expected_reason, "{line}");
        assert_eq!(
            line["user_comment"],
            !entry["overrideReason"]["userComment"].is_null(),
            "{line}"
        );
        assert_eq!(line["card_known"], true, "the card was issued by this server: {line}");
        assert_eq!(line["rule"], rule.as_str(), "{line}");
    }
}

#[test]
fn bad_feedback_is_400() {
    let s = shared();
    let path = format!("/cds-services/{PATIENT_VIEW}/feedback");
    let unknown_card = "00000000-0000-8000-8000-00000000f7a3";
    let entry = |change: &dyn Fn(&mut Value)| {
        let mut body = data("22-feedback-overridden.json");
        body["feedback"][0]["card"] = json!(unknown_card);
        change(&mut body["feedback"][0]);
        body
    };
    let many: Vec<Value> = (0..101).map(|_| entry(&|_| {})["feedback"][0].clone()).collect();
    let cases: Vec<(&str, Value)> = vec![
        ("an unknown outcome", entry(&|e| e["outcome"] = json!(MARKER))),
        (
            "accepted without acceptedSuggestions",
            entry(&|e| e["outcome"] = json!("accepted")),
        ),
        (
            "no outcomeTimestamp",
            entry(&|e| {
                e.as_object_mut().expect("an entry object").remove("outcomeTimestamp");
            }),
        ),
        (
            "an outcomeTimestamp that is not RFC 3339",
            entry(&|e| e["outcomeTimestamp"] = json!(MARKER)),
        ),
        (
            "no card",
            entry(&|e| {
                e.as_object_mut().expect("an entry object").remove("card");
            }),
        ),
        ("no entries", json!({ "feedback": [] })),
        ("101 entries", json!({ "feedback": many })),
        ("feedback not an array", json!({ "feedback": MARKER })),
    ];
    for (what, body) in &cases {
        let reply = s.serve.post_signed(&path, body);
        assert_refused(&reply, 400, "invalid_request", what);
    }
    if let Ok(log) = std::fs::read_to_string(&s.serve.feedback_log) {
        assert!(!log.contains(unknown_card), "refused feedback was logged: {log}");
    }
}

// ---------------------------------------------------------------------------------------
// Logs

#[test]
fn logs_are_json_lines_without_tokens_or_patient_data() {
    let s = shared();
    let mut request = patient_view_request();
    // Everything is prefetched, so nothing is fetched from `quiet` even with access to it.
    give_fhir_access(&mut request, &s.quiet.base, FHIR_ACCESS_TOKEN);
    let path = format!("/cds-services/{PATIENT_VIEW}");
    let token = token_for(&s.serve.url(&path));
    let reply = s
        .serve
        .post(&path, Some(&token), "application/json", request.to_string().as_bytes());
    assert_eq!(reply.status, 200, "{}", reply.body);
    let refused = flip_signature(&token_for(&s.serve.url("/cds-services")));
    assert_eq!(s.serve.get("/cds-services", Some(&refused)).status, 401);
    std::thread::sleep(Duration::from_millis(300));
    let log = s.serve.stderr();
    assert!(!log.trim().is_empty(), "the server logs");
    for line in log.lines().filter(|line| !line.trim().is_empty()) {
        let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("a JSON log line ({e}): {line}"));
        assert!(value.is_object(), "a log line is an object: {line}");
    }
    for secret in [
        FHIR_ACCESS_TOKEN,
        signature_of(&token),
        signature_of(&refused),
        PATIENT,
        "9990000018",
        "ZZ99",
    ] {
        assert!(!log.contains(secret), "the log holds `{secret}`");
    }
    s.assert_quiet();
}

// ---------------------------------------------------------------------------------------
// Start-up, flags and shutdown

#[test]
fn insecure_no_auth_prints_a_banner_and_serves_without_a_token() {
    let serve = Serve::start("insecure", strings(&["--insecure-no-auth", "--concurrency", "2"]));
    assert!(
        serve.stderr_contains(BANNER, Duration::from_secs(10)),
        "the banner on stderr:\n{}",
        serve.stderr()
    );
    let discovery = serve.get("/cds-services", None);
    assert_eq!(discovery.status, 200, "{}", discovery.body);
    assert_eq!(discovery.json()["services"].as_array().map(Vec::len), Some(2));
    let path = format!("/cds-services/{PATIENT_VIEW}");
    let reply = serve.post(
        &path,
        None,
        "application/json",
        patient_view_request().to_string().as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    check_cards(&reply.json());
}

#[test]
fn insecure_no_auth_refuses_a_listen_address_that_is_not_loopback() {
    let args = strings(&[
        "serve",
        "--pack",
        "rules/england",
        "--listen",
        "0.0.0.0:0",
        "--as-of",
        AS_OF,
        "--insecure-no-auth",
    ]);
    let exited = run_to_exit(&args, Duration::from_secs(120));
    assert_ne!(exited.code, Some(0), "refused: {}", exited.stderr);
    assert!(
        exited.code.is_some(),
        "it exited rather than being killed: {}",
        exited.stderr
    );
    assert!(
        !exited.stdout.contains("listening on"),
        "it must not listen: {}",
        exited.stdout
    );
    assert!(
        exited.stderr.contains("insecure-no-auth") || exited.stderr.contains("loopback"),
        "the message says why: {}",
        exited.stderr
    );
}

#[test]
fn no_keys_and_no_insecure_no_auth_exits_2_naming_the_flags() {
    let args = strings(&[
        "serve",
        "--pack",
        "rules/england",
        "--listen",
        "127.0.0.1:0",
        "--as-of",
        AS_OF,
    ]);
    let exited = run_to_exit(&args, Duration::from_secs(120));
    assert_eq!(exited.code, Some(2), "stderr: {}", exited.stderr);
    assert!(
        !exited.stdout.contains("listening on"),
        "it must not listen: {}",
        exited.stdout
    );
    for flag in ["--key", "--jwks-url"] {
        assert!(
            exited.stderr.contains(flag),
            "the message names {flag}: {}",
            exited.stderr
        );
    }
}

#[test]
fn a_bad_key_file_exits_2_naming_it() {
    for file in [
        "tests/data/serve/no-such-keys.jwks.json",
        "tests/data/serve/02-request-patient-view.json",
    ] {
        let args = strings(&[
            "serve",
            "--pack",
            "rules/england",
            "--listen",
            "127.0.0.1:0",
            "--key",
            file,
        ]);
        let exited = run_to_exit(&args, Duration::from_secs(120));
        assert_eq!(exited.code, Some(2), "{file}: {}", exited.stderr);
        let name = Path::new(file)
            .file_name()
            .and_then(|name| name.to_str())
            .expect("a file name");
        assert!(
            exited.stderr.contains(name),
            "the message names {name}: {}",
            exited.stderr
        );
    }
}

#[test]
fn sigterm_stops_the_server_with_exit_0() {
    let serve = Serve::start("sigterm", keyed(&[], &["--drain", "5", "--concurrency", "2"]));
    assert_eq!(serve.get("/healthz", None).status, 200);
    let pid = serve.pid.to_string();
    let status = Command::new("kill")
        .args(["-TERM", pid.as_str()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -TERM {}", serve.pid);
    let exited = serve.wait_for_exit(Duration::from_secs(15));
    let exited = exited.unwrap_or_else(|| panic!("still running 15 s after SIGTERM; stderr:\n{}", serve.stderr()));
    assert_eq!(exited.code(), Some(0), "stderr:\n{}", serve.stderr());
}

#[test]
fn cors_preflight_from_an_allowed_origin_is_answered_without_a_token() {
    const ORIGIN: &str = "https://ehr.example.org";
    let serve = Serve::start("cors", keyed(&[], &["--cors-origin", ORIGIN, "--concurrency", "2"]));
    let path = format!("/cds-services/{PATIENT_VIEW}");
    let preflight = |server: &Serve, origin: &str| {
        server.request(
            "OPTIONS",
            &path,
            &[
                ("origin", origin),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "authorization,content-type"),
            ],
            None,
        )
    };
    let reply = preflight(&serve, ORIGIN);
    assert_ne!(reply.status, 401, "a preflight carries no token: {reply:?}");
    assert!((200..300).contains(&reply.status), "{reply:?}");
    assert_eq!(reply.header("access-control-allow-origin"), Some(ORIGIN), "{reply:?}");
    let methods = reply
        .header("access-control-allow-methods")
        .unwrap_or_default()
        .to_ascii_uppercase();
    assert!(methods.contains("POST"), "{reply:?}");
    // A refusal still carries the header, so that a browser client can read it.
    let refused = serve.request("GET", "/cds-services", &[("origin", ORIGIN)], None);
    assert_token_refused(
        &refused,
        &["missing"],
        "discovery without a token, from the allowed origin",
    );
    assert_eq!(
        refused.header("access-control-allow-origin"),
        Some(ORIGIN),
        "{refused:?}"
    );
    // Another origin is not allowed; a server without --cors-origin sends no CORS headers.
    let other = preflight(&serve, "https://elsewhere.example.net");
    let allowed = other.header("access-control-allow-origin");
    assert!(
        allowed != Some("https://elsewhere.example.net") && allowed != Some("*"),
        "{other:?}"
    );
    let plain = preflight(&shared().serve, ORIGIN);
    assert_eq!(
        plain.header("access-control-allow-origin"),
        None,
        "no --cors-origin: {plain:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Load

#[test]
fn a_bounded_load_test_reports_p50_and_p99_with_no_errors() {
    const REQUESTS: usize = 2_000;
    const THREADS: usize = 16;
    let serve = Serve::start("load", keyed(&[], &[]));
    let path = format!("/cds-services/{PATIENT_VIEW}");
    let url = serve.url(&path);
    let body = patient_view_request().to_string();
    // Every request has its own token (the replay cache refuses a second use), signed before
    // the clock starts.
    let tokens: Vec<String> = (0..REQUESTS).map(|_| format!("Bearer {}", token_for(&url))).collect();
    let started = Instant::now();
    let results: Vec<(Duration, Result<u16, String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = tokens
            .chunks(REQUESTS.div_ceil(THREADS))
            .map(|chunk| {
                let (url, body) = (url.as_str(), body.as_str());
                scope.spawn(move || {
                    let agent = agent();
                    chunk
                        .iter()
                        .map(|authorization| {
                            let headers = [
                                ("content-type", "application/json"),
                                ("authorization", authorization.as_str()),
                            ];
                            let sent = Instant::now();
                            let reply = send(&agent, "POST", url, &headers, Some(body.as_bytes()));
                            (sent.elapsed(), reply.map(|reply| reply.status))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a load thread finishes"))
            .collect()
    });
    let total = started.elapsed();
    let mut durations: Vec<Duration> = results.iter().map(|(duration, _)| *duration).collect();
    durations.sort();
    let percentile = |p: f64| {
        let rank = (durations.len() as f64 * p).ceil() as usize;
        durations[rank.clamp(1, durations.len()) - 1].as_secs_f64() * 1000.0
    };
    let errors: Vec<String> = results
        .iter()
        .filter_map(|(_, result)| match result {
            Ok(200) => None,
            Ok(status) => Some(format!("status {status}")),
            Err(e) => Some(e.clone()),
        })
        .collect();
    println!(
        "load: {} requests, {THREADS} concurrent: p50 {:.1} ms, p99 {:.1} ms, total {:.1} s, {} errors",
        results.len(),
        percentile(0.50),
        percentile(0.99),
        total.as_secs_f64(),
        errors.len()
    );
    assert_eq!(results.len(), REQUESTS);
    assert!(
        errors.is_empty(),
        "{} errors, the first: {:?}",
        errors.len(),
        errors.iter().take(5).collect::<Vec<_>>()
    );
    // A bound against hanging, not a performance target.
    assert!(total < Duration::from_secs(300), "the load test took {total:?}");
}
