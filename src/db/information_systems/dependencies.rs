//! What services and systems depend on: each write moves the graph's generation (`graph`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::schema::{information_systems, service_dependencies, system_dependencies};
use super::super::timestamps::Stored;
use super::super::DbConnection;
use crate::domain::it::Criticality;
use crate::error::{AppError, AppResult};

/// What a dependency shows of the system it points at.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = information_systems)]
pub struct SystemOutline {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub lifecycle: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = service_dependencies)]
pub struct ServiceDependency {
    pub id: i64,
    pub service_id: i64,
    pub information_system_id: i64,
    pub criticality: String,
    pub note: Option<String>,
    pub created_by: String,
    #[diesel(deserialize_as = Stored)]
    pub created_at: NaiveDateTime,
}

impl ServiceDependency {
    pub fn criticality(&self) -> Criticality {
        self.criticality.parse().unwrap_or(Criticality::Supporting)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = system_dependencies)]
pub struct SystemDependency {
    pub id: i64,
    pub information_system_id: i64,
    pub depends_on_id: i64,
    pub note: Option<String>,
    pub created_by: String,
    #[diesel(deserialize_as = Stored)]
    pub created_at: NaiveDateTime,
}

/// The direct dependencies of these services, each with the system it points at.
pub fn of_services(
    conn: &mut DbConnection,
    service_ids: &[i64],
) -> AppResult<Vec<(ServiceDependency, SystemOutline)>> {
    super::super::in_pieces(service_ids, |ids| {
        Ok(service_dependencies::table
            .inner_join(information_systems::table)
            .filter(service_dependencies::service_id.eq_any(ids))
            .order((service_dependencies::service_id, service_dependencies::id))
            .select((ServiceDependency::as_select(), SystemOutline::as_select()))
            .load(conn)?)
    })
}

pub fn find_of_service(
    conn: &mut DbConnection,
    service_id: i64,
    id: i64,
) -> AppResult<ServiceDependency> {
    service_dependencies::table
        .filter(service_dependencies::id.eq(id))
        .filter(service_dependencies::service_id.eq(service_id))
        .select(ServiceDependency::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("The service has no such dependency."))
}

/// Does the service already depend on the system directly?
pub fn service_depends_on(
    conn: &mut DbConnection,
    service_id: i64,
    system: i64,
) -> AppResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        service_dependencies::table
            .filter(service_dependencies::service_id.eq(service_id))
            .filter(service_dependencies::information_system_id.eq(system)),
    ))
    .get_result(conn)?)
}

pub struct NewServiceDependency<'a> {
    pub service_id: i64,
    pub information_system_id: i64,
    pub criticality: Criticality,
    pub note: Option<&'a str>,
    pub created_by: &'a str,
}

pub fn insert_of_service(
    conn: &mut DbConnection,
    new: &NewServiceDependency<'_>,
) -> AppResult<ServiceDependency> {
    let created = diesel::insert_into(service_dependencies::table)
        .values((
            service_dependencies::service_id.eq(new.service_id),
            service_dependencies::information_system_id.eq(new.information_system_id),
            service_dependencies::criticality.eq(new.criticality.as_str()),
            service_dependencies::note.eq(new.note),
            service_dependencies::created_by.eq(new.created_by),
            service_dependencies::created_at.eq(super::super::now()),
        ))
        .returning(service_dependencies::all_columns)
        .get_result(conn)?;
    super::bump(conn)?;
    Ok(created)
}

pub fn delete_of_service(conn: &mut DbConnection, id: i64) -> AppResult<()> {
    diesel::delete(service_dependencies::table.filter(service_dependencies::id.eq(id)))
        .execute(conn)?;
    super::bump(conn)
}

/// What the system depends on directly, each with that system.
pub fn of_system(
    conn: &mut DbConnection,
    system_id: i64,
) -> AppResult<Vec<(SystemDependency, SystemOutline)>> {
    Ok(system_dependencies::table
        .inner_join(
            information_systems::table
                .on(information_systems::id.eq(system_dependencies::depends_on_id)),
        )
        .filter(system_dependencies::information_system_id.eq(system_id))
        .order(system_dependencies::id)
        .select((SystemDependency::as_select(), SystemOutline::as_select()))
        .load(conn)?)
}

pub fn find_of_system(
    conn: &mut DbConnection,
    system_id: i64,
    id: i64,
) -> AppResult<SystemDependency> {
    system_dependencies::table
        .filter(system_dependencies::id.eq(id))
        .filter(system_dependencies::information_system_id.eq(system_id))
        .select(SystemDependency::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("The system has no such dependency."))
}

pub fn system_depends_on(conn: &mut DbConnection, system: i64, on: i64) -> AppResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        system_dependencies::table
            .filter(system_dependencies::information_system_id.eq(system))
            .filter(system_dependencies::depends_on_id.eq(on)),
    ))
    .get_result(conn)?)
}

pub fn insert_of_system(
    conn: &mut DbConnection,
    system: i64,
    on: i64,
    note: Option<&str>,
    created_by: &str,
) -> AppResult<SystemDependency> {
    let created = diesel::insert_into(system_dependencies::table)
        .values((
            system_dependencies::information_system_id.eq(system),
            system_dependencies::depends_on_id.eq(on),
            system_dependencies::note.eq(note),
            system_dependencies::created_by.eq(created_by),
            system_dependencies::created_at.eq(super::super::now()),
        ))
        .returning(system_dependencies::all_columns)
        .get_result(conn)?;
    super::bump(conn)?;
    Ok(created)
}

pub fn delete_of_system(conn: &mut DbConnection, id: i64) -> AppResult<()> {
    diesel::delete(system_dependencies::table.filter(system_dependencies::id.eq(id)))
        .execute(conn)?;
    super::bump(conn)
}

/// What these systems depend on directly: (system, the system it depends on), by system.
pub fn depends_on_of(
    conn: &mut DbConnection,
    system_ids: &[i64],
) -> AppResult<Vec<(i64, SystemOutline)>> {
    super::super::in_pieces(system_ids, |ids| {
        Ok(system_dependencies::table
            .inner_join(
                information_systems::table
                    .on(information_systems::id.eq(system_dependencies::depends_on_id)),
            )
            .filter(system_dependencies::information_system_id.eq_any(ids))
            .order((
                system_dependencies::information_system_id,
                system_dependencies::id,
            ))
            .select((
                system_dependencies::information_system_id,
                SystemOutline::as_select(),
            ))
            .load(conn)?)
    })
}
