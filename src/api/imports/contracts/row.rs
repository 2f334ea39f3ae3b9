//! One contract row read into the create operation's request: the organization and the
//! services by slug, the shares as the export writes them (`eduroam 60%; swamid 40%`, or
//! `eduroam:60; swamid:40`, or a JSON file's `[{"service_slug", "share_percent"}]`).

use chrono::NaiveDate;
use serde_json::Value;

use super::Known;
use crate::api::contracts::{NewContract, ServiceShare};
use crate::api::imports::record::{flat, Record, RowReader};
use crate::db::contracts::Covered;
use crate::db::organizations::Organization;
use crate::domain::money::MoneyJson;

/// The covered services as the file names them, found.
pub struct Shares(Vec<Share>);

struct Share {
    service_id: i64,
    slug: String,
    portfolio_id: Option<i64>,
    percent: i64,
}

impl Shares {
    pub fn places(&self) -> Vec<(i64, Option<i64>)> {
        self.0
            .iter()
            .map(|s| (s.service_id, s.portfolio_id))
            .collect()
    }

    /// The covered rows of contract `contract_id` (its view, without reading them back).
    pub fn covered(&self, contract_id: i64) -> Vec<Covered> {
        let mut covered: Vec<Covered> = self
            .0
            .iter()
            .map(|s| Covered {
                contract_id,
                service_id: s.service_id,
                share_percent: s.percent as i32,
                service_slug: s.slug.clone(),
                portfolio_id: s.portfolio_id,
            })
            .collect();
        covered.sort_by_key(|c| c.service_id);
        covered
    }
}

/// A row read: the create operation's request and what it names.
pub struct Read {
    pub request: NewContract,
    pub organization: Organization,
    pub shares: Shares,
    /// The day it ends and why, where the file records a termination.
    pub termination: Option<(NaiveDate, String)>,
    /// Does the file state the termination columns (empty: not terminated)?
    pub states_termination: bool,
}

/// The file's column of an operation's field (`organization_id` → `organization_slug`,
/// `services[1].service_id` → `services`, `annual_value.amount` → `annual_value_amount`).
pub fn column(field: &str) -> String {
    match field.split('[').next().unwrap_or(field) {
        "organization_id" => "organization_slug".into(),
        other => flat(other),
    }
}

/// The service slugs a row names (for looking them up before the rows are read).
pub fn service_slugs(record: &Record) -> Vec<String> {
    pairs(record)
        .into_iter()
        .filter_map(|p| p.ok())
        .map(|(slug, _)| slug)
        .collect()
}

/// The `(slug, share)` pairs of the row's `services`, each or why it cannot be read.
fn pairs(record: &Record) -> Vec<Result<(String, i64), String>> {
    match record.json("services") {
        Some(Value::Array(items)) => items.iter().map(pair_of_object).collect(),
        Some(_) if !record.csv => vec![Err(
            "must be a list of {\"service_slug\", \"share_percent\"}".into(),
        )],
        _ => record
            .text("services")
            .unwrap_or_default()
            .split(';')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(pair_of_text)
            .collect(),
    }
}

fn pair_of_object(item: &Value) -> Result<(String, i64), String> {
    let slug = item.get("service_slug").and_then(Value::as_str);
    let share = item.get("share_percent").and_then(Value::as_i64);
    match (slug, share) {
        (Some(slug), Some(share)) => Ok((slug.trim().to_string(), share)),
        _ => Err("each service is {\"service_slug\", \"share_percent\"}".into()),
    }
}

fn pair_of_text(item: &str) -> Result<(String, i64), String> {
    let split = item
        .rsplit_once(':')
        .or_else(|| item.rsplit_once(char::is_whitespace));
    let Some((slug, share)) = split else {
        return Err(format!(
            "'{item}' is not a service and its share ('eduroam 60%' or 'eduroam:60')"
        ));
    };
    let share = share.trim().trim_end_matches('%').trim();
    share
        .parse::<i64>()
        .map(|p| (slug.trim().to_string(), p))
        .map_err(|_| format!("'{item}': the share is a whole percent"))
}

fn shares(reader: &mut RowReader, record: &Record, known: &Known) -> Option<Shares> {
    let mut found = Vec::new();
    for pair in pairs(record) {
        match pair {
            Ok((slug, percent)) => match known.services.get(&slug) {
                Some((id, portfolio)) => found.push(Share {
                    service_id: *id,
                    slug,
                    portfolio_id: *portfolio,
                    percent,
                }),
                None => reader.error("services", format!("there is no service '{slug}'")),
            },
            Err(message) => reader.error("services", message),
        }
    }
    Some(Shares(found))
}

/// The row read into the create operation's request; `base` is the contract as it is, for
/// the columns the file leaves out. `None` when the row cannot be read (its errors are in
/// `reader`).
pub fn read(reader: &mut RowReader, known: &Known, base: Option<NewContract>) -> Option<Read> {
    let record = reader.record();
    let kind = reader.required_parsed("kind");
    let title = reader.required("title");
    let reference = reader.required("reference");
    let slug = reader.required("organization_slug");
    let organization = known.organizations.get(slug.trim()).cloned();
    if organization.is_none() && !slug.is_empty() {
        reader.error(
            "organization_slug",
            format!("there is no organization '{}'", slug.trim()),
        );
    }
    if record.text("services").is_none() && record.json("services").is_none() {
        reader.error("services", "is required");
    }
    let shares = shares(reader, record, known)?;
    let start_date = reader.date("start_date");
    if record.text("start_date").is_none() {
        reader.error("start_date", "is required");
    }
    let stated = |column: &str| record.states(column);
    let end_date = if stated("end_date") {
        reader.date("end_date")
    } else {
        base.as_ref().and_then(|b| b.end_date)
    };
    let notice_period_months = if stated("notice_period_months") {
        reader.integer("notice_period_months")
    } else {
        base.as_ref().and_then(|b| b.notice_period_months)
    };
    let renewal = if stated("renewal") {
        reader.parsed("renewal")
    } else {
        base.as_ref().and_then(|b| b.renewal)
    };
    let renewal_term_months = if stated("renewal_term_months") {
        reader.integer("renewal_term_months")
    } else {
        base.as_ref().and_then(|b| b.renewal_term_months)
    };
    let annual_value = MoneyJson {
        amount: reader.required("annual_value_amount"),
        currency: reader.required("annual_value_currency"),
    };
    let document_url = reader.optional_or(
        "document_url",
        &base.as_ref().and_then(|b| b.document_url.clone()),
    );
    let responsible = if stated("responsible") {
        reader.list("responsible")
    } else {
        base.as_ref()
            .map(|b| b.responsible.clone())
            .unwrap_or_default()
    };
    let termination = termination(reader, record);
    let (Some(kind), Some(organization), Some(start_date)) = (kind, organization, start_date)
    else {
        return None;
    };
    let request = NewContract {
        kind,
        organization_id: organization.id,
        title,
        reference,
        start_date,
        end_date,
        notice_period_months,
        renewal,
        renewal_term_months,
        annual_value,
        services: shares
            .0
            .iter()
            .map(|s| ServiceShare {
                service_id: s.service_id,
                share_percent: s.percent,
            })
            .collect(),
        document_url,
        responsible,
    };
    Some(Read {
        request,
        organization,
        shares,
        termination,
        states_termination: stated("terminated_on"),
    })
}

/// A termination in the file: its day and (required then) its reason.
fn termination(reader: &mut RowReader, record: &Record) -> Option<(NaiveDate, String)> {
    let date = reader.date("terminated_on")?;
    let reason = record.text("termination_reason").unwrap_or_default();
    match crate::domain::text::required("termination_reason", &reason, 2000) {
        Ok(reason) => Some((date, reason)),
        Err((field, message)) => {
            reader.error(&field, message);
            None
        }
    }
}
