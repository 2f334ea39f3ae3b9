use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{double_option, utc, Fields};
use crate::db::organizations::{Organization, OrganizationFields};
use crate::domain::contract::OrganizationKind;
use crate::domain::org_number::OrgNumber;
use crate::domain::slug::Slug;
use crate::domain::text;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationView {
    pub id: i64,
    #[schema(example = "uppsala-universitet")]
    pub slug: String,
    #[schema(example = "Uppsala universitet")]
    pub name: String,
    pub kind: OrganizationKind,
    /// Swedish organisationsnummer, `NNNNNN-NNNN`.
    #[schema(example = "202100-2932")]
    pub org_number: Option<String>,
    /// The designated contact.
    pub contact: ContactView,
    pub notes: String,
    /// The `sub` of the account manager who answers for this customer (kundansvarig).
    #[schema(example = "karin.kund@sunet.se")]
    pub key_account: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The organisation's designated contact (guidelines 4.7: a named contact per customer).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[schema(
        example = "Åsa Öberg",
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub name: Option<String>,
    #[schema(
        example = "asa.oberg@uu.se",
        max_length = 320,
        pattern = "^[\\t\\n\\r ]*[^@\\s\\u0000-\\u001F\\u007F-\\u009F]+@[^@\\s\\u0000-\\u001F\\u007F-\\u009F]*\\.[^@\\s\\u0000-\\u001F\\u007F-\\u009F]*[\\t\\n\\r ]*$"
    )]
    pub email: Option<String>,
}

/// The contact as sent: both members always there, null when not recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    #[schema(example = "Åsa Öberg")]
    pub name: Option<String>,
    #[schema(example = "asa.oberg@uu.se")]
    pub email: Option<String>,
}

impl From<&Organization> for OrganizationView {
    fn from(o: &Organization) -> Self {
        OrganizationView {
            id: o.id,
            slug: o.slug.clone(),
            name: o.name.clone(),
            kind: o.kind(),
            org_number: o.org_number.clone(),
            contact: ContactView {
                name: o.contact_name.clone(),
                email: o.contact_email.clone(),
            },
            notes: o.notes.clone(),
            key_account: o.key_account.clone(),
            version: o.version,
            created_at: utc(o.created_at),
            updated_at: utc(o.updated_at),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    #[schema(
        example = "uppsala-universitet",
        pattern = "^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}$",
        min_length = 2,
        max_length = 63
    )]
    pub slug: String,
    #[schema(
        example = "Uppsala universitet",
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$",
        max_length = 200
    )]
    pub name: String,
    pub kind: OrganizationKind,
    /// `NNNNNN-NNNN` with a valid Luhn check digit.
    #[schema(example = "202100-2932", pattern = "^[0-9]{6}-[0-9]{4}$")]
    pub org_number: Option<String>,
    #[serde(default)]
    pub contact: Contact,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub notes: String,
}

fn parse_contact(f: &mut Fields, contact: &Contact) -> (Option<String>, Option<String>) {
    let name = contact
        .name
        .as_ref()
        .and_then(|n| f.take(text::line("contact.name", n, 200)));
    let email = contact
        .email
        .as_ref()
        .and_then(|e| f.take(text::email("contact.email", e)));
    (name, email)
}

fn parse_org_number(f: &mut Fields, value: Option<&String>) -> Option<String> {
    use crate::domain::org_number::OrgNumberError;
    match OrgNumber::parse(value?) {
        Ok(number) => Some(number.as_str().to_string()),
        Err(e @ OrgNumberError::Form) => {
            f.error("org_number", e.to_string());
            None
        }
        Err(e @ OrgNumberError::CheckDigit) => {
            f.rule("org_number", e.to_string());
            None
        }
    }
}

impl NewOrganization {
    pub fn parse(&self) -> AppResult<OrganizationFields> {
        let mut f = Fields::default();
        let slug = f.take(Slug::parse(&self.slug).map_err(|m| ("slug".to_string(), m)));
        let name = f.take(text::line("name", &self.name, 200));
        let org_number = parse_org_number(&mut f, self.org_number.as_ref());
        let (contact_name, contact_email) = parse_contact(&mut f, &self.contact);
        let notes = f.take(text::bounded("notes", &self.notes, 10_000));
        f.finish()?;
        Ok(OrganizationFields {
            slug: slug.map(String::from).unwrap_or_default(),
            name: name.unwrap_or_default(),
            kind: self.kind,
            org_number,
            contact_name,
            contact_email,
            notes: notes.unwrap_or_default(),
            key_account: None,
        })
    }
}

/// Fields to change; absent fields stay, `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct OrganizationPatch {
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
    /// Refused while the organisation has contracts of the other kind.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub kind: Option<OrganizationKind>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{6}-[0-9]{4}$")]
    pub org_number: Option<Option<String>>,
    /// Replaces the contact as a whole.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub contact: Option<Contact>,
    #[schema(max_length = 10000)]
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(nullable = false)]
    pub notes: Option<String>,
    /// The `sub` of a person holding the account-manager role, for a customer (LG, KA); `null`
    /// clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(
        value_type = Option<String>,
        max_length = 255,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub key_account: Option<Option<String>>,
}

impl OrganizationPatch {
    /// Does the patch change more than the key account (the controller's and KA's fields)?
    pub fn changes_fields(&self) -> bool {
        self.slug.is_some()
            || self.name.is_some()
            || self.kind.is_some()
            || self.org_number.is_some()
            || self.contact.is_some()
            || self.notes.is_some()
    }

    pub fn is_empty(&self) -> bool {
        !self.changes_fields() && self.key_account.is_none()
    }

    pub fn apply(&self, current: &Organization) -> AppResult<OrganizationFields> {
        if self.is_empty() {
            return Err(AppError::bad_request("The body changes nothing."));
        }
        let mut f = Fields::default();
        let mut out = OrganizationFields::of(current);
        if let Some(slug) = &self.slug {
            out.slug = f
                .take(Slug::parse(slug).map_err(|m| ("slug".to_string(), m)))
                .map(String::from)
                .unwrap_or_default();
        }
        if let Some(name) = &self.name {
            out.name = f.take(text::line("name", name, 200)).unwrap_or_default();
        }
        if let Some(kind) = self.kind {
            out.kind = kind;
        }
        if let Some(number) = &self.org_number {
            out.org_number = parse_org_number(&mut f, number.as_ref());
        }
        if let Some(contact) = &self.contact {
            (out.contact_name, out.contact_email) = parse_contact(&mut f, contact);
        }
        if let Some(notes) = &self.notes {
            out.notes = f
                .take(text::bounded("notes", notes, 10_000))
                .unwrap_or_default();
        }
        if let Some(key_account) = &self.key_account {
            out.key_account = key_account
                .as_ref()
                .and_then(|sub| f.take(text::line("key_account", sub, 255)));
        }
        f.finish()?;
        Ok(out)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    pub kind: Option<OrganizationKind>,
    /// Text search in slug, name and organisation number.
    #[serde(default, deserialize_with = "crate::domain::text::search")]
    #[param(max_length = 200)]
    pub q: Option<String>,
}

impl crate::api::Listing for OrganizationQuery {
    const ORDERING: &'static [&'static str] = crate::db::organizations::SORT_FIELDS;
}

/// The contact as two flat columns (a spreadsheet's, and an import's).
impl crate::api::CsvRecord for OrganizationView {
    const HEADER: &'static [&'static str] = &[
        "id",
        "slug",
        "name",
        "kind",
        "org_number",
        "contact_name",
        "contact_email",
        "notes",
        "key_account",
        "version",
        "created_at",
        "updated_at",
    ];

    fn record(&self) -> Vec<String> {
        use crate::api::csv_cell;
        vec![
            self.id.to_string(),
            self.slug.clone(),
            self.name.clone(),
            self.kind.to_string(),
            csv_cell(&self.org_number),
            csv_cell(&self.contact.name),
            csv_cell(&self.contact.email),
            self.notes.clone(),
            csv_cell(&self.key_account),
            self.version.to_string(),
            csv_cell(&self.created_at),
            csv_cell(&self.updated_at),
        ]
    }
}
