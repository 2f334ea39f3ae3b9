//! Importing services, matched by slug: a new one proposed as `POST /services` proposes it,
//! its other fields (and an existing one's) changed as `PATCH /services/{slug}` would, and the
//! lifecycle the row states reached by the steps `POST /services/{slug}/transitions` takes —
//! each under the same policy, recorded as the importer's own decisions with the import's id.
//! The staffing a service needs in operation is not asked of an import: its roles are imported
//! after it (docs/imports.md); the governance findings name a service in operation without them.

mod row;

use std::collections::HashMap;
use std::sync::Arc;

use super::file::Columns;
use super::record::{Record, RowReader};
use super::run::{Kind, Planned, Step};
use crate::api::services::{NewService, ServicePatch, ServiceView, Surroundings};
use crate::auth::policy::{Action, Caller, Grant, Target};
use crate::db::audit::{Change, ObjectType};
use crate::db::portfolios::{self, Portfolio};
use crate::db::services::{self, Service, ServiceFields};
use crate::db::{self, DbConnection};
use crate::domain::it::ItAssessment;
use crate::domain::lifecycle::{check_transition, Lifecycle, TransitionFacts};
use crate::domain::text;
use crate::error::{AppError, AppResult};

pub struct Services;

/// What the rows name, looked up once for the whole file.
pub struct Known {
    services: HashMap<String, Service>,
    /// Every portfolio, by slug.
    portfolios: HashMap<String, Portfolio>,
    /// The information systems the rows name: id by slug.
    systems: HashMap<String, i64>,
    /// Active deliveries of the existing services, by id.
    active_deliveries: HashMap<i64, i64>,
    /// What the views before and after the rows' writes show of other objects.
    surroundings: Arc<Surroundings>,
}

/// A planned service write: its fields, and the lifecycle steps to record after them.
pub struct Write {
    current: Option<Box<Service>>,
    fields: ServiceFields,
    /// The right to propose it or to change its fields (none when only its lifecycle moves).
    grant: Option<Grant>,
    steps: Vec<(Lifecycle, Grant)>,
    rejection_reason: Option<String>,
    assessment: Option<ItAssessment>,
    surroundings: Arc<Surroundings>,
}

impl Kind for Services {
    const COLUMNS: Columns = Columns {
        kind: "services",
        export: <ServiceView as crate::api::CsvRecord>::HEADER,
        required: &["slug", "name"],
        ignored: &[
            "id",
            "portfolio_id",
            "lifecycle_changed_at",
            "need_ids",
            "version",
            "created_at",
            "updated_at",
        ],
    };
    const KEY: &'static str = "slug";
    const GROWS: &'static [&'static str] = &["services"];
    type Write = Write;
    type Known = Known;

    fn look_up(conn: &mut DbConnection, records: &[Record]) -> AppResult<Known> {
        look_up(conn, records)
    }

    fn plan_row(
        _conn: &mut DbConnection,
        caller: &Caller,
        record: &Record,
        known: &mut Known,
    ) -> AppResult<Planned<Write>> {
        Ok(plan_row(caller, record, known))
    }

    fn apply(
        conn: &mut DbConnection,
        _caller: &Caller,
        write: &Write,
    ) -> AppResult<(i64, Vec<Change>)> {
        let view = |s: &Service| write.surroundings.view(s);
        let mut changes = Vec::new();
        let mut service = match (&write.current, &write.grant) {
            (None, Some(grant)) => {
                let created = services::insert(conn, &write.fields)?;
                changes.push(
                    Change::by(grant, ObjectType::Service, created.id)
                        .in_portfolio(created.portfolio_id)
                        .after(&view(&created)),
                );
                created
            }
            (Some(current), Some(grant)) => {
                let updated = services::update(conn, current, &write.fields, None)?;
                changes.push(
                    Change::by(grant, ObjectType::Service, current.id)
                        .in_portfolio(updated.portfolio_id)
                        .before(&view(current))
                        .after(&view(&updated)),
                );
                updated
            }
            (Some(current), None) => current.as_ref().clone(),
            (None, None) => return Err(AppError::internal("a planned service with no grant")),
        };
        for (to, grant) in &write.steps {
            let before = view(&service);
            let reason = (*to == Lifecycle::Rejected)
                .then(|| write.rejection_reason.clone())
                .flatten();
            let step = services::Step {
                to: *to,
                rejection_reason: reason.clone(),
            };
            let mut next = services::update(conn, &service, &write.fields, Some(step))?;
            if let (Lifecycle::Established, Some(assessment)) = (to, &write.assessment) {
                let json = serde_json::to_string(assessment).map_err(AppError::internal)?;
                services::mark_established(conn, next.id, &json)?;
                next.it_assessment = Some(json);
            }
            let mut after = serde_json::to_value(view(&next)).map_err(AppError::internal)?;
            after["transition_reason"] = serde_json::json!(reason);
            changes.push(
                Change::by(grant, ObjectType::Service, next.id)
                    .in_portfolio(next.portfolio_id)
                    .before(&before)
                    .after(&after),
            );
            service = next;
        }
        Ok((service.id, changes))
    }
}

/// Every service, portfolio and system the file names, in a few queries.
fn look_up(conn: &mut DbConnection, records: &[Record]) -> AppResult<Known> {
    let slugs: Vec<String> = records.iter().filter_map(Services::key).collect();
    let found = db::imports::services_named(conn, &slugs)?;
    let mut named_systems: Vec<String> = records.iter().flat_map(row::system_slugs).collect();
    named_systems.sort();
    named_systems.dedup();
    let systems = db::imports::systems_named(conn, &named_systems)?;
    let ids: Vec<i64> = found.iter().map(|s| s.id).collect();
    let active_deliveries = db::imports::active_deliveries(conn, &ids, db::today())?;
    let portfolios = portfolios::some_or_all(conn, None)?;
    let mut surroundings = Surroundings::of(conn, &found)?;
    surroundings
        .portfolios
        .extend(portfolios.iter().map(|p| (p.id, p.slug.clone())));
    surroundings
        .systems
        .extend(systems.iter().map(|(id, slug)| (*id, slug.clone())));
    Ok(Known {
        services: found.into_iter().map(|s| (s.slug.clone(), s)).collect(),
        portfolios: portfolios
            .into_iter()
            .map(|p| (p.slug.clone(), p))
            .collect(),
        systems: systems.into_iter().map(|(id, slug)| (slug, id)).collect(),
        active_deliveries: active_deliveries.into_iter().collect(),
        surroundings: Arc::new(surroundings),
    })
}

/// One row: read, parsed by the operations' code, matched with the service of its slug,
/// authorised.
fn plan_row(caller: &Caller, record: &Record, known: &Known) -> Planned<Write> {
    let mut reader = RowReader::new(record);
    let Some(read) = row::read(&mut reader, known) else {
        return reader.refused();
    };
    let current = known.services.get(&read.slug);
    let decided = plan(caller, read, current, known);
    reader.decided(decided, row::column)
}

fn plan(
    caller: &Caller,
    read: row::Read,
    current: Option<&Service>,
    known: &Known,
) -> AppResult<Step<Write>> {
    let (old, mut actions) = match current {
        None => (proposal(&read)?, vec![Action::ServicePropose]),
        Some(s) => (ServiceFields::of(s), Vec::new()),
    };
    let mut fields = read.patch.clone().apply_to(old.clone())?;
    keep_reviews(&mut fields, &old, &read.states_review);
    actions.extend(ServicePatch::between(&old, &fields).actions());
    let target = match current {
        Some(s) => Target::service(s.id, s.portfolio_id),
        None => fields
            .portfolio_id
            .map_or(Target::global(), Target::portfolio),
    };
    let grant = match actions.is_empty() {
        true => None,
        false => Some(caller.authorize_all(&actions, &target)?),
    };
    if fields.portfolio_id != current.and_then(|s| s.portfolio_id) {
        active_portfolio(known, fields.portfolio_id)?;
    }
    let from = current.map_or(Lifecycle::Proposed, Service::lifecycle);
    let to = read.lifecycle.unwrap_or(from);
    let path = from.path_to(to).ok_or_else(|| {
        AppError::unprocessable(
            "lifecycle",
            format!("a service cannot go from {from} to {to}"),
        )
    })?;
    let assessment = assessment(&read, current, &path)?;
    let rejection_reason = rejection_reason(&read, current, &path)?;
    let steps = steps(caller, current, &fields, from, &path, known)?;
    let Some(current) = current else {
        return Ok(Step::Create(Write {
            current: None,
            fields,
            grant,
            steps,
            rejection_reason,
            assessment,
            surroundings: known.surroundings.clone(),
        }));
    };
    if grant.is_none() && steps.is_empty() {
        return Ok(Step::Unchanged(current.id));
    }
    Ok(Step::Update(Write {
        current: Some(Box::new(current.clone())),
        fields,
        grant,
        steps,
        rejection_reason,
        assessment,
        surroundings: known.surroundings.clone(),
    }))
}

/// A new service's proposal, parsed as `POST /services` parses it.
fn proposal(read: &row::Read) -> AppResult<ServiceFields> {
    NewService {
        slug: read.slug.clone(),
        name: read.name.clone(),
        description: read.patch.description.clone().unwrap_or_default(),
        portfolio_id: read.patch.portfolio_id,
        need_ids: Vec::new(),
    }
    .parse()
}

/// A text the row leaves as it is keeps its review time unless the row states one (writing a
/// text is reviewing it; reading it back in is not).
fn keep_reviews(fields: &mut ServiceFields, old: &ServiceFields, states: &row::Reviews) {
    if !states.documentation && fields.documentation_url == old.documentation_url {
        fields.documentation_reviewed_at = old.documentation_reviewed_at;
    }
    if !states.catalog
        && fields.catalog_text == old.catalog_text
        && fields.catalog_text_en == old.catalog_text_en
    {
        fields.catalog_reviewed_at = old.catalog_reviewed_at;
    }
    if !states.security && fields.security_classification == old.security_classification {
        fields.security_reviewed_at = old.security_reviewed_at;
    }
}

/// The portfolio a service is placed in must exist and be active.
fn active_portfolio(known: &Known, id: Option<i64>) -> AppResult<()> {
    match id.and_then(|id| known.portfolios.values().find(|p| p.id == id)) {
        Some(p) if p.retired_at.is_some() => Err(AppError::unprocessable(
            "portfolio_id",
            format!("the portfolio {} is retired", p.slug),
        )),
        _ => Ok(()),
    }
}

/// Each lifecycle step the row takes, authorised and checked as `POST …/transitions` is.
fn steps(
    caller: &Caller,
    current: Option<&Service>,
    fields: &ServiceFields,
    from: Lifecycle,
    path: &[Lifecycle],
    known: &Known,
) -> AppResult<Vec<(Lifecycle, Grant)>> {
    let target = match current {
        Some(s) => Target::service(s.id, fields.portfolio_id),
        None => fields
            .portfolio_id
            .map_or(Target::global(), Target::portfolio),
    };
    let facts = TransitionFacts {
        portfolio_id: fields.portfolio_id,
        portfolio_retired: fields.portfolio_id.is_some_and(|id| {
            known
                .portfolios
                .values()
                .any(|p| p.id == id && p.retired_at.is_some())
        }),
        staffing: Vec::new(),
        active_deliveries: current
            .and_then(|s| known.active_deliveries.get(&s.id).copied())
            .unwrap_or(0),
    };
    let mut at = from;
    let mut steps = Vec::with_capacity(path.len());
    for to in path {
        let action = Action::lifecycle(*to)
            .ok_or_else(|| AppError::internal("a lifecycle path back to proposed"))?;
        let grant = caller.authorize(action, &target)?;
        check_transition(at, *to, &facts)
            .map_err(|e| AppError::unprocessable("lifecycle", e.to_string()))?;
        steps.push((*to, grant));
        at = *to;
    }
    Ok(steps)
}

/// The IT assessment an establishment records: required when the row establishes the
/// service; otherwise the row may only repeat the one recorded.
fn assessment(
    read: &row::Read,
    current: Option<&Service>,
    path: &[Lifecycle],
) -> AppResult<Option<ItAssessment>> {
    let given = match &read.assessment {
        Some(given) => Some(ItAssessment {
            summary: text::required("it_assessment_summary", &given.summary, 10_000)
                .map_err(|(f, m)| AppError::invalid_field(&f, m))?,
            information_system_ids: given.information_system_ids.clone(),
        }),
        None => None,
    };
    if path.contains(&Lifecycle::Established) {
        if given.is_none() {
            return Err(AppError::unprocessable(
                "it_assessment_summary",
                "is required when establishing a service: what of the IT environment was weighed",
            ));
        }
        return Ok(given);
    }
    let recorded = current.and_then(|s| ServiceView::from(s).it_assessment);
    if given.is_some() && given != recorded {
        return Err(AppError::unprocessable(
            "it_assessment_summary",
            "is recorded when a service is established, and does not change",
        ));
    }
    Ok(None)
}

/// The reason a rejection records: required when the row rejects the proposal; otherwise the
/// row may only repeat the one recorded.
fn rejection_reason(
    read: &row::Read,
    current: Option<&Service>,
    path: &[Lifecycle],
) -> AppResult<Option<String>> {
    let given = match &read.rejection_reason {
        Some(r) => Some(
            text::bounded("rejection_reason", r, 2000)
                .map_err(|(f, m)| AppError::invalid_field(&f, m))?,
        )
        .filter(|r| !r.trim().is_empty()),
        None => None,
    };
    if path.contains(&Lifecycle::Rejected) {
        if given.is_none() {
            return Err(AppError::unprocessable(
                "rejection_reason",
                "is required when rejecting a proposal",
            ));
        }
        return Ok(given);
    }
    let recorded = current.and_then(|s| s.rejection_reason.clone());
    if given.is_some() && given != recorded {
        return Err(AppError::unprocessable(
            "rejection_reason",
            "is recorded when a proposal is rejected, and does not change",
        ));
    }
    Ok(None)
}
