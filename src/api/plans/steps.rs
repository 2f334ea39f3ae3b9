//! A plan's steps through its workflow: submit, return, approve, close, revise.

use super::*;
use crate::api::IfMatch;
use crate::auth::policy::Caller;
use crate::auth::Authenticated;
use crate::db::plans::{self, Plan, PlanChange};
use crate::db::{self, DbConnection, DbPool};
use crate::domain::plan::{step_problem, totals, PlanStatus, PlanStep, StepFacts};
use crate::error::{AppError, AppResult};
use actix_web::{post, web, HttpResponse};
use chrono::Datelike;

/// The facts the rules of `step` read (domain::plan::step_problem), fetched only for the steps
/// that read them.
fn step_facts(conn: &mut DbConnection, plan: &Plan, step: PlanStep) -> AppResult<StepFacts> {
    let mut facts = StepFacts {
        plan_year: plan.year,
        this_year: db::today().year(),
        ..StepFacts::default()
    };
    if matches!(step, PlanStep::Submit | PlanStep::Approve) {
        let items = plans::items_of(conn, &[plan.id])?;
        facts.activities = items.len();
        let costs: Vec<_> = items.iter().map(|i| i.costs()).collect();
        facts.planned_total = totals(&costs).0;
    }
    if step == PlanStep::Approve {
        let frame = plans::find_frame(conn, plan.portfolio_id, plan.year)?;
        facts.frame = frame.map(|f| f.amount_minor);
    }
    Ok(facts)
}

/// What each step writes, once its rules (domain::plan::step_problem) allow it.
pub(super) fn step_change(
    conn: &mut DbConnection,
    caller: &Caller,
    plan: &Plan,
    step: PlanStep,
    to: PlanStatus,
    text: Option<String>,
) -> AppResult<PlanChange> {
    if let Some(problem) = step_problem(step, &step_facts(conn, plan, step)?) {
        return Err(AppError::conflict(problem));
    }
    let now = db::now();
    let mut change = PlanChange {
        status: Some(to),
        ..PlanChange::default()
    };
    match step {
        PlanStep::Submit => {
            change.submitted_at = Some(now);
            change.return_reason = Some(None);
        }
        PlanStep::Return => change.return_reason = Some(text),
        PlanStep::Approve => change.approved = Some((now, caller.sub.clone())),
        PlanStep::Close => {
            change.annual_report = text;
            change.closed_at = Some(now);
        }
        PlanStep::Revise => {
            // The approved revision stays readable as it was (document control, FitSM GR2.4).
            let document =
                serde_json::to_value(document_of(conn, plan)?).map_err(AppError::internal)?;
            plans::insert_version(conn, plan, &document)?;
            change.revision = Some(plan.revision + 1);
            change.clear_approval = true;
        }
    }
    Ok(change)
}

macro_rules! step_endpoint {
    // A step with a body.
    ($name:ident, $path:literal, $op:literal, $summary:literal, $step:expr, $body:ty, $input:expr) => {
        #[utoipa::path(
            tag = "plans",
            operation_id = $op,
            summary = $summary,
            params(
                ("id" = i64, Path),
                crate::api::IfMatch
            ),
            request_body = $body,
            responses((status = 200, description = "The updated plan", body = PlanView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
        )]
        #[post($path)]
        pub async fn $name(
            if_match: IfMatch,
            who: Authenticated,
            path: web::Path<i64>,
            body: web::Json<$body>,
            pool: web::Data<DbPool>,
        ) -> AppResult<HttpResponse> {
            let input = ($input)(body.into_inner());
            take_step(if_match, who, path.into_inner(), pool, $step, input).await
        }
    };
    // A step without one (a body sent is ignored, as for accepting an appointment).
    ($name:ident, $path:literal, $op:literal, $summary:literal, $step:expr) => {
        #[utoipa::path(
            tag = "plans",
            operation_id = $op,
            summary = $summary,
            params(
                ("id" = i64, Path),
                crate::api::IfMatch
            ),
            responses((status = 200, description = "The updated plan", body = PlanView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
        )]
        #[post($path)]
        pub async fn $name(
            if_match: IfMatch,
            who: Authenticated,
            path: web::Path<i64>,
            pool: web::Data<DbPool>,
        ) -> AppResult<HttpResponse> {
            take_step(if_match, who, path.into_inner(), pool, $step, StepInput::None).await
        }
    };
}

step_endpoint!(
    submit,
    "/plans/{id}/submit",
    "submitPlan",
    "Present the draft to the TÄ (TJF, TS[plan] in scope)",
    PlanStep::Submit
);
step_endpoint!(
    return_plan,
    "/plans/{id}/return",
    "returnPlan",
    "Return a submitted plan to draft, with the reason (TÄ in scope)",
    PlanStep::Return,
    ReturnRequest,
    |b: ReturnRequest| StepInput::Reason(b.reason)
);
step_endpoint!(
    approve,
    "/plans/{id}/approve",
    "approvePlan",
    "Establish (fastställ) a submitted plan (TÄ in scope); refused without a budget frame or above it",
    PlanStep::Approve
);
step_endpoint!(
    close,
    "/plans/{id}/close",
    "closePlan",
    "Close an approved plan after its year, with annual-report input (TÄ in scope)",
    PlanStep::Close,
    CloseRequest,
    |b: CloseRequest| StepInput::AnnualReport(b.annual_report)
);
step_endpoint!(
    revise,
    "/plans/{id}/revise",
    "revisePlan",
    "Open the next revision of an approved plan as a draft; the approved one stays readable (TÄ, TS[plan], TJF in scope)",
    PlanStep::Revise
);
