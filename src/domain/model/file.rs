//! Reading a model file: TOML into the model, every reference checked, every refusal naming the
//! file, the line and the key.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::{DelegationDef, Duty, Model, OperationNeed, RoleDef, Who};
use crate::domain::action::{Action, ObjectClass};
use crate::domain::role::{Delegation, RoleCode, ScopeKind};

/// Why a model file was refused: each problem with its line and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    pub file: String,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}:{}: {}: {}", self.file, p.line, p.key, p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ModelError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileModel {
    model: Header,
    #[serde(default)]
    delegations: Vec<FileDelegation>,
    roles: Vec<FileRole>,
    rules: Spanned<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    name: String,
    version: String,
    title_sv: String,
    title_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDelegation {
    code: Spanned<String>,
    name_sv: String,
    name_en: String,
    section: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRole {
    code: Spanned<String>,
    name_sv: String,
    name_en: String,
    abbreviation: Option<String>,
    section: String,
    scope: Spanned<String>,
    reaches_portfolio: Option<Spanned<bool>>,
    #[serde(default)]
    delegations: Vec<Spanned<String>>,
    from_claims: Option<Spanned<bool>>,
    key_account: Option<Spanned<bool>>,
    assigned_through: Spanned<String>,
    max_per_place: Option<Spanned<u32>>,
    in_operation: Option<Spanned<FileNeed>>,
    #[serde(default)]
    duties: Vec<FileDuty>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileNeed {
    min: u32,
    #[serde(default)]
    kept: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDuty {
    sv: String,
    en: String,
}

/// What a checked file holds, before the model computes its digest.
pub(super) struct Parts {
    pub name: String,
    pub version: String,
    pub title_sv: String,
    pub title_en: String,
    pub delegations: Vec<DelegationDef>,
    pub roles: Vec<RoleDef>,
    pub rules: Vec<(Action, Vec<Who>)>,
}

/// Collects problems against the text they were found in.
struct Check<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl Check<'_> {
    fn line(&self, span: &Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn refuse(&mut self, span: &Range<usize>, key: impl Into<String>, message: impl Into<String>) {
        let line = self.line(span);
        self.problems.push(Problem {
            line,
            key: key.into(),
            message: message.into(),
        });
    }

    /// `text` parsed as `T`, or a problem at `span`.
    fn parse<T: std::str::FromStr<Err = String>>(
        &mut self,
        text: &Spanned<String>,
        key: &str,
    ) -> Option<T> {
        match text.get_ref().parse() {
            Ok(value) => Some(value),
            Err(message) => {
                self.refuse(&text.span(), key, message);
                None
            }
        }
    }
}

impl Model {
    /// Reads and checks the model in `text` (read from `file`, which problems name).
    pub fn load(file: &str, text: &str) -> Result<Model, ModelError> {
        let refused = |problems| ModelError {
            file: file.to_string(),
            problems,
        };
        let parsed: FileModel =
            toml::from_str(text).map_err(|e| refused(vec![syntax(text, &e)]))?;
        let mut check = Check {
            text,
            problems: Vec::new(),
        };
        let delegations = delegations(&mut check, &parsed.delegations);
        let roles = roles(&mut check, &parsed.roles, &delegations);
        let rules = rules(&mut check, &parsed.rules, &roles, &delegations);
        unused_delegations(&mut check, &parsed.delegations, &rules);
        if !check.problems.is_empty() {
            check.problems.sort_by_key(|p| p.line);
            return Err(refused(check.problems));
        }
        Ok(Model::new(Parts {
            name: parsed.model.name,
            version: parsed.model.version,
            title_sv: parsed.model.title_sv,
            title_en: parsed.model.title_en,
            delegations,
            roles,
            rules,
        }))
    }
}

/// A TOML or shape error: its line, and the key on that line.
fn syntax(text: &str, e: &toml::de::Error) -> Problem {
    let start = e.span().map(|s| s.start).unwrap_or(0).min(text.len());
    let line = text.as_bytes()[..start]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1;
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let key = line_text
        .split_once('=')
        .map_or(line_text, |(k, _)| k)
        .trim()
        .trim_matches(['[', ']', '"'])
        .to_string();
    Problem {
        line,
        key,
        message: e.message().trim().to_string(),
    }
}

fn delegations(check: &mut Check, file: &[FileDelegation]) -> Vec<DelegationDef> {
    let mut out: Vec<DelegationDef> = Vec::new();
    for d in file {
        let key = format!("delegations.{}", d.code.get_ref());
        let Some(code) = check.parse::<Delegation>(&d.code, &key) else {
            continue;
        };
        if out.iter().any(|o| o.code == code) {
            check.refuse(&d.code.span(), key, "declared twice");
            continue;
        }
        out.push(DelegationDef {
            code,
            name_sv: d.name_sv.clone(),
            name_en: d.name_en.clone(),
            section: d.section.clone(),
        });
    }
    out
}

fn roles(check: &mut Check, file: &[FileRole], delegations: &[DelegationDef]) -> Vec<RoleDef> {
    let mut out: Vec<RoleDef> = Vec::new();
    for r in file {
        let key = format!("roles.{}", r.code.get_ref());
        if let Some(role) = role(check, r, &key, delegations) {
            if out.iter().any(|o| o.code == role.code) {
                check.refuse(&r.code.span(), key, "declared twice");
            } else {
                out.push(role);
            }
        }
    }
    out
}

fn role(check: &mut Check, r: &FileRole, key: &str, known: &[DelegationDef]) -> Option<RoleDef> {
    let code = check.parse::<RoleCode>(&r.code, key);
    let scope = check.parse::<ScopeKind>(&r.scope, &format!("{key}.scope"));
    let assigned_through =
        check.parse::<Action>(&r.assigned_through, &format!("{key}.assigned_through"));
    if let Some(action) = assigned_through.filter(|a| !a.appoints()) {
        check.refuse(
            &r.assigned_through.span(),
            format!("{key}.assigned_through"),
            format!("'{action}' is not an action that appoints (role_assignment.…, not accept)"),
        );
    }
    let mut delegations = Vec::new();
    for d in &r.delegations {
        let dkey = format!("{key}.delegations");
        if let Some(code) = check.parse::<Delegation>(d, &dkey) {
            if known.iter().any(|k| k.code == code) {
                delegations.push(code);
            } else {
                check.refuse(
                    &d.span(),
                    dkey,
                    format!("there is no delegation '{code}' in [[delegations]]"),
                );
            }
        }
    }
    let global = scope == Some(ScopeKind::Global);
    let scoped_only = |check: &mut Check, span: Range<usize>, what: &str| {
        if global {
            check.refuse(
                &span,
                format!("{key}.{what}"),
                "a global role holds everywhere; only a scoped role has this",
            );
        }
    };
    if !r.delegations.is_empty() {
        scoped_only(check, r.delegations[0].span(), "delegations");
    }
    if let Some(reaches) = r.reaches_portfolio.as_ref().filter(|b| *b.get_ref()) {
        scoped_only(check, reaches.span(), "reaches_portfolio");
    }
    if let Some(need) = &r.in_operation {
        scoped_only(check, need.span(), "in_operation");
        if scope == Some(ScopeKind::PortfolioOrService) {
            check.refuse(
                &need.span(),
                format!("{key}.in_operation"),
                "a service's needs are counted on its portfolio or on itself: give the role scope \"portfolio\" or \"service\"",
            );
        }
    }
    if let Some(max) = &r.max_per_place {
        scoped_only(check, max.span(), "max_per_place");
        if *max.get_ref() == 0 {
            check.refuse(
                &max.span(),
                format!("{key}.max_per_place"),
                "must be at least 1 (leave it out for no limit)",
            );
        }
    }
    if let Some(claims) = r.from_claims.as_ref().filter(|b| *b.get_ref() && !global) {
        check.refuse(
            &claims.span(),
            format!("{key}.from_claims"),
            "only a global role is taken from token claims",
        );
    }
    let in_operation = r.in_operation.as_ref().map(|need| OperationNeed {
        min: need.get_ref().min,
        kept: need.get_ref().kept,
    });
    if let (Some(need), Some(max)) = (&r.in_operation, &r.max_per_place) {
        if need.get_ref().min > *max.get_ref() {
            check.refuse(
                &need.span(),
                format!("{key}.in_operation"),
                format!(
                    "min {} is above max_per_place {}",
                    need.get_ref().min,
                    max.get_ref()
                ),
            );
        }
    }
    Some(RoleDef {
        code: code?,
        name_sv: r.name_sv.clone(),
        name_en: r.name_en.clone(),
        abbreviation: r.abbreviation.clone(),
        section: r.section.clone(),
        scope: scope?,
        reaches_portfolio: r.reaches_portfolio.as_ref().is_some_and(|b| *b.get_ref()),
        delegations,
        from_claims: r.from_claims.as_ref().is_some_and(|b| *b.get_ref()),
        key_account: r.key_account.as_ref().is_some_and(|b| *b.get_ref()),
        assigned_through: assigned_through?,
        max_per_place: r.max_per_place.as_ref().map(|m| *m.get_ref()),
        in_operation,
        duties: r
            .duties
            .iter()
            .map(|d| Duty {
                sv: d.sv.clone(),
                en: d.en.clone(),
            })
            .collect(),
    })
}

type FileRules = Spanned<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>;

fn rules(
    check: &mut Check,
    file: &FileRules,
    roles: &[RoleDef],
    delegations: &[DelegationDef],
) -> Vec<(Action, Vec<Who>)> {
    let mut found: Vec<(Action, Vec<Who>)> = Vec::new();
    for (action, entries) in file.get_ref() {
        let key = format!("rules.\"{}\"", action.get_ref());
        let Some(action) = check.parse::<Action>(action, &key) else {
            continue;
        };
        let mut who = Vec::new();
        for entry in entries {
            if let Some(w) = entry_of(check, entry, &key, roles, delegations) {
                if !who.contains(&w) {
                    who.push(w);
                }
            }
        }
        found.push((action, who));
    }
    let mut rules = Vec::new();
    for action in Action::ALL {
        match found.iter().position(|(a, _)| *a == action) {
            Some(i) => rules.push(found.swap_remove(i)),
            None => check.refuse(
                &file.span(),
                format!("rules.\"{action}\""),
                "this action has no rule (write [] to refuse it to everyone)",
            ),
        }
    }
    rules
}

/// One entry of a rule, in one of the forms the file's header lists.
fn entry_of(
    check: &mut Check,
    entry: &Spanned<String>,
    key: &str,
    roles: &[RoleDef],
    delegations: &[DelegationDef],
) -> Option<Who> {
    let text = entry.get_ref().trim();
    let mut refuse = |message: String| {
        check.refuse(&entry.span(), key, format!("'{text}': {message}"));
        None
    };
    match text {
        "anyone" => return Some(Who::Anyone),
        "appointee" => return Some(Who::Appointee),
        "submitter" => return Some(Who::Submitter),
        "responsible" => return Some(Who::Responsible),
        _ => {}
    }
    if let Some(role_text) = text.strip_suffix(" anywhere") {
        let role_text = role_text.trim();
        return match roles.iter().find(|r| r.code.as_str() == role_text) {
            Some(role) if !role.is_global() => Some(Who::Anywhere(role.code.clone())),
            Some(role) => refuse(format!(
                "{} is a global role: it holds everywhere already (write '{}')",
                role.code, role.code
            )),
            None => refuse(format!("there is no role '{role_text}' in [[roles]]")),
        };
    }
    let (head, class) = match text.split_once(" on ") {
        Some((head, class)) => match class.trim().parse::<ObjectClass>() {
            Ok(class) => (head.trim(), Some(class)),
            Err(message) => return refuse(message),
        },
        None => (text, None),
    };
    let (head, in_scope) = match head.strip_suffix(" in scope") {
        Some(head) => (head.trim(), true),
        None => (head, false),
    };
    let (role_text, delegation) = match head.split_once('[') {
        Some((role, rest)) => match rest.strip_suffix(']') {
            Some(d) => (role.trim(), Some(d.trim())),
            None => return refuse("a delegation is written role[delegation]".into()),
        },
        None => (head, None),
    };
    let Some(role) = roles.iter().find(|r| r.code.as_str() == role_text) else {
        return refuse(format!("there is no role '{role_text}' in [[roles]]"));
    };
    let code = role.code.clone();
    match (role.is_global(), in_scope, delegation, class) {
        (true, false, None, None) => Some(Who::Global(code)),
        (true, false, None, Some(class)) => Some(Who::GlobalOn(code, class)),
        (true, true, _, _) => refuse(format!(
            "{code} is a global role: it holds everywhere, not in scope (write '{code}')"
        )),
        (true, false, Some(_), _) => refuse(format!(
            "{code} is a global role and carries no delegations"
        )),
        (false, false, _, _) => refuse(format!(
            "{code} is held on a portfolio or service: write '{code} in scope'"
        )),
        (false, true, _, Some(_)) => refuse("'on <class>' is for global roles".into()),
        (false, true, None, None) => Some(Who::InScope(code)),
        (false, true, Some(d), None) => {
            let Some(d) = delegations.iter().find(|k| k.code.as_str() == d) else {
                return refuse(format!("there is no delegation '{d}' in [[delegations]]"));
            };
            if !role.delegations.contains(&d.code) {
                return refuse(format!("{code} does not carry the delegation '{}'", d.code));
            }
            Some(Who::Delegated(code, d.code.clone()))
        }
    }
}

/// A delegation no rule names would grant nothing: a mistake, not a model.
fn unused_delegations(check: &mut Check, file: &[FileDelegation], rules: &[(Action, Vec<Who>)]) {
    for d in file {
        let used = rules
            .iter()
            .flat_map(|(_, who)| who)
            .any(|w| matches!(w, Who::Delegated(_, code) if code.as_str() == d.code.get_ref()));
        if !used {
            check.refuse(
                &d.code.span(),
                format!("delegations.{}", d.code.get_ref()),
                "no rule uses this delegation, so holding it would grant nothing",
            );
        }
    }
}
