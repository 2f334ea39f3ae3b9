//! The architecture document as Markdown: a section per portfolio with its services and what
//! each depends on, then the IT environment as one table. Written piece by piece, as the JSON.

use std::collections::HashMap;

use super::{ArchitecturePortfolio, ArchitectureService, ArchitectureSystem, HolderView};
use crate::api::markdown::{md_cell, md_inline};

pub fn heading() -> String {
    "# Förvaltningstjänstearkitektur och it-miljö / Service architecture and IT environment\n\n"
        .to_string()
}

fn holders(list: &[HolderView]) -> String {
    list.iter()
        .map(|h| {
            let who = h.name.as_deref().unwrap_or(&h.subject);
            format!("{} {}", h.role, md_inline(who))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn services_table(out: &mut Vec<u8>, services: &[ArchitectureService]) {
    if services.is_empty() {
        out.extend_from_slice("Inga tjänster / No services.\n\n".as_bytes());
        return;
    }
    out.extend_from_slice(
        "| Tjänst / Service | Livscykel / Lifecycle | Roller / Roles | Beror på / Depends on |\n|---|---|---|---|\n"
            .as_bytes(),
    );
    for s in services {
        let depends_on: Vec<String> = s
            .depends_on
            .iter()
            .map(|d| format!("`{}` ({})", d.information_system_slug, d.criticality))
            .collect();
        let row = format!(
            "| {} (`{}`) | {} | {} | {} |\n",
            md_cell(&s.name),
            s.slug,
            s.lifecycle,
            holders(&s.holders),
            depends_on.join(", ")
        );
        out.extend_from_slice(row.as_bytes());
    }
    out.push(b'\n');
}

pub fn portfolio(out: &mut Vec<u8>, p: &ArchitecturePortfolio) {
    let head = format!("## {} (`{}`)\n\n", md_inline(&p.name), p.slug);
    out.extend_from_slice(head.as_bytes());
    if !p.holders.is_empty() {
        out.extend_from_slice(format!("Roller / Roles: {}\n\n", holders(&p.holders)).as_bytes());
    }
    services_table(out, &p.services);
}

pub fn unplaced(out: &mut Vec<u8>, services: &[ArchitectureService]) {
    if services.is_empty() {
        return;
    }
    out.extend_from_slice("## Ej placerade tjänster / Unplaced services\n\n".as_bytes());
    services_table(out, services);
}

pub fn environment(out: &mut Vec<u8>, systems: &[ArchitectureSystem]) {
    out.extend_from_slice("## It-miljö / IT environment\n\n".as_bytes());
    if systems.is_empty() {
        out.extend_from_slice("Inga informationssystem / No information systems.\n".as_bytes());
        return;
    }
    let slugs: HashMap<i64, &str> = systems.iter().map(|s| (s.id, s.slug.as_str())).collect();
    out.extend_from_slice(
        "| System | Slag / Kind | Livscykel / Lifecycle | Drift / Hosting | Ansvarig / Responsible | Beror på / Depends on |\n|---|---|---|---|---|---|\n"
            .as_bytes(),
    );
    for s in systems {
        let depends_on: Vec<String> = s
            .depends_on
            .iter()
            .filter_map(|id| slugs.get(id).map(|slug| format!("`{slug}`")))
            .collect();
        let row = format!(
            "| {} (`{}`) | {} | {} | {} | {} | {} |\n",
            md_cell(&s.name),
            s.slug,
            s.kind,
            s.lifecycle,
            s.hosting,
            s.responsible.as_deref().map(md_cell).unwrap_or_default(),
            depends_on.join(", ")
        );
        out.extend_from_slice(row.as_bytes());
    }
}
