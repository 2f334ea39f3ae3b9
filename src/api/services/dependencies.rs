//! `/api/v1/services/{service}/dependencies`: the information systems a service depends on,
//! with how critical each is (TÄ, TS[documentation], TJF in scope of the service), and with
//! `?transitive=true` everything it rests on through them.

use std::collections::HashMap;

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::csv::{csv_cell, CsvRecord};
use crate::api::information_systems::path_cell;
use crate::api::information_systems::{named_system, not_retired, note, PathStep, SystemSummary};
use crate::api::{utc, Paginated};
use crate::auth::policy::{Action, Caller, Grant, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::information_systems::{
    self as systems, GraphCache, ServiceDependency, SystemOutline,
};
use crate::db::services::Service;
use crate::db::{services, DbConnection, DbPool};
use crate::domain::it::Criticality;
use crate::domain::it_graph::Change as GraphChange;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::slug::IdOrSlug;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceDependencyView {
    /// For `DELETE /services/{service}/dependencies/{dependency}`.
    pub id: i64,
    pub service_id: i64,
    pub information_system: SystemSummary,
    pub criticality: Criticality,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl ServiceDependencyView {
    fn of(d: &ServiceDependency, system: &SystemOutline) -> Self {
        ServiceDependencyView {
            id: d.id,
            service_id: d.service_id,
            information_system: SystemSummary::from(system),
            criticality: d.criticality(),
            note: d.note.clone(),
            created_by: d.created_by.clone(),
            created_at: utc(d.created_at),
        }
    }
}

/// Flat columns: the system by id and slug.
impl CsvRecord for ServiceDependencyView {
    const HEADER: &'static [&'static str] = &[
        "id",
        "service_id",
        "information_system_id",
        "information_system_slug",
        "criticality",
        "note",
        "created_by",
        "created_at",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            csv_cell(&self.id),
            csv_cell(&self.service_id),
            csv_cell(&self.information_system.id),
            csv_cell(&self.information_system.slug),
            csv_cell(&self.criticality),
            csv_cell(&self.note),
            csv_cell(&self.created_by),
            csv_cell(&self.created_at),
        ]
    }
}

/// A system the service rests on, directly or through other systems.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransitiveDependencyView {
    pub information_system: SystemSummary,
    /// From the system the service depends on directly to this one.
    pub path: Vec<PathStep>,
    /// The strongest of the service's dependencies that lead here.
    pub criticality: Criticality,
}

/// Flat columns: the system by id, slug, name and lifecycle; the path as slugs separated by `;`.
impl CsvRecord for TransitiveDependencyView {
    const HEADER: &'static [&'static str] = &[
        "information_system_id",
        "information_system_slug",
        "information_system_name",
        "information_system_lifecycle",
        "path",
        "criticality",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            csv_cell(&self.information_system.id),
            csv_cell(&self.information_system.slug),
            csv_cell(&self.information_system.name),
            csv_cell(&self.information_system.lifecycle),
            path_cell(&self.path),
            csv_cell(&self.criticality),
        ]
    }
}

/// A row of a service's dependencies: direct, or with `?transitive=true` through systems.
#[allow(dead_code)]
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum DependencyRow {
    Direct(ServiceDependencyView),
    Transitive(TransitiveDependencyView),
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ServiceDependencyQuery {
    /// Everything the service rests on, through other systems too (rows with `path`).
    pub transitive: Option<bool>,
}

impl crate::api::Listing for ServiceDependencyQuery {
    const ORDERING: &'static [&'static str] = &[];
    const WHOLE: bool = true;
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceDependencyRequest {
    /// A system that is not retired.
    pub information_system_id: i64,
    pub criticality: Criticality,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[utoipa::path(
    tag = "services",
    operation_id = "listServiceDependencies",
    summary = "The information systems a service depends on (with `transitive=true`, through other systems too)",
    params(("service" = String, Path, description = "Id or slug"), crate::api::ListQuery<ServiceDependencyQuery>),
    responses((status = 200, description = "OK", body = Paginated<DependencyRow>), crate::api::responses::ReadErrors)
)]
#[get("/services/{service}/dependencies")]
pub async fn list_dependencies(
    req: HttpRequest,
    who: Authenticated,
    path: web::Path<String>,
    query: crate::api::ListQuery<ServiceDependencyQuery>,
    pool: web::Data<DbPool>,
    cache: web::Data<GraphCache>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let (query, listing) = query.into_parts();
    if query.transitive == Some(true) {
        let views = crate::api::read(&pool, who, move |conn, _| {
            let service = services::find(conn, &key)?;
            transitive(conn, &cache, service.id)
        })
        .await?;
        return crate::api::answer_whole(&req, &listing, views);
    }
    let views = crate::api::read(&pool, who, move |conn, _| {
        let service = services::find(conn, &key)?;
        Ok(systems::of_services(conn, &[service.id])?
            .iter()
            .map(|(d, s)| ServiceDependencyView::of(d, s))
            .collect::<Vec<_>>())
    })
    .await?;
    crate::api::answer_whole(&req, &listing, views)
}

fn transitive(
    conn: &mut DbConnection,
    cache: &GraphCache,
    service: i64,
) -> AppResult<Vec<TransitiveDependencyView>> {
    let reached = systems::graph(conn, cache)?.below_service(service);
    let mut ids: Vec<i64> = reached
        .iter()
        .flat_map(|r| r.path.iter().copied())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let found: HashMap<i64, SystemOutline> = systems::find_many(conn, &ids)?
        .into_iter()
        .map(|s| (s.id, s.outline()))
        .collect();
    Ok(reached
        .iter()
        .filter_map(|r| {
            Some(TransitiveDependencyView {
                information_system: SystemSummary::from(found.get(&r.system_id)?),
                path: r
                    .path
                    .iter()
                    .filter_map(|id| found.get(id).map(PathStep::from))
                    .collect(),
                criticality: r.criticality,
            })
        })
        .collect())
}

/// The service and the grant to change what it depends on.
fn load(conn: &mut DbConnection, caller: &Caller, key: &IdOrSlug) -> AppResult<(Service, Grant)> {
    let service = services::find(conn, key)?;
    let grant = caller.authorize(
        Action::ServiceDependencyManage,
        &Target::service(service.id, service.portfolio_id),
    )?;
    Ok((service, grant))
}

#[utoipa::path(
    tag = "services",
    operation_id = "addServiceDependency",
    summary = "Record that a service depends on an information system (TÄ, TS[documentation], TJF in scope)",
    description = "A retired system takes no new dependants (409); a service depends on a system once.",
    params(("service" = String, Path, description = "Id or slug")),
    request_body = ServiceDependencyRequest,
    responses((status = 201, description = "Created", body = ServiceDependencyView), crate::api::responses::WriteErrors)
)]
#[post("/services/{service}/dependencies")]
pub async fn add_dependency(
    who: Authenticated,
    path: web::Path<String>,
    body: web::Json<ServiceDependencyRequest>,
    pool: web::Data<DbPool>,
    cache: web::Data<GraphCache>,
) -> AppResult<HttpResponse> {
    let key = IdOrSlug::parse(&path.into_inner());
    let request = body.into_inner();
    let (view, (generation, made)) = crate::api::write(&pool, who, move |conn, caller| {
        let (service, grant) = load(conn, caller, &key)?;
        let note = note(request.note.as_deref(), 2000)?;
        if matches!(
            service.lifecycle(),
            Lifecycle::Decommissioned | Lifecycle::Rejected
        ) {
            return Err(AppError::conflict(format!(
                "The service is {}: it takes no new dependencies.",
                service.lifecycle()
            )));
        }
        let system = named_system(conn, "information_system_id", request.information_system_id)?;
        not_retired(&system)?;
        if systems::service_depends_on(conn, service.id, system.id)? {
            return Err(AppError::conflict(format!(
                "The service depends on '{}' already.",
                system.slug
            )));
        }
        let created = systems::insert_of_service(
            conn,
            &systems::NewServiceDependency {
                service_id: service.id,
                information_system_id: system.id,
                criticality: request.criticality,
                note: note.as_deref(),
                created_by: &caller.sub,
            },
        )?;
        let view = ServiceDependencyView::of(&created, &system.outline());
        let change = Change::as_action(
            "service.dependency_add",
            &grant,
            ObjectType::ServiceDependency,
            created.id,
        )
        .in_portfolio(service.portfolio_id)
        .after(&view);
        let made = (
            systems::generation(conn)?,
            GraphChange::ServiceAdded {
                service: service.id,
                system: system.id,
                criticality: request.criticality,
            },
        );
        Ok(Audited::new((view, made), change))
    })
    .await?;
    cache.applied(generation, made);
    Ok(HttpResponse::Created().json(view))
}

#[utoipa::path(
    tag = "services",
    operation_id = "removeServiceDependency",
    summary = "Remove a dependency of a service (TÄ, TS[documentation], TJF in scope)",
    params(("service" = String, Path, description = "Id or slug"), ("dependency" = i64, Path)),
    responses((status = 204, description = "Removed"), crate::api::responses::WriteErrors)
)]
#[delete("/services/{service}/dependencies/{dependency}")]
pub async fn remove_dependency(
    who: Authenticated,
    path: web::Path<(String, i64)>,
    pool: web::Data<DbPool>,
    cache: web::Data<GraphCache>,
) -> AppResult<HttpResponse> {
    let (key, dependency) = path.into_inner();
    let key = IdOrSlug::parse(&key);
    let (generation, made) = crate::api::write(&pool, who, move |conn, caller| {
        let (service, grant) = load(conn, caller, &key)?;
        let edge = systems::find_of_service(conn, service.id, dependency)?;
        let system = systems::find(conn, &IdOrSlug::Id(edge.information_system_id))?;
        let gone = ServiceDependencyView::of(&edge, &system.outline());
        systems::delete_of_service(conn, edge.id)?;
        let change = Change::as_action(
            "service.dependency_remove",
            &grant,
            ObjectType::ServiceDependency,
            edge.id,
        )
        .in_portfolio(service.portfolio_id)
        .before(&gone);
        let made = GraphChange::ServiceRemoved {
            service: service.id,
            system: edge.information_system_id,
        };
        Ok(Audited::new((systems::generation(conn)?, made), change))
    })
    .await?;
    cache.applied(generation, made);
    Ok(HttpResponse::NoContent().finish())
}
