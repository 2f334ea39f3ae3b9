//! Every governance model that has been in force, by the SHA-256 of its canonical form, with
//! when it was first loaded: each audit event names its model, and this says what it said.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::governance_models;
use super::DbConnection;
use crate::domain::model::Model;
use crate::error::AppResult;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = governance_models)]
pub struct ModelRecord {
    pub sha256: String,
    pub name: String,
    pub version: String,
    pub document: String,
    #[diesel(deserialize_as = super::timestamps::Stored)]
    pub first_loaded_at: NaiveDateTime,
}

/// Keeps `model` on record, once: a model loaded again (another instance, a restart) keeps the
/// time it was first loaded.
pub fn record(conn: &mut DbConnection, model: &Model) -> AppResult<()> {
    let row = (
        governance_models::sha256.eq(&model.sha256),
        governance_models::name.eq(&model.name),
        governance_models::version.eq(&model.version),
        governance_models::document.eq(&model.canonical),
        governance_models::first_loaded_at.eq(super::now()),
    );
    super::on_backend!(conn, |c| diesel::insert_into(governance_models::table)
        .values(row)
        .on_conflict(governance_models::sha256)
        .do_nothing()
        .execute(c))?;
    Ok(())
}

/// Every model on record, the most recently first loaded first.
pub fn list(conn: &mut DbConnection) -> AppResult<Vec<ModelRecord>> {
    Ok(governance_models::table
        .order((
            governance_models::first_loaded_at.desc(),
            governance_models::sha256,
        ))
        .select(ModelRecord::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, sha256: &str) -> AppResult<Option<ModelRecord>> {
    Ok(governance_models::table
        .find(sha256)
        .select(ModelRecord::as_select())
        .first(conn)
        .optional()?)
}
