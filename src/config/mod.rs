//! Configuration: environment variables (their names are fixed: the README's Configuration)
//! over an optional TOML file over defaults. A bad value stops startup with a message naming the variable.

mod claim_rule;
mod database_url;
mod file;
mod jwt;
mod number;

pub use claim_rule::ClaimRule;
pub use database_url::{default_sqlite_path, DatabaseUrl, SQLITE_FILE};
use file::*;
pub use jwt::*;
use number::Number;

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use jsonwebtoken::Algorithm;

use crate::client_address::TrustedProxies;
use crate::domain::governance::Thresholds;
use crate::domain::model::Model;
use crate::redact::redact_url;
use std::sync::Arc;

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./data";
/// The leeway docs/conventions.md allows at most ("a small leeway").
pub const MAX_LEEWAY_SECONDS: u64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// A string that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct JwtSettings {
    /// HS256 secret given explicitly (`FORVALTNING_JWT_SECRET` or `jwt.secret`).
    pub secret: Option<Secret>,
    pub public_key_files: Vec<PathBuf>,
    pub jwks_url: Option<String>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    /// Pinned algorithms; empty means "derived from the configured keys".
    pub algorithms: Vec<Algorithm>,
    pub leeway_seconds: u64,
    /// Minimum seconds between two JWKS fetches caused by an unknown `kid`.
    pub jwks_refetch_cooldown_seconds: u64,
    /// Seconds after which a fetched JWKS is refreshed anyway.
    pub jwks_max_age_seconds: u64,
}

/// The largest request body by default: 1 MiB (the largest document the API takes, a plan
/// with its activities, is a few kilobytes).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// The largest file `POST /api/v1/imports` accepts by default (16 MiB).
pub const DEFAULT_MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

/// The README's Configuration: 100 requests per second per caller, bursts of twice that.
pub const DEFAULT_RATE_LIMIT: u32 = 100;

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// `None`: the SQLite file in the data directory.
    pub database_url: Option<Secret>,
    pub environment: Environment,
    pub jwt: JwtSettings,
    pub claim_rules: Vec<ClaimRule>,
    /// `None`: sized to the machine and the database (see `db::Sizes`).
    pub pool_size: Option<u32>,
    /// At most this many reads at once (`None`: sized to the machine; see `db::Sizes`).
    pub concurrent_reads: Option<u32>,
    pub pool_timeout_seconds: u64,
    pub workers: Option<usize>,
    /// Requests per second per caller (bursts of twice that); 0: no limit.
    pub rate_limit: u32,
    /// Proxies whose `Forwarded` / `X-Forwarded-For` name the client (none by default).
    pub trusted_proxies: TrustedProxies,
    /// Browser origins allowed to call the API (CORS); empty: none.
    pub cors_allowed_origins: Vec<String>,
    /// The largest request body accepted (413 above it).
    pub max_body_bytes: usize,
    /// The largest file an import accepts (413 above it).
    pub max_import_bytes: usize,
    /// Whether `GET /metrics` answers (configuration file `metrics`, on by default).
    pub metrics: bool,
    /// Whether webhooks may post to http and to private, loopback and link-local addresses
    /// (`webhooks.allow_private`; always in development).
    pub webhooks_allow_private: bool,
    /// How many days of webhook delivery attempts are kept (`webhooks.delivery_log_days`, 30).
    pub webhook_log_days: u32,
    /// The proxy deliveries go through (`webhooks.proxy`); none, whatever `HTTPS_PROXY` says.
    pub webhook_proxy: Option<String>,
    /// How often the date-driven events are looked for (`events.scan_seconds`, 60).
    pub event_scan_seconds: u64,
    /// The limits of the governance rules (`[governance]`).
    pub governance: Thresholds,
    /// The governance model in force (`governance.model_file`, `FORVALTNING_GOVERNANCE_MODEL`;
    /// Sunet's built-in model without either).
    pub governance_model: Arc<Model>,
}

/// The model in `path`, read and checked, or the built-in one.
pub fn governance_model(path: Option<&std::path::Path>) -> Result<Arc<Model>, ConfigError> {
    let Some(path) = path else {
        return Ok(Model::builtin());
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::new(
            "governance.model_file",
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    Model::load(&path.display().to_string(), &text)
        .map(Arc::new)
        .map_err(|e| ConfigError::new("governance.model_file", e.to_string()))
}

#[derive(Debug, thiserror::Error)]
#[error("configuration error in {variable}: {message}")]
pub struct ConfigError {
    pub variable: String,
    pub message: String,
}

impl ConfigError {
    fn new(variable: &str, message: impl Into<String>) -> Self {
        Self {
            variable: variable.to_string(),
            message: message.into(),
        }
    }
}

impl Settings {
    /// Reads the process environment and the optional TOML file.
    pub fn load(config_file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(config_file, &|name| std::env::var(name).ok())
    }

    /// Same as [`Settings::load`], with the environment given as a lookup (for tests).
    pub fn load_from(
        config_file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let file = match config_file {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };

        let bind_text = env("FORVALTNING_BIND")
            .or(file.bind)
            .unwrap_or_else(|| DEFAULT_BIND.to_string());
        let bind = bind_text.parse().map_err(|_| {
            ConfigError::new(
                "FORVALTNING_BIND",
                format!("'{bind_text}' is not an address:port such as 127.0.0.1:8080"),
            )
        })?;

        let data_dir = env("FORVALTNING_DATA_DIR")
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));

        let database_url = env("DATABASE_URL").or(file.database_url);
        if let Some(url) = &database_url {
            DatabaseUrl::parse(url, &data_dir)
                .map_err(|message| ConfigError::new("DATABASE_URL", message))?;
        }

        let environment = match env("FORVALTNING_ENV")
            .or(file.env)
            .as_deref()
            .unwrap_or("development")
        {
            "development" => Environment::Development,
            "production" => Environment::Production,
            other => {
                return Err(ConfigError::new(
                    "FORVALTNING_ENV",
                    format!("'{other}' is neither 'development' nor 'production'"),
                ))
            }
        };

        let jwt = jwt_settings(&env, file.jwt)?;
        let governance_model = match env("FORVALTNING_GOVERNANCE_MODEL") {
            Some(path) => governance_model(Some(std::path::Path::new(&path)))
                .map_err(|e| ConfigError::new("FORVALTNING_GOVERNANCE_MODEL", e.message))?,
            None => governance_model(file.governance.model_file.as_deref())?,
        };
        let claim_rules = match file.claims.roles {
            Some(rules) => {
                for (index, rule) in rules.iter().enumerate() {
                    rule.check(&governance_model).map_err(|message| {
                        ConfigError::new(&format!("claims.roles[{index}]"), message)
                    })?;
                }
                rules
            }
            None => vec![ClaimRule::default_roles_claim()],
        };

        let pool_size = Number {
            var: Some("FORVALTNING_DATABASE_POOL_SIZE"),
            key: "database.pool_size",
            unit: "connections",
        }
        .read(&env, file.database.pool_size, 1..=1000)?;
        let concurrent_reads = Number {
            var: None,
            key: "database.concurrent_reads",
            unit: "reads",
        }
        .read(&env, file.database.concurrent_reads, 1..=u32::MAX)?;
        let rate_limit = Number {
            var: Some("FORVALTNING_RATE_LIMIT"),
            key: "rate_limit",
            unit: "requests per second (0 turns the limit off)",
        }
        .read(&env, file.rate_limit, 0..=u32::MAX)?
        .unwrap_or(DEFAULT_RATE_LIMIT);
        let (source, list) = match env("FORVALTNING_TRUSTED_PROXIES") {
            Some(list) => ("FORVALTNING_TRUSTED_PROXIES", list),
            None => (
                "trusted_proxies",
                file.trusted_proxies.clone().unwrap_or_default(),
            ),
        };
        let trusted_proxies =
            TrustedProxies::parse(&list).map_err(|message| ConfigError::new(source, message))?;
        let cors_allowed_origins: Vec<String> = match env("FORVALTNING_CORS_ALLOWED_ORIGINS") {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_string)
                .collect(),
            None => file.cors.allowed_origins,
        };
        for origin in &cors_allowed_origins {
            let scheme_and_host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            if !scheme_and_host.is_some_and(|h| !h.is_empty() && !h.contains('/')) {
                return Err(ConfigError::new(
                    "FORVALTNING_CORS_ALLOWED_ORIGINS",
                    format!("'{origin}' is not an origin such as https://portal.sunet.se"),
                ));
            }
        }
        let max_body_bytes = Number {
            var: Some("FORVALTNING_MAX_BODY_BYTES"),
            key: "limits.max_body_bytes",
            unit: "bytes",
        }
        .read(&env, file.limits.max_body_bytes, 1024..=64 * 1024 * 1024)?
        .unwrap_or(DEFAULT_MAX_BODY_BYTES);
        let max_import_bytes = Number {
            var: Some("FORVALTNING_MAX_IMPORT_BYTES"),
            key: "limits.max_import_bytes",
            unit: "bytes",
        }
        .read(&env, file.limits.max_import_bytes, 1024..=256 * 1024 * 1024)?
        .unwrap_or(DEFAULT_MAX_IMPORT_BYTES);
        let event_scan_seconds = Number {
            var: None,
            key: "events.scan_seconds",
            unit: "seconds",
        }
        .read(&env, file.events.scan_seconds, 1..=86_400)?
        .unwrap_or(60);
        let webhook_log_days = Number {
            var: None,
            key: "webhooks.delivery_log_days",
            unit: "days",
        }
        .read(&env, file.webhooks.delivery_log_days, 1..=3650)?
        .unwrap_or(30);
        Ok(Settings {
            bind,
            data_dir,
            database_url: database_url.map(Secret::new),
            environment,
            jwt,
            claim_rules,
            pool_size,
            concurrent_reads,
            pool_timeout_seconds: file.database.pool_timeout_seconds.unwrap_or(3),
            workers: file.workers,
            rate_limit,
            trusted_proxies,
            cors_allowed_origins,
            max_body_bytes,
            max_import_bytes,
            metrics: file.metrics.unwrap_or(true),
            webhooks_allow_private: environment == Environment::Development
                || file.webhooks.allow_private.unwrap_or(false),
            webhook_proxy: match file.webhooks.proxy {
                Some(proxy) if reqwest::Proxy::all(proxy.as_str()).is_err() => {
                    return Err(ConfigError::new(
                        "webhooks.proxy",
                        "must be a proxy URL such as http://proxy.sunet.se:3128",
                    ))
                }
                proxy => proxy,
            },
            event_scan_seconds,
            governance: file.governance.thresholds()?,
            governance_model,
            webhook_log_days,
        })
    }

    /// The effective configuration, without secrets, for the startup log.
    pub fn describe(&self) -> String {
        let database = match &self.database_url {
            Some(url) => redact_url(url.expose()),
            None => format!(
                "sqlite file {}",
                default_sqlite_path(&self.data_dir).display()
            ),
        };
        format!(
            "bind={} data_dir={} database={} env={:?} jwt: secret={} public_keys={:?} jwks_url={:?} issuer={:?} audience={:?} algorithms={:?} leeway={}s; claim rules={}; pool_size={} concurrent_reads={} rate_limit={}/s trusted_proxies={} max_body_bytes={} max_import_bytes={} metrics={} webhooks.allow_private={} webhooks.delivery_log_days={} webhooks.proxy={:?} events.scan_seconds={} governance={:?} governance model={} {} (sha256 {})",
            self.bind,
            self.data_dir.display(),
            database,
            self.environment,
            if self.jwt.secret.is_some() { "set" } else { "not set" },
            self.jwt.public_key_files,
            self.jwt.jwks_url.as_deref().map(redact_url),
            self.jwt.issuer,
            self.jwt.audience,
            self.jwt.algorithms,
            self.jwt.leeway_seconds,
            self.claim_rules.len(),
            self.pool_size
                .map_or_else(|| "sized to the machine".to_string(), |n| n.to_string()),
            self.concurrent_reads
                .map_or_else(|| "sized to the machine".to_string(), |n| n.to_string()),
            self.rate_limit,
            self.trusted_proxies,
            self.max_body_bytes,
            self.max_import_bytes,
            self.metrics,
            self.webhooks_allow_private,
            self.webhook_log_days,
            self.webhook_proxy.as_deref().map(redact_url),
            self.event_scan_seconds,
            self.governance,
            self.governance_model.name,
            self.governance_model.version,
            self.governance_model.sha256,
        )
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::new("--config", format!("cannot read {}: {e}", path.display()))
    })?;
    toml::from_str(&text)
        .map_err(|e| ConfigError::new("--config", format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::load_from(None, &move |name| map.get(name).cloned())
    }

    #[test]
    fn defaults_need_no_configuration() {
        let settings = load(&[]).unwrap();
        assert_eq!(settings.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.data_dir, PathBuf::from("./data"));
        assert_eq!(settings.environment, Environment::Development);
        assert!(settings.database_url.is_none());
    }

    #[test]
    fn the_pool_is_sized_to_the_machine_unless_configured() {
        assert_eq!(load(&[]).unwrap().pool_size, None);
        let settings = load(&[("FORVALTNING_DATABASE_POOL_SIZE", "7")]).unwrap();
        assert_eq!(settings.pool_size, Some(7));
        for bad in ["0", "sju", "1001"] {
            let err = load(&[("FORVALTNING_DATABASE_POOL_SIZE", bad)]).unwrap_err();
            assert_eq!(err.variable, "FORVALTNING_DATABASE_POOL_SIZE");
        }
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = load(&[("FORVALTNING_BIND", "localhost")]).unwrap_err();
        assert_eq!(err.variable, "FORVALTNING_BIND");
        let err = load(&[("FORVALTNING_ENV", "prod")]).unwrap_err();
        assert_eq!(err.variable, "FORVALTNING_ENV");
        let err = load(&[("DATABASE_URL", "mysql://x/y")]).unwrap_err();
        assert_eq!(err.variable, "DATABASE_URL");
        let err = load(&[("FORVALTNING_JWT_ALGORITHMS", "none")]).unwrap_err();
        assert_eq!(err.variable, "FORVALTNING_JWT_ALGORITHMS");
    }

    #[test]
    fn secrets_never_print() {
        let settings = load(&[
            ("FORVALTNING_JWT_SECRET", "hemligt-hemligt"),
            (
                "DATABASE_URL",
                "postgres://app:lösen@db.sunet.se/forvaltning",
            ),
        ])
        .unwrap();
        let text = format!("{} {:?}", settings.describe(), settings);
        assert!(!text.contains("hemligt"), "{text}");
        assert!(!text.contains("lösen"), "{text}");
    }

    #[test]
    fn toml_file_is_read_and_environment_wins() {
        let dir = std::env::temp_dir().join(format!("forvaltning-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(
            &path,
            r#"
bind = "127.0.0.1:9000"
env = "production"
[jwt]
issuer = "https://idp.sunet.se"
[[claims.roles]]
claim = "/eduPersonEntitlement"
prefix = "urn:mace:sunet.se:forvaltning:"
"#,
        )
        .unwrap();
        let settings = Settings::load_from(Some(&path), &|name| {
            (name == "FORVALTNING_BIND").then(|| "127.0.0.1:9100".to_string())
        })
        .unwrap();
        assert_eq!(settings.bind.port(), 9100);
        assert_eq!(settings.environment, Environment::Production);
        assert_eq!(settings.jwt.issuer.as_deref(), Some("https://idp.sunet.se"));
        assert_eq!(settings.claim_rules.len(), 1);
        std::fs::remove_dir_all(dir).ok();
    }
}
