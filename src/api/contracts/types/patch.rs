//! A change of a contract's fields.

use super::*;
use crate::api::double_option;
use crate::db::contracts::{Contract, Covered};
use crate::domain::contract::Renewal;
use crate::domain::money::MoneyJson;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

/// Fields to change; absent fields stay, `null` clears an optional one. The kind of a contract
/// does not change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct ContractPatch {
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub organization_id: Option<i64>,
    #[schema(
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 300
    )]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub title: Option<String>,
    #[schema(
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 100
    )]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub reference: Option<String>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub start_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub end_date: Option<Option<NaiveDate>>,
    #[schema(minimum = 0, maximum = 120)]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub notice_period_months: Option<i64>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub renewal: Option<Renewal>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 120)]
    pub renewal_term_months: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub annual_value: Option<MoneyJson>,
    /// Replaces the covered services as a whole.
    #[schema(min_items = 1, max_items = 100)]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub services: Option<Vec<ServiceShare>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 2000, pattern = "^[\\t\\n\\r ]*https?://[^/\\s\\u0000-\\u001F\\u007F-\\u009F][^\\s\\u0000-\\u001F\\u007F-\\u009F]*[\\t\\n\\r ]*$")]
    pub document_url: Option<Option<String>>,
    #[schema(value_type = Option<Vec<SubjectText>>, max_items = 20)]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub responsible: Option<Vec<String>>,
}

impl ContractPatch {
    pub fn is_empty(&self) -> bool {
        self.organization_id.is_none()
            && self.title.is_none()
            && self.reference.is_none()
            && self.start_date.is_none()
            && self.end_date.is_none()
            && self.notice_period_months.is_none()
            && self.renewal.is_none()
            && self.renewal_term_months.is_none()
            && self.annual_value.is_none()
            && self.services.is_none()
            && self.document_url.is_none()
            && self.responsible.is_none()
    }

    /// The whole contract after the patch, as a request to parse.
    pub fn onto(&self, current: &Contract, covered: &[Covered]) -> NewContract {
        let t = current.terms();
        NewContract {
            kind: current.kind(),
            organization_id: self.organization_id.unwrap_or(current.organization_id),
            title: self.title.clone().unwrap_or_else(|| current.title.clone()),
            reference: self
                .reference
                .clone()
                .unwrap_or_else(|| current.reference.clone()),
            start_date: self.start_date.unwrap_or(t.start_date),
            end_date: self.end_date.unwrap_or(t.end_date),
            notice_period_months: Some(
                self.notice_period_months
                    .unwrap_or(i64::from(t.notice_period_months)),
            ),
            renewal: Some(self.renewal.unwrap_or(t.renewal)),
            renewal_term_months: self
                .renewal_term_months
                .unwrap_or(t.renewal_term_months.map(i64::from)),
            annual_value: self
                .annual_value
                .clone()
                .unwrap_or_else(|| current.annual_value().into()),
            services: self.services.clone().unwrap_or_else(|| {
                covered
                    .iter()
                    .map(|c| ServiceShare {
                        service_id: c.service_id,
                        share_percent: i64::from(c.share_percent),
                    })
                    .collect()
            }),
            document_url: self
                .document_url
                .clone()
                .unwrap_or_else(|| current.document_url.clone()),
            responsible: self
                .responsible
                .clone()
                .unwrap_or_else(|| current.responsible()),
        }
    }
}
