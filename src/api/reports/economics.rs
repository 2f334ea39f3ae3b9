//! `GET /api/v1/reports/economics?year=Y`: is every service economically self-sustaining
//! (guidelines 1)? Revenue, supplier costs, management costs and result per service and per
//! portfolio, exact in öre; other currencies converted with the controller's rates, and a
//! missing rate reported, never guessed.

use std::collections::{BTreeMap, HashMap};

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::markdown::{md_cell, md_inline};
use crate::api::{csv_response, wants_markdown};
use crate::auth::policy::Action;
use crate::auth::Authenticated;
use crate::db::governance::{self, ServiceEconomics};
use crate::db::DbPool;
use crate::domain::money::{Currency, Money};
use crate::domain::plan::PlanYear;
use crate::error::{AppError, AppResult};

/// An amount in SEK that may be negative (a result).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Sek {
    /// A decimal string with two decimals, `-` when negative.
    #[schema(example = "-12500.00", pattern = "^-?[0-9]+\\.[0-9]{2}$")]
    pub amount: String,
    #[schema(example = "SEK", pattern = "^SEK$")]
    pub currency: String,
}

fn sek(minor: i64) -> Sek {
    Sek {
        amount: Money::new(minor, Currency::SEK).amount(),
        currency: "SEK".into(),
    }
}

/// One service's year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceYear {
    pub service_id: i64,
    #[schema(example = "eduroam")]
    pub service_slug: String,
    pub service_name: String,
    pub portfolio_slug: Option<String>,
    /// Customer contracts: annual value × the service's share, pro rata for the days in force.
    pub revenue: Sek,
    /// Supplier contracts, the same way.
    pub supplier_costs: Sek,
    /// The approved plan's activities for the service, and its share of the unassigned ones.
    pub management_costs: Sek,
    /// Revenue − supplier costs − management costs.
    pub result: Sek,
    /// Result ≥ 0; null when a rate is missing (the figures leave those contracts out).
    pub self_sustaining: Option<bool>,
    /// Currencies of the service's contracts without a rate for the year.
    pub missing_rates: Vec<String>,
}

/// Amounts as plain decimals (SEK) in the spreadsheet.
impl crate::api::CsvRecord for ServiceYear {
    const HEADER: &'static [&'static str] = &[
        "service_id",
        "service_slug",
        "service_name",
        "portfolio_slug",
        "revenue_sek",
        "supplier_costs_sek",
        "management_costs_sek",
        "result_sek",
        "self_sustaining",
        "missing_rates",
    ];

    fn record(&self) -> Vec<String> {
        use crate::api::csv_cell;
        vec![
            self.service_id.to_string(),
            self.service_slug.clone(),
            self.service_name.clone(),
            csv_cell(&self.portfolio_slug),
            self.revenue.amount.clone(),
            self.supplier_costs.amount.clone(),
            self.management_costs.amount.clone(),
            self.result.amount.clone(),
            csv_cell(&self.self_sustaining),
            self.missing_rates.join(" "),
        ]
    }
}

/// One portfolio's year: the sums of its services.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortfolioYearEconomics {
    pub portfolio_slug: Option<String>,
    pub revenue: Sek,
    pub supplier_costs: Sek,
    pub management_costs: Sek,
    pub result: Sek,
    pub self_sustaining: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EconomicsReport {
    pub year: i32,
    /// The services of the caller's scope that are established, in operation or being
    /// decommissioned.
    pub services: Vec<ServiceYear>,
    pub portfolios: Vec<PortfolioYearEconomics>,
    /// Every currency without a rate for the year (record them: `PUT /api/v1/exchange-rates/{currency}/{year}`).
    pub missing_rates: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EconomicsQuery {
    #[param(value_type = i32, minimum = 2000, maximum = 2100, example = 2027)]
    pub year: PlanYear,
}

/// The report is answered whole; `format=csv` gives its services as a spreadsheet.
impl crate::api::Listing for EconomicsQuery {
    const ORDERING: &'static [&'static str] = &[];
    const WHOLE: bool = true;
}

#[utoipa::path(
    tag = "reports",
    operation_id = "economicsReport",
    summary = "Revenue, costs and result of each service and portfolio for a year (guidelines 1)",
    description = "LG, controller, VU: every service; TÄ and TS: their scope. Exact in öre: each contract's annual value × the service's share × its days in force in the year / the year's days, converted with the recorded rate, rounded once, half away from zero. JSON, CSV of the services (`Accept: text/csv`) or Markdown (`Accept: text/markdown`).",
    params(crate::api::ListQuery<EconomicsQuery>),
    responses(
        (status = 200, description = "OK", content(
            (EconomicsReport = "application/json"),
            (String = "text/csv"),
            (String = "text/markdown")
        )),
        crate::api::responses::ReadErrors
    )
)]
#[get("/reports/economics")]
pub async fn economics(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<EconomicsQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    let year = query.year.get();
    let (figures, slugs) = crate::api::read_long(&pool, who, move |conn, caller| {
        let reach = caller.reach(Action::EconomicsRead);
        if reach.is_nowhere() {
            return Err(AppError::forbidden(Action::EconomicsRead.code()));
        }
        Ok((
            governance::economics(conn, &reach, year)?,
            governance::portfolio_slugs(conn)?,
        ))
    })
    .await?;
    let report = report_of(year, &figures.services, &slugs);
    if listing.csv() {
        return csv_response(
            &format!("economics-{year}.csv"),
            report.services.len() as i64,
            &report.services,
        );
    }
    if wants_markdown(&req) {
        return Ok(HttpResponse::Ok()
            .content_type("text/markdown; charset=utf-8")
            .body(as_markdown(&report)));
    }
    Ok(HttpResponse::Ok().json(report))
}

fn report_of(
    year: i32,
    services: &[ServiceEconomics],
    slugs: &HashMap<i64, String>,
) -> EconomicsReport {
    let mut sums: BTreeMap<Option<String>, (i64, i64, i64, bool)> = BTreeMap::new();
    let mut missing: Vec<String> = Vec::new();
    let rows = services
        .iter()
        .map(|s| {
            let portfolio_slug = s.portfolio_id.and_then(|p| slugs.get(&p).cloned());
            let complete = s.missing_rates.is_empty();
            let sum = sums
                .entry(portfolio_slug.clone())
                .or_insert((0, 0, 0, true));
            sum.0 += s.revenue;
            sum.1 += s.supplier_costs;
            sum.2 += s.management_costs;
            sum.3 &= complete;
            for c in &s.missing_rates {
                if !missing.contains(c) {
                    missing.push(c.clone());
                }
            }
            ServiceYear {
                service_id: s.service_id,
                service_slug: s.slug.clone(),
                service_name: s.name.clone(),
                portfolio_slug,
                revenue: sek(s.revenue),
                supplier_costs: sek(s.supplier_costs),
                management_costs: sek(s.management_costs),
                result: sek(s.result()),
                self_sustaining: complete.then_some(s.result() >= 0),
                missing_rates: s.missing_rates.clone(),
            }
        })
        .collect();
    missing.sort();
    EconomicsReport {
        year,
        services: rows,
        portfolios: sums
            .into_iter()
            .map(
                |(portfolio_slug, (revenue, supplier, management, complete))| {
                    let result = revenue - supplier - management;
                    PortfolioYearEconomics {
                        portfolio_slug,
                        revenue: sek(revenue),
                        supplier_costs: sek(supplier),
                        management_costs: sek(management),
                        result: sek(result),
                        self_sustaining: complete.then_some(result >= 0),
                    }
                },
            )
            .collect(),
        missing_rates: missing,
    }
}

fn as_markdown(report: &EconomicsReport) -> String {
    let yes_no = |v: Option<bool>| match v {
        Some(true) => "ja",
        Some(false) => "**nej**",
        None => "okänt (kurs saknas)",
    };
    let mut out = format!("# Tjänsternas ekonomi {}\n\n", report.year);
    out.push_str("| Portfölj | Intäkter | Leverantörskostnader | Förvaltningskostnader | Resultat | Självbärande |\n|---|---:|---:|---:|---:|---|\n");
    for p in &report.portfolios {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            md_cell(p.portfolio_slug.as_deref().unwrap_or("–")),
            p.revenue.amount,
            p.supplier_costs.amount,
            p.management_costs.amount,
            p.result.amount,
            yes_no(p.self_sustaining)
        ));
    }
    out.push_str("\n| Tjänst | Portfölj | Intäkter | Leverantörskostnader | Förvaltningskostnader | Resultat | Självbärande |\n|---|---|---:|---:|---:|---:|---|\n");
    for s in &report.services {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            md_cell(&s.service_name),
            md_cell(s.portfolio_slug.as_deref().unwrap_or("–")),
            s.revenue.amount,
            s.supplier_costs.amount,
            s.management_costs.amount,
            s.result.amount,
            yes_no(s.self_sustaining)
        ));
    }
    if !report.missing_rates.is_empty() {
        out.push_str(&format!(
            "\nKurs saknas för {}: de avtalen är inte medräknade.\n",
            md_inline(&report.missing_rates.join(", "))
        ));
    }
    out
}
