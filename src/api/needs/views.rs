//! A need's view with what it shows of other objects: the portfolio its service is in now, the
//! slugs of its portfolio, service and source organization, and its links — read for a whole
//! page (or an import's needs) at once.

use std::collections::HashMap;

use super::NeedView;
use crate::db::needs::{self, Link, Need};
use crate::db::{organizations, portfolios, services, DbConnection};
use crate::error::AppResult;

/// The slugs, service portfolios and links the views of some needs show.
#[derive(Debug, Default, Clone)]
pub struct Surroundings {
    /// Portfolio slugs by id.
    pub portfolios: HashMap<i64, String>,
    /// Service slugs by id.
    pub services: HashMap<i64, String>,
    /// The portfolio each service is in now.
    pub service_portfolios: HashMap<i64, Option<i64>>,
    /// Organization slugs by id.
    pub organizations: HashMap<i64, String>,
    /// The links of each need, by its id.
    pub links: HashMap<i64, Vec<Link>>,
}

impl Surroundings {
    /// What the views of `rows` (needs with their services' portfolios) show, in four queries.
    pub fn of(conn: &mut DbConnection, rows: &[needs::NeedRow]) -> AppResult<Self> {
        let ids: Vec<i64> = rows.iter().map(|(n, _)| n.id).collect();
        let mut links: HashMap<i64, Vec<Link>> = HashMap::new();
        for link in needs::links_of(conn, &ids)? {
            links.entry(link.need_id).or_default().push(link);
        }
        let service_portfolios = rows
            .iter()
            .filter_map(|(n, p)| Some((n.service_id?, *p)))
            .collect();
        let portfolio_ids = distinct(rows.iter().filter_map(|(n, p)| n.placed_in(*p)));
        let service_ids = distinct(rows.iter().filter_map(|(n, _)| n.service_id));
        let organization_ids = distinct(rows.iter().filter_map(|(n, _)| n.source_organization_id));
        Ok(Surroundings {
            portfolios: match portfolio_ids.is_empty() {
                true => HashMap::new(),
                false => portfolios::some_or_all(conn, Some(&portfolio_ids))?
                    .into_iter()
                    .map(|p| (p.id, p.slug))
                    .collect(),
            },
            services: match service_ids.is_empty() {
                true => HashMap::new(),
                false => services::slugs_of(conn, &service_ids)?
                    .into_iter()
                    .collect(),
            },
            service_portfolios,
            organizations: match organization_ids.is_empty() {
                true => HashMap::new(),
                false => organizations::names_of(conn, &organization_ids)?
                    .into_iter()
                    .map(|(id, slug, _)| (id, slug))
                    .collect(),
            },
            links,
        })
    }

    /// The view of `need`.
    pub fn view(&self, need: &Need) -> NeedView {
        let service_portfolio = need
            .service_id
            .and_then(|s| self.service_portfolios.get(&s).copied().flatten());
        let links = self.links.get(&need.id).map_or(&[][..], Vec::as_slice);
        let mut view = NeedView::of(need, need.placed_in(service_portfolio), links);
        let slug = |slugs: &HashMap<i64, String>, id: Option<i64>| slugs.get(&id?).cloned();
        view.portfolio_slug = slug(&self.portfolios, view.portfolio_id);
        view.service_slug = slug(&self.services, view.service_id);
        view.source_organization_slug = slug(&self.organizations, view.source.organization_id);
        view
    }
}

fn distinct(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The view of one need as it is stored now (its links read afresh).
pub fn view_of(conn: &mut DbConnection, need: &Need) -> AppResult<NeedView> {
    let rows = needs::with_service_portfolio(conn, &[need.id])?;
    let Some((need, _)) = rows.first() else {
        return Err(crate::error::AppError::internal("the need vanished"));
    };
    Ok(Surroundings::of(conn, &rows)?.view(need))
}
