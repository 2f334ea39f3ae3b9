//! `GET /api/v1/reports/annual?year=Y`: input to the annual report (verksamhetsberättelse) per
//! portfolio — frame, planned and actual costs, deviations, activities done and cancelled,
//! change requests decided and released, and the closing text. JSON, or Markdown.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::plans::{sek, DeviationView};
use crate::auth::policy::Action;
use crate::auth::Authenticated;
use crate::db::{change_requests, plans, portfolios, DbPool};
use crate::domain::money::MoneyJson;
use crate::domain::plan::{deviations, totals, PlanStatus, Progress};
use crate::error::{AppError, AppResult};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AnnualQuery {
    #[param(value_type = i32, minimum = 2000, maximum = 2100)]
    pub year: crate::domain::plan::PlanYear,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityCounts {
    pub total: usize,
    pub done: usize,
    pub cancelled: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeRequestCounts {
    /// Approved or rejected during the year.
    pub decided: usize,
    /// Released during the year.
    pub released: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortfolioYear {
    pub portfolio_id: i64,
    pub portfolio_slug: String,
    pub portfolio_name: String,
    pub plan_id: Option<i64>,
    pub plan_status: Option<PlanStatus>,
    pub plan_revision: Option<i32>,
    pub budget_frame: Option<MoneyJson>,
    pub planned_total: MoneyJson,
    pub actual_total: MoneyJson,
    pub deviations: Vec<DeviationView>,
    pub activities: ActivityCounts,
    pub change_requests: ChangeRequestCounts,
    pub needs: NeedsOfYear,
    /// The text recorded when the plan was closed.
    pub annual_report: Option<String>,
}

/// The portfolio's needs in the year.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct NeedsOfYear {
    /// Recorded during the year.
    pub identified: usize,
    /// Decided during the year, by outcome.
    pub decided: std::collections::HashMap<crate::domain::need::Outcome, usize>,
    /// Realised during the year: the last of what they point at was done in it.
    pub realised: usize,
}

/// The needs of each portfolio in `[from, until)`, in three queries whatever their number.
fn needs_of_year(
    conn: &mut crate::db::DbConnection,
    from: chrono::NaiveDateTime,
    until: chrono::NaiveDateTime,
) -> AppResult<std::collections::HashMap<i64, NeedsOfYear>> {
    use crate::domain::need::NeedStatus;
    let in_year = |t: chrono::NaiveDateTime| t >= from && t < until;
    let lines = crate::db::needs::report::lines(conn)?;
    let decided: Vec<i64> = lines
        .iter()
        .filter(|l| l.status == NeedStatus::Decided.as_str())
        .map(|l| l.id)
        .collect();
    let links = crate::db::needs::links_of(conn, &decided)?;
    let mut out: std::collections::HashMap<i64, NeedsOfYear> = Default::default();
    for line in &lines {
        let Some(portfolio) = line.placed_in() else {
            continue;
        };
        let year = out.entry(portfolio).or_default();
        year.identified += usize::from(in_year(line.created_at));
        if let (Some(outcome), Some(at)) = (
            line.outcome.as_deref().and_then(|o| o.parse().ok()),
            line.decided_at,
        ) {
            if in_year(at) {
                *year.decided.entry(outcome).or_default() += 1;
            }
        }
        let own: Vec<_> = links.iter().filter(|l| l.need_id == line.id).collect();
        let realised = !own.is_empty() && own.iter().all(|l| l.done);
        let realised_at = own.iter().filter_map(|l| l.done_at).max();
        year.realised += usize::from(realised && realised_at.is_some_and(in_year));
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnualReport {
    pub year: i32,
    /// The portfolios of the caller's scope, by name.
    pub portfolios: Vec<PortfolioYear>,
}

fn year_bounds(year: i32) -> AppResult<(chrono::NaiveDateTime, chrono::NaiveDateTime)> {
    let start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .ok_or_else(|| AppError::invalid_field("year", "must be 2000 to 2100"))
    };
    Ok((start(year)?, start(year + 1)?))
}

fn markdown(report: &AnnualReport) -> String {
    use crate::api::markdown::{md_block, md_inline};
    let mut out = format!("# Verksamhetsberättelse {} — underlag\n", report.year);
    for p in &report.portfolios {
        // A slug is `[a-z0-9-]` by its type: safe in a code span, where escapes would show.
        out.push_str(&format!(
            "\n## {} (`{}`)\n\n",
            md_inline(&p.portfolio_name),
            p.portfolio_slug
        ));
        let plan = match (p.plan_status, p.plan_revision) {
            (Some(status), Some(revision)) => format!("{status}, revision {revision}"),
            _ => "ingen plan".to_string(),
        };
        let frame = p
            .budget_frame
            .as_ref()
            .map_or("ingen".to_string(), |m| format!("{} SEK", m.amount));
        out.push_str(&format!(
            "| | |\n|---|---|\n| Förvaltningsplan | {plan} |\n| Budgetram | {frame} |\n| Planerat | {} SEK |\n| Utfall | {} SEK |\n| Aktiviteter | {} (klara {}, avbrutna {}) |\n| Ändringsönskemål | beslutade {}, införda {} |\n",
            p.planned_total.amount,
            p.actual_total.amount,
            p.activities.total,
            p.activities.done,
            p.activities.cancelled,
            p.change_requests.decided,
            p.change_requests.released,
        ));
        let mut decided: Vec<String> = p
            .needs
            .decided
            .iter()
            .map(|(outcome, n)| format!("{outcome} {n}"))
            .collect();
        decided.sort();
        out.push_str(&format!(
            "| Behov | nya {}, beslutade {}, förverkligade {} |\n",
            p.needs.identified,
            if decided.is_empty() {
                "0".to_string()
            } else {
                decided.join(", ")
            },
            p.needs.realised
        ));
        if !p.deviations.is_empty() {
            out.push_str("\n**Avvikelser**\n\n");
            for d in &p.deviations {
                let what = md_inline(&d.title.clone().unwrap_or_else(|| d.kind.to_string()));
                out.push_str(&format!(
                    "- {what}: utfall {} SEK mot {} SEK (+{} SEK)\n",
                    d.actual.amount, d.limit.amount, d.excess.amount
                ));
            }
        }
        if let Some(text) = &p.annual_report {
            out.push_str(&format!("\n{}\n", md_block(text)));
        }
    }
    out
}

#[utoipa::path(
    tag = "reports",
    operation_id = "annualReport",
    summary = "Annual-report input per portfolio (LG, controller, VU, KA; TÄ, TS for their portfolios)",
    description = "JSON, or Markdown with `Accept: text/markdown`.",
    params(AnnualQuery),
    responses(
        (status = 200, description = "OK", content(
            (AnnualReport = "application/json"),
            (String = "text/markdown")
        )),
        crate::api::responses::ReadErrors
    )
)]
#[get("/reports/annual")]
pub async fn annual(
    req: HttpRequest,
    who: Authenticated,
    query: web::Query<AnnualQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let year = query.into_inner().year.get();
    let (from, until) = year_bounds(year)?;
    let report = crate::api::read_long(&pool, who, move |conn, caller| {
        let reach = caller.reach(Action::ReportRead);
        if reach.is_nowhere() {
            return Err(AppError::forbidden(Action::ReportRead.code()));
        }
        let scope = (!reach.everywhere).then_some(reach.portfolio_wide.as_slice());
        let portfolios = portfolios::some_or_all(conn, scope)?;
        let ids: Vec<i64> = portfolios.iter().map(|p| p.id).collect();
        let year_plans = plans::of_year(conn, &ids, year)?;
        let plan_ids: Vec<i64> = year_plans.iter().map(|p| p.id).collect();
        let items = plans::items_of(conn, &plan_ids)?;
        let frames = plans::frames_for(conn, &ids, &[year])?;
        let requests = change_requests::decided_and_released(conn, &ids, from, until)?;
        let mut needs = needs_of_year(conn, from, until)?;
        let in_year = |t: &Option<chrono::NaiveDateTime>| t.is_some_and(|t| t >= from && t < until);
        let entries = portfolios
            .iter()
            .filter(|p| {
                p.retired_at.is_none() || year_plans.iter().any(|plan| plan.portfolio_id == p.id)
            })
            .map(|p| {
                let plan = year_plans.iter().find(|plan| plan.portfolio_id == p.id);
                let own: Vec<_> = items
                    .iter()
                    .filter(|i| plan.is_some_and(|plan| plan.id == i.plan_id))
                    .collect();
                let costs: Vec<_> = own.iter().map(|i| i.costs()).collect();
                let frame = frames
                    .iter()
                    .find(|f| f.portfolio_id == p.id)
                    .map(|f| f.amount_minor);
                let (planned, actual) = totals(&costs);
                let count =
                    |progress: Progress| own.iter().filter(|i| i.progress() == progress).count();
                let of_portfolio: Vec<_> = requests.iter().filter(|r| r.0 == Some(p.id)).collect();
                PortfolioYear {
                    portfolio_id: p.id,
                    portfolio_slug: p.slug.clone(),
                    portfolio_name: p.name.clone(),
                    plan_id: plan.map(|plan| plan.id),
                    plan_status: plan.map(|plan| plan.status()),
                    plan_revision: plan.map(|plan| plan.revision),
                    budget_frame: frame.map(sek),
                    planned_total: sek(planned),
                    actual_total: sek(actual),
                    deviations: deviations(&costs, frame)
                        .iter()
                        .map(DeviationView::from)
                        .collect(),
                    activities: ActivityCounts {
                        total: own.len(),
                        done: count(Progress::Done),
                        cancelled: count(Progress::Cancelled),
                    },
                    change_requests: ChangeRequestCounts {
                        decided: of_portfolio.iter().filter(|r| in_year(&r.1)).count(),
                        released: of_portfolio.iter().filter(|r| in_year(&r.2)).count(),
                    },
                    needs: needs.remove(&p.id).unwrap_or_default(),
                    annual_report: plan.and_then(|plan| plan.annual_report.clone()),
                }
            })
            .collect();
        Ok(AnnualReport {
            year,
            portfolios: entries,
        })
    })
    .await?;
    if crate::api::wants_markdown(&req) {
        return Ok(HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(markdown(&report)));
    }
    Ok(HttpResponse::Ok().json(report))
}
