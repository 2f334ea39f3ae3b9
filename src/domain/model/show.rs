//! The model written out: its canonical form (what its digest is taken of, and what the API
//! answers) and a Markdown page of who may do what, by action and by role, in Swedish and English.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Model, Who};
use crate::domain::role::ScopeKind;

/// The model as the API answers it and the database keeps it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelDocument {
    #[schema(example = "sunet")]
    pub name: String,
    #[schema(example = "2022.1")]
    pub version: String,
    pub title_sv: String,
    pub title_en: String,
    pub delegations: Vec<super::DelegationDef>,
    pub roles: Vec<super::RoleDef>,
    pub rules: Vec<RuleDocument>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleDocument {
    #[schema(example = "service.update")]
    pub action: String,
    /// Who may, each in the model file's form (`service_owner in scope`).
    #[schema(example = json!(["service_owner in scope"]))]
    pub allowed: Vec<String>,
}

impl Model {
    pub fn document(&self) -> ModelDocument {
        ModelDocument {
            name: self.name.clone(),
            version: self.version.clone(),
            title_sv: self.title_sv.clone(),
            title_en: self.title_en.clone(),
            delegations: self.delegations.clone(),
            roles: self.roles.clone(),
            rules: self
                .rules()
                .map(|(action, who)| RuleDocument {
                    action: action.as_str().to_string(),
                    allowed: who.iter().map(Who::to_string).collect(),
                })
                .collect(),
        }
    }
}

/// Compact JSON of the document: fields in declaration order, rules in the order of the actions.
pub(super) fn canonical(model: &Model) -> String {
    serde_json::to_string(&model.document()).unwrap_or_default()
}

/// "TÄ (service_owner)", or the code alone for a role without an abbreviation.
fn role_name(model: &Model, code: &str) -> String {
    match model
        .role_named(code)
        .and_then(|r| r.abbreviation.as_deref())
    {
        Some(abbr) => format!("{abbr} (`{code}`)"),
        None => format!("`{code}`"),
    }
}

fn who_text(model: &Model, who: &Who) -> String {
    match who {
        Who::Global(r) => role_name(model, r.as_str()),
        Who::InScope(r) => format!("{} in scope", role_name(model, r.as_str())),
        Who::Delegated(r, d) => format!("{}[{d}] in scope", role_name(model, r.as_str())),
        Who::GlobalOn(r, class) => format!("{} on {class}", role_name(model, r.as_str())),
        Who::Appointee => "the appointee".into(),
        Who::Submitter => "the submitter".into(),
        Who::Responsible => "the system's responsible".into(),
        Who::Anywhere(r) => format!("{} anywhere", role_name(model, r.as_str())),
        Who::Anyone => "anyone signed in".into(),
    }
}

fn scope_text(scope: ScopeKind) -> &'static str {
    match scope {
        ScopeKind::Global => "global / globalt",
        ScopeKind::Portfolio => "a portfolio / en portfölj",
        ScopeKind::Service => "a service / en tjänst",
        ScopeKind::PortfolioOrService => "a portfolio or a service / en portfölj eller en tjänst",
    }
}

pub(super) fn markdown(model: &Model) -> String {
    let mut out = format!(
        "# {} / {}\n\nModel `{}`, version {}, SHA-256 `{}`.\n\n",
        model.title_sv, model.title_en, model.name, model.version, model.sha256
    );
    out.push_str("## Roller / Roles\n\n| code | namn | name | scope | section | delegations | limits |\n|---|---|---|---|---|---|---|\n");
    for r in &model.roles {
        let mut limits = Vec::new();
        if let Some(max) = r.max_per_place {
            limits.push(format!("at most {max} per place"));
        }
        if let Some(need) = r.in_operation {
            let kept = if need.kept {
                ", kept while under management"
            } else {
                ""
            };
            limits.push(format!("{} needed in operation{kept}", need.min));
        }
        if r.reaches_portfolio {
            limits.push("on a service, reaches its portfolio's plans".into());
        }
        if r.from_claims {
            limits.push("may come from token claims".into());
        }
        if r.key_account {
            limits.push("may be a customer's key account".into());
        }
        let abbr = r
            .abbreviation
            .as_deref()
            .map(|a| format!(" ({a})"))
            .unwrap_or_default();
        let delegations: Vec<&str> = r.delegations.iter().map(|d| d.as_str()).collect();
        out.push_str(&format!(
            "| `{}` | {}{abbr} | {} | {} | {} | {} | {} |\n",
            r.code,
            r.name_sv,
            r.name_en,
            scope_text(r.scope),
            r.section,
            delegations.join(", "),
            limits.join("; ")
        ));
    }
    out.push_str(
        "\n## Delegationer / Delegations\n\n| code | namn | name | section |\n|---|---|---|---|\n",
    );
    for d in &model.delegations {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            d.code, d.name_sv, d.name_en, d.section
        ));
    }
    out.push_str(
        "\n## Vem får göra vad / Who may do what, by action\n\n| action | allowed |\n|---|---|\n",
    );
    for (action, who) in model.rules() {
        let allowed: Vec<String> = who.iter().map(|w| who_text(model, w)).collect();
        let allowed = if allowed.is_empty() {
            "nobody".to_string()
        } else {
            allowed.join("; ")
        };
        out.push_str(&format!("| `{action}` | {allowed} |\n"));
    }
    out.push_str("\n## Per roll / By role\n\n");
    for r in &model.roles {
        let actions: Vec<String> = model
            .rules()
            .filter_map(|(action, who)| {
                let how: Vec<String> = who
                    .iter()
                    .filter_map(|w| match w {
                        Who::Global(c) | Who::InScope(c) if *c == r.code => Some(String::new()),
                        Who::Delegated(c, d) if *c == r.code => Some(format!(" [{d}]")),
                        Who::GlobalOn(c, class) if *c == r.code => Some(format!(" (on {class})")),
                        Who::Anywhere(c) if *c == r.code => Some(" (anywhere)".to_string()),
                        _ => None,
                    })
                    .collect();
                (!how.is_empty()).then(|| format!("`{action}`{}", how.join(",")))
            })
            .collect();
        let abbr = r
            .abbreviation
            .as_deref()
            .map(|a| format!(" ({a})"))
            .unwrap_or_default();
        out.push_str(&format!(
            "- **{}{abbr}** / {}: {}\n",
            r.name_sv,
            r.name_en,
            if actions.is_empty() {
                "nothing beyond what anyone may".into()
            } else {
                actions.join(", ")
            }
        ));
    }
    out.push_str("\nEvery signed-in caller may in addition take the actions whose rule says `anyone`, and read portfolios, services, people, roles, role assignments, organizations and plans.\n");
    out
}
