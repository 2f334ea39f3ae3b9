//! A need's steps: assessed, presented to the management group, decided.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};

use super::{
    allowed, audited, load, view_of, NeedAssessmentRequest, NeedDecisionRequest, NeedView,
};
use super::{Placed, PresentationRequest};
use crate::api::{with_etag, Fields, IfMatch};
use crate::auth::policy::{Action, Caller};
use crate::auth::Authenticated;
use crate::db::needs::{self, Assessment, Decision, Need, Presentation};
use crate::db::{DbConnection, DbPool};
use crate::domain::money::Currency;
use crate::domain::need::{NeedStep, Outcome, Score};
use crate::domain::text;
use crate::error::{AppError, AppResult};

/// The frame of every step: the need, the caller's right on it, `If-Match`, the workflow;
/// then `apply` writes, and the change is audited.
async fn step<F>(
    if_match: IfMatch,
    who: Authenticated,
    id: i64,
    pool: web::Data<DbPool>,
    (step, action): (NeedStep, Action),
    apply: F,
) -> AppResult<HttpResponse>
where
    F: Fn(&mut DbConnection, &Caller, &Placed) -> AppResult<Need> + Send + 'static,
{
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let placed = load(conn, caller, id)?;
        let grant = caller.authorize(action, &placed.target)?;
        if_match.check(placed.need.version)?;
        allowed(&placed.need, step)?;
        let before = view_of(conn, &placed.need)?;
        let updated = apply(conn, caller, &placed)?;
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

#[utoipa::path(
    tag = "needs",
    operation_id = "assessNeed",
    summary = "Assess: value, urgency, estimate, recommendation (TJF, TS[prioritization] in scope; KA, VU while unplaced)",
    params(("id" = i64, Path), crate::api::IfMatch),
    request_body = NeedAssessmentRequest,
    responses((status = 200, description = "The updated need", body = NeedView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/needs/{id}/assessment")]
pub async fn assess(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<NeedAssessmentRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let id = path.into_inner();
    let step_of = (NeedStep::Assess, Action::NeedAssess);
    step(
        if_match,
        who,
        id,
        pool,
        step_of,
        move |conn, caller, placed| needs::assess(conn, &placed.need, &body.parse()?, &caller.sub),
    )
    .await
}

#[utoipa::path(
    tag = "needs",
    operation_id = "presentNeed",
    summary = "Record that an assessed need was presented to the management group (KA; TÄ in scope)",
    params(("id" = i64, Path), crate::api::IfMatch),
    request_body = PresentationRequest,
    responses((status = 200, description = "The updated need", body = NeedView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/needs/{id}/presentation")]
pub async fn present(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<PresentationRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let id = path.into_inner();
    let step_of = (NeedStep::Present, Action::NeedPresent);
    step(
        if_match,
        who,
        id,
        pool,
        step_of,
        move |conn, caller, placed| needs::present(conn, &placed.need, &body.parse()?, &caller.sub),
    )
    .await
}

#[utoipa::path(
    tag = "needs",
    operation_id = "decideNeed",
    summary = "Decide a presented need (LG; TÄ in scope for change, plan, deferred, declined)",
    params(("id" = i64, Path), crate::api::IfMatch),
    request_body = NeedDecisionRequest,
    responses((status = 200, description = "The updated need", body = NeedView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/needs/{id}/decision")]
pub async fn decide(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<i64>,
    body: web::Json<NeedDecisionRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let id = path.into_inner();
    let action = decision_action(body.outcome);
    step(
        if_match,
        who,
        id,
        pool,
        (NeedStep::Decide, action),
        move |conn, caller, placed| needs::decide(conn, &placed.need, &body.parse()?, &caller.sub),
    )
    .await
}

/// The action a decision with `outcome` takes: a new service is the management group's to
/// decide (guidelines 4.1).
pub fn decision_action(outcome: Outcome) -> Action {
    match outcome {
        Outcome::NewService => Action::NeedDecideNewService,
        _ => Action::NeedDecide,
    }
}

impl NeedAssessmentRequest {
    /// The assessment, checked as `POST /needs/{id}/assessment` checks it.
    pub fn parse(&self) -> AppResult<Assessment> {
        let mut f = Fields::default();
        let value = f.take(Score::parse("value", self.value));
        let urgency = f.take(Score::parse("urgency", self.urgency));
        let cost = self
            .estimated_cost
            .as_ref()
            .and_then(|c| f.take(c.parse("estimated_cost")));
        if cost.is_some_and(|c| c.currency != Currency::SEK) {
            f.rule("estimated_cost.currency", "must be SEK");
        }
        let note = self
            .note
            .as_ref()
            .and_then(|n| f.take(text::bounded("note", n, 10_000)));
        f.finish()?;
        let (Some(value), Some(urgency)) = (value, urgency) else {
            return Err(AppError::internal("scores parsed"));
        };
        Ok(Assessment {
            value,
            urgency,
            estimated_cost_minor: cost.map(|c| c.minor),
            recommendation: self.recommendation,
            note,
        })
    }
}

impl PresentationRequest {
    /// The presentation, checked as `POST /needs/{id}/presentation` checks it.
    pub fn parse(&self) -> AppResult<Presentation> {
        let mut f = Fields::default();
        let reference = self
            .reference
            .as_ref()
            .and_then(|r| f.take(text::line("reference", r, 300)));
        if self.date > crate::db::today() {
            f.rule("date", "is in the future");
        }
        f.finish()?;
        Ok(Presentation {
            on: self.date,
            reference,
        })
    }
}

impl NeedDecisionRequest {
    /// The decision, checked as `POST /needs/{id}/decision` checks it.
    pub fn parse(&self) -> AppResult<Decision> {
        let reason = text::line("reason", &self.reason, 10_000)
            .map_err(|(field, message)| AppError::invalid_field(&field, message))?;
        Ok(Decision {
            outcome: self.outcome,
            reason,
        })
    }
}
