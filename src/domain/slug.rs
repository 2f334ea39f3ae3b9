use std::fmt;

use serde::{Deserialize, Serialize};

/// A URL-safe unique name: `eduroam`, `sunet-cdn`. Lowercase ASCII letters, digits and single
/// hyphens, starting with a letter (so it can never be mistaken for an id), 2–63 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(value: &str) -> Result<Self, String> {
        let len = value.chars().count();
        if !(2..=63).contains(&len) {
            return Err("must be 2 to 63 characters long".into());
        }
        if !value.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err("must start with a lowercase letter a–z".into());
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err("may hold only a–z, 0–9 and '-' (write å, ä, ö as a, a, o)".into());
        }
        if value.ends_with('-') || value.contains("--") {
            return Err("may not end with '-' or hold '--'".into());
        }
        Ok(Slug(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Slug::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(slug: Slug) -> String {
        slug.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A path segment that names an object by id or by slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdOrSlug {
    Id(i64),
    Slug(String),
}

impl IdOrSlug {
    pub fn parse(segment: &str) -> Self {
        match segment.parse::<i64>() {
            Ok(id) => IdOrSlug::Id(id),
            Err(_) => IdOrSlug::Slug(segment.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_slugs_parse() {
        for s in ["eduroam", "sunet-cdn", "e2", "tjanst-1"] {
            assert_eq!(Slug::parse(s).unwrap().as_str(), s);
        }
    }

    #[test]
    fn bad_slugs_are_refused() {
        for s in [
            "",
            "a",
            "Eduroam",
            "1abc",
            "tjänst",
            "a--b",
            "ab-",
            "a b",
            &"a".repeat(64),
        ] {
            assert!(Slug::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn ids_and_slugs_are_told_apart() {
        assert_eq!(IdOrSlug::parse("42"), IdOrSlug::Id(42));
        assert_eq!(IdOrSlug::parse("eduroam"), IdOrSlug::Slug("eduroam".into()));
    }
}
