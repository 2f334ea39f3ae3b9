//! A service's view with what it shows of other objects: its portfolio's slug, the needs that
//! point at it, and the slugs of the systems its establishment weighed — read for a whole page
//! (or an import's services) at once.

use std::collections::HashMap;

use super::ServiceView;
use crate::api::csv::{cell, csv_cell, CsvRecord};
use crate::db::services::Service;
use crate::db::{information_systems, needs, portfolios, DbConnection};
use crate::error::AppResult;

/// The slugs and links the views of some services show.
#[derive(Debug, Default, Clone)]
pub struct Surroundings {
    /// Portfolio slugs by id.
    pub portfolios: HashMap<i64, String>,
    /// Information system slugs by id.
    pub systems: HashMap<i64, String>,
    /// (service, need) pairs.
    pub needs: Vec<(i64, i64)>,
}

impl Surroundings {
    /// What the views of `services` show, in three queries.
    pub fn of(conn: &mut DbConnection, services: &[Service]) -> AppResult<Self> {
        let ids: Vec<i64> = services.iter().map(|s| s.id).collect();
        let mut portfolio_ids: Vec<i64> = services.iter().filter_map(|s| s.portfolio_id).collect();
        portfolio_ids.sort_unstable();
        portfolio_ids.dedup();
        let mut system_ids: Vec<i64> = services
            .iter()
            .filter_map(|s| ServiceView::from(s).it_assessment)
            .flat_map(|a| a.information_system_ids)
            .collect();
        system_ids.sort_unstable();
        system_ids.dedup();
        let portfolios = match portfolio_ids.is_empty() {
            true => HashMap::new(),
            false => portfolios::some_or_all(conn, Some(&portfolio_ids))?
                .into_iter()
                .map(|p| (p.id, p.slug))
                .collect(),
        };
        let systems = match system_ids.is_empty() {
            true => HashMap::new(),
            false => information_systems::find_many(conn, &system_ids)?
                .into_iter()
                .map(|s| (s.id, s.slug))
                .collect(),
        };
        let needs = match ids.is_empty() {
            true => Vec::new(),
            false => needs::needs_of_services(conn, &ids)?,
        };
        Ok(Surroundings {
            portfolios,
            systems,
            needs,
        })
    }

    /// The view of `service`.
    pub fn view(&self, service: &Service) -> ServiceView {
        let mut view = ServiceView::from(service);
        view.portfolio_slug = service
            .portfolio_id
            .and_then(|p| self.portfolios.get(&p).cloned());
        view.need_ids = self
            .needs
            .iter()
            .filter(|(s, _)| *s == service.id)
            .map(|(_, n)| *n)
            .collect();
        if let Some(assessment) = &view.it_assessment {
            view.it_assessment_systems = assessment
                .information_system_ids
                .iter()
                .filter_map(|id| self.systems.get(id).cloned())
                .collect();
        }
        view
    }
}

/// The view of one service as it is stored.
pub fn view_of(conn: &mut DbConnection, service: &Service) -> AppResult<ServiceView> {
    Ok(Surroundings::of(conn, std::slice::from_ref(service))?.view(service))
}

/// The export's columns: nested members flat (the classification as `K/R/T`, the IT
/// assessment's summary and systems by slug), so that the file comes back in as it went out
/// (docs/imports.md).
impl CsvRecord for ServiceView {
    const HEADER: &'static [&'static str] = &[
        "id",
        "slug",
        "name",
        "portfolio_id",
        "portfolio_slug",
        "lifecycle",
        "lifecycle_changed_at",
        "rejection_reason",
        "description",
        "documentation_url",
        "support_process_established",
        "ordering_routine",
        "last_reviewed_at",
        "published",
        "catalog_text",
        "catalog_text_en",
        "self_produced",
        "catalog_reviewed_at",
        "documentation_reviewed_at",
        "security_classification",
        "security_reviewed_at",
        "need_ids",
        "it_assessment_summary",
        "it_assessment_systems",
        "version",
        "created_at",
        "updated_at",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.slug.clone(),
            self.name.clone(),
            cell(&self.portfolio_id),
            cell(&self.portfolio_slug),
            self.lifecycle.to_string(),
            csv_cell(&self.lifecycle_changed_at),
            cell(&self.rejection_reason),
            self.description.clone(),
            cell(&self.documentation_url),
            self.support_process_established.to_string(),
            cell(&self.ordering_routine),
            csv_cell(&self.last_reviewed_at),
            self.published.to_string(),
            cell(&self.catalog_text),
            cell(&self.catalog_text_en),
            self.self_produced.to_string(),
            csv_cell(&self.catalog_reviewed_at),
            csv_cell(&self.documentation_reviewed_at),
            cell(&self.security_classification.as_ref().map(|c| c.cell())),
            csv_cell(&self.security_reviewed_at),
            csv_cell(&self.need_ids),
            cell(&self.it_assessment.as_ref().map(|a| a.summary.clone())),
            self.it_assessment_systems.join("; "),
            self.version.to_string(),
            csv_cell(&self.created_at),
            csv_cell(&self.updated_at),
        ]
    }
}
