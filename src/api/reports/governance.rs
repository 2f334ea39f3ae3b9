//! `GET /api/v1/reports/governance`: where Sunet stands against its own guidelines today —
//! every rule of `domain::governance::Rule` broken by an object of the caller's scope, with
//! the guideline's section, in Swedish and English — and `…/governance/rules`, the rules and
//! their configured thresholds.

use std::collections::BTreeMap;

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::markdown::md_cell;
use crate::api::{csv_response, lookup, wants_markdown};
use crate::auth::policy::Action;
use crate::auth::Authenticated;
use crate::db::governance::{self, Finding};

use super::finding_messages::messages;
use crate::db::DbPool;
use crate::domain::governance::{Rule, Severity, Threshold, Thresholds};
use crate::error::{AppError, AppResult};

/// One rule broken by one object.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GovernanceFinding {
    pub rule: Rule,
    pub severity: Severity,
    /// `portfolio`, `service`, `delivery`, `plan`, `change_request`, `contract` or
    /// `role_assignment`.
    #[schema(example = "service")]
    pub object_type: String,
    pub object_id: i64,
    /// The object's slug, where it has one.
    #[schema(example = "eduroam")]
    pub object_slug: Option<String>,
    #[schema(example = "natverk")]
    pub portfolio_slug: Option<String>,
    #[schema(example = "Tjänsten eduroam är i drift utan tjänsteförvaltare (TJF).")]
    pub message_sv: String,
    #[schema(example = "The service eduroam is in operation without a service manager (TJF).")]
    pub message_en: String,
    /// The section of the guidelines.
    #[schema(example = "4.4")]
    pub guideline: String,
    /// When it became true, where that can be known.
    pub since: Option<NaiveDate>,
}

crate::csv_record!(GovernanceFinding {
    rule,
    severity,
    object_type,
    object_id,
    object_slug,
    portfolio_slug,
    guideline,
    since,
    message_sv,
    message_en
});

/// Findings of one rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleTotal {
    pub rule: Rule,
    pub severity: Severity,
    pub findings: i64,
}

/// Findings of one portfolio (null: objects placed in none).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortfolioFindings {
    pub portfolio_slug: Option<String>,
    pub errors: i64,
    pub warnings: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GovernanceTotals {
    /// Every rule, with how many findings it has (zero included).
    pub rules: Vec<RuleTotal>,
    /// Every portfolio with findings, by slug.
    pub portfolios: Vec<PortfolioFindings>,
}

/// The findings report: the list envelope, and totals per rule and per portfolio (of the
/// filtered findings, all pages).
#[derive(Debug, Serialize, ToSchema)]
pub struct GovernanceReport {
    pub count: i64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<GovernanceFinding>,
    pub totals: GovernanceTotals,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GovernanceQuery {
    pub rule: Option<Rule>,
    pub severity: Option<Severity>,
    /// Portfolio id or slug.
    pub portfolio: Option<String>,
}

impl crate::api::Listing for GovernanceQuery {
    const ORDERING: &'static [&'static str] = &[];
}

/// A rule and its configured threshold.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    pub code: Rule,
    pub severity: Severity,
    #[schema(example = "4.4")]
    pub guideline: String,
    pub description_sv: String,
    pub description_en: String,
    /// The configured limit, null where the rule has none.
    pub threshold: Option<Threshold>,
}

impl crate::api::CsvRecord for RuleView {
    const HEADER: &'static [&'static str] = &[
        "code",
        "severity",
        "guideline",
        "description_sv",
        "description_en",
        "threshold_setting",
        "threshold_value",
        "threshold_unit",
    ];

    fn record(&self) -> Vec<String> {
        let threshold = self.threshold.as_ref();
        vec![
            self.code.to_string(),
            self.severity.to_string(),
            self.guideline.clone(),
            self.description_sv.clone(),
            self.description_en.clone(),
            threshold.map_or(String::new(), |t| t.setting.to_string()),
            threshold.map_or(String::new(), |t| t.value.clone()),
            threshold.map_or(String::new(), |t| t.unit.as_str().to_string()),
        ]
    }
}

#[utoipa::path(
    tag = "reports",
    operation_id = "listGovernanceRules",
    summary = "The governance rules and their thresholds",
    description = "Every authenticated caller. Thresholds come from the configuration file's `[governance]` section. JSON, or CSV with `Accept: text/csv`.",
    params(crate::api::ListQuery<crate::api::NoFilters>),
    responses((status = 200, description = "OK", body = Vec<RuleView>), crate::api::responses::ReadErrors)
)]
#[get("/reports/governance/rules")]
pub async fn rules(
    req: HttpRequest,
    whole: crate::api::ListQuery<crate::api::NoFilters>,
    _who: Authenticated,
    thresholds: web::Data<Thresholds>,
) -> AppResult<HttpResponse> {
    let views: Vec<RuleView> = Rule::ALL
        .iter()
        .map(|&rule| {
            let (sv, en) = rule.description();
            RuleView {
                code: rule,
                severity: rule.severity(),
                guideline: rule.guideline().to_string(),
                description_sv: sv.to_string(),
                description_en: en.to_string(),
                threshold: thresholds.threshold(rule),
            }
        })
        .collect();
    crate::api::answer_array(&req, &whole.list, views)
}

#[utoipa::path(
    tag = "reports",
    operation_id = "governanceReport",
    summary = "Where Sunet stands against its guidelines: every rule broken, by whom",
    description = "LG, controller, VU, KA: everything; TÄ and TS: their scope. Ordered errors first, then by rule, portfolio and object. A fixed number of set-based queries whatever the size of the data. JSON, CSV (`Accept: text/csv`) or Markdown (`Accept: text/markdown`).",
    params(crate::api::ListQuery<GovernanceQuery>),
    responses(
        (status = 200, description = "OK", content(
            (GovernanceReport = "application/json"),
            (String = "text/csv"),
            (String = "text/markdown")
        )),
        crate::api::responses::ReadErrors
    )
)]
#[get("/reports/governance")]
pub async fn report(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<GovernanceQuery>,
    thresholds: web::Data<Thresholds>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    let (csv, page) = (listing.csv(), &listing.page);
    let markdown = !csv && wants_markdown(&req);
    let thresholds = **thresholds;
    let (rule, severity, portfolio) = (query.rule, query.severity, query.portfolio);
    crate::db::contracts::catch_up_terms(&pool).await?;
    let (findings, slugs) = crate::api::read_long(&pool, who, move |conn, caller| {
        let reach = caller.reach(Action::ReportRead);
        if reach.is_nowhere() {
            return Err(AppError::forbidden(Action::ReportRead.code()));
        }
        let Some(portfolio) = lookup::portfolio(conn, portfolio.as_deref())?.filter() else {
            return Ok((Vec::new(), Default::default()));
        };
        let sight = governance::Sight {
            contracts: caller.reach(Action::ContractRead),
            change_requests: caller.reach(Action::ChangeRequestRead),
            economics: caller.reach(Action::EconomicsRead),
            report: reach,
        };
        let mut findings =
            governance::findings(conn, &sight, &caller.model, &thresholds, crate::db::now())?;
        findings.retain(|f| {
            rule.is_none_or(|r| f.rule == r)
                && severity.is_none_or(|s| f.severity() == s)
                && portfolio.is_none_or(|p| f.portfolio_id == Some(p))
        });
        Ok((findings, governance::portfolio_slugs(conn)?))
    })
    .await?;
    let mut views: Vec<GovernanceFinding> = findings.iter().map(|f| view(f, &slugs)).collect();
    views.sort_by(|a, b| {
        (
            a.severity != Severity::Error,
            rule_rank(a.rule),
            &a.portfolio_slug,
            &a.object_type,
            a.object_id,
        )
            .cmp(&(
                b.severity != Severity::Error,
                rule_rank(b.rule),
                &b.portfolio_slug,
                &b.object_type,
                b.object_id,
            ))
    });
    let count = views.len() as i64;
    let totals = totals(&views);
    if markdown {
        return Ok(HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(as_markdown(&views, &totals)));
    }
    let results: Vec<GovernanceFinding> = views
        .into_iter()
        .skip(page.offset.max(0) as usize)
        .take(page.limit.max(0) as usize)
        .collect();
    if csv {
        return csv_response("governance.csv", count, &results);
    }
    let envelope = page.respond(&req, count, results);
    Ok(HttpResponse::Ok().json(GovernanceReport {
        count: envelope.count,
        next: envelope.next,
        previous: envelope.previous,
        results: envelope.results,
        totals,
    }))
}

fn rule_rank(rule: Rule) -> usize {
    Rule::ALL
        .iter()
        .position(|r| *r == rule)
        .unwrap_or(usize::MAX)
}

fn totals(views: &[GovernanceFinding]) -> GovernanceTotals {
    let per_rule = Rule::ALL
        .iter()
        .map(|&rule| RuleTotal {
            rule,
            severity: rule.severity(),
            findings: views.iter().filter(|v| v.rule == rule).count() as i64,
        })
        .collect();
    let mut per_portfolio: BTreeMap<Option<String>, (i64, i64)> = BTreeMap::new();
    for v in views {
        let entry = per_portfolio.entry(v.portfolio_slug.clone()).or_default();
        match v.severity {
            Severity::Error => entry.0 += 1,
            Severity::Warning => entry.1 += 1,
        }
    }
    GovernanceTotals {
        rules: per_rule,
        portfolios: per_portfolio
            .into_iter()
            .map(|(portfolio_slug, (errors, warnings))| PortfolioFindings {
                portfolio_slug,
                errors,
                warnings,
            })
            .collect(),
    }
}

fn view(f: &Finding, slugs: &std::collections::HashMap<i64, String>) -> GovernanceFinding {
    let (message_sv, message_en) = messages(f);
    GovernanceFinding {
        rule: f.rule,
        severity: f.severity(),
        object_type: f.object_type.as_str().to_string(),
        object_id: f.object_id,
        object_slug: f.object_slug.clone(),
        portfolio_slug: f.portfolio_id.and_then(|p| slugs.get(&p).cloned()),
        message_sv,
        message_en,
        guideline: f.rule.guideline().to_string(),
        since: f.since,
    }
}

fn as_markdown(views: &[GovernanceFinding], totals: &GovernanceTotals) -> String {
    let mut out = String::from("# Förvaltningens hälsa — avvikelser mot riktlinjerna\n\n");
    out.push_str("| Regel | Avsnitt | Allvar | Antal |\n|---|---|---|---|\n");
    for t in &totals.rules {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            t.rule,
            t.rule.guideline(),
            t.severity,
            t.findings
        ));
    }
    out.push_str("\n| Portfölj | Fel | Varningar |\n|---|---|---|\n");
    for p in &totals.portfolios {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            md_cell(p.portfolio_slug.as_deref().unwrap_or("–")),
            p.errors,
            p.warnings
        ));
    }
    out.push_str("\n| Allvar | Regel | Portfölj | Sedan | Iakttagelse |\n|---|---|---|---|---|\n");
    for v in views {
        out.push_str(&format!(
            "| {} | `{}` ({}) | {} | {} | {} |\n",
            v.severity,
            v.rule,
            v.guideline,
            md_cell(v.portfolio_slug.as_deref().unwrap_or("–")),
            v.since.map_or("–".to_string(), |d| d.to_string()),
            md_cell(&v.message_sv)
        ));
    }
    out
}
