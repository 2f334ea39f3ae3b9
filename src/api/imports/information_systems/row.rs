//! One system row read into the operations' requests: the supplier by slug, its contract by
//! reference, the references in other inventories as the export writes them
//! (`netbox:dcim/devices/4711; url:https://…`, or a JSON file's `[{"system", "ref"}]`).

use serde_json::Value;

use super::Known;
use crate::api::imports::record::RowReader;
use crate::api::information_systems::{InformationSystemPatch, NewInformationSystem};
use crate::domain::it::{ExternalRef, Hosting, SystemKind, SystemLifecycle};

/// A row read: the patch of what it states (the new system's request is made from it).
pub struct Read {
    pub slug: String,
    pub patch: InformationSystemPatch,
    /// The row's lifecycle is `retired`: a retirement to record (the patch leaves it out).
    pub retired: bool,
    /// The systems it depends on directly, by slug, where the row states them.
    pub depends_on: Option<Vec<String>>,
}

impl Read {
    /// The create operation's request, where the row has what it requires (`None` names it).
    pub fn request(&self, row: &mut RowReader) -> Option<NewInformationSystem> {
        let kind = required::<SystemKind>(row, "kind", self.patch.kind);
        let hosting = required::<Hosting>(row, "hosting", self.patch.hosting);
        let lifecycle = match (self.retired, self.patch.lifecycle) {
            (true, _) => Some(SystemLifecycle::Planned),
            (false, given) => required(row, "lifecycle", given),
        };
        Some(NewInformationSystem {
            slug: self.slug.clone(),
            name: self.patch.name.clone().unwrap_or_default(),
            kind: kind?,
            description: self.patch.description.clone().unwrap_or_default(),
            lifecycle: lifecycle?,
            hosting: hosting?,
            supplier_id: self.patch.supplier_id.flatten(),
            supplier_contract_id: self.patch.supplier_contract_id.flatten(),
            responsible: self.patch.responsible.clone().flatten(),
            security_classification: self.patch.security_classification.flatten(),
            external_refs: self.patch.external_refs.clone().unwrap_or_default(),
            reviewed_at: self.patch.reviewed_at,
        })
    }
}

fn required<T>(row: &mut RowReader, column: &str, given: Option<T>) -> Option<T> {
    if given.is_none() && row.record().text(column).is_none() {
        row.error(column, "is required");
    }
    given
}

/// The file's column of an operation's field.
pub fn column(field: &str) -> String {
    match field.split('[').next().unwrap_or(field) {
        "supplier_id" => "supplier_slug".into(),
        "supplier_contract_id" => "supplier_contract_reference".into(),
        other => other.replace('.', "_"),
    }
}

/// Reads the row; `None` when what it names cannot be found (its errors are in `row`).
pub fn read(row: &mut RowReader, known: &Known) -> Option<Read> {
    let slug = row.required("slug").trim().to_string();
    let name = row.required("name");
    let lifecycle = row.parsed::<SystemLifecycle>("lifecycle");
    let retired = lifecycle == Some(SystemLifecycle::Retired);
    let supplier = row.stated("supplier_slug", |r, c| {
        let slug = r.optional(c)?.trim().to_string();
        let found = known.organizations.values().find(|o| o.slug == slug);
        if found.is_none() {
            r.error(c, format!("there is no organization {slug}"));
        }
        found.map(|o| o.id)
    });
    let contract = row.stated("supplier_contract_reference", |r, c| {
        let reference = r.optional(c)?.trim().to_string();
        let found = known.contracts.values().find(|k| k.reference == reference);
        if found.is_none() {
            r.error(c, format!("there is no contract {reference}"));
        }
        found.map(|k| k.id)
    });
    let patch = InformationSystemPatch {
        name: Some(name),
        kind: row.parsed("kind"),
        description: row
            .stated("description", |r, c| r.optional(c))
            .map(Option::unwrap_or_default),
        lifecycle: lifecycle.filter(|_| !retired),
        hosting: row.parsed("hosting"),
        supplier_id: supplier,
        supplier_contract_id: contract,
        responsible: row.stated("responsible", |r, c| r.optional(c).map(|s| s.trim().into())),
        security_classification: row.stated("security_classification", |r, c| r.classification(c)),
        external_refs: row
            .stated("external_refs", external_refs)
            .map(Option::unwrap_or_default),
        reviewed_at: row.timestamp("reviewed_at"),
        ..InformationSystemPatch::default()
    };
    let unknown = |named: &Option<Option<i64>>, column: &str| {
        named.as_ref().is_some_and(Option::is_none) && row.record().text(column).is_some()
    };
    if unknown(&patch.supplier_id, "supplier_slug")
        || unknown(&patch.supplier_contract_id, "supplier_contract_reference")
    {
        return None;
    }
    Some(Read {
        slug,
        patch,
        retired,
        depends_on: row.stated("depends_on", |r, c| Some(r.list(c))).flatten(),
    })
}

/// `system:ref` items separated by `;`, or a JSON file's list of objects.
fn external_refs(row: &mut RowReader, column: &str) -> Option<Vec<ExternalRef>> {
    if let Some(Value::Array(items)) = row.record().json(column) {
        return match serde_json::from_value(Value::Array(items.clone())) {
            Ok(refs) => Some(refs),
            Err(e) => {
                row.error(column, e.to_string());
                None
            }
        };
    }
    let mut refs = Vec::new();
    for item in row.list(column) {
        let parsed = item.split_once(':').and_then(|(system, reference)| {
            Some(ExternalRef {
                system: system.trim().parse().ok()?,
                reference: reference.trim().to_string(),
            })
        });
        match parsed {
            Some(r) => refs.push(r),
            None => row.error(
                column,
                format!("'{item}' is not system:ref (netbox, backstage or url)"),
            ),
        }
    }
    Some(refs)
}

/// The slugs a row's `depends_on` names (looked up before the rows are read).
pub fn depends_on(record: &crate::api::imports::record::Record) -> Vec<String> {
    RowReader::new(record).list("depends_on")
}
