//! `/api/v1/imports`: a file of one kind of object (CSV as the list's export writes it, or
//! JSON), upserted by natural key, all or nothing: every row is authorised and validated as if
//! it had been sent alone, and one refused row refuses the file (422 with every row's error).
//! A dry run says what would happen and writes nothing.

mod contracts;
mod deliveries;
mod file;
mod information_systems;
mod needs;
mod organizations;
mod record;
mod role_assignments;
mod run;
mod schemas;
mod services;
mod types;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::policy::{Action, Target};
use crate::auth::Authenticated;
use crate::db::{self, DbPool};
use crate::error::{AppError, AppResult};
use file::Format;
pub use types::*;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create).service(get_one);
}

#[utoipa::path(
    tag = "imports",
    operation_id = "createImport",
    summary = "Import a file of one kind of object (each row by the rules of its own operation)",
    description = "The body is `text/csv` with the columns of the kind's CSV export (UTF-8, with or without BOM; comma or semicolon; a spreadsheet's leading `'` before `=`, `+`, `-`, `@` is removed), or `application/json`: an array of the create operation's objects with natural keys (`organization_slug`, `services[].service_slug`) in place of ids. Rows are matched by natural key: a new one is created, a changed one updated, an unchanged one left alone. Any refused row refuses the whole file (422, every row's error). At most 10,000 rows and `limits.max_import_bytes` (413 beyond).",
    params(ImportQuery),
    request_body(content(
        (String = "text/csv"),
        (schemas::ImportFile = "application/json")
    )),
    // The shared write errors first: this operation's own 413 and 422 replace theirs.
    responses(
        crate::api::responses::WriteErrors,
        (status = 200, description = "What the import did (or, for a dry run, would do)", body = ImportReport),
        (status = 413, description = "Too many rows, or a file larger than `limits.max_import_bytes`", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused rows: the report's counts and every row's error; nothing was written", body = ImportRefusal, content_type = "application/problem+json")
    )
)]
#[post("/imports")]
pub async fn create(
    req: HttpRequest,
    who: Authenticated,
    query: web::Query<ImportQuery>,
    body: web::Bytes,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let kind: ImportKind = query
        .kind
        .parse()
        .map_err(|m: String| AppError::invalid_field("kind", m))?;
    let format = Format::of(
        req.headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    )?;
    let file = run::File::read(kind, format, &body)?;
    let report = if query.dry_run.unwrap_or(false) {
        crate::api::read_long(&pool, who, move |conn, caller| {
            caller.authorize(Action::ImportCreate, &Target::global())?;
            run::dry_run(conn, caller, &file)
        })
        .await?
    } else {
        let request_id = who.request_id.clone();
        crate::api::write(&pool, who, move |conn, caller| {
            run::import(conn, caller, &file, &request_id)
        })
        .await?
    };
    Ok(HttpResponse::build(StatusCode::OK).json(report))
}

#[utoipa::path(
    tag = "imports",
    operation_id = "getImport",
    summary = "What an import did (its importer, LG, VU)",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = ImportView), crate::api::responses::ReadErrors)
)]
#[get("/imports/{id}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = crate::api::read(&pool, who, move |conn, caller| {
        let import = db::imports::find(conn, id)?;
        let mut target = Target::global();
        if import.imported_by == caller.sub {
            target = target.with_submitter(caller.person_id);
        }
        if caller.may(Action::ImportRead, &target).is_none() {
            return Err(AppError::not_found("There is no such import."));
        }
        Ok(ImportView::from(&import))
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
