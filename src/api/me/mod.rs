//! `GET /api/v1/me` (who the caller is and what they may do) and `PATCH /api/v1/me`.

use actix_web::http::StatusCode;
use actix_web::{get, patch, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::people::PersonView;
use crate::api::role_assignments::AssignmentView;
use crate::api::{double_option, with_etag, Fields, IfMatch};
use crate::auth::policy::{Action, Caller, RoleSource, Target};
use crate::auth::Authenticated;
use crate::db::audit::{Audited, Change, ObjectType};
use crate::db::{people, role_assignments, DbPool};
use crate::domain::role::RoleCode;
use crate::domain::text;
use crate::error::{AppError, AppResult};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(me).service(update_me);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GlobalRoleView {
    pub role: RoleCode,
    /// Where it came from: a token claim or a global role assignment.
    pub source: RoleSource,
}

/// Where a set of permissions holds.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PermissionScope {
    Global,
    Portfolio,
    Service,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScopeView {
    pub kind: PermissionScope,
    pub portfolio_id: Option<i64>,
    pub service_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionView {
    pub scope: ScopeView,
    /// The actions the caller may take there.
    pub actions: Vec<Action>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    /// The `sub` of the caller's token.
    pub subject: String,
    pub person: PersonView,
    pub global_roles: Vec<GlobalRoleView>,
    /// Active role assignments.
    pub assignments: Vec<AssignmentView>,
    pub permissions: Vec<PermissionView>,
}

/// What the caller may do, globally and on each place they hold a role.
fn permissions(caller: &Caller) -> Vec<PermissionView> {
    let allowed = |target: &Target| -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|a| *a != Action::AcceptAssignment && caller.permits(*a, target))
            .collect()
    };
    let mut out = vec![PermissionView {
        scope: ScopeView {
            kind: PermissionScope::Global,
            portfolio_id: None,
            service_id: None,
        },
        actions: allowed(&Target::global()),
    }];
    let mut seen: Vec<Target> = Vec::new();
    for scoped in &caller.scoped_roles {
        let (target, scope) = match (scoped.portfolio_id, scoped.service_id) {
            (Some(p), _) => (
                Target::portfolio(p),
                ScopeView {
                    kind: PermissionScope::Portfolio,
                    portfolio_id: Some(p),
                    service_id: None,
                },
            ),
            (None, Some(s)) => (
                Target::service(s, scoped.service_portfolio_id),
                ScopeView {
                    kind: PermissionScope::Service,
                    portfolio_id: scoped.service_portfolio_id,
                    service_id: Some(s),
                },
            ),
            (None, None) => continue,
        };
        if seen.contains(&target) {
            continue;
        }
        seen.push(target);
        out.push(PermissionView {
            scope,
            actions: allowed(&target),
        });
    }
    out
}

#[utoipa::path(
    tag = "me",
    operation_id = "getMe",
    summary = "The caller: global roles and where they came from, assignments, and what they may do",
    responses((status = 200, description = "OK", body = MeView), crate::api::responses::ReadErrors)
)]
#[get("/me")]
pub async fn me(who: Authenticated, pool: web::Data<DbPool>) -> AppResult<HttpResponse> {
    let view = crate::api::read(&pool, who, move |conn, caller| {
        let person = people::find(conn, caller.person_id)?;
        let held = role_assignments::all_active(conn, Some(caller.person_id))?;
        let assignments = crate::api::role_assignments::with_place_slugs(
            conn,
            held.iter().map(AssignmentView::from).collect(),
        )?;
        Ok(MeView {
            subject: caller.sub.clone(),
            person: PersonView::from(&person),
            global_roles: caller
                .global_roles
                .iter()
                .map(|g| GlobalRoleView {
                    role: g.role.clone(),
                    source: g.source.clone(),
                })
                .collect(),
            assignments,
            permissions: permissions(caller),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(min_properties = 1)]
pub struct ProfilePatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$", max_length = 200)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^[\\t\\n\\r ]*[^@\\s\\u0000-\\u001F\\u007F-\\u009F]+@[^@\\s\\u0000-\\u001F\\u007F-\\u009F]*\\.[^@\\s\\u0000-\\u001F\\u007F-\\u009F]*[\\t\\n\\r ]*$", max_length = 320)]
    pub email: Option<Option<String>>,
}

#[utoipa::path(
    tag = "me",
    operation_id = "updateMe",
    summary = "Change one's own name and e-mail",
    params(crate::api::IfMatch),
    request_body = ProfilePatch,
    responses((status = 200, description = "OK", body = PersonView, headers(("ETag" = String))), crate::api::responses::WriteErrors)
)]
#[patch("/me")]
pub async fn update_me(
    if_match: IfMatch,
    who: Authenticated,
    body: web::Json<ProfilePatch>,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let patch = body.into_inner();
    if patch.name.is_none() && patch.email.is_none() {
        return Err(AppError::bad_request("The body changes nothing."));
    }
    let mut f = Fields::default();
    let name = patch
        .name
        .map(|n| n.and_then(|n| f.take(text::line("name", &n, 200))));
    let email = patch
        .email
        .map(|e| e.and_then(|e| f.take(text::email("email", &e))));
    f.finish()?;
    let view = crate::api::write(&pool, who, move |conn, caller| {
        let current = people::find(conn, caller.person_id)?;
        if_match.check(current.version)?;
        let updated = people::update_profile(conn, &current, name.clone(), email.clone())?;
        let view = PersonView::from(&updated);
        let change = Change {
            action: "person.update",
            roles: vec!["self".to_string()],
            object_type: ObjectType::Person,
            object_id: current.id,
            portfolio_id: None,
            before: None,
            after: None,
            import_id: None,
        }
        .before(&PersonView::from(&current))
        .after(&view);
        Ok(Audited::new(view, change))
    })
    .await?;
    Ok(with_etag(StatusCode::OK, view.version, &view))
}
