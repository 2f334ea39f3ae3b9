//! Which events a reader wants: an exact type (`service.transition`) or every type under a
//! prefix (`service.*`, `role_assignment.*`). Types are the audit actions: lowercase words of
//! letters and `_`, joined by dots.

use std::fmt;

/// The longest pattern, `.*` included (the document's `maxLength`).
pub const MAX_LENGTH: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventTypePattern {
    Exact(String),
    /// The part before `.*`.
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypeError;

impl fmt::Display for EventTypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "must be an event type such as 'service.transition', or a prefix such as 'service.*'",
        )
    }
}

impl EventTypePattern {
    pub fn parse(text: &str) -> Result<Self, EventTypeError> {
        let (name, prefix) = match text.strip_suffix(".*") {
            Some(name) => (name, true),
            None => (text, false),
        };
        let word =
            |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if text.len() > MAX_LENGTH || !name.split('.').all(word) {
            return Err(EventTypeError);
        }
        Ok(if prefix {
            EventTypePattern::Prefix(name.to_string())
        } else {
            EventTypePattern::Exact(name.to_string())
        })
    }

    /// Whether an event of type `event_type` is wanted.
    pub fn matches(&self, event_type: &str) -> bool {
        match self {
            EventTypePattern::Exact(t) => t == event_type,
            EventTypePattern::Prefix(p) => event_type
                .strip_prefix(p.as_str())
                .is_some_and(|rest| rest.starts_with('.')),
        }
    }

    /// A `LIKE … ESCAPE '\'` pattern of a prefix (`_` is a wildcard of LIKE).
    pub fn like_pattern(prefix: &str) -> String {
        format!("{}.%", prefix.replace('_', "\\_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_types_and_prefixes_parse() {
        assert_eq!(
            EventTypePattern::parse("service.transition"),
            Ok(EventTypePattern::Exact("service.transition".into()))
        );
        assert_eq!(
            EventTypePattern::parse("role_assignment.*"),
            Ok(EventTypePattern::Prefix("role_assignment".into()))
        );
        for bad in [
            "",
            "*",
            "service.",
            ".x",
            "Service.create",
            "service.*.x",
            "a b",
            "å.b",
            "x%",
            "x.**",
        ] {
            assert_eq!(EventTypePattern::parse(bad), Err(EventTypeError), "{bad:?}");
        }
    }

    #[test]
    fn prefixes_match_whole_words() {
        let p = EventTypePattern::parse("service.*").unwrap();
        assert!(p.matches("service.transition"));
        assert!(!p.matches("services.x"));
        assert!(!p.matches("service"));
        assert_eq!(
            EventTypePattern::like_pattern("role_assignment"),
            "role\\_assignment.%"
        );
    }
}
