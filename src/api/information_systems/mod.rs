//! `/api/v1/information-systems`: the IT environment (it-miljö) — the systems services run on,
//! who answers for each, what each depends on, and what breaks when one goes (docs/domain.md).
//! Everyone signed in reads them; LG and TÄ record them; LG, the responsible and the TÄ of a
//! portfolio whose service depends on one correct it; LG retires it.

mod dependencies;
pub(crate) mod fields;
mod types;

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{lookup, with_etag, IfMatch, Paginated};
use crate::auth::policy::{Action, Caller, Grant, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::information_systems::{self as systems, InformationSystem, SystemFilter};
use crate::db::{DbConnection, DbPool};
use crate::domain::it::SystemLifecycle;
use crate::domain::slug::IdOrSlug;
use crate::error::{AppError, AppResult};
pub use dependencies::*;
pub use types::*;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(retire)
        .service(dependencies::list_dependencies)
        .service(dependencies::add_dependency)
        .service(dependencies::remove_dependency)
        .service(dependencies::impact);
}

/// The policy's targets of a system: the system itself (its responsible, if the caller is),
/// and each portfolio with a service that depends on it directly (its TÄ).
pub(crate) fn targets(
    conn: &mut DbConnection,
    caller: &Caller,
    system: &InformationSystem,
) -> AppResult<Vec<Target>> {
    let portfolios = systems::dependant_portfolios(conn, system.id)?;
    Ok(targets_among(caller, system, &portfolios))
}

/// Where a system is answered for: everywhere (LG), and each portfolio with a service that
/// depends on it (its TÄ); as its responsible, if the caller is.
pub(crate) fn targets_among(
    caller: &Caller,
    system: &InformationSystem,
    portfolios: &[i64],
) -> Vec<Target> {
    let responsible = |t: Target| match &system.responsible {
        Some(sub) if *sub == caller.sub => t.with_responsible(caller.person_id),
        _ => t,
    };
    let mut out = vec![responsible(Target::global())];
    for p in portfolios {
        out.push(responsible(Target::portfolio(*p)));
    }
    out
}

pub(crate) fn authorize(
    conn: &mut DbConnection,
    caller: &Caller,
    action: Action,
    system: &InformationSystem,
) -> AppResult<Grant> {
    caller
        .may_any(action, &targets(conn, caller, system)?)
        .ok_or_else(|| AppError::forbidden(action.code()))
}

/// The view of a system with what it depends on directly.
pub(crate) fn view_of(
    conn: &mut DbConnection,
    system: &InformationSystem,
) -> AppResult<SystemView> {
    let depends_on = systems::of_system(conn, system.id)?
        .iter()
        .map(|(_, on)| PathStep::from(on))
        .collect();
    let mut views = with_supplier_names(conn, vec![SystemView::of(system, depends_on)])?;
    views
        .pop()
        .ok_or_else(|| AppError::internal("a system without its view"))
}

pub(crate) fn audited(
    grant: &Grant,
    before: Option<&SystemView>,
    after: SystemView,
) -> Audited<SystemView> {
    let change = Change::by(grant, ObjectType::InformationSystem, after.id)
        .before_if(before)
        .after(&after);
    Audited::new(after, change)
}

#[utoipa::path(
    tag = "information-systems",
    operation_id = "listInformationSystems",
    summary = "List information systems (the IT environment)",
    params(crate::api::ListQuery<InformationSystemQuery>),
    responses((status = 200, description = "OK", body = Paginated<SystemView>), crate::api::responses::ReadErrors)
)]
#[get("/information-systems")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<InformationSystemQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    if query
        .responsible
        .as_ref()
        .is_some_and(|sub| sub.chars().count() > 255)
    {
        return Err(AppError::invalid_field(
            "responsible",
            "at most 255 characters",
        ));
    }
    let views = move |conn: &mut DbConnection, _caller: &Caller, page: &crate::db::Page| {
        let (Some(supplier_id), Some(used_by), Some(portfolio_id)) = (
            lookup::organization(conn, query.supplier.as_deref())?.filter(),
            lookup::service(conn, query.used_by.as_deref())?.filter(),
            lookup::portfolio(conn, query.portfolio.as_deref())?.filter(),
        ) else {
            return Ok((0, Vec::new()));
        };
        let filter = SystemFilter {
            kind: query.kind,
            lifecycle: query.lifecycle,
            hosting: query.hosting,
            supplier_id,
            used_by,
            portfolio_id,
            responsible: query.responsible,
            q: query.q,
        };
        let (count, rows) = systems::list(conn, &filter, page)?;
        let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
        let mut depends_on: std::collections::HashMap<i64, Vec<PathStep>> = Default::default();
        for (system, on) in systems::depends_on_of(conn, &ids)? {
            depends_on
                .entry(system)
                .or_default()
                .push(PathStep::from(&on));
        }
        let views = rows
            .iter()
            .map(|s| SystemView::of(s, depends_on.remove(&s.id).unwrap_or_default()))
            .collect();
        Ok((count, with_supplier_names(conn, views)?))
    };
    crate::api::list_views::<SystemView, _>(&req, &pool, who, listing, views).await
}

#[utoipa::path(
    tag = "information-systems",
    operation_id = "createInformationSystem",
    summary = "Record an information system (LG, TÄ)",
    request_body = NewInformationSystem,
    responses((status = 201, description = "Created", body = SystemView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/information-systems")]
pub async fn create(
    who: Authenticated,
    body: web::Json<NewInformationSystem>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let grant = caller.authorize(Action::InformationSystemCreate, &Target::global())?;
        let fields = fields::of_new(conn, &request)?;
        let created = systems::insert(conn, &fields)?;
        Ok(audited(&grant, None, view_of(conn, &created)?))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "information-systems",
    operation_id = "getInformationSystem",
    summary = "Get an information system",
    params(("system" = String, Path, description = "Id or slug")),
    responses((status = 200, description = "OK", body = SystemView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/information-systems/{system}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<String>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let view = crate::api::read(&pool, who, move |conn, _caller| {
        let system = systems::find(conn, &key)?;
        view_of(conn, &system)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "information-systems",
    operation_id = "updateInformationSystem",
    summary = "Correct an information system (LG; its responsible; TÄ of a portfolio with a service depending on it)",
    params(("system" = String, Path, description = "Id or slug"), crate::api::IfMatch),
    request_body = InformationSystemPatch,
    responses((status = 200, description = "OK", body = SystemView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[patch("/information-systems/{system}")]
pub async fn update(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<String>,
    body: web::Json<InformationSystemPatch>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let patch = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        if patch.is_empty() {
            return Err(AppError::bad_request("The body changes nothing."));
        }
        let current = systems::find(conn, &key)?;
        let grant = authorize(conn, caller, Action::InformationSystemUpdate, &current)?;
        if_match.check(current.version)?;
        let fields = fields::patched(conn, &current, &patch)?;
        let before = view_of(conn, &current)?;
        let updated = systems::update(conn, &current, &fields)?;
        Ok(audited(&grant, Some(&before), view_of(conn, &updated)?))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "information-systems",
    operation_id = "retireInformationSystem",
    summary = "Retire an information system, from any state (LG); final",
    params(("system" = String, Path, description = "Id or slug"), crate::api::IfMatch),
    responses((status = 200, description = "OK", body = SystemView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/information-systems/{system}/retire")]
pub async fn retire(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<String>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let current = systems::find(conn, &key)?;
        let grant = authorize(conn, caller, Action::InformationSystemRetire, &current)?;
        if_match.check(current.version)?;
        if current.lifecycle() == SystemLifecycle::Retired {
            return Err(AppError::conflict("The system is retired already."));
        }
        let before = view_of(conn, &current)?;
        let retired = systems::retire(conn, &current)?;
        Ok(audited(&grant, Some(&before), view_of(conn, &retired)?))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}
