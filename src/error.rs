//! The one error type. Every failure a handler can meet becomes an [`AppError`], and every
//! `AppError` leaves the service as an RFC 9457 `application/problem+json` body.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field of a request, named by its JSON path (or query parameter name); in an
/// imported file, also by its row.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// In an imported file: the record's number (the header is 1; a JSON file's first object is 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// The field, e.g. `slug` or `portfolio_id` (a file's column); empty when the whole row is meant.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            row: None,
            field: field.into(),
            message: message.into(),
        }
    }

    /// The error of `field` in row `row` of an imported file.
    pub fn in_row(row: u64, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            row: Some(row),
            ..Self::new(field, message)
        }
    }
}

/// RFC 9457 problem details, as sent on every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type.
    #[serde(rename = "type")]
    #[schema(example = "/problems/forbidden")]
    pub problem_type: String,
    #[schema(example = "Forbidden")]
    pub title: String,
    #[schema(example = 403)]
    pub status: u16,
    #[schema(example = "You may not do 'service.establish' on this object.")]
    pub detail: String,
    /// For validation problems: each invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request's id (as in `X-Request-Id` and the log line), for reporting the problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For authorization problems: the action that was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Extension members of a problem type of its own (a refused import's counts).
    #[serde(flatten)]
    #[schema(ignore)]
    pub members: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// Well-formed (the document accepts it) but breaking a rule that spans fields or names an
    /// object that does not exist: 422, so that a 400 always means "the document says no".
    #[error("{detail}")]
    Unprocessable {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// `token_presented`: false when no bearer token came at all (RFC 6750 §3.1: no error code then).
    #[error("{detail}")]
    Unauthorized {
        detail: String,
        token_presented: bool,
    },
    #[error("You may not do '{action}' on this object.")]
    Forbidden { action: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String, Vec<String>),
    #[error("{0}")]
    Conflict(String),
    /// A unique value (a slug, a reference) that another object already has.
    #[error("Another {object} already has this {field}.")]
    Taken { object: String, field: String },
    #[error("{0}")]
    PreconditionFailed(String),
    /// An import refused (422) because of its rows: every row's error, and the report's other
    /// members (what the file held) as the problem's extension members.
    #[error("{detail}")]
    ImportRefused {
        detail: String,
        errors: Vec<FieldError>,
        members: Box<serde_json::Map<String, serde_json::Value>>,
    },
    /// PostgreSQL could not serialise this transaction with a concurrent one; the write path
    /// retries, and only reports it when the retries run out.
    #[error("The change collided with concurrent changes; retry it.")]
    TransactionConflict,
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The body did not arrive in time (408; the connection is closed).
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    UriTooLong(String),
    /// An Idempotency-Key used before with another request (422).
    #[error(
        "This Idempotency-Key was used with another request; use a new key for a new request."
    )]
    IdempotencyMismatch,
    /// A request repeated under its Idempotency-Key: the first response, as it was.
    #[error("replay")]
    Replay(StoredResponse),
    /// The caller's rate limit is spent; they may try again after this many seconds.
    #[error("Too many requests; try again in {0} s.")]
    TooManyRequests(u64),
    #[error("The database is unavailable; try again shortly.")]
    Unavailable(String),
    #[error("Internal error")]
    Internal(String),
}

/// A response as first given, to replay byte for byte (an Idempotency-Key's repeat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    /// Content-Type, ETag, Location as they were.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// What a log line says of this error: the cause kept from clients where there is one (an
    /// internal error's, an outage's), the client's text otherwise. Background work has no
    /// response to log it (error_response does for requests).
    pub fn cause(&self) -> String {
        match self {
            AppError::Internal(cause) => format!("internal error: {cause}"),
            AppError::Unavailable(cause) => format!("database unavailable: {cause}"),
            other => other.to_string(),
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        AppError::BadRequest {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A validation failure naming the fields that are wrong.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        AppError::BadRequest {
            detail: Self::describe(&errors),
            errors,
        }
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    /// A rule across fields, or a reference to nothing, broken by `field` (422).
    pub fn unprocessable(field: &str, message: impl Into<String>) -> Self {
        Self::unprocessable_fields(vec![FieldError::new(field, message)])
    }

    /// Rules broken by the fields named (422).
    pub fn unprocessable_fields(errors: Vec<FieldError>) -> Self {
        AppError::Unprocessable {
            detail: Self::describe(&errors),
            errors,
        }
    }

    fn describe(errors: &[FieldError]) -> String {
        match errors {
            [one] => format!("Invalid field '{}': {}", one.field, one.message),
            _ => format!("{} fields are invalid.", errors.len()),
        }
    }

    pub fn invalid_token(detail: impl Into<String>) -> Self {
        AppError::Unauthorized {
            detail: detail.into(),
            token_presented: true,
        }
    }

    pub fn forbidden(action: impl Into<String>) -> Self {
        AppError::Forbidden {
            action: action.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        AppError::Conflict(detail.into())
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        AppError::Internal(detail.to_string())
    }

    fn slug(&self) -> &'static str {
        match self {
            AppError::BadRequest { .. } => "bad-request",
            AppError::Unprocessable { .. } => "unprocessable",
            AppError::Unauthorized { .. } => "unauthorized",
            AppError::Forbidden { .. } => "forbidden",
            AppError::NotFound(_) => "not-found",
            AppError::MethodNotAllowed(..) => "method-not-allowed",
            AppError::Conflict(_) => "conflict",
            AppError::Taken { .. } => "already-taken",
            AppError::PreconditionFailed(_) => "precondition-failed",
            AppError::ImportRefused { .. } => "import-refused",
            AppError::TransactionConflict => "conflict",
            AppError::PayloadTooLarge(_) => "payload-too-large",
            AppError::RequestTimeout(_) => "request-timeout",
            AppError::UriTooLong(_) => "uri-too-long",
            AppError::TooManyRequests(_) => "too-many-requests",
            AppError::IdempotencyMismatch => "idempotency-key-reused",
            AppError::Replay(_) => "replay",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            // Never leak internals; the log line (same request id) has them.
            AppError::Internal(_) => "An internal error occurred; it has been logged.".to_string(),
            other => other.to_string(),
        };
        Problem {
            problem_type: format!("/problems/{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            request_id: crate::request::current_request_id(),
            errors: match self {
                AppError::BadRequest { errors, .. }
                | AppError::Unprocessable { errors, .. }
                | AppError::ImportRefused { errors, .. } => errors.clone(),
                AppError::Taken { field, .. } => vec![FieldError::new(field, "is already taken")],
                _ => Vec::new(),
            },
            action: match self {
                AppError::Forbidden { action } => Some(action.clone()),
                _ => None,
            },
            members: match self {
                AppError::ImportRefused { members, .. } => (**members).clone(),
                _ => serde_json::Map::new(),
            },
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed(..) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) | AppError::Taken { .. } => StatusCode::CONFLICT,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::ImportRefused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TransactionConflict => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::IdempotencyMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Replay(stored) => {
                StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK)
            }
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Replay(stored) = self {
            let mut response = HttpResponse::build(self.status_code());
            for (name, value) in &stored.headers {
                response.insert_header((name.as_str(), value.as_str()));
            }
            return response.body(stored.body.clone());
        }
        match self {
            AppError::Internal(cause) => log::error!("internal error: {cause}"),
            AppError::Unavailable(cause) => log::warn!("database unavailable: {cause}"),
            _ => {}
        }
        // The request-id middleware adds `X-Request-Id`, which the log lines carry too.
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        match self {
            AppError::Unauthorized {
                detail,
                token_presented,
            } => {
                let challenge = if *token_presented {
                    format!(
                        "Bearer realm=\"forvaltning\", error=\"invalid_token\", error_description=\"{}\"",
                        detail.replace(['"', '\\'], "'")
                    )
                } else {
                    "Bearer realm=\"forvaltning\"".to_string()
                };
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            AppError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            AppError::TooManyRequests(seconds) => {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            AppError::MethodNotAllowed(_, allowed) => {
                response.insert_header((header::ALLOW, allowed.join(", ")));
            }
            AppError::RequestTimeout(_) => {
                response.force_close();
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<DieselError> for AppError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => AppError::not_found("The object does not exist."),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                match taken_field(info.table_name(), info.constraint_name(), info.message()) {
                    Some((object, field)) => AppError::Taken { object, field },
                    // A rule kept by a partial index; the handlers name those themselves.
                    None => AppError::conflict("The change conflicts with an existing object."),
                }
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                AppError::TransactionConflict
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                AppError::conflict("The change would break a reference between objects.")
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                AppError::Unavailable(info.message().to_string())
            }
            DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, info) => {
                AppError::Unavailable(info.message().to_string())
            }
            DieselError::DatabaseError(_, ref info)
                if is_busy_message(info.message()) || is_connection_message(info.message()) =>
            {
                AppError::Unavailable(info.message().to_string())
            }
            other => AppError::internal(format!("database: {other}")),
        }
    }
}

/// The object and field of a unique column that was violated, in the API's words, from either
/// backend's report: SQLite says "UNIQUE constraint failed: portfolios.slug", PostgreSQL names
/// the constraint `portfolios_slug_key` of table `portfolios`. Partial unique indexes (rules
/// such as one TÄ per portfolio) are no field and give `None`.
fn taken_field(
    table: Option<&str>,
    constraint: Option<&str>,
    message: &str,
) -> Option<(String, String)> {
    let (table, column) = match message.strip_prefix("UNIQUE constraint failed: ") {
        Some(columns) => {
            let (table, column) = columns.split(',').next()?.trim().split_once('.')?;
            (table.to_string(), column.to_string())
        }
        None => {
            let table = table?;
            let column = constraint?
                .strip_prefix(table)?
                .strip_prefix('_')?
                .strip_suffix("_key")?;
            (table.to_string(), column.to_string())
        }
    };
    let object = match table.as_str() {
        "people" => "person".to_string(),
        other => other.strip_suffix('s').unwrap_or(other).to_string(),
    };
    Some((object, column))
}

fn is_busy_message(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

fn is_connection_message(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("server closed the connection")
        || lower.contains("terminating connection")
        || lower.contains("no connection to the server")
        || lower.contains("connection refused")
}

impl From<r2d2::Error> for AppError {
    fn from(err: r2d2::Error) -> Self {
        AppError::Unavailable(err.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        AppError::internal(format!("blocking task failed: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_gets_the_cause_a_client_does_not() {
        let internal = AppError::Internal("no such table: audit_trails".into());
        assert_eq!(internal.to_string(), "Internal error");
        assert_eq!(
            internal.cause(),
            "internal error: no such table: audit_trails"
        );
        assert_eq!(
            AppError::Unavailable("connection refused".into()).cause(),
            "database unavailable: connection refused"
        );
        assert_eq!(
            AppError::Conflict("Still in use.".into()).cause(),
            "Still in use."
        );
    }

    #[test]
    fn unique_violations_name_the_field_on_both_backends() {
        let expected = Some(("portfolio".to_string(), "slug".to_string()));
        assert_eq!(
            taken_field(None, None, "UNIQUE constraint failed: portfolios.slug"),
            expected
        );
        assert_eq!(
            taken_field(
                Some("portfolios"),
                Some("portfolios_slug_key"),
                "duplicate key value violates unique constraint \"portfolios_slug_key\""
            ),
            expected
        );
        assert_eq!(
            taken_field(
                Some("role_assignments"),
                Some("role_assignments_one_active_service_owner"),
                "duplicate key"
            ),
            None
        );
        assert_eq!(
            taken_field(None, None, "UNIQUE constraint failed: index 'x'"),
            None
        );
    }
}
