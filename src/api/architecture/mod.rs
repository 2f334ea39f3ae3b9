//! `GET /api/v1/architecture`: förvaltningstjänstearkitekturen (FTA) — every active portfolio
//! with its services and the people holding TÄ, TS and TJF — and the IT environment: every
//! information system, what each service and system depends on (guidelines 4.1: LG keeps both
//! documented and current, and records its reviews, `reviews`). JSON, or Markdown.
//!
//! At Sunet's full size (hundreds of portfolios, a hundred thousand services) the answer is tens
//! of megabytes, so it is streamed: portfolios are read a chunk at a time (two queries per
//! chunk, all in one snapshot of the database) and each chunk is written out as soon as it is
//! serialised. Memory stays flat whatever the size; the first byte leaves after one chunk.

use std::collections::HashMap;

use actix_web::web::Bytes;
use actix_web::{get, web, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;
use tokio::sync::mpsc;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Authenticated;
use crate::db::information_systems as systems;
use crate::db::role_assignments::Holding;
use crate::db::{portfolios, role_assignments, services, DbConnection, DbPool};
use crate::domain::it::{Criticality, Hosting, SystemKind, SystemLifecycle};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::role::RoleCode;
use crate::error::{AppError, AppResult};

mod markdown;
mod reviews;

/// Portfolios per chunk of the streamed answer (with their services and holders).
const CHUNK: usize = 25;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(architecture)
        .service(reviews::record)
        .service(reviews::list);
}

/// A system a service depends on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceEdge {
    pub information_system_id: i64,
    #[schema(example = "eduroam-radius")]
    pub information_system_slug: String,
    pub criticality: Criticality,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolderView {
    pub assignment_id: i64,
    pub subject: String,
    pub name: Option<String>,
    pub role: RoleCode,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArchitectureService {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub lifecycle: Lifecycle,
    /// TS on the service, TJF and specialists.
    pub holders: Vec<HolderView>,
    /// The information systems it depends on directly.
    pub depends_on: Vec<ServiceEdge>,
}

/// An information system of the IT environment, with what it depends on directly.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArchitectureSystem {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub kind: SystemKind,
    pub lifecycle: SystemLifecycle,
    pub hosting: Hosting,
    pub supplier_id: Option<i64>,
    /// The `sub` of the person who answers for it.
    pub responsible: Option<String>,
    /// The ids of the systems it depends on directly.
    pub depends_on: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArchitecturePortfolio {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// TÄ and portfolio-wide TS.
    pub holders: Vec<HolderView>,
    pub services: Vec<ArchitectureService>,
}

/// The shape of the streamed answer, for the document (written piece by piece, never whole).
#[allow(dead_code)]
#[derive(Debug, Serialize, ToSchema)]
pub struct Architecture {
    pub portfolios: Vec<ArchitecturePortfolio>,
    /// Proposed services not yet placed in a portfolio.
    pub unplaced_services: Vec<ArchitectureService>,
    /// The IT environment: every information system, retired ones included.
    pub information_systems: Vec<ArchitectureSystem>,
}

fn holder(h: &Holding) -> Option<HolderView> {
    Some(HolderView {
        assignment_id: h.assignment_id,
        subject: h.sub.clone(),
        name: h.name.clone(),
        role: h.role.parse().ok()?,
    })
}

#[utoipa::path(
    tag = "architecture",
    operation_id = "getArchitecture",
    summary = "The service architecture (FTA) and the IT environment: portfolios, services, their management organisation, information systems and what depends on what",
    description = "JSON, or Markdown with `Accept: text/markdown`.",
    responses(
        (status = 200, description = "OK", content(
            (Architecture = "application/json"),
            (String = "text/markdown")
        )),
        crate::api::responses::ReadErrors
    )
)]
#[get("/architecture")]
pub async fn architecture(
    req: actix_web::HttpRequest,
    who: Authenticated,
    pool: web::Data<DbPool>,
) -> AppResult<HttpResponse> {
    let format = if crate::api::wants_markdown(&req) {
        Format::Markdown
    } else {
        Format::Json
    };
    let (pieces, mut received) = mpsc::channel::<AppResult<Bytes>>(2);
    let pool = pool.get_ref().clone();
    actix_web::rt::spawn(async move {
        let on_error = pieces.clone();
        let written = crate::api::read_long(&pool, who, move |conn, _caller| {
            crate::db::read_snapshot(conn, |conn| write_architecture(conn, &pieces, format))
        })
        .await;
        if let Err(e) = written {
            let _ = on_error.send(Err(e)).await;
        }
    });
    // The first piece decides the status: what fails before it is a problem response; what
    // fails later (the database gone mid-stream) cuts the body short, as it must.
    let first = received
        .recv()
        .await
        .ok_or_else(|| AppError::internal("the architecture ended before its first piece"))??;
    let rest = futures_util::stream::unfold(received, |mut received| async move {
        received.recv().await.map(|piece| (piece, received))
    });
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .streaming(futures_util::stream::once(async { Ok::<_, AppError>(first) }).chain(rest)))
}

/// How long a piece may wait for the client to take it. The stream holds a pooled connection
/// while it runs: a client that stops reading must not keep it (a handful of such clients
/// would starve everyone else).
const SLOW_CLIENT: std::time::Duration = std::time::Duration::from_secs(10);

/// Hands one piece to the response; `false` when the client has gone or stopped reading (end
/// the stream then: the body is cut short, the connection goes back to the pool).
fn send(pieces: &mpsc::Sender<AppResult<Bytes>>, buffer: &mut Vec<u8>) -> bool {
    let piece = Ok(Bytes::from(std::mem::take(buffer)));
    // A blocking thread of the runtime: it may wait on the runtime's timer.
    tokio::runtime::Handle::current()
        .block_on(tokio::time::timeout(SLOW_CLIENT, pieces.send(piece)))
        .is_ok_and(|sent| sent.is_ok())
}

/// The two forms of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Markdown,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Markdown => "text/markdown; charset=utf-8",
        }
    }
}

fn write_architecture(
    conn: &mut DbConnection,
    pieces: &mpsc::Sender<AppResult<Bytes>>,
    format: Format,
) -> AppResult<()> {
    let all_portfolios = portfolios::all_active(conn)?;
    let mut buffer = match format {
        Format::Json => b"{\"portfolios\":[".to_vec(),
        Format::Markdown => markdown::heading().into_bytes(),
    };
    for (n, chunk) in all_portfolios.chunks(CHUNK).enumerate() {
        let ids: Vec<i64> = chunk.iter().map(|p| p.id).collect();
        let services = services::of_portfolios(conn, Some(&ids))?;
        let holders = Holders::of(role_assignments::active_in_portfolios(conn, Some(&ids))?);
        let edges = Edges::of(conn, &services)?;
        for (i, p) in chunk.iter().enumerate() {
            let view = ArchitecturePortfolio {
                id: p.id,
                slug: p.slug.clone(),
                name: p.name.clone(),
                holders: holders.of_portfolio(p.id),
                services: services
                    .iter()
                    .filter(|s| s.portfolio_id == Some(p.id))
                    .map(|s| holders.service_view(s, &edges))
                    .collect(),
            };
            match format {
                Format::Json => {
                    if n > 0 || i > 0 {
                        buffer.push(b',');
                    }
                    serde_json::to_writer(&mut buffer, &view).map_err(AppError::internal)?;
                }
                Format::Markdown => markdown::portfolio(&mut buffer, &view),
            }
        }
        if !send(pieces, &mut buffer) {
            return Ok(());
        }
    }
    let unplaced = services::of_portfolios(conn, None)?;
    let holders = Holders::of(role_assignments::active_in_portfolios(conn, None)?);
    let edges = Edges::of(conn, &unplaced)?;
    let views: Vec<ArchitectureService> = unplaced
        .iter()
        .map(|s| holders.service_view(s, &edges))
        .collect();
    let environment = environment(conn)?;
    match format {
        Format::Json => {
            buffer.extend_from_slice(b"],\"unplaced_services\":");
            serde_json::to_writer(&mut buffer, &views).map_err(AppError::internal)?;
            buffer.extend_from_slice(b",\"information_systems\":");
            serde_json::to_writer(&mut buffer, &environment).map_err(AppError::internal)?;
            buffer.push(b'}');
        }
        Format::Markdown => {
            markdown::unplaced(&mut buffer, &views);
            markdown::environment(&mut buffer, &environment);
        }
    }
    send(pieces, &mut buffer);
    Ok(())
}

/// Every information system with what it depends on (two queries).
fn environment(conn: &mut DbConnection) -> AppResult<Vec<ArchitectureSystem>> {
    let mut depends_on: HashMap<i64, Vec<i64>> = HashMap::new();
    for (system, on) in systems::all_system_edges(conn)? {
        depends_on.entry(system).or_default().push(on);
    }
    Ok(systems::all(conn)?
        .iter()
        .map(|s| ArchitectureSystem {
            id: s.id,
            slug: s.slug.clone(),
            name: s.name.clone(),
            kind: s.kind(),
            lifecycle: s.lifecycle(),
            hosting: s.hosting(),
            supplier_id: s.supplier_id,
            responsible: s.responsible.clone(),
            depends_on: depends_on.remove(&s.id).unwrap_or_default(),
        })
        .collect())
}

/// The dependencies of one chunk's services, by service (one query per chunk).
struct Edges(HashMap<i64, Vec<ServiceEdge>>);

impl Edges {
    fn of(conn: &mut DbConnection, services: &[services::ServiceOutline]) -> AppResult<Self> {
        let ids: Vec<i64> = services.iter().map(|s| s.id).collect();
        let mut by_service: HashMap<i64, Vec<ServiceEdge>> = HashMap::new();
        for (d, system) in systems::of_services(conn, &ids)? {
            by_service
                .entry(d.service_id)
                .or_default()
                .push(ServiceEdge {
                    information_system_id: system.id,
                    information_system_slug: system.slug,
                    criticality: d.criticality(),
                });
        }
        Ok(Edges(by_service))
    }
}

/// The holders of one chunk, by portfolio and by service (one pass, not a scan per object).
struct Holders {
    by_portfolio: HashMap<i64, Vec<HolderView>>,
    by_service: HashMap<i64, Vec<HolderView>>,
}

impl Holders {
    fn of(held: Vec<Holding>) -> Self {
        let mut holders = Holders {
            by_portfolio: HashMap::new(),
            by_service: HashMap::new(),
        };
        for h in &held {
            let Some(view) = holder(h) else { continue };
            match (h.portfolio_id, h.service_id) {
                (Some(p), _) => holders.by_portfolio.entry(p).or_default().push(view),
                (None, Some(s)) => holders.by_service.entry(s).or_default().push(view),
                (None, None) => {}
            }
        }
        holders
    }

    fn of_portfolio(&self, id: i64) -> Vec<HolderView> {
        self.by_portfolio.get(&id).cloned().unwrap_or_default()
    }

    fn service_view(&self, s: &services::ServiceOutline, edges: &Edges) -> ArchitectureService {
        ArchitectureService {
            id: s.id,
            slug: s.slug.clone(),
            name: s.name.clone(),
            lifecycle: s.lifecycle(),
            holders: self.by_service.get(&s.id).cloned().unwrap_or_default(),
            depends_on: edges.0.get(&s.id).cloned().unwrap_or_default(),
        }
    }
}
