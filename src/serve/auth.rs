//! Client authentication as CDS Hooks 2.0 requires: a bearer JWT on every call, signed
//! ES384 or RS384 by a key the service was given (a JWK Set file) or found at an
//! allow-listed JWKS URL, with `iss`, `aud`, `exp`, `iat` and `jti` checked, and each
//! `jti` usable once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::error::Refusal;
use super::fetch::Fetcher;

/// The most `jti`s remembered at once; past it (after forgetting the expired ones) tokens
/// are refused with 503 rather than let through unchecked.
const REPLAY_CAPACITY: usize = 100_000;
/// How long a fetched JWK Set is used before it is fetched again.
const JWKS_TTL: Duration = Duration::from_secs(600);
/// How often a JWK Set may be fetched again for a `kid` it did not have.
const JWKS_RETRY: Duration = Duration::from_secs(60);

/// A verifying key.
#[derive(Clone)]
struct Key {
    kid: String,
    alg: Algorithm,
    key: DecodingKey,
}

/// A JWK Set at an allow-listed URL, fetched when needed.
struct Remote {
    url: String,
    cache: tokio::sync::Mutex<Option<(Instant, Vec<Key>)>>,
}

/// The checks' settings and state.
pub struct Auth {
    keys: Vec<Key>,
    remotes: Vec<Remote>,
    issuers: Vec<String>,
    leeway: u64,
    max_age: u64,
    replay: Mutex<HashMap<(String, String), u64>>,
    fetcher: Arc<Fetcher>,
}

/// The claims CDS Hooks requires (`tenant` and others are allowed and ignored).
#[derive(Debug, Deserialize)]
struct Claims {
    iss: String,
    exp: u64,
    iat: u64,
    jti: String,
}

/// Who a verified token came from, for the log.
#[derive(Debug, Clone)]
pub struct Client {
    /// The token's issuer.
    pub iss: String,
    /// The key's id.
    pub kid: String,
}

/// Keys kept from a JWK Set, and a warning for each one left out.
fn usable(set: &JwkSet, from: &str) -> (Vec<Key>, Vec<String>) {
    let mut keys = Vec::new();
    let mut warnings = Vec::new();
    for (i, jwk) in set.keys.iter().enumerate() {
        match key_from(jwk) {
            Ok(key) => keys.push(key),
            Err(why) => warnings.push(format!("{from}: key {i} is not used: {why}")),
        }
    }
    (keys, warnings)
}

/// An ES384 (P-384) or RS384 (RSA of at least 2048 bits) verifying key, or why not.
fn key_from(jwk: &Jwk) -> Result<Key, &'static str> {
    let kid = jwk.common.key_id.clone().ok_or("it has no `kid`")?;
    if matches!(&jwk.common.public_key_use, Some(u) if *u != PublicKeyUse::Signature) {
        return Err("its `use` is not `sig`");
    }
    let alg = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P384 => Algorithm::ES384,
        AlgorithmParameters::EllipticCurve(_) => return Err("it is an EC key on a curve other than P-384"),
        AlgorithmParameters::RSA(rsa) => {
            // base64url: 4 characters for 3 bytes; 2048 bits are 256 bytes.
            if rsa.n.trim_end_matches('=').len() * 3 / 4 < 256 {
                return Err("it is an RSA key of fewer than 2048 bits");
            }
            Algorithm::RS384
        }
        _ => return Err("it is neither an EC P-384 key nor an RSA key (symmetric keys are never accepted)"),
    };
    match (&jwk.common.key_algorithm, alg) {
        (None, _) | (Some(KeyAlgorithm::ES384), Algorithm::ES384) | (Some(KeyAlgorithm::RS384), Algorithm::RS384) => {}
        _ => return Err("its `alg` is not ES384 (EC) or RS384 (RSA)"),
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|_| "its key parameters are not valid")?;
    Ok(Key { kid, alg, key })
}

/// Seconds since the Unix epoch.
fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Auth {
    /// Reads the JWK Set files; returns the checks and a warning for every key left out.
    pub fn new(
        key_files: &[std::path::PathBuf],
        jwks_urls: &[String],
        issuers: &[String],
        leeway: u64,
        max_age: u64,
        fetcher: Arc<Fetcher>,
    ) -> Result<(Auth, Vec<String>), String> {
        let mut keys = Vec::new();
        let mut warnings = Vec::new();
        for file in key_files {
            let name = crate::packs::display_path(file);
            let text =
                std::fs::read_to_string(file).map_err(|err| format!("cannot read the key file `{name}`: {err}"))?;
            let set: JwkSet = serde_json::from_str(&text).map_err(|err| {
                format!(
                    "the key file `{name}` is not a JWK Set (line {}): {}",
                    err.line(),
                    reworded(&err)
                )
            })?;
            let (found, mut dropped) = usable(&set, &name);
            if found.is_empty() {
                return Err(format!(
                    "the key file `{name}` has no key careplan can use (EC P-384 for ES384, or RSA of 2048 bits or more for RS384, each with a `kid`)"
                ));
            }
            keys.extend(found);
            warnings.append(&mut dropped);
        }
        for url in jwks_urls {
            if !(url.starts_with("https://") || super::fetch::is_loopback_http(url)) {
                return Err(format!(
                    "`--jwks-url {url}` must be an https:// URL (http:// only on this machine)"
                ));
            }
        }
        Ok((
            Auth {
                keys,
                remotes: jwks_urls
                    .iter()
                    .map(|url| Remote {
                        url: url.clone(),
                        cache: tokio::sync::Mutex::new(None),
                    })
                    .collect(),
                issuers: issuers.to_vec(),
                leeway,
                max_age,
                replay: Mutex::new(HashMap::new()),
                fetcher,
            },
            warnings,
        ))
    }

    /// Checks the request's `Authorization` header for a call whose `aud` may be any of
    /// `audiences`.
    pub async fn verify(&self, authorization: Option<&str>, audiences: &[String]) -> Result<Client, Refusal> {
        let token = match authorization.and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer "))) {
            Some(token) if !token.trim().is_empty() => token.trim(),
            _ => {
                return Err(Refusal::token(
                    "missing",
                    "a bearer JWT is required (Authorization: Bearer <token>)",
                ))
            }
        };
        let header = jsonwebtoken::decode_header(token).map_err(|err| match err.kind() {
            ErrorKind::InvalidAlgorithmName | ErrorKind::UnsupportedAlgorithm => {
                Refusal::token("algorithm", "the token's `alg` must be ES384 or RS384")
            }
            _ => Refusal::token("malformed", "the token is not a JWT with a readable header"),
        })?;
        if !matches!(header.alg, Algorithm::ES384 | Algorithm::RS384) {
            return Err(Refusal::token("algorithm", "the token's `alg` must be ES384 or RS384"));
        }
        if !header.typ.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("JWT")) {
            return Err(Refusal::token("malformed", "the token's header must have `typ` JWT"));
        }
        let Some(kid) = header.kid.as_deref() else {
            return Err(Refusal::token("malformed", "the token's header must have a `kid`"));
        };
        let key = self.find_key(kid, header.jku.as_deref()).await?;
        if key.alg != header.alg {
            return Err(Refusal::token("algorithm", "the token's `alg` is not its key's"));
        }
        let mut validation = Validation::new(key.alg);
        validation.leeway = self.leeway;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "aud", "iss"]);
        validation.set_audience(audiences);
        if !self.issuers.is_empty() {
            validation.set_issuer(&self.issuers);
        }
        let data = jsonwebtoken::decode::<Claims>(token, &key.key, &validation).map_err(|err| {
            let (reason, message) = match err.kind() {
                ErrorKind::InvalidSignature => ("bad_signature", "the token's signature does not verify"),
                ErrorKind::ExpiredSignature => ("expired", "the token has expired"),
                ErrorKind::ImmatureSignature => ("not_yet_valid", "the token is not valid yet (`nbf`)"),
                ErrorKind::InvalidAudience => ("bad_audience", "the token's `aud` is not this endpoint's URL"),
                ErrorKind::InvalidIssuer => ("bad_issuer", "the token's `iss` is not an issuer this service accepts"),
                ErrorKind::MissingRequiredClaim(_) | ErrorKind::Json(_) => (
                    "malformed",
                    "the token must have the claims `iss`, `aud`, `exp`, `iat` and `jti`, of the right types",
                ),
                ErrorKind::InvalidAlgorithm => ("algorithm", "the token's `alg` is not its key's"),
                _ => ("malformed", "the token could not be read"),
            };
            Refusal::token(reason, message)
        })?;
        let claims = data.claims;
        let now = now();
        if claims.iat > now + self.leeway {
            return Err(Refusal::token("iat", "the token's `iat` is in the future"));
        }
        if now.saturating_sub(claims.iat) > self.max_age + self.leeway
            || claims.exp.saturating_sub(claims.iat) > self.max_age
        {
            return Err(Refusal::token(
                "iat",
                format!(
                    "the token is too old or lives too long: at most {} seconds",
                    self.max_age
                ),
            ));
        }
        if claims.jti.is_empty() {
            return Err(Refusal::token("malformed", "the token's `jti` is empty"));
        }
        self.remember(&claims, now)?;
        Ok(Client {
            iss: claims.iss,
            kid: key.kid,
        })
    }

    /// Records the token's `jti` until it expires; refuses one seen before.
    fn remember(&self, claims: &Claims, now: u64) -> Result<(), Refusal> {
        let mut seen = self
            .replay
            .lock()
            .map_err(|_| Refusal::internal("the replay cache is unusable"))?;
        let id = (claims.iss.clone(), claims.jti.clone());
        if seen.contains_key(&id) {
            return Err(Refusal::token(
                "replayed",
                "this token (its `jti`) has been used before",
            ));
        }
        if seen.len() >= REPLAY_CAPACITY {
            let leeway = self.leeway;
            seen.retain(|_, exp| *exp + leeway >= now);
            if seen.len() >= REPLAY_CAPACITY {
                return Err(Refusal::unavailable(
                    "too many live tokens to check for replay; try again shortly",
                ));
            }
        }
        seen.insert(id, claims.exp);
        Ok(())
    }

    /// The key `kid`: in the `jku` set if given (which must be allow-listed), else in the
    /// key files and every allow-listed set.
    async fn find_key(&self, kid: &str, jku: Option<&str>) -> Result<Key, Refusal> {
        let remotes: Vec<&Remote> = match jku {
            Some(jku) => match self.remotes.iter().find(|r| r.url == jku) {
                Some(remote) => vec![remote],
                None => {
                    return Err(Refusal::token(
                        "jku",
                        "the token's `jku` is not a JWKS URL this service accepts",
                    ))
                }
            },
            None => {
                if let Some(key) = self.keys.iter().find(|k| k.kid == kid) {
                    return Ok(key.clone());
                }
                self.remotes.iter().collect()
            }
        };
        for remote in remotes {
            if let Some(key) = self.remote_key(remote, kid).await {
                return Ok(key);
            }
        }
        Err(Refusal::token(
            "unknown_key",
            "the token's `kid` names no key this service has",
        ))
    }

    /// `kid` from a remote set, fetching it when it is stale, or when it lacks `kid` and
    /// was not fetched in the last minute.
    async fn remote_key(&self, remote: &Remote, kid: &str) -> Option<Key> {
        let mut cache = remote.cache.lock().await;
        let fresh = |at: &Instant, ttl| at.elapsed() < ttl;
        if let Some((at, keys)) = cache.as_ref() {
            if let Some(key) = keys.iter().find(|k| k.kid == kid).filter(|_| fresh(at, JWKS_TTL)) {
                return Some(key.clone());
            }
            if fresh(at, JWKS_RETRY) {
                return None;
            }
        }
        let fetcher = self.fetcher.clone();
        let url = remote.url.clone();
        let fetched = tokio::task::spawn_blocking(move || fetcher.get_json(&url, None)).await;
        match fetched {
            Ok(Ok(value)) => match serde_json::from_value::<JwkSet>(value) {
                Ok(set) => {
                    let (keys, dropped) = usable(&set, &remote.url);
                    for warning in dropped {
                        tracing::warn!(target: "careplan::auth", message = %warning);
                    }
                    let found = keys.iter().find(|k| k.kid == kid).cloned();
                    *cache = Some((Instant::now(), keys));
                    found
                }
                Err(_) => {
                    tracing::warn!(target: "careplan::auth", jwks = %remote.url, "the JWKS URL did not answer with a JWK Set");
                    None
                }
            },
            Ok(Err(err)) => {
                tracing::warn!(target: "careplan::auth", jwks = %remote.url, error = %err, "the JWK Set could not be fetched");
                None
            }
            Err(_) => None,
        }
    }
}

/// A serde error in careplan's words, without the value it quotes.
fn reworded(err: &serde_json::Error) -> String {
    let text = err.to_string();
    // serde's messages quote the offending value after "invalid type: "/"invalid value: ";
    // the category and the position are enough to find it in one's own file.
    match err.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            text.split(" at line ").next().unwrap_or("not JSON").to_owned()
        }
        _ => "its keys are not JWKs of the form RFC 7517 gives".to_owned(),
    }
}
