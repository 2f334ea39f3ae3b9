//! `/api/v1/organizations`: anslutna organisationer — customers, suppliers, partners. The
//! controller and the account managers (KA) keep them; every caller reads them.

mod types;

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{list_page, with_etag, IfMatch, Page, Paginated};
use crate::auth::policy::{Action, Caller, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::{contracts, deliveries, organizations, people, DbConnection, DbPool};
use crate::domain::contract::OrganizationKind;
use crate::domain::slug::IdOrSlug;
use crate::error::{AppError, AppResult};
pub use types::*;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update);
}

#[utoipa::path(
    tag = "organizations",
    operation_id = "listOrganizations",
    summary = "List organizations",
    params(crate::api::ListQuery<OrganizationQuery>),
    responses((status = 200, description = "OK", body = Paginated<OrganizationView>), crate::api::responses::ReadErrors)
)]
#[get("/organizations")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<OrganizationQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    let filter = organizations::OrganizationFilter {
        kind: query.kind,
        q: query.q,
    };
    let rows = move |conn: &mut _, _: &_, page: &Page| organizations::list(conn, &filter, page);
    list_page::<OrganizationView, _, _>(&req, &pool, who, listing, rows).await
}

#[utoipa::path(
    tag = "organizations",
    operation_id = "createOrganization",
    summary = "Record an organization (controller, KA)",
    request_body = NewOrganization,
    responses((status = 201, description = "Created", body = OrganizationView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/organizations")]
pub async fn create(
    who: Authenticated,
    body: web::Json<NewOrganization>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let grant = caller.authorize(Action::OrganizationCreate, &Target::global())?;
        let fields = request.parse()?;
        let created = organizations::insert(conn, &fields)?;
        let view = OrganizationView::from(&created);
        let change = Change::by(&grant, ObjectType::Organization, created.id).after(&view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "organizations",
    operation_id = "getOrganization",
    summary = "Get an organization by id or slug",
    params(("organization" = String, Path, description = "Id or slug")),
    responses((status = 200, description = "OK", body = OrganizationView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/organizations/{organization}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<String>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let view = crate::api::read(&pool, who, move |conn, _caller| {
        Ok(OrganizationView::from(&organizations::find(conn, &key)?))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

/// An organisation's kind may change only while every contract and delivery still fits it.
pub(crate) fn kind_still_fits(
    conn: &mut DbConnection,
    id: i64,
    kind: OrganizationKind,
) -> AppResult<()> {
    let misfits = contracts::count_of_organization_not_fitting(conn, id, kind)?;
    if misfits > 0 {
        return Err(AppError::conflict(format!(
            "The organization has {misfits} contracts made with it as another kind."
        )));
    }
    if kind != OrganizationKind::Customer && deliveries::count_of_organization(conn, id)? > 0 {
        return Err(AppError::conflict(
            "The organization receives deliveries, so it stays a customer.",
        ));
    }
    Ok(())
}

/// A key account answers for a customer, and is a person the model lets be one: holding such a
/// role in the database, or seen with it in a token.
pub(crate) fn key_account_fits(
    conn: &mut DbConnection,
    caller: &Caller,
    fields: &organizations::OrganizationFields,
) -> AppResult<()> {
    let Some(sub) = fields.key_account.as_deref() else {
        return Ok(());
    };
    if fields.kind != OrganizationKind::Customer {
        return Err(AppError::unprocessable(
            "key_account",
            "only a customer organization has a key account",
        ));
    }
    let roles: Vec<&str> = caller
        .model
        .key_account_roles()
        .map(|r| r.code.as_str())
        .collect();
    let names = || roles.join(", ");
    if roles.is_empty() {
        return Err(AppError::unprocessable(
            "key_account",
            "the governance model in force names no role that may be a key account",
        ));
    }
    let is_caller = sub == caller.sub
        && caller
            .global_roles
            .iter()
            .any(|g| roles.contains(&g.role.as_str()));
    if is_caller || people::holds_any_role(conn, sub, &roles)? {
        return Ok(());
    }
    Err(AppError::unprocessable(
        "key_account",
        format!("'{sub}' is not known to hold the role {}", names()),
    ))
}

#[utoipa::path(
    tag = "organizations",
    operation_id = "updateOrganization",
    summary = "Change an organization (controller, KA); its key account (LG, KA)",
    params(
        ("organization" = String, Path, description = "Id or slug"),
        crate::api::IfMatch
    ),
    request_body = OrganizationPatch,
    responses((status = 200, description = "OK", body = OrganizationView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[patch("/organizations/{organization}")]
pub async fn update(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<String>,
    body: web::Json<OrganizationPatch>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let patch = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        if patch.is_empty() {
            return Err(AppError::bad_request("The body changes nothing."));
        }
        let current = organizations::find(conn, &key)?;
        let mut actions = Vec::new();
        if patch.changes_fields() {
            actions.push(Action::OrganizationUpdate);
        }
        if patch.key_account.is_some() {
            actions.push(Action::OrganizationSetKeyAccount);
        }
        let grant = caller.authorize_all(&actions, &Target::global())?;
        if_match.check(current.version)?;
        let fields = patch.apply(&current)?;
        if fields.kind != current.kind() {
            kind_still_fits(conn, current.id, fields.kind)?;
        }
        if fields.key_account.is_some()
            && (fields.key_account != current.key_account || fields.kind != current.kind())
        {
            key_account_fits(conn, caller, &fields)?;
        }
        let updated = organizations::update(conn, &current, &fields)?;
        let view = OrganizationView::from(&updated);
        let change = Change::by(&grant, ObjectType::Organization, current.id)
            .before(&OrganizationView::from(&current))
            .after(&view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}
