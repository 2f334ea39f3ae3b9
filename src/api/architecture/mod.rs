//! `GET /api/v1/architecture`: förvaltningstjänstearkitekturen (FTA) — every active portfolio
//! with its services and the people holding TÄ, TS and TJF.
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
use crate::db::role_assignments::Holding;
use crate::db::{portfolios, role_assignments, services, DbConnection, DbPool};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::role::RoleCode;
use crate::error::{AppError, AppResult};

/// Portfolios per chunk of the streamed answer (with their services and holders).
const CHUNK: usize = 25;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(architecture);
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
    summary = "The service architecture (FTA): portfolios, services, and their management organisation",
    responses((status = 200, description = "OK", body = Architecture), crate::api::responses::ReadErrors)
)]
#[get("/architecture")]
pub async fn architecture(who: Authenticated, pool: web::Data<DbPool>) -> AppResult<HttpResponse> {
    let (pieces, mut received) = mpsc::channel::<AppResult<Bytes>>(2);
    let pool = pool.get_ref().clone();
    actix_web::rt::spawn(async move {
        let on_error = pieces.clone();
        let written = crate::api::read_long(&pool, who, move |conn, _caller| {
            crate::db::read_snapshot(conn, |conn| write_architecture(conn, &pieces))
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
        .content_type("application/json")
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

fn write_architecture(
    conn: &mut DbConnection,
    pieces: &mpsc::Sender<AppResult<Bytes>>,
) -> AppResult<()> {
    let all_portfolios = portfolios::all_active(conn)?;
    let mut buffer = b"{\"portfolios\":[".to_vec();
    for (n, chunk) in all_portfolios.chunks(CHUNK).enumerate() {
        let ids: Vec<i64> = chunk.iter().map(|p| p.id).collect();
        let services = services::of_portfolios(conn, Some(&ids))?;
        let holders = Holders::of(role_assignments::active_in_portfolios(conn, Some(&ids))?);
        for (i, p) in chunk.iter().enumerate() {
            if n > 0 || i > 0 {
                buffer.push(b',');
            }
            let view = ArchitecturePortfolio {
                id: p.id,
                slug: p.slug.clone(),
                name: p.name.clone(),
                holders: holders.of_portfolio(p.id),
                services: services
                    .iter()
                    .filter(|s| s.portfolio_id == Some(p.id))
                    .map(|s| holders.service_view(s))
                    .collect(),
            };
            serde_json::to_writer(&mut buffer, &view).map_err(AppError::internal)?;
        }
        if !send(pieces, &mut buffer) {
            return Ok(());
        }
    }
    buffer.extend_from_slice(b"],\"unplaced_services\":");
    let unplaced = services::of_portfolios(conn, None)?;
    let holders = Holders::of(role_assignments::active_in_portfolios(conn, None)?);
    let views: Vec<ArchitectureService> =
        unplaced.iter().map(|s| holders.service_view(s)).collect();
    serde_json::to_writer(&mut buffer, &views).map_err(AppError::internal)?;
    buffer.push(b'}');
    send(pieces, &mut buffer);
    Ok(())
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

    fn service_view(&self, s: &services::ServiceOutline) -> ArchitectureService {
        ArchitectureService {
            id: s.id,
            slug: s.slug.clone(),
            name: s.name.clone(),
            lifecycle: s.lifecycle(),
            holders: self.by_service.get(&s.id).cloned().unwrap_or_default(),
        }
    }
}
