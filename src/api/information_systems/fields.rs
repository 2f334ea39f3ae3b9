//! A system's fields from a request, checked as the single operations check them: the form
//! (400), then the rules between fields and against what exists (422).

use crate::api::services::types::not_in_the_future;
use crate::api::Fields;
use crate::db::contracts::{self, Contract};
use crate::db::information_systems::{InformationSystem, SystemFields};
use crate::db::organizations::{self, Organization};
use crate::db::{people, DbConnection};
use crate::domain::contract::{ContractKind, OrganizationKind};
use crate::domain::it::{ExternalRef, RefError, SystemLifecycle};
use crate::domain::slug::{IdOrSlug, Slug};
use crate::domain::text;
use crate::error::{AppError, AppResult};

use super::{InformationSystemPatch, NewInformationSystem};

pub fn of_new(conn: &mut impl References, r: &NewInformationSystem) -> AppResult<SystemFields> {
    let now = crate::db::now();
    let mut f = Fields::default();
    let slug = f.take(Slug::parse(&r.slug).map_err(|m| ("slug".to_string(), m)));
    let name = f.take(text::line("name", &r.name, 200));
    let description = f.take(text::bounded("description", &r.description, 10_000));
    let external_refs = refs(&mut f, &r.external_refs);
    let responsible = r
        .responsible
        .as_deref()
        .and_then(|sub| f.take(text::line("responsible", sub, 255)));
    if r.lifecycle == SystemLifecycle::Retired {
        f.rule("lifecycle", "a new system is not retired");
    }
    let reviewed_at = match r.reviewed_at {
        Some(at) => not_in_the_future(&mut f, "reviewed_at", at, now),
        None => Some(now),
    };
    let fields = SystemFields {
        slug: slug.map(String::from).unwrap_or_default(),
        name: name.unwrap_or_default(),
        kind: r.kind,
        description: description.unwrap_or_default(),
        lifecycle: r.lifecycle,
        hosting: r.hosting,
        supplier_id: r.supplier_id,
        supplier_contract_id: r.supplier_contract_id,
        responsible,
        security_classification: r.security_classification,
        external_refs: external_refs.unwrap_or_default(),
        reviewed_at: reviewed_at.unwrap_or(now),
    };
    references(conn, &mut f, &fields)?;
    f.finish()?;
    Ok(fields)
}

pub fn patched(
    conn: &mut impl References,
    current: &InformationSystem,
    p: &InformationSystemPatch,
) -> AppResult<SystemFields> {
    let now = crate::db::now();
    let mut out = SystemFields::of(current);
    let mut f = Fields::default();
    if let Some(slug) = &p.slug {
        if let Some(slug) = f.take(Slug::parse(slug).map_err(|m| ("slug".to_string(), m))) {
            out.slug = slug.into();
        }
    }
    if let Some(name) = &p.name {
        out.name = f.take(text::line("name", name, 200)).unwrap_or_default();
    }
    if let Some(kind) = p.kind {
        out.kind = kind;
    }
    if let Some(hosting) = p.hosting {
        out.hosting = hosting;
    }
    if let Some(description) = &p.description {
        out.description = f
            .take(text::bounded("description", description, 10_000))
            .unwrap_or_default();
    }
    if let Some(refs) = &p.external_refs {
        out.external_refs = self::refs(&mut f, refs).unwrap_or_default();
    }
    if let Some(responsible) = &p.responsible {
        out.responsible = responsible
            .as_deref()
            .and_then(|sub| f.take(text::line("responsible", sub, 255)));
    }
    if let Some(supplier) = p.supplier_id {
        out.supplier_id = supplier;
        if supplier.is_none() && p.supplier_contract_id.is_none() {
            out.supplier_contract_id = None;
        }
    }
    if let Some(contract) = p.supplier_contract_id {
        out.supplier_contract_id = contract;
    }
    if let Some(classification) = p.security_classification {
        out.security_classification = classification;
    }
    if let Some(lifecycle) = p.lifecycle {
        if let Err(why) = current.lifecycle().update_to(lifecycle) {
            return Err(AppError::conflict(format!("Not now: {why}.")));
        }
        out.lifecycle = lifecycle;
    }
    if let Some(at) = p.reviewed_at {
        if let Some(at) = not_in_the_future(&mut f, "reviewed_at", at, now) {
            out.reviewed_at = at;
        }
    } else if out.description != current.description {
        out.reviewed_at = now;
    }
    references(conn, &mut f, &out)?;
    f.finish()?;
    Ok(out)
}

/// The references, their form's errors 400, their rules' 422.
fn refs(f: &mut Fields, given: &[ExternalRef]) -> Option<Vec<ExternalRef>> {
    match ExternalRef::parse_all(given) {
        Ok(refs) => Some(refs),
        Err(RefError::Form(field, message)) => {
            f.error(&field, message);
            None
        }
        Err(RefError::Rule(field, message)) => {
            f.rule(&field, message);
            None
        }
    }
}

/// What a system's references are checked against: the database, or what an import looked
/// up for all its rows at once.
pub trait References {
    fn person_exists(&mut self, sub: &str) -> AppResult<bool>;
    fn organization(&mut self, id: i64) -> AppResult<Option<Organization>>;
    fn contract(&mut self, id: i64) -> AppResult<Option<Contract>>;
}

impl References for DbConnection {
    fn person_exists(&mut self, sub: &str) -> AppResult<bool> {
        Ok(people::find_by_sub(self, sub)?.is_some())
    }

    fn organization(&mut self, id: i64) -> AppResult<Option<Organization>> {
        match organizations::find(self, &IdOrSlug::Id(id)) {
            Err(AppError::NotFound(_)) => Ok(None),
            other => other.map(Some),
        }
    }

    fn contract(&mut self, id: i64) -> AppResult<Option<Contract>> {
        match contracts::find(self, id) {
            Err(AppError::NotFound(_)) => Ok(None),
            other => other.map(Some),
        }
    }
}

/// The responsible is a known person; the supplier an organization of kind supplier; the
/// contract one of its supplier contracts.
fn references(known: &mut impl References, f: &mut Fields, s: &SystemFields) -> AppResult<()> {
    if let Some(sub) = &s.responsible {
        if !known.person_exists(sub)? {
            f.rule("responsible", format!("there is no person '{sub}'"));
        }
    }
    if let Some(o) = s.supplier_id {
        match known.organization(o)? {
            None => f.rule("supplier_id", format!("there is no organization {o}")),
            Some(org) if org.kind() != OrganizationKind::Supplier => f.rule(
                "supplier_id",
                format!("organization {o} is a {}, not a supplier", org.kind()),
            ),
            Some(_) => {}
        }
    }
    if let Some(c) = s.supplier_contract_id {
        match known.contract(c)? {
            None => f.rule("supplier_contract_id", format!("there is no contract {c}")),
            Some(contract) if contract.kind() != ContractKind::Supplier => f.rule(
                "supplier_contract_id",
                format!("contract {c} is a customer contract"),
            ),
            Some(contract) if Some(contract.organization_id) != s.supplier_id => f.rule(
                "supplier_contract_id",
                "is a contract of another organization than supplier_id",
            ),
            Some(_) => {}
        }
    }
    Ok(())
}
