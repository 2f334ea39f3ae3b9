//! What the extractors need: body and query limits and their problems, the body read whole for
//! middleware, and the collection of a body's field errors.

use actix_web::{error, web};

use crate::error::{AppError, AppResult, FieldError};

/// The largest request body accepted (configuration `limits.max_body_bytes`), and the larger
/// one of an import's file (`limits.max_import_bytes`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    pub json: usize,
    pub import: usize,
}

impl BodyLimit {
    /// The limit of this request's body: an import's file, from a caller whose token was
    /// verified, may be larger than a JSON body.
    fn of(&self, req: &actix_web::dev::ServiceRequest) -> usize {
        use actix_web::HttpMessage;
        let verified = req
            .extensions()
            .get::<crate::auth::Verification>()
            .is_some_and(|v| v.0.is_ok());
        if Self::is_import(req) && verified {
            self.import
        } else {
            self.json
        }
    }

    /// Is this request an import (whose body is a file)?
    pub fn is_import(req: &actix_web::dev::ServiceRequest) -> bool {
        req.method() == actix_web::http::Method::POST && req.path() == IMPORTS_PATH
    }
}

/// The one path whose body is a file ([`BodyLimit::import`]).
pub const IMPORTS_PATH: &str = "/api/v1/imports";

/// How long a request's body may take to arrive, from the end of its head (408 after it).
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Reads a request's body whole (for the middleware that must see it before the handler),
/// within the JSON limit and [`BODY_TIMEOUT`]; the caller hands it on with `set_payload`.
pub async fn read_body(req: &mut actix_web::dev::ServiceRequest) -> AppResult<web::Bytes> {
    use actix_web::HttpMessage;
    use futures_util::StreamExt;
    let limit = req
        .app_data::<web::Data<BodyLimit>>()
        .map(|l| l.of(req))
        .unwrap_or(crate::config::DEFAULT_MAX_BODY_BYTES);
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    let deadline = tokio::time::Instant::now() + BODY_TIMEOUT;
    let timed_out = || {
        AppError::RequestTimeout(format!(
            "The body did not arrive within {} seconds.",
            BODY_TIMEOUT.as_secs()
        ))
    };
    while let Some(chunk) = tokio::time::timeout_at(deadline, payload.next())
        .await
        .map_err(|_| timed_out())?
    {
        let chunk =
            chunk.map_err(|e| AppError::bad_request(format!("The body could not be read: {e}")))?;
        body.extend_from_slice(&chunk);
        if body.len() > limit {
            return Err(AppError::PayloadTooLarge(format!(
                "The body is larger than {limit} bytes."
            )));
        }
    }
    Ok(body.freeze())
}

/// Bad JSON, unknown fields, too large bodies: problem+json like every other error.
pub fn json_config(limit: BodyLimit) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit.json)
        // curl sends form content types by default; the body is JSON whatever it says.
        .content_type(|_| true)
        .content_type_required(false)
        .error_handler(|err, _req| json_error(err).into())
}

fn json_error(err: error::JsonPayloadError) -> AppError {
    match err {
        error::JsonPayloadError::Overflow { limit }
        | error::JsonPayloadError::OverflowKnownLength { limit, .. } => {
            AppError::PayloadTooLarge(format!("The body is larger than {limit} bytes."))
        }
        error::JsonPayloadError::Deserialize(e) => {
            let message = e.to_string();
            match backticked(&message) {
                Some(field) if message.starts_with("unknown field") => {
                    AppError::invalid(vec![FieldError::new(
                        field,
                        "is not a field of this object",
                    )])
                }
                Some(field) if message.starts_with("missing field") => {
                    AppError::invalid(vec![FieldError::new(field, "is required")])
                }
                _ => AppError::bad_request(format!(
                    "The body is not valid for this request: {message}"
                )),
            }
        }
        other => AppError::bad_request(format!("The body could not be read as JSON: {other}")),
    }
}

/// `unknown field `x`, expected …` → `x`.
fn backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_string())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| query_error(err).into())
}

/// A query string that is not the operation's: an unknown parameter names itself.
pub fn query_error(err: error::QueryPayloadError) -> AppError {
    let message = err.to_string();
    match backticked(&message) {
        Some(field) if message.contains("unknown field") => {
            AppError::invalid(vec![FieldError::new(field, "is not a filter of this list")])
        }
        _ => AppError::bad_request(format!("Invalid query parameters: {message}")),
    }
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|err, _req| AppError::not_found(format!("Invalid path: {err}")).into())
}

/// Collects field errors of a request body: each `parse` adds its error instead of returning
/// at the first one, so the client learns every problem at once. An error of form (what the
/// document states: type, length, pattern, range) makes the answer 400; a broken rule across
/// fields (`rule`) only, 422.
#[derive(Default)]
pub struct Fields {
    errors: Vec<FieldError>,
    form_broken: bool,
}

impl Fields {
    pub fn take<T>(&mut self, result: Result<T, (String, String)>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err((field, message)) => {
                self.error(&field, message);
                None
            }
        }
    }

    /// A value of the wrong form (the document says so).
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
        self.form_broken = true;
    }

    /// A rule the document cannot state: between fields, or within a value (a check digit).
    pub fn rule(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    pub fn finish(self) -> AppResult<()> {
        match (self.errors.is_empty(), self.form_broken) {
            (true, _) => Ok(()),
            (false, true) => Err(AppError::invalid(self.errors)),
            (false, false) => Err(AppError::unprocessable_fields(self.errors)),
        }
    }
}

/// Deserialises a PATCH field that may be absent (`None`) or a value, but not null: only the
/// fields that can be cleared take null (those read with [`double_option`]), and the document
/// says which (`nullable = false` on the others).
pub fn not_null<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Deserialises a PATCH field that may be absent (`None`), null (`Some(None)`) or a value.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}
