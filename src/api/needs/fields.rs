//! A need's own fields as its recorder states them, parsed once for `POST /needs`, `PATCH` and
//! an import: the reference, title and description, where it is placed, where it was heard.

use super::{NeedPatch, NewNeed, Source};
use crate::api::Fields;
use crate::db::needs::NeedFields;
use crate::db::{organizations, portfolios, services, DbConnection};
use crate::domain::slug::IdOrSlug;
use crate::domain::text;
use crate::error::{AppError, AppResult};

/// What a need's placement and source are checked against: the database, or what an import
/// looked up for all its rows at once.
pub trait Whereabouts {
    fn portfolio_exists(&mut self, id: i64) -> AppResult<bool>;
    /// The portfolio of the service of `id`; `None` when there is no such service.
    fn service_portfolio(&mut self, id: i64) -> AppResult<Option<Option<i64>>>;
    fn organization_exists(&mut self, id: i64) -> AppResult<bool>;
}

impl Whereabouts for DbConnection {
    fn portfolio_exists(&mut self, id: i64) -> AppResult<bool> {
        match portfolios::find_by_id(self, id) {
            Err(AppError::NotFound(_)) => Ok(false),
            other => other.map(|_| true),
        }
    }

    fn service_portfolio(&mut self, id: i64) -> AppResult<Option<Option<i64>>> {
        match services::find_by_id(self, id) {
            Err(AppError::NotFound(_)) => Ok(None),
            other => other.map(|s| Some(s.portfolio_id)),
        }
    }

    fn organization_exists(&mut self, id: i64) -> AppResult<bool> {
        match organizations::find(self, &IdOrSlug::Id(id)) {
            Err(AppError::NotFound(_)) => Ok(false),
            other => other.map(|_| true),
        }
    }
}

impl NewNeed {
    /// The fields of a new need, checked as `POST /needs` checks them.
    pub fn parse(&self, known: &mut impl Whereabouts) -> AppResult<NeedFields> {
        let (portfolio_id, service_id) = placement(known, self.portfolio_id, self.service_id)?;
        let mut f = Fields::default();
        let reference = self.reference.as_ref().and_then(|r| f.take(reference(r)));
        let title = f.take(text::line("title", &self.title, 300));
        let description = f.take(text::bounded("description", &self.description, 10_000));
        check_source(known, &mut f, &self.source)?;
        f.finish()?;
        Ok(NeedFields {
            reference,
            title: title.unwrap_or_default(),
            description: description.unwrap_or_default(),
            portfolio_id,
            service_id,
            channel: self.source.channel,
            source_organization_id: self.source.organization_id,
            source_date: self.source.date,
        })
    }
}

impl NeedPatch {
    /// The need's fields with the patch applied, checked as on creation.
    pub fn apply_to(
        &self,
        known: &mut impl Whereabouts,
        current: &NeedFields,
    ) -> AppResult<NeedFields> {
        let nothing = self.reference.is_none()
            && self.title.is_none()
            && self.description.is_none()
            && self.portfolio_id.is_none()
            && self.service_id.is_none()
            && self.source.is_none();
        if nothing {
            return Err(AppError::bad_request("The body changes nothing."));
        }
        let mut out = current.clone();
        // A new service brings its portfolio unless one is given with it.
        let portfolio = match (self.portfolio_id, self.service_id) {
            (Some(p), _) => p,
            (None, Some(Some(_))) => None,
            (None, _) => current.portfolio_id,
        };
        let service = self.service_id.unwrap_or(current.service_id);
        (out.portfolio_id, out.service_id) = placement(known, portfolio, service)?;
        let mut f = Fields::default();
        if let Some(given) = &self.reference {
            out.reference = match given {
                Some(r) => f.take(reference(r)),
                None => None,
            };
        }
        if let Some(title) = &self.title {
            out.title = f.take(text::line("title", title, 300)).unwrap_or_default();
        }
        if let Some(description) = &self.description {
            out.description = f
                .take(text::bounded("description", description, 10_000))
                .unwrap_or_default();
        }
        if let Some(source) = &self.source {
            check_source(known, &mut f, source)?;
            out.channel = source.channel;
            out.source_organization_id = source.organization_id;
            out.source_date = source.date;
        }
        f.finish()?;
        Ok(out)
    }
}

fn reference(given: &str) -> Result<String, (String, String)> {
    text::line("reference", given, 100)
}

/// Where the recorder places a need: the service and portfolio must exist, the service in the
/// portfolio when both are given; the portfolio is the service's when only it is.
fn placement(
    known: &mut impl Whereabouts,
    portfolio_id: Option<i64>,
    service_id: Option<i64>,
) -> AppResult<(Option<i64>, Option<i64>)> {
    if let Some(p) = portfolio_id {
        if !known.portfolio_exists(p)? {
            return Err(AppError::unprocessable(
                "portfolio_id",
                format!("there is no portfolio {p}"),
            ));
        }
    }
    let Some(s) = service_id else {
        return Ok((portfolio_id, None));
    };
    let Some(service_portfolio) = known.service_portfolio(s)? else {
        return Err(AppError::unprocessable(
            "service_id",
            format!("there is no service {s}"),
        ));
    };
    if portfolio_id.is_some() && service_portfolio != portfolio_id {
        return Err(AppError::unprocessable(
            "service_id",
            "is not a service of the portfolio given",
        ));
    }
    Ok((service_portfolio, Some(s)))
}

/// The source as given: a date not in the future, an organization that exists.
fn check_source(known: &mut impl Whereabouts, f: &mut Fields, source: &Source) -> AppResult<()> {
    if source.date > crate::db::today() {
        f.rule("source.date", "is in the future");
    }
    if let Some(o) = source.organization_id {
        if !known.organization_exists(o)? {
            f.rule(
                "source.organization_id",
                format!("there is no organization {o}"),
            );
        }
    }
    Ok(())
}
