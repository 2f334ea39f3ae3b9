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

    pub fn from_settings(settings: &super::Settings) -> Result<Self, String> {
        match &settings.database_url {
            Some(url) => Self::parse(url.expose(), &settings.data_dir),
            None => Ok(DatabaseUrl::Sqlite(default_sqlite_path(&settings.data_dir))),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgresql",
        }
    }
}
