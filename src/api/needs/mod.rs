//! `/api/v1/needs`: behovsfångst. Anyone signed in records a need a customer or user voiced;
//! the TJF (or a TS[prioritization]; the KA and VU while it has no portfolio) assesses it, the
//! KA presents it to the management group, which decides (the TÄ for what lies in their
//! portfolio), and a decided need points at what realises it (docs/domain.md).

mod fields;
mod links;
mod steps;
mod types;
mod views;

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::{lookup, with_etag, IfMatch, Paginated};
use crate::auth::policy::{Action, Caller, Grant, ObjectClass, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::needs::{self, Need, NeedFields};
use crate::db::{DbConnection, DbPool};
use crate::domain::need::NeedStep;
use crate::error::{AppError, AppResult};
pub use fields::Whereabouts;
pub use steps::decision_action;
pub use types::*;
pub use views::{view_of, Surroundings};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get_one)
        .service(update)
        .service(steps::assess)
        .service(steps::present)
        .service(steps::decide)
        .service(links::link)
        .service(links::unlink)
        .service(links::endorse)
        .service(links::endorsements);
}

/// A need as the policy sees it: where it is placed now, and who recorded it.
pub(crate) struct Placed {
    pub need: Need,
    pub portfolio_id: Option<i64>,
    pub target: Target,
}

/// The policy's target of a need on `service_id`, placed in `portfolio_id`: its service, else
/// its portfolio as a whole (as a plan is), else nothing yet (the KA's and VU's unplaced needs).
pub(crate) fn target_at(
    caller: &Caller,
    service_id: Option<i64>,
    portfolio_id: Option<i64>,
    created_by: &str,
) -> Target {
    let target = match (service_id, portfolio_id) {
        (Some(service), portfolio) => Target::service(service, portfolio),
        (None, Some(portfolio)) => Target::portfolio(portfolio),
        (None, None) => Target::global(),
    }
    .of_class(portfolio_id.is_none().then_some(ObjectClass::UnplacedNeed));
    if created_by == caller.sub {
        target.with_submitter(caller.person_id)
    } else {
        target
    }
}

fn target_of(caller: &Caller, need: &Need, portfolio_id: Option<i64>) -> Target {
    target_at(caller, need.service_id, portfolio_id, &need.created_by)
}

/// The need of `id`, placed, if the caller may read it (else 404: nothing learnt of it).
pub(crate) fn load(conn: &mut DbConnection, caller: &Caller, id: i64) -> AppResult<Placed> {
    let (need, service_portfolio) = needs::with_service_portfolio(conn, &[id])?
        .pop()
        .ok_or_else(|| AppError::not_found("There is no such need."))?;
    let portfolio_id = need.placed_in(service_portfolio);
    let target = target_of(caller, &need, portfolio_id);
    if !caller.permits(Action::NeedRead, &target) {
        return Err(AppError::not_found("There is no such need."));
    }
    Ok(Placed {
        need,
        portfolio_id,
        target,
    })
}

/// The audited change of a need under `grant` (recorded as `action` when given).
pub(crate) fn audited(
    grant: &Grant,
    action: Option<&'static str>,
    before: Option<&NeedView>,
    after: NeedView,
) -> Audited<NeedView> {
    let change = match action {
        Some(action) => Change::as_action(action, grant, ObjectType::Need, after.id),
        None => Change::by(grant, ObjectType::Need, after.id),
    };
    let change = placed_change(change, before, &after);
    Audited::new(after, change)
}

/// The change of a need under `grant`, from `before` to `after`.
pub(crate) fn need_change(grant: &Grant, before: Option<&NeedView>, after: &NeedView) -> Change {
    placed_change(Change::by(grant, ObjectType::Need, after.id), before, after)
}

fn placed_change(change: Change, before: Option<&NeedView>, after: &NeedView) -> Change {
    change
        .in_portfolio(after.portfolio_id.or(before.and_then(|b| b.portfolio_id)))
        .before_if(before)
        .after(after)
}

/// A workflow step allowed in the need's state, else 409 saying why.
pub(crate) fn allowed(need: &Need, step: NeedStep) -> AppResult<()> {
    need.state()
        .allows(step)
        .map_err(|why| AppError::conflict(format!("Not now: {why}.")))
}

#[utoipa::path(
    tag = "needs",
    operation_id = "listNeeds",
    summary = "List needs",
    params(crate::api::ListQuery<NeedQuery>),
    responses((status = 200, description = "OK", body = Paginated<NeedView>), crate::api::responses::ReadErrors)
)]
#[get("/needs")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<NeedQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    let views = move |conn: &mut DbConnection, caller: &Caller, page: &crate::db::Page| {
        let (Some(portfolio_id), Some(service_id), Some(linked_service_id), Some(organization_id)) = (
            lookup::portfolio(conn, query.portfolio.as_deref())?.filter(),
            lookup::service(conn, query.service.as_deref())?.filter(),
            lookup::service(conn, query.linked_service.as_deref())?.filter(),
            lookup::organization(conn, query.organization.as_deref())?.filter(),
        ) else {
            return Ok((0, Vec::new()));
        };
        let filter = needs::NeedFilter {
            status: query.status,
            portfolio_id,
            service_id,
            linked_service_id,
            organization_id,
            channel: query.channel,
            outcome: query.outcome,
            realised: query.realised,
            q: query.q,
        };
        let (count, rows) = needs::list(conn, &filter, &caller.reach(Action::NeedRead), page)?;
        let surroundings = Surroundings::of(conn, &rows)?;
        Ok((
            count,
            rows.iter().map(|(n, _)| surroundings.view(n)).collect(),
        ))
    };
    crate::api::list_views::<NeedView, _>(&req, &pool, who, listing, views).await
}

#[utoipa::path(
    tag = "needs",
    operation_id = "createNeed",
    summary = "Record a need a customer or user voiced (anyone signed in)",
    request_body = NewNeed,
    responses((status = 201, description = "Created", body = NeedView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/needs")]
pub async fn create(
    who: Authenticated,
    body: web::Json<NewNeed>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let fields = request.parse(conn)?;
        let target = target_at(caller, fields.service_id, fields.portfolio_id, &caller.sub);
        let grant = caller.authorize(Action::NeedCreate, &target)?;
        let created = needs::insert(conn, &fields, &caller.sub)?;
        Ok(audited(&grant, None, None, view_of(conn, &created)?))
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

#[utoipa::path(
    tag = "needs",
    operation_id = "getNeed",
    summary = "Get a need",
    params(("id" = i64, Path)),
    responses((status = 200, description = "OK", body = NeedView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/needs/{id}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<i64>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let view = crate::api::read(&pool, who, move |conn, caller| {
        let placed = load(conn, caller, id)?;
        view_of(conn, &placed.need)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "needs",
    operation_id = "updateNeed",
    summary = "Correct a need before its decision (its recorder; TJF, TS[prioritization] in scope; KA; VU)",
    params(("id" = i64, Path), crate::api::IfMatch),
    request_body = NeedPatch,
    responses((status = 200, description = "OK", body = NeedView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[patch("/needs/{id}")]
pub async fn update(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<NeedPatch>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let patch = body.into_inner();
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let placed = load(conn, caller, id)?;
        let mut grant = caller.authorize(Action::NeedUpdate, &placed.target)?;
        if_match.check(placed.need.version)?;
        allowed(&placed.need, NeedStep::Update)?;
        let current = NeedFields::of(&placed.need, placed.portfolio_id);
        let fields = patch.apply_to(conn, &current)?;
        if (fields.portfolio_id, fields.service_id) != (current.portfolio_id, current.service_id) {
            // Moved: the caller must be able to correct it where it lands, too.
            let landing = target_at(
                caller,
                fields.service_id,
                fields.portfolio_id,
                &placed.need.created_by,
            );
            grant = Grant::merge(Some(grant), caller.authorize(Action::NeedUpdate, &landing)?);
        }
        let before = view_of(conn, &placed.need)?;
        let updated = needs::update(conn, &placed.need, &fields)?;
        Ok(audited(
            &grant,
            None,
            Some(&before),
            view_of(conn, &updated)?,
        ))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}
