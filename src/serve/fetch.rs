//! GETs to FHIR servers and JWKS URLs: blocking (run in tokio's blocking pool), with a
//! deadline, a size cap, no redirects, and TLS verified against the configured roots.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

/// Bytes one response may have.
pub const MAX_RESPONSE: u64 = 4 << 20;

/// Why a GET gave no JSON.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// No answer: the connection, TLS or the deadline failed.
    #[error("no answer ({0})")]
    Transport(String),
    /// An answer other than 200.
    #[error("HTTP status {0}")]
    Status(u16),
    /// A 200 whose body was not JSON, or too big.
    #[error("the answer was not JSON of at most {MAX_RESPONSE} bytes")]
    Body,
}

/// The HTTP client.
pub struct Fetcher {
    agent: ureq::Agent,
}

impl Fetcher {
    /// A client with `timeout` per GET, trusting the PEM roots in `ca_file` for https (a
    /// missing file leaves https unusable, and says so when used).
    pub fn new(timeout: Duration, ca_file: &Path) -> Result<(Fetcher, Option<String>), String> {
        let (roots, warning) = match std::fs::read(ca_file) {
            Ok(pem) => {
                let certs: Vec<_> = ureq::tls::parse_pem(&pem)
                    .filter_map(|item| match item {
                        Ok(ureq::tls::PemItem::Certificate(cert)) => Some(cert),
                        _ => None,
                    })
                    .collect();
                if certs.is_empty() {
                    return Err(format!(
                        "the CA file `{}` holds no PEM certificate",
                        crate::packs::display_path(ca_file)
                    ));
                }
                (certs, None)
            }
            Err(err) => (
                Vec::new(),
                Some(format!(
                    "cannot read the CA file `{}` ({err}): https FHIR servers and JWKS URLs will fail; give one with --ca-file",
                    crate::packs::display_path(ca_file)
                )),
            ),
        };
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .root_certs(ureq::tls::RootCerts::new_with_certs(&roots))
            .build();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .tls_config(tls)
            .build()
            .new_agent();
        Ok((Fetcher { agent }, warning))
    }

    /// GETs `url` as FHIR JSON (or JSON), with a bearer token if given.
    pub fn get_json(&self, url: &str, bearer: Option<&str>) -> Result<Value, FetchError> {
        let mut request = self
            .agent
            .get(url)
            .header("Accept", "application/fhir+json, application/json");
        if let Some(token) = bearer {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let mut response = request.call().map_err(|err| FetchError::Transport(transport(&err)))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(FetchError::Status(status));
        }
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_string()
            .map_err(|_| FetchError::Body)?;
        serde_json::from_str(&text).map_err(|_| FetchError::Body)
    }
}

/// A transport error without the URL (which may carry ids).
fn transport(err: &ureq::Error) -> String {
    match err {
        ureq::Error::Timeout(_) => "timed out".to_owned(),
        ureq::Error::Io(io) => format!("{:?}", io.kind()),
        ureq::Error::HostNotFound => "host not found".to_owned(),
        ureq::Error::ConnectionFailed => "connection failed".to_owned(),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => "TLS failed".to_owned(),
        _ => "the request failed".to_owned(),
    }
}

/// Whether `url` is `http://` to this machine (127.0.0.0/8, `[::1]` or `localhost`): the
/// only plain-HTTP URLs careplan sends a token to.
pub fn is_loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.rsplit_once(':').map_or(authority, |(host, _)| host)
    };
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `url` without one trailing `/`.
pub fn trim_base(url: &str) -> &str {
    url.strip_suffix('/').unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_plain_http() {
        assert!(is_loopback_http("http://127.0.0.1:8080/fhir"));
        assert!(is_loopback_http("http://localhost/fhir"));
        assert!(is_loopback_http("http://[::1]:80/"));
        assert!(!is_loopback_http("http://10.0.0.1/fhir"));
        assert!(!is_loopback_http("http://127.0.0.1.example.com/fhir"));
        assert!(!is_loopback_http("https://127.0.0.1/fhir"));
    }
}
