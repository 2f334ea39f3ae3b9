//! Where the data lives: `DATABASE_URL` parsed, or the SQLite file in the data directory.

use std::path::{Path, PathBuf};

/// The SQLite file in the data directory when `DATABASE_URL` names none.
pub const SQLITE_FILE: &str = "forvaltning.sqlite3";

pub fn default_sqlite_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SQLITE_FILE)
}

/// Where the data lives, parsed from `DATABASE_URL` (or defaulted to the data directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str, data_dir: &Path) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let before_query = url.split('?').next().unwrap_or_default();
            if before_query.matches('@').count() > 1 {
                // libpq would take the text after the first '@' for the host and repeat it,
                // password and all, in its error messages.
                return Err(format!(
                    "the credentials in '{}' hold an '@': write it as %40",
                    crate::redact::redact_url(url)
                ));
            }
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.contains("://") {
            return Err(format!(
                "unsupported database URL scheme in '{}': use postgres://… or an SQLite file path",
                crate::redact::redact_url(url)
            ));
        }
        if path.is_empty() {
            return Ok(DatabaseUrl::Sqlite(default_sqlite_path(data_dir)));
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }

    /// The database to open: the URL parsed, and a PostgreSQL on another host refused when
    /// this build's libpq could only reach it in plain text.
    pub fn from_settings(settings: &super::Settings) -> Result<Self, String> {
        let Some(url) = &settings.database_url else {
            return Ok(DatabaseUrl::Sqlite(default_sqlite_path(&settings.data_dir)));
        };
        let url = url.expose();
        let parsed = Self::parse(url, &settings.data_dir)?;
        if matches!(parsed, DatabaseUrl::Postgres(_)) && needs_tls(url) && !libpq_has_tls() {
            return Err(format!(
                "'{}' is another host, and this build's libpq has no TLS (the default feature \
                 bundles it without OpenSSL): build with `--features bundled-libpq-tls`, or \
                 with the system's libpq (`--no-default-features`), or add sslmode=disable to \
                 connect without TLS",
                crate::redact::redact_url(url)
            ));
        }
        Ok(parsed)
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgresql",
        }
    }
}

/// Would libpq talk to `url` over the network without `sslmode=disable`? Its default
/// (`prefer`) falls back to plain text when it has no TLS, so such a URL must not meet a libpq
/// without it unnoticed. A Unix socket or the loopback address needs no TLS.
fn needs_tls(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return true;
    };
    let query = |name: &str| {
        parsed
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if query("sslmode").as_deref() == Some("disable") {
        return false;
    }
    let host = query("host").or_else(|| parsed.host_str().map(String::from));
    match host.as_deref() {
        None | Some("") | Some("localhost") => false,
        Some(h) if h.starts_with('/') => false,
        Some(h) => !h
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
    }
}

/// Was the linked libpq built with TLS?
fn libpq_has_tls() -> bool {
    // SAFETY: with a null connection, PQsslAttribute only names the TLS library libpq was
    // built with (null without one); it reads no connection and keeps no pointer.
    let library = unsafe { pq_sys::PQsslAttribute(std::ptr::null_mut(), c"library".as_ptr()) };
    !library.is_null()
}

#[cfg(test)]
mod tls_tests {
    use super::needs_tls;

    #[test]
    fn only_another_host_without_sslmode_disable_needs_tls() {
        assert!(!needs_tls("postgres://postgres@127.0.0.1:5432/postgres"));
        assert!(!needs_tls("postgres://postgres@localhost/forvaltning"));
        assert!(!needs_tls("postgresql://u@[::1]:5432/f"));
        assert!(!needs_tls(
            "postgres:///forvaltning?host=/var/run/postgresql"
        ));
        assert!(!needs_tls("postgres://u@db.sunet.se/f?sslmode=disable"));
        assert!(needs_tls(
            "postgres://forvaltning:secret@db.sunet.se/forvaltning"
        ));
        assert!(needs_tls("postgres://u@10.0.0.5/f?sslmode=require"));
    }
}
