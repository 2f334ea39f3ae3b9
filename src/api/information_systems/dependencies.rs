//! What a system depends on (`/information-systems/{id}/dependencies`: LG, its responsible) and
//! what breaks when it goes (`/information-systems/{id}/impact`: everyone signed in).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{authorize, view_of, PathStep, SystemDependencyRequest, SystemDependencyView};
use crate::api::csv::{csv_cell, CsvRecord};
use crate::api::{with_etag, IfMatch, NoFilters, Paginated};
use crate::auth::policy::{Action, Grant};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::information_systems::{self as systems, GraphCache};
use crate::db::{DbConnection, DbPool};
use crate::domain::it::{Criticality, SystemLifecycle};
use crate::domain::it_graph::{Change as GraphChange, Impact};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::role::ScopeKind;
use crate::domain::slug::IdOrSlug;
use crate::domain::text;
use crate::error::{AppError, AppResult};

#[utoipa::path(
    tag = "information-systems",
    operation_id = "listSystemDependencies",
    summary = "What a system depends on directly",
    params(("system" = String, Path, description = "Id or slug"), crate::api::ListQuery<NoFilters>),
    responses((status = 200, description = "OK", body = Paginated<SystemDependencyView>), crate::api::responses::ReadErrors)
)]
#[get("/information-systems/{system}/dependencies")]
pub async fn list_dependencies(
    req: HttpRequest,
    who: Authenticated,
    path: web::Path<String>,
    query: crate::api::ListQuery<NoFilters>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let (_, listing) = query.into_parts();
    let views = crate::api::read(&pool, who, move |conn, _caller| {
        let system = systems::find(conn, &key)?;
        Ok(systems::of_system(conn, system.id)?
            .iter()
            .map(|(d, on)| SystemDependencyView::of(d, on))
            .collect::<Vec<_>>())
    })
    .await?;
    crate::api::answer_whole(&req, &listing, views)
}

/// A system named by id in a request body: 422 naming `field` when there is none.
pub(crate) fn named_system(
    conn: &mut DbConnection,
    field: &str,
    id: i64,
) -> AppResult<systems::InformationSystem> {
    match systems::find(conn, &IdOrSlug::Id(id)) {
        Err(AppError::NotFound(_)) => Err(AppError::unprocessable(
            field,
            format!("there is no information system {id}"),
        )),
        other => other,
    }
}

/// A retired system takes no new dependants: 409.
pub(crate) fn not_retired(system: &systems::InformationSystem) -> AppResult<()> {
    if system.lifecycle() == SystemLifecycle::Retired {
        return Err(AppError::conflict(format!(
            "The information system '{}' is retired: nothing may come to depend on it.",
            system.slug
        )));
    }
    Ok(())
}

/// An optional note of at most `max` characters (400 beyond); blank is none.
pub(crate) fn note(note: Option<&str>, max: usize) -> AppResult<Option<String>> {
    note.map(|n| text::bounded("note", n, max))
        .transpose()
        .map_err(|(f, m)| AppError::invalid_field(&f, m))
        .map(|n| n.filter(|n| !n.is_empty()))
}

#[utoipa::path(
    tag = "information-systems",
    operation_id = "addSystemDependency",
    summary = "Record that a system depends on another (LG; the system's responsible)",
    description = "The other system must not be retired (409), nor the system itself, nor close a cycle (422 naming the path).",
    params(("system" = String, Path, description = "Id or slug"), crate::api::IfMatch),
    request_body = SystemDependencyRequest,
    responses((status = 201, description = "Created; the system's new version", body = super::SystemView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[post("/information-systems/{system}/dependencies")]
pub async fn add_dependency(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<String>,
    body: web::Json<SystemDependencyRequest>,
    pool: web::Data<DbPool>,
    cache: web::Data<GraphCache>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let request = body.into_inner();
    let graph = cache.clone();
    let written = crate::api::write(&pool, who, move |conn, caller| {
        let system = systems::find(conn, &key)?;
        let grant = authorize(conn, caller, Action::SystemDependencyManage, &system)?;
        if_match.check(system.version)?;
        let note = note(request.note.as_deref(), 2000)?;
        if request.depends_on_id == system.id {
            return Err(AppError::unprocessable(
                "depends_on_id",
                "a system does not depend on itself",
            ));
        }
        let on = named_system(conn, "depends_on_id", request.depends_on_id)?;
        not_retired(&on)?;
        if systems::system_depends_on(conn, system.id, on.id)? {
            return Err(AppError::conflict(format!(
                "'{}' depends on '{}' already.",
                system.slug, on.slug
            )));
        }
        if let Some(path) = systems::graph(conn, &graph)?.cycle(system.id, on.id) {
            return Err(AppError::unprocessable(
                "depends_on_id",
                format!(
                    "would close a cycle: {}",
                    cycle_text(conn, system.id, &path)?
                ),
            ));
        }
        let before = view_of(conn, &system)?;
        let edge = systems::insert_of_system(conn, system.id, on.id, note.as_deref(), &caller.sub)?;
        let dependency = SystemDependencyView::of(&edge, &on.outline());
        let change = Change::as_action(
            "information_system.dependency_add",
            &grant,
            ObjectType::SystemDependency,
            edge.id,
        )
        .after(&dependency);
        let made = GraphChange::SystemAdded {
            system: system.id,
            on: on.id,
        };
        dependency_changed(conn, &grant, &system, &before, change, made)
    })
    .await?;
    let (view, (generation, made)) = written;
    cache.applied(generation, made);
    Ok(with_etag(StatusCode::CREATED, view.version, &view))
}

/// A system's dependency `change` recorded: its own event, the system's new version (reviewed
/// now), and the graph's generation with the change made, for the instance's copy.
fn dependency_changed(
    conn: &mut DbConnection,
    grant: &Grant,
    system: &systems::InformationSystem,
    before: &super::SystemView,
    change: Change,
    made: GraphChange,
) -> AppResult<Audited<(super::SystemView, (i64, GraphChange))>> {
    let touched = systems::touch_reviewed(conn, system)?;
    let after = view_of(conn, &touched)?;
    let made = (systems::generation(conn)?, made);
    Ok(Audited::new((after.clone(), made), change).and(
        Change::by(grant, ObjectType::InformationSystem, system.id)
            .before(before)
            .after(&after),
    ))
}

/// `a → b → … → a` by slug: the system, then the path that comes back to it.
fn cycle_text(conn: &mut DbConnection, system: i64, path: &[i64]) -> AppResult<String> {
    let mut ids = vec![system];
    ids.extend_from_slice(path);
    let slugs: HashMap<i64, String> = systems::find_many(conn, &ids)?
        .into_iter()
        .map(|s| (s.id, s.slug))
        .collect();
    Ok(ids
        .iter()
        .map(|id| slugs.get(id).cloned().unwrap_or_else(|| id.to_string()))
        .collect::<Vec<_>>()
        .join(" → "))
}

#[utoipa::path(
    tag = "information-systems",
    operation_id = "removeSystemDependency",
    summary = "Remove a dependency of a system (LG; the system's responsible)",
    params(("system" = String, Path, description = "Id or slug"), ("dependency" = i64, Path), crate::api::IfMatch),
    responses((status = 200, description = "Removed; the system's new version", body = super::SystemView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[delete("/information-systems/{system}/dependencies/{dependency}")]
pub async fn remove_dependency(
    if_match: IfMatch,
    who: Authenticated,
    path: web::Path<(String, i64)>,
    pool: web::Data<DbPool>,
    cache: web::Data<GraphCache>,
) -> AppResult<HttpResponse> {
    let (key, dependency) = path.into_inner();
    let key = IdOrSlug::parse(&key);
    let written = crate::api::write(&pool, who, move |conn, caller| {
        let system = systems::find(conn, &key)?;
        let grant = authorize(conn, caller, Action::SystemDependencyManage, &system)?;
        if_match.check(system.version)?;
        let edge = systems::find_of_system(conn, system.id, dependency)?;
        let on = systems::find(conn, &IdOrSlug::Id(edge.depends_on_id))?;
        let before = view_of(conn, &system)?;
        let gone = SystemDependencyView::of(&edge, &on.outline());
        systems::delete_of_system(conn, edge.id)?;
        let change = Change::as_action(
            "information_system.dependency_remove",
            &grant,
            ObjectType::SystemDependency,
            edge.id,
        )
        .before(&gone);
        let made = GraphChange::SystemRemoved {
            system: system.id,
            on: edge.depends_on_id,
        };
        dependency_changed(conn, &grant, &system, &before, change, made)
    })
    .await?;
    let (view, (generation, made)) = written;
    cache.applied(generation, made);
    Ok(with_etag(StatusCode::OK, view.version, &view))
}

/// A service named in an answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceSummary {
    pub id: i64,
    #[schema(example = "eduroam")]
    pub slug: String,
    #[schema(example = "eduroam")]
    pub name: String,
    pub lifecycle: Lifecycle,
}

/// A portfolio named in an answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortfolioRef {
    pub id: i64,
    #[schema(example = "natverkstjanster")]
    pub slug: String,
}

/// A service the system's loss reaches.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImpactView {
    pub service: ServiceSummary,
    /// Null for a proposed service not placed yet.
    pub portfolio: Option<PortfolioRef>,
    /// From the system the service depends on directly to the system asked about.
    pub path: Vec<PathStep>,
    /// The strongest criticality of the service's dependencies that lead here.
    pub criticality: Criticality,
    /// The `sub` of the portfolio's TÄ.
    pub service_owner: Option<String>,
    /// The `sub`s of the service's TJFs.
    pub service_managers: Vec<String>,
}

/// Flat columns: the service and its portfolio by id and slug, the path as slugs and the TJFs
/// as `sub`s, each list separated by `;`.
impl CsvRecord for ImpactView {
    const HEADER: &'static [&'static str] = &[
        "service_id",
        "service_slug",
        "service_name",
        "service_lifecycle",
        "portfolio_id",
        "portfolio_slug",
        "path",
        "criticality",
        "service_owner",
        "service_managers",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            csv_cell(&self.service.id),
            csv_cell(&self.service.slug),
            csv_cell(&self.service.name),
            csv_cell(&self.service.lifecycle),
            csv_cell(&self.portfolio.as_ref().map(|p| p.id)),
            csv_cell(&self.portfolio.as_ref().map(|p| p.slug.clone())),
            super::path_cell(&self.path),
            csv_cell(&self.criticality),
            csv_cell(&self.service_owner),
            self.service_managers.join(";"),
        ]
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImpactQuery {
    /// Only services in this lifecycle state (`in_operation`: what stops now).
    pub lifecycle: Option<Lifecycle>,
}

impl crate::api::Listing for ImpactQuery {
    const ORDERING: &'static [&'static str] = &[];
}

#[utoipa::path(
    tag = "information-systems",
    operation_id = "getInformationSystemImpact",
    summary = "What breaks if this system goes: every service that depends on it, directly or through other systems",
    description = "Each service once, with its portfolio, the path of systems, the strongest criticality of its dependencies that lead here, its TÄ and TJFs; the strongest first.",
    params(("system" = String, Path, description = "Id or slug"), crate::api::ListQuery<ImpactQuery>),
    responses((status = 200, description = "OK", body = Paginated<ImpactView>), crate::api::responses::ReadErrors)
)]
#[get("/information-systems/{system}/impact")]
pub async fn impact(
    req: HttpRequest,
    who: Authenticated,
    path: web::Path<String>,
    query: crate::api::ListQuery<ImpactQuery>,
    pool: web::Data<DbPool>,
    cache: web::Data<GraphCache>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let (query, listing) = query.into_parts();
    let page = listing.page.clone();
    let (count, views) = crate::api::read(&pool, who, move |conn, caller| {
        let system = systems::find(conn, &key)?;
        let impacts = systems::graph(conn, &cache)?.impact(system.id);
        // Narrowed by lifecycle with one read of the ids in that state, not of every service.
        let in_state = match query.lifecycle {
            Some(lifecycle) => Some(systems::services_in_lifecycle(conn, lifecycle)?),
            None => None,
        };
        let wanted: Vec<&Impact> = impacts
            .lines
            .iter()
            .filter(|l| {
                in_state
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&l.service_id))
            })
            .collect();
        let count = wanted.len() as i64;
        let shown: Vec<(&Impact, Vec<i64>)> = wanted
            .into_iter()
            .skip(usize::try_from(page.offset).unwrap_or(0))
            .take(usize::try_from(page.limit).unwrap_or(0))
            .map(|l| (l, impacts.path(l)))
            .collect();
        Ok((count, impact_views(conn, &caller.model, &shown)?))
    })
    .await?;
    crate::api::answer_list(&req, &listing, count, views)
}

/// The page's lines (each with its path) with their services, holders and path slugs: four
/// queries, whatever the page's size.
fn impact_views(
    conn: &mut DbConnection,
    model: &crate::domain::model::Model,
    lines: &[(&Impact, Vec<i64>)],
) -> AppResult<Vec<ImpactView>> {
    let service_ids: Vec<i64> = lines.iter().map(|(l, _)| l.service_id).collect();
    let services: HashMap<i64, systems::ImpactedService> =
        systems::impacted_services(conn, &service_ids)?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
    let mut path_ids: Vec<i64> = lines.iter().flat_map(|(_, p)| p.iter().copied()).collect();
    path_ids.sort_unstable();
    path_ids.dedup();
    let slugs: HashMap<i64, String> = systems::find_many(conn, &path_ids)?
        .into_iter()
        .map(|s| (s.id, s.slug))
        .collect();
    let roles = |scope: ScopeKind| -> Vec<String> {
        model
            .operation_needs()
            .filter(|(r, _)| r.scope == scope)
            .map(|(r, _)| r.code.to_string())
            .collect()
    };
    let portfolio_ids: Vec<i64> = services.values().filter_map(|s| s.portfolio_id).collect();
    let owners = systems::holders(conn, &roles(ScopeKind::Portfolio), &portfolio_ids, &[])?;
    let managers = systems::holders(conn, &roles(ScopeKind::Service), &[], &service_ids)?;
    let mut views = Vec::with_capacity(lines.len());
    for (line, path) in lines {
        let Some(s) = services.get(&line.service_id) else {
            continue;
        };
        views.push(ImpactView {
            service: ServiceSummary {
                id: s.id,
                slug: s.slug.clone(),
                name: s.name.clone(),
                lifecycle: s.lifecycle.parse().unwrap_or(Lifecycle::Proposed),
            },
            portfolio: s
                .portfolio_id
                .zip(s.portfolio_slug.clone())
                .map(|(id, slug)| PortfolioRef { id, slug }),
            path: path
                .iter()
                .map(|id| PathStep {
                    id: *id,
                    slug: slugs.get(id).cloned().unwrap_or_default(),
                })
                .collect(),
            criticality: line.criticality,
            service_owner: owners
                .iter()
                .find(|(p, _, _)| p.is_some() && *p == s.portfolio_id)
                .map(|(_, _, sub)| sub.clone()),
            service_managers: managers
                .iter()
                .filter(|(_, svc, _)| *svc == Some(s.id))
                .map(|(_, _, sub)| sub.clone())
                .collect(),
        });
    }
    Ok(views)
}
