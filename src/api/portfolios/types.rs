use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{utc, Fields};
use crate::db::portfolios::{Portfolio, PortfolioFields};
use crate::domain::slug::Slug;
use crate::domain::text;
use crate::error::AppResult;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortfolioView {
    pub id: i64,
    #[schema(example = "natverkstjanster")]
    pub slug: String,
    #[schema(example = "Nätverkstjänster")]
    pub name: String,
    pub description: String,
    /// Set when the management group retired the portfolio.
    pub retired_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Portfolio> for PortfolioView {
    fn from(p: &Portfolio) -> Self {
        PortfolioView {
            id: p.id,
            slug: p.slug.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            retired_at: p.retired_at.map(utc),
            version: p.version,
            created_at: utc(p.created_at),
            updated_at: utc(p.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPortfolio {
    #[schema(
        example = "natverkstjanster",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$",
        min_length = 2,
        max_length = 63
    )]
    pub slug: String,
    #[schema(
        example = "Nätverkstjänster",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 200
    )]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
}

impl NewPortfolio {
    pub fn parse(&self) -> AppResult<PortfolioFields> {
        let mut f = Fields::default();
        let slug = f.take(Slug::parse(&self.slug).map_err(|m| ("slug".to_string(), m)));
        let name = f.take(text::line("name", &self.name, 200));
        let description = f.take(text::bounded("description", &self.description, 10_000));
        f.finish()?;
        Ok(PortfolioFields {
            slug: slug.map(String::from).unwrap_or_default(),
            name: name.unwrap_or_default(),
            description: description.unwrap_or_default(),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct PortfolioPatch {
    #[schema(
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$",
        min_length = 2,
        max_length = 63
    )]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub slug: Option<String>,
    #[schema(
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 200
    )]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    #[schema(max_length = 10000)]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub description: Option<String>,
}

impl PortfolioPatch {
    pub fn apply(self, current: &Portfolio) -> AppResult<PortfolioFields> {
        if self.slug.is_none() && self.name.is_none() && self.description.is_none() {
            return Err(crate::error::AppError::bad_request(
                "The body changes nothing.",
            ));
        }
        NewPortfolio {
            slug: self.slug.unwrap_or_else(|| current.slug.clone()),
            name: self.name.unwrap_or_else(|| current.name.clone()),
            description: self
                .description
                .unwrap_or_else(|| current.description.clone()),
        }
        .parse()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PortfolioQuery {
    /// Text search in slug, name and description.
    #[serde(default, deserialize_with = "crate::domain::text::search")]
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only retired (true) or only active (false) portfolios.
    pub retired: Option<bool>,
}

impl crate::api::Listing for PortfolioQuery {
    const ORDERING: &'static [&'static str] = crate::db::portfolios::SORT_FIELDS;
}

crate::csv_record!(PortfolioView {
    id,
    slug,
    name,
    description,
    retired_at,
    version,
    created_at,
    updated_at
});
