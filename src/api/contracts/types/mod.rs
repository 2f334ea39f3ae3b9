mod patch;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{cell, utc, CsvRecord, Fields};
use crate::db::contracts::{Contract, ContractFields, Covered};
use crate::domain::contract::{check_shares, ContractKind, ContractStatus, Renewal, Terms};
use crate::domain::money::MoneyJson;
use crate::domain::text;
use crate::error::{AppError, AppResult};

pub use patch::*;

/// Longest notice period and renewal term accepted, in months (ten years).
const MAX_MONTHS: i64 = 120;

/// A person's `sub`: one line of 1–255 characters.
// (The document's type; the service parses the text with domain::text::line.)
#[derive(ToSchema)]
#[schema(
    value_type = String,
    pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
    max_length = 255,
    example = "controller@sunet.se"
)]
#[allow(dead_code)]
pub struct SubjectText(String);

/// A covered service and its share of the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceShare {
    pub service_id: i64,
    /// Whole percent, 1–100; the shares of a contract sum to 100.
    #[schema(minimum = 1, maximum = 100)]
    pub share_percent: i64,
}

/// A covered service as the views show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoveredService {
    pub service_id: i64,
    #[schema(example = "eduroam")]
    pub service_slug: String,
    pub share_percent: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractView {
    pub id: i64,
    pub kind: ContractKind,
    pub organization_id: i64,
    #[schema(example = "uppsala-universitet")]
    pub organization_slug: String,
    #[schema(example = "Uppsala universitet")]
    pub organization_name: String,
    #[schema(example = "Anslutningsavtal eduroam")]
    pub title: String,
    /// Unique, e.g. a diary number (diarienummer).
    #[schema(example = "VR 2026-01234")]
    pub reference: String,
    pub start_date: NaiveDate,
    /// The end of the first term; null: open-ended.
    pub end_date: Option<NaiveDate>,
    pub notice_period_months: i64,
    pub renewal: Renewal,
    pub renewal_term_months: Option<i64>,
    pub annual_value: MoneyJson,
    pub services: Vec<CoveredService>,
    pub document_url: Option<String>,
    /// The `sub`s of the people responsible.
    pub responsible: Vec<String>,
    /// Derived: `active`, `expiring` (the current term ends within 90 days and no automatic
    /// renewal follows), `expired`, `terminated`.
    pub status: ContractStatus,
    /// Derived: the end date, rolled forward by whole terms under automatic renewal.
    pub current_term_end: Option<NaiveDate>,
    /// Derived: the last day notice can be given for the current term.
    pub notice_deadline: Option<NaiveDate>,
    /// Derived: days from today to `current_term_end` (negative once expired).
    pub expires_in_days: Option<i64>,
    /// When terminated: the day the contract ends.
    pub terminated_on: Option<NaiveDate>,
    pub termination_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ContractView {
    /// The view of `contract` on `today`, with its organisation's slug and name and the
    /// covered services (rows of `covered` for other contracts are skipped).
    pub fn of(
        contract: &Contract,
        organization: (&str, &str),
        covered: &[Covered],
        today: NaiveDate,
    ) -> Self {
        ContractView {
            id: contract.id,
            kind: contract.kind(),
            organization_id: contract.organization_id,
            organization_slug: organization.0.to_string(),
            organization_name: organization.1.to_string(),
            title: contract.title.clone(),
            reference: contract.reference.clone(),
            start_date: contract.start_date,
            end_date: contract.end_date,
            notice_period_months: i64::from(contract.notice_period_months),
            renewal: contract.renewal(),
            renewal_term_months: contract.renewal_term_months.map(i64::from),
            annual_value: contract.annual_value().into(),
            services: covered
                .iter()
                .filter(|c| c.contract_id == contract.id)
                .map(|c| CoveredService {
                    service_id: c.service_id,
                    service_slug: c.service_slug.clone(),
                    share_percent: i64::from(c.share_percent),
                })
                .collect(),
            document_url: contract.document_url.clone(),
            responsible: contract.responsible(),
            status: contract.status_on(today),
            current_term_end: contract.current_term_end,
            notice_deadline: contract.notice_deadline,
            expires_in_days: contract
                .current_term_end
                .map(|end| (end - today).num_days()),
            terminated_on: contract.terminated_on,
            termination_reason: contract.termination_reason.clone(),
            version: contract.version,
            created_at: utc(contract.created_at),
            updated_at: utc(contract.updated_at),
        }
    }
}

impl CsvRecord for ContractView {
    const HEADER: &'static [&'static str] = &[
        "id",
        "kind",
        "reference",
        "title",
        "organization_slug",
        "organization_name",
        "services",
        "start_date",
        "end_date",
        "renewal",
        "renewal_term_months",
        "notice_period_months",
        "current_term_end",
        "notice_deadline",
        "expires_in_days",
        "status",
        "annual_value_amount",
        "annual_value_currency",
        "terminated_on",
        "termination_reason",
        "document_url",
        "responsible",
    ];

    fn record(&self) -> Vec<String> {
        let services: Vec<String> = self
            .services
            .iter()
            .map(|s| format!("{} {}%", s.service_slug, s.share_percent))
            .collect();
        vec![
            self.id.to_string(),
            self.kind.to_string(),
            self.reference.clone(),
            self.title.clone(),
            self.organization_slug.clone(),
            self.organization_name.clone(),
            services.join("; "),
            self.start_date.to_string(),
            cell(&self.end_date),
            self.renewal.to_string(),
            cell(&self.renewal_term_months),
            self.notice_period_months.to_string(),
            cell(&self.current_term_end),
            cell(&self.notice_deadline),
            cell(&self.expires_in_days),
            self.status.to_string(),
            self.annual_value.amount.clone(),
            self.annual_value.currency.clone(),
            cell(&self.terminated_on),
            cell(&self.termination_reason),
            cell(&self.document_url),
            self.responsible.join("; "),
        ]
    }
}

/// A new contract.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContract {
    pub kind: ContractKind,
    /// A supplier for a supplier contract, a customer for a customer contract.
    pub organization_id: i64,
    #[schema(
        example = "Anslutningsavtal eduroam",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 300
    )]
    pub title: String,
    #[schema(
        example = "VR 2026-01234",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 100
    )]
    pub reference: String,
    pub start_date: NaiveDate,
    /// Not before `start_date`; required when the contract renews.
    pub end_date: Option<NaiveDate>,
    /// Default 0.
    #[schema(minimum = 0, maximum = 120)]
    pub notice_period_months: Option<i64>,
    /// Default `none`.
    pub renewal: Option<Renewal>,
    /// Required when `renewal` is not `none`.
    #[schema(minimum = 1, maximum = 120)]
    pub renewal_term_months: Option<i64>,
    pub annual_value: MoneyJson,
    /// The covered services; shares sum to 100.
    #[schema(min_items = 1, max_items = 100)]
    pub services: Vec<ServiceShare>,
    #[schema(
        max_length = 2000,
        pattern = "^[\\t\\n\\r ]*https?://[^/\\s\\u0000-\\u001F\\u007F-\\u009F][^\\s\\u0000-\\u001F\\u007F-\\u009F]*[\\t\\n\\r ]*$"
    )]
    pub document_url: Option<String>,
    /// `sub`s of the people responsible.
    #[serde(default)]
    #[schema(value_type = Vec<SubjectText>, max_items = 20)]
    pub responsible: Vec<String>,
}

fn months(f: &mut Fields, field: &str, value: i64, min: i64) -> u32 {
    if (min..=MAX_MONTHS).contains(&value) {
        value as u32
    } else {
        f.error(field, format!("must be {min} to {MAX_MONTHS} months"));
        0
    }
}

impl NewContract {
    /// The covered service ids, as named in the body.
    pub fn service_ids(&self) -> Vec<i64> {
        self.services.iter().map(|s| s.service_id).collect()
    }

    pub fn parse(&self) -> AppResult<ContractFields> {
        let mut f = Fields::default();
        let title = f.take(text::line("title", &self.title, 300));
        let reference = f.take(text::line("reference", &self.reference, 100));
        if let Some(end) = self.end_date {
            if end < self.start_date {
                f.rule("end_date", "must not be before start_date");
            }
        }
        let notice = months(
            &mut f,
            "notice_period_months",
            self.notice_period_months.unwrap_or(0),
            0,
        );
        let renewal = self.renewal.unwrap_or(Renewal::None);
        let term = match (renewal, self.renewal_term_months) {
            (Renewal::None, None) => None,
            (Renewal::None, Some(_)) => {
                f.rule(
                    "renewal_term_months",
                    "is given only when the contract renews",
                );
                None
            }
            (_, None) => {
                f.rule(
                    "renewal_term_months",
                    "is required when renewal is not none",
                );
                None
            }
            (_, Some(m)) => Some(months(&mut f, "renewal_term_months", m, 1)),
        };
        if renewal != Renewal::None && self.end_date.is_none() {
            f.rule("end_date", "is required when the contract renews");
        }
        let annual_value = f.take(self.annual_value.parse("annual_value"));
        let shares: Vec<(i64, i64)> = self
            .services
            .iter()
            .map(|s| (s.service_id, s.share_percent))
            .collect();
        if let Err(message) = check_shares(&shares) {
            f.rule("services", message);
        }
        if self.services.len() > 100 {
            f.error("services", "must name at most 100 services");
        }
        let document_url = self
            .document_url
            .as_ref()
            .and_then(|u| f.take(text::url("document_url", u)));
        if self.responsible.len() > 20 {
            f.error("responsible", "must name at most 20 people");
        }
        let responsible: Vec<String> = self
            .responsible
            .iter()
            .enumerate()
            .filter_map(|(i, sub)| f.take(text::line(&format!("responsible[{i}]"), sub, 255)))
            .collect();
        f.finish()?;
        let mut services = shares;
        services.sort_unstable();
        Ok(ContractFields {
            kind: self.kind,
            organization_id: self.organization_id,
            title: title.unwrap_or_default(),
            reference: reference.unwrap_or_default(),
            terms: Terms {
                start_date: self.start_date,
                end_date: self.end_date,
                notice_period_months: notice,
                renewal,
                renewal_term_months: term,
            },
            annual_value: annual_value.ok_or_else(|| AppError::internal("money parsed"))?,
            document_url,
            responsible,
            services,
        })
    }
}

/// Ending a contract before (or at) its term's end.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Termination {
    /// The day the contract ends; not before its start.
    pub date: NaiveDate,
    /// Why (a decision, a reference to the notice given).
    #[schema(
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$",
        max_length = 2000
    )]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContractQuery {
    pub kind: Option<ContractKind>,
    /// Organization id or slug.
    pub organization: Option<String>,
    /// A covered service, by id or slug.
    pub service: Option<String>,
    /// Contracts covering a service of this portfolio (id or slug).
    pub portfolio: Option<String>,
    pub status: Option<ContractStatus>,
    /// Not terminated, no automatic renewal, and the current term ends within this many days.
    #[param(minimum = 0, maximum = 36500)]
    pub expiring_within_days: Option<i64>,
    /// Not terminated, and the last day to give notice is within this many days.
    #[param(minimum = 0, maximum = 36500)]
    pub notice_within_days: Option<i64>,
    /// Text search in title and reference.
    #[serde(default, deserialize_with = "crate::domain::text::search")]
    #[param(max_length = 200)]
    pub q: Option<String>,
}

impl crate::api::Listing for ContractQuery {
    const ORDERING: &'static [&'static str] = crate::db::contracts::SORT_FIELDS;
}

impl ContractQuery {
    /// The day-count filters, checked.
    pub fn check(&self) -> AppResult<()> {
        let mut f = Fields::default();
        for (field, value) in [
            ("expiring_within_days", self.expiring_within_days),
            ("notice_within_days", self.notice_within_days),
        ] {
            if value.is_some_and(|d| !(0..=36_500).contains(&d)) {
                f.error(field, "must be 0 to 36500 days");
            }
        }
        f.finish()
    }
}
