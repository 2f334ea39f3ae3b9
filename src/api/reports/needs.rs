//! `GET /api/v1/reports/needs`: the needs per portfolio and per customer, the most endorsed open
//! needs, the decisions of a period; with `Accept: text/markdown`, the management group's
//! agenda — every presented need awaiting decision, with its assessment and endorsers.

use std::collections::HashMap;

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy::Action;
use crate::auth::Authenticated;
use crate::db::needs::{self, report::NeedLine};
use crate::db::{organizations, DbConnection, DbPool};
use crate::domain::access::Reach;
use crate::domain::need::{NeedRecommendation, NeedStatus, Outcome, Score};
use crate::error::{AppError, AppResult};

/// How many open needs the report lists by demand.
const MOST_ENDORSED: usize = 10;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NeedsReportQuery {
    /// The period's first day (default: 1 January this year).
    pub from: Option<NaiveDate>,
    /// The period's last day (default: today).
    pub to: Option<NaiveDate>,
}

/// How many needs are in each status, and how many were decided in the period by outcome.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct NeedCounts {
    pub identified: usize,
    pub assessed: usize,
    pub presented: usize,
    pub decided: usize,
    /// Decided within the period, by outcome.
    pub decided_in_period: HashMap<Outcome, usize>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortfolioNeeds {
    /// Null: needs placed in no portfolio yet.
    pub portfolio_id: Option<i64>,
    pub portfolio_slug: Option<String>,
    pub needs: NeedCounts,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomerNeeds {
    pub organization_id: i64,
    pub organization_slug: String,
    pub organization_name: String,
    /// Needs it voiced (their source).
    pub voiced: usize,
    /// Needs of others it shares.
    pub endorsed: usize,
    /// Of both, those not decided yet.
    pub open: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DemandLine {
    pub need_id: i64,
    pub title: String,
    pub portfolio_id: Option<i64>,
    pub status: NeedStatus,
    pub endorsement_count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NeedsReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub portfolios: Vec<PortfolioNeeds>,
    pub customers: Vec<CustomerNeeds>,
    /// Open needs (not decided) by endorsements, most first.
    pub most_endorsed_open: Vec<DemandLine>,
    /// The needs decided within the period.
    pub decisions: Vec<DecisionLine>,
    /// The management group's agenda: presented needs awaiting decision, each with its endorsers.
    pub agenda: Vec<AgendaItem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionLine {
    pub need_id: i64,
    pub title: String,
    pub portfolio_id: Option<i64>,
    pub outcome: Option<Outcome>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A presented need as the management group reads it before deciding.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgendaItem {
    pub need_id: i64,
    pub title: String,
    pub portfolio_id: Option<i64>,
    pub service_id: Option<i64>,
    pub value: Option<Score>,
    pub urgency: Option<Score>,
    pub estimated_cost: Option<crate::domain::money::MoneyJson>,
    pub recommendation: Option<NeedRecommendation>,
    pub assessment_note: Option<String>,
    pub presented_on: Option<NaiveDate>,
    pub presentation_reference: Option<String>,
    pub endorsement_count: i64,
    pub endorsers: Vec<Endorser>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Endorser {
    pub organization_id: i64,
    pub organization_name: String,
    pub note: Option<String>,
}

/// Is the need in the report's reach: by its service, else its portfolio; an unplaced one
/// only for those who read reports everywhere.
fn in_reach(reach: &Reach, line: &NeedLine) -> bool {
    match (line.service_id, line.portfolio_id) {
        (Some(s), _) => reach.covers_service(s, line.service_portfolio_id),
        (None, Some(p)) => reach.covers_portfolio(p),
        (None, None) => reach.everywhere,
    }
}

fn period(query: &NeedsReportQuery) -> AppResult<(NaiveDate, NaiveDate)> {
    let today = crate::db::today();
    let from = query
        .from
        .or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1))
        .unwrap_or(today);
    let to = query.to.unwrap_or(today);
    if to < from {
        return Err(AppError::unprocessable("to", "is before from"));
    }
    Ok((from, to))
}

fn counts_per_portfolio(
    lines: &[&NeedLine],
    in_period: impl Fn(&NeedLine) -> bool,
) -> Vec<(Option<i64>, NeedCounts)> {
    let mut out: Vec<(Option<i64>, NeedCounts)> = Vec::new();
    for line in lines {
        let place = line.placed_in();
        let at = match out.iter().position(|(p, _)| *p == place) {
            Some(i) => i,
            None => {
                out.push((place, NeedCounts::default()));
                out.len() - 1
            }
        };
        let counts = &mut out[at].1;
        match line.status.parse().unwrap_or(NeedStatus::Identified) {
            NeedStatus::Identified => counts.identified += 1,
            NeedStatus::Assessed => counts.assessed += 1,
            NeedStatus::Presented => counts.presented += 1,
            NeedStatus::Decided => counts.decided += 1,
        }
        if let Some(outcome) = line.outcome.as_deref().and_then(|o| o.parse().ok()) {
            if in_period(line) {
                *counts.decided_in_period.entry(outcome).or_default() += 1;
            }
        }
    }
    out
}

fn customers(
    conn: &mut DbConnection,
    lines: &[&NeedLine],
    pairs: &[(i64, i64)],
) -> AppResult<Vec<CustomerNeeds>> {
    let open: HashMap<i64, bool> = lines
        .iter()
        .map(|l| (l.id, l.status != NeedStatus::Decided.as_str()))
        .collect();
    let mut tally: HashMap<i64, (usize, usize, usize)> = HashMap::new();
    for line in lines {
        if let Some(org) = line.source_organization_id {
            let t = tally.entry(org).or_default();
            t.0 += 1;
            t.2 += usize::from(open[&line.id]);
        }
    }
    for (need, org) in pairs {
        if let Some(is_open) = open.get(need) {
            let t = tally.entry(*org).or_default();
            t.1 += 1;
            t.2 += usize::from(*is_open);
        }
    }
    let ids: Vec<i64> = tally.keys().copied().collect();
    let mut out: Vec<CustomerNeeds> = organizations::names_of(conn, &ids)?
        .into_iter()
        .map(|(id, slug, name)| {
            let (voiced, endorsed, open) = tally[&id];
            CustomerNeeds {
                organization_id: id,
                organization_slug: slug,
                organization_name: name,
                voiced,
                endorsed,
                open,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (b.voiced + b.endorsed)
            .cmp(&(a.voiced + a.endorsed))
            .then(a.organization_name.cmp(&b.organization_name))
    });
    Ok(out)
}

/// The agenda: these presented needs with their assessment and endorsers, in two queries.
fn agenda(conn: &mut DbConnection, ids: &[i64]) -> AppResult<Vec<AgendaItem>> {
    let endorsements = needs::endorsements_of(conn, ids)?;
    let mut items: Vec<AgendaItem> = needs::with_service_portfolio(conn, ids)?
        .into_iter()
        .map(|(n, service_portfolio)| AgendaItem {
            need_id: n.id,
            portfolio_id: n.placed_in(service_portfolio),
            service_id: n.service_id,
            value: n.value(),
            urgency: n.urgency(),
            estimated_cost: n.estimated_cost_minor.map(crate::api::plans::sek),
            recommendation: n.recommendation(),
            assessment_note: n.assessment_note.clone(),
            presented_on: n.presented_on,
            presentation_reference: n.presentation_reference.clone(),
            endorsement_count: n.endorsement_count,
            endorsers: endorsements
                .iter()
                .filter(|e| e.need_id == n.id)
                .map(|e| Endorser {
                    organization_id: e.organization_id,
                    organization_name: e.organization_name.clone(),
                    note: e.note.clone(),
                })
                .collect(),
            title: n.title,
        })
        .collect();
    items.sort_by_key(|i| i.need_id);
    Ok(items)
}

fn build(
    conn: &mut DbConnection,
    reach: &Reach,
    (from, to): (NaiveDate, NaiveDate),
) -> AppResult<NeedsReport> {
    let all = needs::report::lines(conn)?;
    let lines: Vec<&NeedLine> = all.iter().filter(|l| in_reach(reach, l)).collect();
    let in_period = |l: &NeedLine| {
        l.decided_at
            .is_some_and(|t| t.date() >= from && t.date() <= to)
    };
    let slugs = crate::db::governance::portfolio_slugs(conn)?;
    let portfolios = counts_per_portfolio(&lines, in_period)
        .into_iter()
        .map(|(p, needs)| PortfolioNeeds {
            portfolio_id: p,
            portfolio_slug: p.and_then(|p| slugs.get(&p).cloned()),
            needs,
        })
        .collect();
    let pairs = needs::report::endorsement_pairs(conn)?;
    let customers = customers(conn, &lines, &pairs)?;
    let mut open: Vec<&&NeedLine> = lines
        .iter()
        .filter(|l| l.status != NeedStatus::Decided.as_str())
        .collect();
    open.sort_by(|a, b| {
        b.endorsement_count
            .cmp(&a.endorsement_count)
            .then(a.id.cmp(&b.id))
    });
    let most_endorsed_open = open
        .iter()
        .take(MOST_ENDORSED)
        .map(|l| DemandLine {
            need_id: l.id,
            title: l.title.clone(),
            portfolio_id: l.placed_in(),
            status: l.status.parse().unwrap_or(NeedStatus::Identified),
            endorsement_count: l.endorsement_count,
        })
        .collect();
    let decisions = lines
        .iter()
        .filter(|l| in_period(l))
        .map(|l| DecisionLine {
            need_id: l.id,
            title: l.title.clone(),
            portfolio_id: l.placed_in(),
            outcome: l.outcome.as_deref().and_then(|o| o.parse().ok()),
            decision_reason: l.decision_reason.clone(),
            decided_by: l.decided_by.clone(),
            decided_at: l.decided_at.map(crate::api::utc),
        })
        .collect();
    let presented: Vec<i64> = lines
        .iter()
        .filter(|l| l.status == NeedStatus::Presented.as_str())
        .map(|l| l.id)
        .collect();
    Ok(NeedsReport {
        from,
        to,
        portfolios,
        customers,
        most_endorsed_open,
        decisions,
        agenda: agenda(conn, &presented)?,
    })
}

/// The agenda as Markdown: one section per presented need.
fn agenda_markdown(report: &NeedsReport) -> String {
    use crate::api::markdown::{md_block, md_inline};
    let mut out = "# Ledningsgruppen — behov att besluta\n".to_string();
    if report.agenda.is_empty() {
        out.push_str("\nInga föredragna behov väntar på beslut.\n");
    }
    for n in &report.agenda {
        out.push_str(&format!(
            "\n## {} (behov {})\n\n",
            md_inline(&n.title),
            n.need_id
        ));
        let score = |s: Option<Score>| s.map_or("–".to_string(), |s| s.get().to_string());
        let cost = n
            .estimated_cost
            .as_ref()
            .map_or("–".to_string(), |m| format!("{} SEK", m.amount));
        let recommendation = n.recommendation.map_or("–".to_string(), |r| r.to_string());
        let presented = n.presented_on.map_or("–".to_string(), |d| d.to_string());
        out.push_str(&format!(
            "| | |\n|---|---|\n| Nytta | {} |\n| Angelägenhet | {} |\n| Uppskattad kostnad | {cost} |\n| Rekommendation | {recommendation} |\n| Föredragen | {presented} |\n| Instämmanden | {} |\n",
            score(n.value),
            score(n.urgency),
            n.endorsement_count,
        ));
        if let Some(note) = &n.assessment_note {
            out.push_str(&format!("\n{}\n", md_block(note)));
        }
        if !n.endorsers.is_empty() {
            out.push_str("\n**Delas av**\n\n");
            for e in &n.endorsers {
                out.push_str(&format!("- {}\n", md_inline(&e.organization_name)));
            }
        }
    }
    out
}

#[utoipa::path(
    tag = "reports",
    operation_id = "needsReport",
    summary = "Needs per portfolio and customer, demand, decisions; the LG agenda (LG, controller, VU, KA; TÄ, TS for their portfolios)",
    description = "JSON, or with `Accept: text/markdown` the management group's agenda: every presented need awaiting decision, with its assessment and endorsers.",
    params(NeedsReportQuery),
    responses(
        (status = 200, description = "OK", content(
            (NeedsReport = "application/json"),
            (String = "text/markdown")
        )),
        (status = 422, description = "`to` is before `from`", body = crate::error::Problem, content_type = "application/problem+json"),
        crate::api::responses::ReadErrors
    )
)]
#[get("/reports/needs")]
pub async fn needs_report(
    req: HttpRequest,
    who: Authenticated,
    query: web::Query<NeedsReportQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let period = period(&query.into_inner())?;
    let report = crate::api::read_long(&pool, who, move |conn, caller| {
        let reach = caller.reach(Action::ReportRead);
        if reach.is_nowhere() {
            return Err(AppError::forbidden(Action::ReportRead.code()));
        }
        build(conn, &reach, period)
    })
    .await?;
    if crate::api::wants_markdown(&req) {
        return Ok(HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(agenda_markdown(&report)));
    }
    Ok(HttpResponse::Ok().json(report))
}
