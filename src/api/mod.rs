//! The HTTP API: one module per resource (handlers and wire types), and what they share:
//! pagination, `ETag`/`If-Match`, and extractor error handling.

pub mod architecture;
pub mod audit_events;
pub mod budget_frames;
pub mod catalog;
pub mod change_requests;
pub mod contracts;
pub mod deliveries;
pub mod events;
pub mod exchange_rates;
pub mod health;
pub mod idempotency;
pub mod lookup;
pub mod markdown;
pub mod me;
pub mod organizations;
pub mod people;
pub mod plans;
pub mod portfolios;
pub mod reports;
pub mod responses;
pub mod role_assignments;
pub mod roles;
pub mod services;
pub mod time;
pub mod webhooks;

use actix_web::http::{header, StatusCode};
use actix_web::{error, get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::caller;
use crate::auth::policy::Caller;
use crate::auth::Authenticated;
use crate::db::audit::Audited;
use crate::db::{self, DbConnection, DbPool, Page, Sort};
use crate::error::{AppError, AppResult, FieldError};

/// The largest request body accepted (configuration `limits.max_body_bytes`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// Registers every endpoint (utoipa-actix-web collects their OpenAPI paths from here).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(health::configure);
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .configure(portfolios::configure)
            .configure(services::configure)
            .configure(people::configure)
            .configure(role_assignments::configure)
            .configure(roles::configure)
            .configure(me::configure)
            .configure(architecture::configure)
            .configure(catalog::configure)
            .configure(audit_events::configure)
            .configure(events::configure)
            .configure(webhooks::configure)
            .configure(organizations::configure)
            .configure(contracts::configure)
            .configure(deliveries::configure)
            .configure(reports::configure)
            .configure(plans::configure)
            .configure(budget_frames::configure)
            .configure(change_requests::configure)
            .configure(exchange_rates::configure)
            .service(openapi_json),
    );
}

/// The OpenAPI document, serialised once at startup.
pub struct OpenApiJson(pub String);

/// The OpenAPI document of this API (public).
#[utoipa::path(
    tag = "meta",
    operation_id = "getOpenApi",
    security(()),
    summary = "The OpenAPI document",
    responses((status = 200, description = "OpenAPI 3.1 JSON", content_type = "application/json"))
)]
#[get("/openapi.json")]
pub async fn openapi_json(document: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document.0.clone())
}

/// The one path of every write: in a write transaction (`db::write`), the caller loaded inside
/// it, a POST's Idempotency-Key checked (a repeat replays, see [`idempotency`]), then `work` —
/// which asks the policy, applies the domain rules, writes, and answers with its value and its
/// changes ([`Audited`]) — then the changes recorded in the audit trail and the event stream,
/// and the key: all committed together or not at all.
pub async fn write<T, F>(pool: &DbPool, who: Authenticated, work: F) -> AppResult<T>
where
    F: Fn(&mut DbConnection, &Caller) -> AppResult<Audited<T>> + Send + 'static,
    T: Send + 'static,
{
    let (identity, actor) = (who.identity.clone(), who.actor());
    db::write::as_person(pool, who.identity.clone(), who.actor(), move |conn| {
        // The caller as this transaction sees them (never from the cache: a write decides on
        // what it reads itself); `None` while their person is not written yet.
        let Some(caller) = caller::current(conn, &identity)? else {
            return Ok(None);
        };
        if let Some(idem) = &who.idempotency {
            if let Some(record) = db::idempotency::find(conn, &caller.sub, &idem.key)? {
                return Err(db::idempotency::outcome(&record, &idem.fingerprint));
            }
        }
        let value = work(conn, &caller)?.record(conn, &actor)?;
        if let Some(idem) = &who.idempotency {
            db::idempotency::insert_running(conn, &caller.sub, &idem.key, &idem.fingerprint)?;
        }
        Ok(Some(value))
    })
    .await
}

/// How long a read may run, which decides where: a short one (one object, or a page of a list,
/// each bounded by an index and the page size) may run on the request's own thread (SQLite);
/// a long one (a report, an export, the architecture, a scope's audit trail) always runs off
/// the async workers, so that it cannot hold up the other requests of its worker. Pages and
/// long reads visit many rows: on PostgreSQL they pass the scan gate ([`db::Sizes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadCost {
    Short,
    Page,
    Long,
}

/// The path of every authenticated read: the caller loaded (a person is created on first
/// sight), then `f`. A short read; see [`read_long`].
pub async fn read<T, F>(pool: &DbPool, who: Authenticated, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection, &Caller) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    read_costing(ReadCost::Short, pool, who, f).await
}

/// [`read`] for work that scans: reports, exports, the architecture, audit trails.
pub async fn read_long<T, F>(pool: &DbPool, who: Authenticated, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection, &Caller) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    read_costing(ReadCost::Long, pool, who, f).await
}

async fn read_costing<T, F>(cost: ReadCost, pool: &DbPool, who: Authenticated, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection, &Caller) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let callers = pool.callers();
    if cost != ReadCost::Long {
        if let Some(mut held) = db::AtHand::take(pool) {
            // A person seen before costs one small query (the count of caller changes) when
            // kept, one more when not; first sight writes, and waits for the writer off the
            // async workers (below).
            if let Some(caller) = held.run(|conn| caller::known(conn, &callers, &who.identity))? {
                return held.run(|conn| f(conn, &caller));
            }
        }
    }
    let read = move |conn: &mut DbConnection| {
        let caller = caller::load(conn, &callers, &who.identity, &who.actor())?;
        f(conn, &caller)
    };
    db::run_read_scanning(pool, cost != ReadCost::Short, read).await
}

/// The path of every authenticated list: the caller loaded, one page of rows and their count
/// from `query` (which applies the filters, and the caller's scope where lists are scoped),
/// each row as its wire view, in the pagination envelope — or all of them as CSV.
pub async fn list_page<View, Row, F>(
    req: &HttpRequest,
    pool: &DbPool,
    who: Authenticated,
    page: Page,
    query: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConnection, &Caller, &Page) -> AppResult<(i64, Vec<Row>)> + Send + 'static,
    Row: Send + 'static,
    View: for<'a> From<&'a Row> + Serialize + CsvRecord,
{
    let page = for_export(req, page);
    let for_query = page.clone();
    let cost = if wants_csv(req, None) {
        ReadCost::Long
    } else {
        ReadCost::Page
    };
    let (count, rows) = read_costing(cost, pool, who, move |conn, caller| {
        query(conn, caller, &for_query)
    })
    .await?;
    let results: Vec<View> = rows.iter().map(View::from).collect();
    answer_list(req, &page, count, results)
}

/// How a list answers: the JSON envelope, or CSV for a spreadsheet (`Accept: text/csv` or
/// `?format=csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ListFormat {
    Json,
    Csv,
}

/// Does the request ask for Markdown (`Accept: text/markdown`; the reports)?
pub fn wants_markdown(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/markdown"))
}

/// Does the request ask for CSV?
pub fn wants_csv(req: &HttpRequest, format: Option<ListFormat>) -> bool {
    match format {
        Some(f) => f == ListFormat::Csv,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| {
                accept
                    .split(',')
                    .any(|part| part.trim().starts_with("text/csv"))
            }),
    }
}

/// At most this many rows in one CSV export; a larger one pages with `offset`.
pub const MAX_EXPORT_ROWS: i64 = 100_000;

/// A row of a CSV export.
pub trait CsvRecord {
    const HEADER: &'static [&'static str];
    fn record(&self) -> Vec<String>;
}

/// One CSV cell of any field of a view, as its JSON says it: text as it is, numbers and
/// booleans as written, null empty, and anything nested (money, lists) as its JSON text.
pub fn csv_cell<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(serde_json::Value::Null) | Err(_) => String::new(),
        Ok(other) => other.to_string(),
    }
}

/// A view's [`CsvRecord`]: the named fields in order, each by [`csv_cell`]; a field whose JSON
/// name differs gives it with `as`.
#[macro_export]
macro_rules! csv_record {
    ($view:ty { $($field:ident $(as $name:literal)?),+ $(,)? }) => {
        impl $crate::api::CsvRecord for $view {
            const HEADER: &'static [&'static str] = &[$($crate::csv_record!(@name $field $($name)?)),+];
            fn record(&self) -> Vec<String> {
                vec![$($crate::api::csv_cell(&self.$field)),+]
            }
        }
    };
    (@name $field:ident $name:literal) => { $name };
    (@name $field:ident) => { stringify!($field) };
}

/// The page of a list for its answer: asked for as CSV without a `limit`, the whole export
/// (every matching row from `offset`, up to [`MAX_EXPORT_ROWS`]).
pub fn for_export(req: &HttpRequest, mut page: Page) -> Page {
    let limited = req
        .query_string()
        .split('&')
        .any(|p| p.starts_with("limit="));
    if wants_csv(req, None) && !limited {
        page.limit = MAX_EXPORT_ROWS;
    }
    page
}

/// An export's file name, after the list's path: `services.csv`, `items.csv`.
fn export_name(req: &HttpRequest) -> String {
    let name = req.path().rsplit('/').next().unwrap_or("export");
    format!("{name}.csv")
}

/// A short list's answer (a JSON array: a plan's activities, the roles): CSV when asked for.
pub fn answer_array<V: Serialize + CsvRecord>(
    req: &HttpRequest,
    results: Vec<V>,
) -> AppResult<HttpResponse> {
    if wants_csv(req, None) {
        return csv_response(&export_name(req), results.len() as i64, &results);
    }
    Ok(HttpResponse::Ok().json(results))
}

/// A short list answered whole in the list envelope (a portfolio's budget frames, the
/// exchange rates): CSV when asked for.
pub fn answer_whole<V: Serialize + CsvRecord>(
    req: &HttpRequest,
    results: Vec<V>,
) -> AppResult<HttpResponse> {
    let count = results.len() as i64;
    if wants_csv(req, None) {
        return csv_response(&export_name(req), count, &results);
    }
    Ok(HttpResponse::Ok().json(Paginated {
        count,
        next: None,
        previous: None,
        results,
    }))
}

/// A list's answer: CSV when the request asks for it (`Accept: text/csv`, named after the
/// path: `services.csv`), the JSON envelope otherwise.
pub fn answer_list<V: Serialize + CsvRecord>(
    req: &HttpRequest,
    page: &Page,
    count: i64,
    results: Vec<V>,
) -> AppResult<HttpResponse> {
    if wants_csv(req, None) {
        return csv_response(&export_name(req), count, &results);
    }
    Ok(HttpResponse::Ok().json(page.respond(req, count, results)))
}

/// An RFC 4180 CSV document (UTF-8, CRLF line ends, quoted where needed) of `rows` under their
/// header; `X-Total-Count` says how many rows matched in all.
pub fn csv_response<R: CsvRecord>(
    filename: &str,
    total: i64,
    rows: &[R],
) -> AppResult<HttpResponse> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(R::HEADER).map_err(AppError::internal)?;
    for row in rows {
        writer
            .write_record(row.record())
            .map_err(AppError::internal)?;
    }
    let body = writer.into_inner().map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header(("X-Total-Count", total.to_string()))
        .body(body))
}

/// The page of a list, for JSON (limit and offset as given) or for a CSV export (every row
/// from `offset`, up to [`MAX_EXPORT_ROWS`], unless `limit` is given).
pub fn list_page_of(
    csv: bool,
    limit: Option<i64>,
    offset: Option<i64>,
    ordering: Option<&str>,
    sort_fields: &[&str],
) -> AppResult<Page> {
    let mut page = Page::parse(limit, offset, ordering, sort_fields)?;
    if csv && limit.is_none() {
        page.limit = MAX_EXPORT_ROWS;
    }
    Ok(page)
}

/// The path of a list that also exports: like [`list_page`], but `query` makes the views
/// itself (they may need more than one row each), and with `csv` the answer is a CSV document.
pub async fn list_or_export<View, F>(
    req: &HttpRequest,
    pool: &DbPool,
    who: Authenticated,
    csv: bool,
    page: Page,
    filename: &str,
    query: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConnection, &Caller, &Page) -> AppResult<(i64, Vec<View>)> + Send + 'static,
    View: Serialize + CsvRecord + Send + 'static,
{
    let for_query = page.clone();
    let cost = if csv { ReadCost::Long } else { ReadCost::Page };
    let (count, views) = read_costing(cost, pool, who, move |conn, caller| {
        query(conn, caller, &for_query)
    })
    .await?;
    if csv {
        return csv_response(filename, count, &views);
    }
    Ok(HttpResponse::Ok().json(page.respond(req, count, views)))
}

/// Blank for none, in CSV cells.
pub fn cell<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(T::to_string).unwrap_or_default()
}

/// How long a request's body may take to arrive, from the end of its head (408 after it).
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Reads a request's body whole (for the middleware that must see it before the handler),
/// within the JSON limit and [`BODY_TIMEOUT`]; the caller hands it on with `set_payload`.
pub async fn read_body(req: &mut actix_web::dev::ServiceRequest) -> AppResult<web::Bytes> {
    use actix_web::HttpMessage;
    use futures_util::StreamExt;
    let limit = req
        .app_data::<web::Data<BodyLimit>>()
        .map(|l| l.0)
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
        .limit(limit.0)
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
    web::QueryConfig::default().error_handler(|err, _req| {
        let message = err.to_string();
        match backticked(&message) {
            Some(field) if message.contains("unknown field") => {
                AppError::invalid(vec![FieldError::new(field, "is not a filter of this list")])
            }
            _ => AppError::bad_request(format!("Invalid query parameters: {message}")),
        }
        .into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|err, _req| AppError::not_found(format!("Invalid path: {err}")).into())
}

/// The request's own link with `after` set to `key` (and `offset` dropped): the next page of a
/// list paged by key.
pub fn keyset_link(req: &HttpRequest, key: i64) -> String {
    let mut query: Vec<String> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("offset=") && !p.starts_with("after="))
        .map(str::to_string)
        .collect();
    query.push(format!("after={key}"));
    format!("{}?{}", req.path(), query.join("&"))
}

/// Timestamps leave the service as RFC 3339 UTC with `Z`.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

/// A list page (DESIGN.md §5).
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    /// All matching objects, not only this page.
    pub count: i64,
    /// The next page, or null.
    pub next: Option<String>,
    /// The previous page, or null.
    pub previous: Option<String>,
    pub results: Vec<T>,
}

/// The HTTP side of a list page: parsing `limit`, `offset` and `ordering`, and the envelope.
impl Page {
    pub fn parse(
        limit: Option<i64>,
        offset: Option<i64>,
        ordering: Option<&str>,
        sort_fields: &[&str],
    ) -> AppResult<Self> {
        let mut errors = Vec::new();
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                format!("must be 1 to {MAX_LIMIT}"),
            ));
        }
        let offset = offset.unwrap_or(0);
        if offset < 0 {
            errors.push(FieldError::new("offset", "must not be negative"));
        }
        let ordering = ordering.unwrap_or("id");
        let (field, descending) = match ordering.strip_prefix('-') {
            Some(field) => (field, true),
            None => (ordering, false),
        };
        if !sort_fields.contains(&field) {
            errors.push(FieldError::new(
                "ordering",
                format!(
                    "must be one of {} (prefix '-' for descending)",
                    sort_fields.join(", ")
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::invalid(errors));
        }
        Ok(Page {
            limit,
            offset,
            sort: Sort {
                field: field.to_string(),
                descending,
            },
        })
    }

    pub fn respond<T>(&self, req: &HttpRequest, count: i64, results: Vec<T>) -> Paginated<T> {
        let link = |offset: i64| {
            let mut query: Vec<String> = req
                .query_string()
                .split('&')
                .filter(|p| !p.is_empty() && !p.starts_with("offset=") && !p.starts_with("limit="))
                .map(str::to_string)
                .collect();
            query.push(format!("limit={}", self.limit));
            query.push(format!("offset={offset}"));
            format!("{}?{}", req.path(), query.join("&"))
        };
        // Saturating: `offset` comes from the client and may be near i64::MAX.
        let end = self.offset.saturating_add(self.limit);
        let next = (end < count).then(|| link(end));
        let previous = (self.offset > 0).then(|| link((self.offset - self.limit).max(0)));
        Paginated {
            count,
            next,
            previous,
            results,
        }
    }
}

/// The `If-Match` precondition of a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// No header: no precondition.
    Absent,
    /// `*`: any current version (but there must be one).
    Any,
    /// The versions named by strong entity tags (`"3"`); unparseable tags match nothing.
    Versions(Vec<i64>),
}

impl IfMatch {
    /// `If-Match` as the document states it: `*`, or strong entity tags (`"3"`, `"3", "4"`).
    /// A value of any other form names no version of ours, so it matches nothing and the
    /// write is refused with 412 (RFC 9110 §13.1.1: the condition is false), as a weak tag is.
    pub fn from_request(req: &HttpRequest) -> Self {
        if !req.headers().contains_key(header::IF_MATCH) {
            return IfMatch::Absent;
        }
        let mut versions = Vec::new();
        for value in req.headers().get_all(header::IF_MATCH) {
            let Ok(text) = value.to_str() else {
                return IfMatch::Versions(Vec::new());
            };
            if text == "*" {
                return IfMatch::Any;
            }
            match strong_tags(text) {
                Some(tags) => versions.extend(tags),
                None => return IfMatch::Versions(Vec::new()),
            }
        }
        IfMatch::Versions(versions)
    }

    /// 412 unless `current` is a version the client named. The write that follows compares
    /// `version` again in its own statement, so a racing writer cannot slip in between.
    pub fn check(&self, current: i64) -> AppResult<()> {
        match self {
            IfMatch::Absent | IfMatch::Any => Ok(()),
            IfMatch::Versions(v) if v.contains(&current) => Ok(()),
            IfMatch::Versions(_) => Err(AppError::PreconditionFailed(format!(
                "If-Match does not match the current version (ETag \"{current}\")."
            ))),
        }
    }

    /// For a PUT that would create the object: any `If-Match` names a version that does not
    /// exist (`*` included), so it is 412 (RFC 9110 §13.1.1).
    pub fn check_none_exists(&self) -> AppResult<()> {
        match self {
            IfMatch::Absent => Ok(()),
            _ => Err(AppError::PreconditionFailed(
                "If-Match names a version, but there is none yet.".into(),
            )),
        }
    }
}

/// The versions of a list of strong entity tags in the document's form (no space before a
/// comma, any after it), or `None` for any other form. A number too large for a version is a
/// well-formed tag that matches nothing.
fn strong_tags(text: &str) -> Option<Vec<i64>> {
    let mut versions = Vec::new();
    for (i, tag) in text.split(',').enumerate() {
        let tag = if i == 0 {
            tag
        } else {
            tag.trim_start_matches(' ')
        };
        let digits = tag
            .strip_prefix('"')?
            .strip_suffix('"')
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))?;
        versions.extend(digits.parse::<i64>().ok());
    }
    Some(versions)
}

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// A JSON response with the object's `ETag`.
pub fn with_etag<T: Serialize>(status: StatusCode, version: i64, body: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag(version)))
        .json(body)
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

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn if_match_parses_strong_tags() {
        let req = TestRequest::default()
            .insert_header((header::IF_MATCH, "\"3\", \"4\""))
            .to_http_request();
        let m = IfMatch::from_request(&req);
        assert!(m.check(4).is_ok());
        assert!(m.check(5).is_err());
        let weak = TestRequest::default()
            .insert_header((header::IF_MATCH, "W/\"3\""))
            .to_http_request();
        assert!(IfMatch::from_request(&weak).check(3).is_err());
        for malformed in ["null", "3", "\"a\"", "\"3\" ,\"4\"", "", "\"\"", "[\"3\"]"] {
            let req = TestRequest::default()
                .insert_header((header::IF_MATCH, malformed))
                .to_http_request();
            assert_eq!(
                IfMatch::from_request(&req),
                IfMatch::Versions(vec![]),
                "{malformed}"
            );
        }
        let any = TestRequest::default()
            .insert_header((header::IF_MATCH, "*"))
            .to_http_request();
        assert_eq!(IfMatch::from_request(&any), IfMatch::Any);
        let huge = TestRequest::default()
            .insert_header((header::IF_MATCH, "\"3\",\"99999999999999999999\""))
            .to_http_request();
        assert_eq!(IfMatch::from_request(&huge), IfMatch::Versions(vec![3]));
    }

    #[test]
    fn pages_link_onwards_and_back() {
        let req = TestRequest::with_uri("/api/v1/services?lifecycle=proposed&offset=50&limit=50")
            .to_http_request();
        let page = Page::parse(Some(50), Some(50), None, &["id"]).unwrap();
        let out = page.respond(&req, 120, vec![1]);
        assert_eq!(
            out.next.as_deref(),
            Some("/api/v1/services?lifecycle=proposed&limit=50&offset=100")
        );
        assert_eq!(
            out.previous.as_deref(),
            Some("/api/v1/services?lifecycle=proposed&limit=50&offset=0")
        );
        assert!(Page::parse(Some(501), None, None, &["id"]).is_err());
        let far = Page::parse(Some(500), Some(i64::MAX), None, &["id"]).unwrap();
        assert_eq!(far.respond(&req, 3, vec![1]).next, None);
        assert!(Page::parse(None, None, Some("-secret"), &["id"]).is_err());
    }
}
