//! `/api/v1/exchange-rates`: the rates the controller records (SEK per unit of a currency, per
//! year), with which the economics report converts contract values in other currencies. A
//! missing rate is reported there, never guessed.

use actix_web::http::StatusCode;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::plans::path_year;
use crate::api::{utc, with_etag, IfMatch, Paginated};
use crate::auth::policy::{Action, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::exchange_rates::{self, ExchangeRate};
use crate::db::DbPool;
use crate::domain::governance::Rate;
use crate::domain::money::Currency;
use crate::domain::text;
use crate::error::{AppError, AppResult};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(get_one).service(set);
}

/// SEK per one unit of a currency in a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExchangeRateView {
    pub id: i64,
    #[schema(example = "EUR")]
    pub currency: String,
    #[schema(example = 2027)]
    pub year: i32,
    /// SEK per one unit, exactly (at most six decimals).
    #[schema(example = "11.425")]
    pub sek_per_unit: String,
    /// Where the rate comes from.
    #[schema(example = "Riksbanken, årsgenomsnitt 2026")]
    pub note: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&ExchangeRate> for ExchangeRateView {
    fn from(r: &ExchangeRate) -> Self {
        ExchangeRateView {
            id: r.id,
            currency: r.currency.clone(),
            year: r.year,
            sek_per_unit: Rate(r.sek_per_unit_micro).text(),
            note: r.note.clone(),
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

crate::csv_record!(ExchangeRateView {
    id,
    currency,
    year,
    sek_per_unit,
    note,
    version,
    created_at,
    updated_at
});

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRateRequest {
    /// SEK per one unit: a decimal string, at most six decimals, more than zero.
    #[schema(
        example = "11.4250",
        pattern = "^[0-9]+(\\.[0-9]{1,6})?$",
        max_length = 20
    )]
    pub sek_per_unit: String,
    #[serde(default)]
    #[schema(example = "Riksbanken, årsgenomsnitt 2026", max_length = 2000)]
    pub note: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExchangeRateQuery {
    #[param(value_type = Option<i32>, minimum = 2000, maximum = 2100)]
    pub year: Option<crate::domain::plan::PlanYear>,
    #[param(pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
}

/// The rates are answered whole.
impl crate::api::Listing for ExchangeRateQuery {
    const ORDERING: &'static [&'static str] = &[];
    const WHOLE: bool = true;
}

/// A currency code in a path: anything but an ISO 4217 code other than SEK is not a rate.
fn path_currency(code: &str) -> AppResult<Currency> {
    match Currency::parse(code) {
        Ok(c) if c != Currency::SEK => Ok(c),
        _ => Err(AppError::not_found(
            "Rates are kept for ISO 4217 currencies other than SEK.",
        )),
    }
}

#[utoipa::path(
    tag = "economics",
    operation_id = "listExchangeRates",
    summary = "Exchange rates, newest year first",
    description = "Every authenticated caller. JSON, or CSV with `Accept: text/csv`.",
    params(crate::api::ListQuery<ExchangeRateQuery>),
    responses(
        (status = 200, description = "OK", content(
            (Paginated<ExchangeRateView> = "application/json"),
            (String = "text/csv")
        )),
        crate::api::responses::ReadErrors
    )
)]
#[get("/exchange-rates")]
pub async fn list(
    req: HttpRequest,
    who: Authenticated,
    query: crate::api::ListQuery<ExchangeRateQuery>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (query, listing) = query.into_parts();
    if let Some(code) = &query.currency {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(AppError::invalid_field(
                "currency",
                "must be three capital letters (ISO 4217)",
            ));
        }
    }
    let year = query.year.map(crate::domain::plan::PlanYear::get);
    let views = crate::api::read(&pool, who, move |conn, _caller| {
        Ok(exchange_rates::list(conn, year, query.currency.as_deref())?
            .iter()
            .map(ExchangeRateView::from)
            .collect::<Vec<_>>())
    })
    .await?;
    crate::api::answer_whole(&req, &listing, views)
}

#[utoipa::path(
    tag = "economics",
    operation_id = "getExchangeRate",
    summary = "The rate of a currency for a year",
    params(
        ("currency" = String, Path, pattern = "^[A-Z]{3}$", example = "EUR"),
        ("year" = i32, Path, minimum = 2000, maximum = 2100)
    ),
    responses((status = 200, description = "OK", body = ExchangeRateView, headers(("ETag" = String))), crate::api::responses::ReadErrors)
)]
#[get("/exchange-rates/{currency}/{year}")]
pub async fn get_one(
    who: Authenticated,
    path: web::Path<(String, i32)>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (currency, year) = path.into_inner();
    let currency = path_currency(&currency)?;
    let year = path_year(year)?;
    let view = crate::api::read(&pool, who, move |conn, _caller| {
        exchange_rates::find(conn, currency.as_str(), year)?
            .map(|r| ExchangeRateView::from(&r))
            .ok_or_else(|| {
                AppError::not_found(format!("No rate is recorded for {currency} in {year}."))
            })
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

#[utoipa::path(
    tag = "economics",
    operation_id = "setExchangeRate",
    summary = "Record the rate of a currency for a year (controller); 201 when new",
    params(
        ("currency" = String, Path, pattern = "^[A-Z]{3}$", example = "EUR"),
        ("year" = i32, Path, minimum = 2000, maximum = 2100),
        crate::api::IfMatch
    ),
    request_body = ExchangeRateRequest,
    responses(
        (status = 200, description = "Changed", body = ExchangeRateView, headers(("ETag" = String))),
        (status = 201, description = "Recorded for the first time", body = ExchangeRateView, headers(("ETag" = String))),
        crate::api::responses::WriteErrors
    )
)]
#[put("/exchange-rates/{currency}/{year}")]
pub async fn set(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<(String, i32)>,
    body: web::Json<ExchangeRateRequest>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let (currency, year) = path.into_inner();
    let currency = path_currency(&currency)?;
    let year = path_year(year)?;
    let request = body.into_inner();
    let (created, view) = crate::api::write(&pool, who, move |conn, caller| {
        let grant = caller.authorize(Action::ExchangeRateSet, &Target::global())?;
        let mut f = crate::api::Fields::default();
        let rate = match Rate::parse(&request.sek_per_unit) {
            Ok(rate) => Some(rate),
            // Zero or a huge number has the document's form: a rule broken, not a form.
            Err(m) if Rate::has_form(&request.sek_per_unit) => {
                f.rule("sek_per_unit", m);
                None
            }
            Err(m) => {
                f.error("sek_per_unit", m);
                None
            }
        };
        let note = f.take(text::bounded("note", &request.note, 2000));
        f.finish()?;
        let (rate, note) = (rate.unwrap_or(Rate::ONE), note.unwrap_or_default());
        let current = exchange_rates::find(conn, currency.as_str(), year)?;
        match &current {
            Some(r) => if_match.check(r.version)?,
            None => if_match.check_none_exists()?,
        }
        let saved = exchange_rates::set(
            conn,
            currency.as_str(),
            year,
            rate.0,
            &note,
            current.as_ref(),
        )?;
        let view = ExchangeRateView::from(&saved);
        let mut change = Change::by(&grant, ObjectType::ExchangeRate, saved.id).after(&view);
        if let Some(before) = &current {
            change = change.before(&ExchangeRateView::from(before));
        }
        Ok(Audited::new((current.is_none(), view), change))
    })
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(with_etag(status, view.version, &view))
}
