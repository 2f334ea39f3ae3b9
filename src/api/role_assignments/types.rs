use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use std::collections::HashMap;

use crate::api::csv::{cell, csv_cell, CsvRecord};
use crate::api::utc;
use crate::db::role_assignments::Held;
use crate::db::{portfolios, DbConnection};
use crate::domain::role::{Delegation, Delegations, RoleCode, ScopeKind};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignmentView {
    pub id: i64,
    /// The holder's `sub`.
    #[schema(example = "tjf.eduroam@sunet.se")]
    pub subject: String,
    pub subject_name: Option<String>,
    pub person_id: i64,
    pub role: RoleCode,
    pub portfolio_id: Option<i64>,
    /// The portfolio's slug (a role held on a portfolio).
    pub portfolio_slug: Option<String>,
    pub service_id: Option<i64>,
    /// The service's slug (a role held on a service).
    pub service_slug: Option<String>,
    /// The delegated duties (a TS's, in Sunet's model).
    pub delegations: Vec<Delegation>,
    /// When the appointee accepted the responsibility.
    pub accepted_at: Option<DateTime<Utc>>,
    pub active: bool,
    pub created_by: String,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_by: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Held> for AssignmentView {
    fn from(h: &Held) -> Self {
        let a = &h.assignment;
        AssignmentView {
            id: a.id,
            subject: h.sub.clone(),
            subject_name: h.name.clone(),
            person_id: a.person_id,
            // As stored, also a role the model in force no longer has (it grants nothing).
            role: RoleCode::stored(&a.role),
            portfolio_id: a.portfolio_id,
            portfolio_slug: None,
            service_id: a.service_id,
            service_slug: None,
            delegations: Delegations::from_stored(&a.delegations).items().to_vec(),
            accepted_at: a.accepted_at.map(utc),
            active: a.ended_at.is_none(),
            created_by: a.created_by.clone(),
            ended_at: a.ended_at.map(utc),
            ended_by: a.ended_by.clone(),
            version: a.version,
            created_at: utc(a.created_at),
            updated_at: utc(a.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignmentRequest {
    /// The appointee's `sub`; the person is created if not yet seen.
    #[schema(
        example = "tjf.eduroam@sunet.se",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 255
    )]
    pub subject: String,
    pub role: RoleCode,
    /// For a role held on a portfolio (a TÄ, a portfolio-wide TS).
    pub portfolio_id: Option<i64>,
    /// For a role held on a service (a TJF, a specialist, a service-level TS).
    pub service_id: Option<i64>,
    /// For a role that carries delegations (a TS in Sunet's model), some of those it may carry.
    #[serde(default)]
    pub delegations: Vec<Delegation>,
}

/// The place an assignment is on, checked against the role's scope kind.
pub enum Place {
    Global,
    Portfolio(i64),
    Service(i64),
}

impl NewAssignmentRequest {
    /// The place the request names, given where its role holds.
    pub(crate) fn place(&self, scope: ScopeKind) -> AppResult<Place> {
        let wrong = |message: &str| AppError::unprocessable("portfolio_id", message.to_string());
        match (scope, self.portfolio_id, self.service_id) {
            (ScopeKind::Global, None, None) => Ok(Place::Global),
            (ScopeKind::Global, _, _) => Err(wrong("a global role takes neither portfolio_id nor service_id")),
            (ScopeKind::Portfolio, Some(p), None) => Ok(Place::Portfolio(p)),
            (ScopeKind::Portfolio, _, _) => Err(wrong("this role is assigned on a portfolio: give portfolio_id only")),
            (ScopeKind::Service, None, Some(s)) => Ok(Place::Service(s)),
            (ScopeKind::Service, _, _) => Err(AppError::unprocessable(
                "service_id",
                "this role is assigned on a service: give service_id only",
            )),
            (ScopeKind::PortfolioOrService, Some(p), None) => Ok(Place::Portfolio(p)),
            (ScopeKind::PortfolioOrService, None, Some(s)) => Ok(Place::Service(s)),
            (ScopeKind::PortfolioOrService, _, _) => Err(wrong("this role is assigned on a portfolio or on a service: give exactly one of portfolio_id, service_id")),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// The holder's `sub`.
    pub subject: Option<String>,
    pub role: Option<RoleCode>,
    /// Assignments on this portfolio (its id or slug).
    pub portfolio: Option<String>,
    /// Assignments on this service (its id or slug).
    pub service: Option<String>,
    /// Only active (true) or only ended (false) assignments.
    pub active: Option<bool>,
}

impl crate::api::Listing for AssignmentQuery {
    const ORDERING: &'static [&'static str] = crate::db::role_assignments::SORT_FIELDS;
}

/// The slugs of the views' portfolios and services, in two queries.
pub fn with_place_slugs(
    conn: &mut DbConnection,
    mut views: Vec<AssignmentView>,
) -> AppResult<Vec<AssignmentView>> {
    let portfolio_ids: Vec<i64> = views.iter().filter_map(|v| v.portfolio_id).collect();
    let service_ids: Vec<i64> = views.iter().filter_map(|v| v.service_id).collect();
    let portfolios: HashMap<i64, String> = match portfolio_ids.is_empty() {
        true => HashMap::new(),
        false => portfolios::some_or_all(conn, Some(&portfolio_ids))?
            .into_iter()
            .map(|p| (p.id, p.slug))
            .collect(),
    };
    let services: HashMap<i64, String> = match service_ids.is_empty() {
        true => HashMap::new(),
        false => crate::db::services::slugs_of(conn, &service_ids)?
            .into_iter()
            .collect(),
    };
    for view in &mut views {
        view.portfolio_slug = view.portfolio_id.and_then(|p| portfolios.get(&p).cloned());
        view.service_slug = view.service_id.and_then(|s| services.get(&s).cloned());
    }
    Ok(views)
}

/// The export's columns: the place by slug beside its id, the delegations separated by `;`
/// (docs/imports.md).
impl CsvRecord for AssignmentView {
    const HEADER: &'static [&'static str] = &[
        "id",
        "subject",
        "subject_name",
        "person_id",
        "role",
        "portfolio_id",
        "portfolio_slug",
        "service_id",
        "service_slug",
        "delegations",
        "accepted_at",
        "active",
        "created_by",
        "ended_at",
        "ended_by",
        "version",
        "created_at",
        "updated_at",
    ];

    fn record(&self) -> Vec<String> {
        let delegations: Vec<String> = self.delegations.iter().map(|d| d.to_string()).collect();
        vec![
            self.id.to_string(),
            self.subject.clone(),
            cell(&self.subject_name),
            self.person_id.to_string(),
            self.role.to_string(),
            cell(&self.portfolio_id),
            cell(&self.portfolio_slug),
            cell(&self.service_id),
            cell(&self.service_slug),
            delegations.join("; "),
            csv_cell(&self.accepted_at),
            self.active.to_string(),
            self.created_by.clone(),
            csv_cell(&self.ended_at),
            cell(&self.ended_by),
            self.version.to_string(),
            csv_cell(&self.created_at),
            csv_cell(&self.updated_at),
        ]
    }
}
