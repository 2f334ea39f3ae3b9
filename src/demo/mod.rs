//! `forvaltning demo`: an empty database filled with a small, realistic Sunet to look at —
//! three portfolios, a dozen services, their TÄ, TS and TJF, customers and suppliers with
//! contracts (some near notice) and deliveries (some uncovered), a budget frame and a plan,
//! change requests, needs and information systems. Everything goes in through the API of an
//! instance started for the purpose (its registers through the import), so it is authorised,
//! validated and audited like any other write; then a token per role is printed.

mod data;
mod files;
mod people;
mod script;

use std::time::Duration;

use serde_json::Value;

use crate::auth::jwt::{sign_token, DevClaims};
use crate::config::Settings;
use crate::startup::{open_database, Application};
pub use people::{Person, PEOPLE};

/// How long the demo's tokens live: a working day of looking around.
const TOKEN_SECONDS: u64 = 8 * 3600;

/// Why the demo did not fill the database.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the database is not empty ({0}); the demo fills only an empty database")]
    NotEmpty(String),
    #[error("{0}")]
    Setup(String),
    #[error("{step}: {status} {body}\nThe demo stopped there: the database holds what went in before that step and nothing after it. Empty it (remove the SQLite file in the data directory, or drop the PostgreSQL schema) before running the demo again.")]
    Step {
        step: String,
        status: u16,
        body: String,
    },
}

/// Fills the empty database of `settings` and answers each demo person's token.
pub async fn run(settings: Settings) -> Result<Vec<(&'static Person, String)>, DemoError> {
    refuse_unless_empty(&settings)?;
    let mut settings = settings;
    settings.bind = "127.0.0.1:0"
        .parse()
        .map_err(|_| DemoError::Setup("bind".into()))?;
    settings.rate_limit = 0;
    let tokens: Vec<(&'static Person, String)> = PEOPLE
        .iter()
        .map(|p| token(&settings, p).map(|t| (p, t)))
        .collect::<Result<_, _>>()?;
    let app = Application::build(settings)
        .await
        .map_err(|e| DemoError::Setup(e.to_string()))?;
    let base = format!("http://127.0.0.1:{}/api/v1", app.port());
    let server = actix_web::rt::spawn(app.run_until_stopped());
    let client = Client {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| DemoError::Setup(e.to_string()))?,
        base,
        tokens: tokens.iter().map(|(p, t)| (p.key, t.clone())).collect(),
    };
    let filled = script::fill(&client).await;
    server.abort();
    filled.map(|()| tokens)
}

/// Empty: no portfolio, service, organization, contract or person.
fn refuse_unless_empty(settings: &Settings) -> Result<(), DemoError> {
    let (_, pool) = open_database(settings).map_err(|e| DemoError::Setup(e.to_string()))?;
    let mut conn = pool.get().map_err(|e| DemoError::Setup(e.to_string()))?;
    let found =
        crate::db::imports::contents(&mut conn).map_err(|e| DemoError::Setup(e.to_string()))?;
    let named: Vec<String> = found
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(table, n)| format!("{n} {table}"))
        .collect();
    if named.is_empty() {
        Ok(())
    } else {
        Err(DemoError::NotEmpty(named.join(", ")))
    }
}

fn token(settings: &Settings, person: &Person) -> Result<String, DemoError> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = DevClaims {
        sub: person.sub.to_string(),
        roles: person.roles.iter().map(|r| r.to_string()).collect(),
        name: Some(person.name.to_string()),
        email: Some(person.sub.to_string()),
        iat: now,
        nbf: now,
        exp: now + TOKEN_SECONDS,
        iss: None,
        aud: None,
    };
    sign_token(settings, claims).map_err(|e| DemoError::Setup(e.to_string()))
}

/// The demo's caller of the instance it started: each request as one of the demo's people.
pub(crate) struct Client {
    http: reqwest::Client,
    base: String,
    tokens: Vec<(&'static str, String)>,
}

impl Client {
    /// Sends one step; anything but 2xx stops the demo, naming the step.
    pub(crate) async fn send(
        &self,
        who: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Body>,
    ) -> Result<Value, DemoError> {
        let token = self
            .tokens
            .iter()
            .find(|(key, _)| *key == who)
            .map(|(_, t)| t.as_str())
            .unwrap_or_default();
        let step = format!("{method} {path} as {who}");
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        request = match body {
            Some(Body::Json(json)) => request.json(&json),
            Some(Body::Csv(text)) => request.header("Content-Type", "text/csv").body(text),
            None => request,
        };
        let response = request.send().await.map_err(|e| DemoError::Step {
            step: step.clone(),
            status: 0,
            body: e.to_string(),
        })?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        if !(200..300).contains(&status) {
            return Err(DemoError::Step {
                step,
                status,
                body: text,
            });
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// A step's body.
pub(crate) enum Body {
    Json(Value),
    Csv(String),
}
