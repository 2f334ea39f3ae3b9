//! What realises a decided need (links) and the customers who share it (endorsements).

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};

use super::{allowed, audited, load, view_of, EndorsementRequest, EndorsementView, LinkRequest};
use super::{NeedView, Placed};
use crate::api::{with_etag, NoFilters};
use crate::auth::policy::Action;
use crate::auth::Authenticated;
use crate::db::needs;
use crate::db::{change_requests, organizations, plans, services, DbConnection, DbPool};
use crate::domain::contract::OrganizationKind;
use crate::domain::need::{LinkKind, NeedStep};
use crate::domain::text;
use crate::error::{AppError, AppResult};

/// The one object a link request names, by kind.
fn named(request: &LinkRequest) -> AppResult<(LinkKind, i64)> {
    match (
        request.service_id,
        request.change_request_id,
        request.plan_item_id,
    ) {
        (Some(s), None, None) => Ok((LinkKind::Service, s)),
        (None, Some(c), None) => Ok((LinkKind::ChangeRequest, c)),
        (None, None, Some(i)) => Ok((LinkKind::PlanItem, i)),
        _ => Err(AppError::invalid_field(
            "service_id",
            "give exactly one of service_id, change_request_id, plan_item_id",
        )),
    }
}

/// The portfolio of the object a link names (`None`: a proposal placed nowhere yet); 422
/// naming the field when there is no such object.
fn portfolio_of(conn: &mut DbConnection, kind: LinkKind, id: i64) -> AppResult<Option<i64>> {
    let field = format!("{kind}_id");
    let missing = || {
        AppError::unprocessable(
            &field,
            format!("there is no {} {id}", kind.as_str().replace('_', " ")),
        )
    };
    let service_portfolio = |conn: &mut DbConnection, service: i64| {
        services::find_by_id(conn, service).map(|s| s.portfolio_id)
    };
    match kind {
        LinkKind::Service => match services::find_by_id(conn, id) {
            Err(AppError::NotFound(_)) => Err(missing()),
            other => Ok(other?.portfolio_id),
        },
        LinkKind::ChangeRequest => match change_requests::find(conn, id) {
            Err(AppError::NotFound(_)) => Err(missing()),
            other => service_portfolio(conn, other?.service_id),
        },
        LinkKind::PlanItem => {
            let item = plans::find_item_anywhere(conn, id)?.ok_or_else(missing)?;
            Ok(Some(plans::find(conn, item.plan_id)?.portfolio_id))
        }
    }
}

#[utoipa::path(
    tag = "needs",
    operation_id = "linkNeed",
    summary = "Point a decided need at what realises it: a service, a change request, a plan activity (LG; TÄ, TJF in scope)",
    params(("id" = i64, Path)),
    request_body = LinkRequest,
    responses((status = 201, description = "The updated need", body = NeedView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/needs/{id}/links")]
pub async fn link(
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<LinkRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let Placed {
            need,
            target,
            portfolio_id,
        } = load(conn, caller, id)?;
        let grant = caller.authorize(Action::NeedLink, &target)?;
        allowed(&need, NeedStep::Link)?;
        let (kind, object) = named(&request)?;
        if let (Some(theirs), Some(ours)) = (portfolio_of(conn, kind, object)?, portfolio_id) {
            if theirs != ours {
                return Err(AppError::unprocessable(
                    &format!("{kind}_id"),
                    "is in another portfolio than the need",
                ));
            }
        }
        let before = view_of(conn, &need)?;
        needs::insert_link(conn, need.id, kind, object, &caller.sub)?;
        let updated = needs::touch(conn, &need, 0)?;
        Ok(audited(
            &grant,
            None,
            Some(&before),
            view_of(conn, &updated)?,
        ))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "needs",
    operation_id = "unlinkNeed",
    summary = "Remove a link of a need (LG; TÄ, TJF in scope)",
    params(("id" = i64, Path), ("link" = i64, Path)),
    responses((status = 200, description = "The updated need", body = NeedView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[delete("/needs/{id}/links/{link}")]
pub async fn unlink(
    who: Authenticated,
    path: web::Path<(i64, i64)>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (id, link_id) = path.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let Placed { need, target, .. } = load(conn, caller, id)?;
        let grant = caller.authorize(Action::NeedLink, &target)?;
        let before = view_of(conn, &need)?;
        if !needs::delete_link(conn, need.id, link_id)? {
            return Err(AppError::not_found("The need has no such link."));
        }
        let updated = needs::touch(conn, &need, 0)?;
        Ok(audited(
            &grant,
            Some("need.unlink"),
            Some(&before),
            view_of(conn, &updated)?,
        ))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "needs",
    operation_id = "endorseNeed",
    summary = "Record that another customer shares the need (KA; TÄ, TS, TJF in scope)",
    params(("id" = i64, Path)),
    request_body = EndorsementRequest,
    responses((status = 201, description = "The updated need", body = NeedView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/needs/{id}/endorsements")]
pub async fn endorse(
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<EndorsementRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let Placed { need, target, .. } = load(conn, caller, id)?;
        let grant = caller.authorize(Action::NeedEndorse, &target)?;
        allowed(&need, NeedStep::Endorse)?;
        let organization =
            organizations::named_in_body(conn, "organization_id", request.organization_id)?;
        if organization.kind() != OrganizationKind::Customer {
            return Err(AppError::unprocessable(
                "organization_id",
                format!("is a {}; only customers endorse needs", organization.kind()),
            ));
        }
        if need.source_organization_id == Some(organization.id) {
            return Err(AppError::unprocessable(
                "organization_id",
                "is the need's own source",
            ));
        }
        let note = request
            .note
            .as_ref()
            .map(|n| text::bounded("note", n, 2000))
            .transpose()
            .map_err(|(field, message)| AppError::invalid_field(&field, message))?;
        let before = view_of(conn, &need)?;
        needs::endorse(conn, need.id, organization.id, note.as_deref(), &caller.sub)?;
        let updated = needs::touch(conn, &need, 1)?;
        Ok(audited(
            &grant,
            None,
            Some(&before),
            view_of(conn, &updated)?,
        ))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "needs",
    operation_id = "listNeedEndorsements",
    summary = "The customers who share a need",
    params(("id" = i64, Path), crate::api::ListQuery<NoFilters>),
    responses((status = 200, description = "OK", body = crate::api::Paginated<EndorsementView>), crate::api::responses::ReadErrors)
)]
#[get("/needs/{id}/endorsements")]
pub async fn endorsements(
    req: HttpRequest,
    who: Authenticated,
    path: web::Path<i64>,
    query: crate::api::ListQuery<NoFilters>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (_, listing) = query.into_parts();
    let views = crate::api::read(&pool, who, move |conn, caller| {
        let placed = load(conn, caller, id)?;
        let rows = needs::endorsements_of(conn, &[placed.need.id])?;
        Ok(rows.iter().map(EndorsementView::from).collect::<Vec<_>>())
    })
    .await?;
    crate::api::answer_whole(&req, &listing, views)
}
