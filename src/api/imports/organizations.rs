//! Importing organizations, matched by slug: each row read as `POST /organizations` reads its
//! body, an existing one changed as `PATCH` would (the same policy: the controller and KA;
//! the key account by LG and KA).

use std::collections::HashMap;

use super::file::Columns;
use super::record::{flat, Record, RowReader};
use super::run::{Kind, Planned, Step};
use crate::api::organizations::{
    key_account_fits, kind_still_fits, Contact, NewOrganization, OrganizationView,
};
use crate::auth::policy::{Action, Caller, Grant, Target};
use crate::db::audit::{Change, ObjectType};
use crate::db::organizations::{self, Organization, OrganizationFields};
use crate::db::DbConnection;
use crate::error::AppResult;

pub struct Organizations;

/// The file's organizations that exist, by slug.
type Known = HashMap<String, Organization>;

/// A planned organization write.
pub enum Write {
    Create(OrganizationFields, Grant),
    Update(Box<Organization>, OrganizationFields, Grant),
}

impl Kind for Organizations {
    const COLUMNS: Columns = Columns {
        kind: "organizations",
        export: <OrganizationView as crate::api::CsvRecord>::HEADER,
        required: &["slug", "name", "kind"],
        ignored: &["id", "version", "created_at", "updated_at"],
    };
    const KEY: &'static str = "slug";
    const GROWS: &'static [&'static str] = &["organizations"];
    type Write = Write;
    type Known = Known;

    fn look_up(conn: &mut DbConnection, records: &[Record]) -> AppResult<Known> {
        let slugs: Vec<String> = records.iter().filter_map(Self::key).collect();
        Ok(organizations::with_slugs(conn, &slugs)?
            .into_iter()
            .map(|o| (o.slug.clone(), o))
            .collect())
    }

    fn plan_row(
        conn: &mut DbConnection,
        caller: &Caller,
        record: &Record,
        known: &mut Known,
    ) -> AppResult<Planned<Write>> {
        let current = Self::key(record).and_then(|slug| known.get(&slug));
        plan_row(conn, caller, record, current)
    }

    fn apply(
        conn: &mut DbConnection,
        _caller: &Caller,
        write: &Write,
    ) -> AppResult<(i64, Vec<Change>)> {
        match write {
            Write::Create(fields, grant) => {
                let created = organizations::insert(conn, fields)?;
                let view = OrganizationView::from(&created);
                let change = Change::by(grant, ObjectType::Organization, created.id).after(&view);
                Ok((created.id, vec![change]))
            }
            Write::Update(current, fields, grant) => {
                let updated = organizations::update(conn, current, fields)?;
                let change = Change::by(grant, ObjectType::Organization, current.id)
                    .before(&OrganizationView::from(current.as_ref()))
                    .after(&OrganizationView::from(&updated));
                Ok((current.id, vec![change]))
            }
        }
    }
}

/// One row: parsed by the create operation's code, then compared with the organization of
/// its slug, if there is one.
fn plan_row(
    conn: &mut DbConnection,
    caller: &Caller,
    record: &Record,
    current: Option<&Organization>,
) -> AppResult<Planned<Write>> {
    let mut row = RowReader::new(record);
    let slug = row.required("slug");
    let name = row.required("name");
    let kind = row.required_parsed("kind");
    let old = current.map(OrganizationFields::of);
    let Some(kind) = kind else {
        return Ok(row.refused());
    };
    let request = NewOrganization {
        slug,
        name,
        kind,
        org_number: row.optional_or(
            "org_number",
            &old.as_ref().and_then(|o| o.org_number.clone()),
        ),
        contact: Contact {
            name: row.optional_or(
                "contact_name",
                &old.as_ref().and_then(|o| o.contact_name.clone()),
            ),
            email: row.optional_or(
                "contact_email",
                &old.as_ref().and_then(|o| o.contact_email.clone()),
            ),
        },
        notes: row
            .optional_or("notes", &old.as_ref().map(|o| o.notes.clone()))
            .unwrap_or_default(),
    };
    let key_account = row.optional_or(
        "key_account",
        &old.as_ref().and_then(|o| o.key_account.clone()),
    );
    let mut fields = match request.parse() {
        Ok(fields) => fields,
        Err(error) => {
            row.failed(error, flat);
            return Ok(row.refused());
        }
    };
    fields.key_account = key_account;
    let decided = match current {
        None => create(conn, caller, fields),
        Some(current) => update(conn, caller, current, fields),
    };
    Ok(row.decided(decided, flat))
}

fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    fields: OrganizationFields,
) -> AppResult<Step<Write>> {
    let mut actions = vec![Action::OrganizationCreate];
    if fields.key_account.is_some() {
        actions.push(Action::OrganizationSetKeyAccount);
        key_account_fits(conn, caller, &fields)?;
    }
    let grant = caller.authorize_all(&actions, &Target::global())?;
    Ok(Step::Create(Write::Create(fields, grant)))
}

fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    current: &Organization,
    fields: OrganizationFields,
) -> AppResult<Step<Write>> {
    let old = OrganizationFields::of(current);
    if fields == old {
        return Ok(Step::Unchanged(current.id));
    }
    let mut actions = Vec::new();
    let fields_but_key_account = OrganizationFields {
        key_account: old.key_account.clone(),
        ..fields.clone()
    };
    if fields_but_key_account != old {
        actions.push(Action::OrganizationUpdate);
    }
    if fields.key_account != old.key_account {
        actions.push(Action::OrganizationSetKeyAccount);
    }
    let grant = caller.authorize_all(&actions, &Target::global())?;
    if fields.kind != old.kind {
        kind_still_fits(conn, current.id, fields.kind)?;
    }
    if fields.key_account.is_some()
        && (fields.key_account != old.key_account || fields.kind != old.kind)
    {
        key_account_fits(conn, caller, &fields)?;
    }
    Ok(Step::Update(Write::Update(
        Box::new(current.clone()),
        fields,
        grant,
    )))
}
