//! Findings, and the decisions that make them from facts the store fetched: the service
//! records a service under management keeps current (catalogue, documentation, security
//! review, support and ordering).

use chrono::{NaiveDate, NaiveDateTime};

use super::{months_after, months_before, Rule, Thresholds};

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObjectKind {
    Portfolio,
    Service,
    Delivery,
    Plan,
    ChangeRequest,
    Contract,
    RoleAssignment,
    Need,
    Organization,
    InformationSystem,
    /// The service architecture and IT environment as a whole (its review).
    Architecture,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Portfolio => "portfolio",
            ObjectKind::Service => "service",
            ObjectKind::Delivery => "delivery",
            ObjectKind::Plan => "plan",
            ObjectKind::ChangeRequest => "change_request",
            ObjectKind::Contract => "contract",
            ObjectKind::RoleAssignment => "role_assignment",
            ObjectKind::Need => "need",
            ObjectKind::Organization => "organization",
            ObjectKind::InformationSystem => "information_system",
            ObjectKind::Architecture => "architecture",
        }
    }
}

/// One rule broken by one object, with what its messages name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub object_type: ObjectKind,
    pub object_id: i64,
    pub object_slug: Option<String>,
    /// The object's name or title, for the messages.
    pub object_name: String,
    pub portfolio_id: Option<i64>,
    /// When it became true, where that can be known.
    pub since: Option<NaiveDate>,
    /// The rule's particulars (a year, a deadline, a reason), for the messages.
    pub detail: Detail,
}

/// What a message says beyond the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    None,
    Year(i32),
    Date(NaiveDate),
    Text(String),
    Amount(i64),
    /// A system by slug, and its lifecycle state.
    System(String, crate::domain::it::SystemLifecycle),
}

impl Finding {
    /// The rule's severity, but a service resting on a system only phasing out is a warning
    /// (on a retired one, an error).
    pub fn severity(&self) -> super::Severity {
        match (&self.rule, &self.detail) {
            (Rule::ServiceOnRetiredSystem, Detail::System(_, lifecycle))
                if *lifecycle != crate::domain::it::SystemLifecycle::Retired =>
            {
                super::Severity::Warning
            }
            (rule, _) => rule.severity(),
        }
    }
}

/// A service under management, with what the service rules read.
#[derive(Debug, Clone)]
pub struct ServiceRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub portfolio_id: Option<i64>,
    pub lifecycle_changed_at: NaiveDateTime,
    pub support_process_established: bool,
    pub ordering_routine: Option<String>,
    pub published: bool,
    pub self_produced: bool,
    pub catalog_reviewed_at: Option<NaiveDateTime>,
    pub documentation_reviewed_at: Option<NaiveDateTime>,
    pub security_confidentiality: Option<i32>,
    pub security_reviewed_at: Option<NaiveDateTime>,
}

/// A finding about a service.
pub fn service_finding(service: &ServiceRecord, rule: Rule, since: Option<NaiveDate>) -> Finding {
    Finding {
        rule,
        object_type: ObjectKind::Service,
        object_id: service.id,
        object_slug: Some(service.slug.clone()),
        object_name: service.name.clone(),
        portfolio_id: service.portfolio_id,
        since,
        detail: Detail::None,
    }
}

/// The findings of the records each service in operation keeps: a review overdue by its
/// threshold (a published service's catalogue text, every service's documentation and security
/// classification; an unclassified service is overdue whatever its review time says), and a
/// support process or ordering routine missing.
pub fn service_record_findings(
    operating: &[ServiceRecord],
    thresholds: &Thresholds,
    now: NaiveDateTime,
) -> Vec<Finding> {
    let overdue = |reviewed: Option<NaiveDateTime>, months: u32| match reviewed {
        None => Some(None),
        Some(at) if at <= months_before(now, months) => Some(Some(months_after(at, months).date())),
        Some(_) => None,
    };
    let mut found = Vec::new();
    for s in operating {
        if s.published {
            if let Some(since) = overdue(s.catalog_reviewed_at, thresholds.catalogue_review_months)
            {
                found.push(service_finding(s, Rule::CatalogueReviewOverdue, since));
            }
        }
        if let Some(since) = overdue(
            s.documentation_reviewed_at,
            thresholds.documentation_review_months,
        ) {
            found.push(service_finding(s, Rule::DocumentationReviewOverdue, since));
        }
        // An unclassified service is overdue whatever its review time says (the three levels
        // are written together, so one column tells).
        let reviewed = s.security_confidentiality.and(s.security_reviewed_at);
        if let Some(since) = overdue(reviewed, thresholds.security_review_months) {
            let mut finding = service_finding(s, Rule::SecurityReviewOverdue, since);
            if s.security_confidentiality.is_none() {
                finding.detail = Detail::Text("unclassified".into());
            }
            found.push(finding);
        }
        let routine_missing = s
            .ordering_routine
            .as_deref()
            .is_none_or(|r| r.trim().is_empty());
        if !s.support_process_established || routine_missing {
            let mut finding = service_finding(s, Rule::SupportOrOrderingMissing, None);
            finding.detail = Detail::Text(
                match (!s.support_process_established, routine_missing) {
                    (true, true) => "both",
                    (true, false) => "support",
                    _ => "ordering",
                }
                .into(),
            );
            found.push(finding);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str) -> NaiveDateTime {
        NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    fn eduroam() -> ServiceRecord {
        ServiceRecord {
            id: 7,
            slug: "eduroam".into(),
            name: "Eduroam".into(),
            portfolio_id: Some(1),
            lifecycle_changed_at: at("2024-01-10"),
            support_process_established: true,
            ordering_routine: Some("Beställs via Sunets portal".into()),
            published: true,
            self_produced: true,
            catalog_reviewed_at: Some(at("2026-10-01")),
            documentation_reviewed_at: Some(at("2026-10-01")),
            security_confidentiality: Some(2),
            security_reviewed_at: Some(at("2026-10-01")),
        }
    }

    #[test]
    fn records_kept_current_make_no_finding_and_neglected_ones_each_make_theirs() {
        let (thresholds, now) = (Thresholds::default(), at("2026-12-02"));
        assert_eq!(
            service_record_findings(&[eduroam()], &thresholds, now),
            vec![]
        );
        let neglected = ServiceRecord {
            support_process_established: false,
            ordering_routine: Some("  ".into()),
            catalog_reviewed_at: None,
            documentation_reviewed_at: None,
            security_confidentiality: None,
            ..eduroam()
        };
        let found = service_record_findings(&[neglected], &thresholds, now);
        let rules: Vec<Rule> = found.iter().map(|f| f.rule).collect();
        assert_eq!(
            rules,
            vec![
                Rule::CatalogueReviewOverdue,
                Rule::DocumentationReviewOverdue,
                Rule::SecurityReviewOverdue,
                Rule::SupportOrOrderingMissing,
            ]
        );
        assert_eq!(found[2].detail, Detail::Text("unclassified".into()));
        assert_eq!(found[3].detail, Detail::Text("both".into()));
        assert!(found
            .iter()
            .all(|f| f.object_slug.as_deref() == Some("eduroam")));
    }
}
