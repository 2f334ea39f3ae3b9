//! The demo's registers as the files a newcomer would import: built from [`super::data`] with
//! the columns of each list's CSV export.

use super::data::{day, PORTFOLIOS, SERVICES, SYSTEMS};

/// A CSV file (RFC 4180: quoted where a cell needs it) of `rows` under `header`.
fn file(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut lines = vec![header.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    lines.extend(rows);
    for line in lines {
        // Writing to memory cannot fail but on a record of the wrong length, which these are not.
        let _ = writer.write_record(line);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The IT environment: what each system is, who answers for it and what it rests on.
pub(super) fn systems() -> String {
    let rows = SYSTEMS
        .iter()
        .map(
            |(slug, name, kind, hosting, supplier, responsible, depends_on)| {
                let mut row: Vec<String> =
                    [slug, name, kind, &"in_use", hosting, supplier, responsible]
                        .map(|c| c.to_string())
                        .to_vec();
                row.push(depends_on.join("; "));
                row
            },
        )
        .collect();
    file(
        &[
            "slug",
            "name",
            "kind",
            "lifecycle",
            "hosting",
            "supplier_slug",
            "responsible",
            "depends_on",
        ],
        rows,
    )
}

/// The services as the management group decided them: established in their portfolio with
/// the IT assessment weighed, or only proposed.
pub(super) fn services_decided() -> String {
    let rows = SERVICES
        .iter()
        .map(|(slug, name, description, portfolio, stage, _, systems)| {
            let decided = *stage != "proposed";
            let cell = |text: &str| {
                if decided {
                    text.to_string()
                } else {
                    String::new()
                }
            };
            vec![
                slug.to_string(),
                name.to_string(),
                description.to_string(),
                cell(portfolio),
                if decided { "established" } else { "proposed" }.to_string(),
                cell("Prövad mot it-miljön; vilar på befintliga system."),
                systems.join("; "),
            ]
        })
        .collect();
    file(
        &[
            "slug",
            "name",
            "description",
            "portfolio_slug",
            "lifecycle",
            "it_assessment_summary",
            "it_assessment_systems",
        ],
        rows,
    )
}

/// The TJF of each service `owner`'s portfolio puts in operation.
pub(super) fn managers(owner: &str) -> String {
    let rows = in_operation(owner)
        .map(|(slug, _, manager)| {
            let sub = super::PEOPLE
                .iter()
                .find(|p| p.key == manager)
                .map(|p| p.sub)
                .unwrap_or_default();
            vec![sub.to_string(), "service_manager".into(), slug.to_string()]
        })
        .collect();
    file(&["subject", "role", "service_slug"], rows)
}

/// The services of `owner`'s portfolio that are in operation: the TÄ's own decision.
pub(super) fn put_in_operation(owner: &str) -> String {
    let rows = in_operation(owner)
        .map(|(slug, name, _)| vec![slug.to_string(), name.to_string(), "in_operation".into()])
        .collect();
    file(&["slug", "name", "lifecycle"], rows)
}

/// (slug, name, TJF key) of the services in operation in the portfolio whose TÄ is `owner`.
fn in_operation(
    owner: &str,
) -> impl Iterator<Item = (&'static str, &'static str, &'static str)> + '_ {
    SERVICES
        .iter()
        .filter(move |s| {
            s.4 == "in_operation" && PORTFOLIOS.iter().any(|p| p.0 == s.3 && p.2 == owner)
        })
        .map(|s| (s.0, s.1, s.5))
}

/// Who gets what under which contract: most covered, two not (the coverage report shows them).
pub(super) fn deliveries() -> String {
    let rows = [
        ("eduroam", "uppsala-universitet", "SUNET-2024-017"),
        ("sunet-anslutning", "uppsala-universitet", "SUNET-2024-017"),
        ("sunet-anslutning", "lunds-universitet", "SUNET-2025-004"),
        ("eduroam", "lunds-universitet", "SUNET-2025-004"),
        ("sunet-drive", "kth", "SUNET-2025-031"),
        ("swamid", "umea-universitet", "SUNET-2026-002"),
        ("eduroam", "chalmers", ""),
        ("swamid", "goteborgs-universitet", ""),
    ]
    .iter()
    .map(|(service, organization, contract)| {
        vec![
            service.to_string(),
            organization.to_string(),
            contract.to_string(),
            day(-60),
        ]
    })
    .collect();
    file(
        &[
            "service_slug",
            "organization_slug",
            "contract_reference",
            "start_date",
        ],
        rows,
    )
}

const NEED_COLUMNS: [&str; 11] = [
    "reference",
    "title",
    "service_slug",
    "source_channel",
    "source_organization_slug",
    "source_date",
    "value",
    "urgency",
    "estimated_cost",
    "recommendation",
    "assessment_note",
];

/// The needs register the key account manager keeps; `assessed` adds the TJF's assessment of
/// the eduroam need (a step the TJF records by importing the same register).
pub(super) fn needs(assessed: bool) -> String {
    let row = |cells: [&str; 5], heard: i64, assessment: [&str; 5]| {
        let mut row: Vec<String> = cells.map(String::from).to_vec();
        row.push(day(heard));
        row.extend(assessment.map(String::from));
        row
    };
    let eduroam = [
        "BEH-2026-001",
        "eduroam på pendeltåg",
        "eduroam",
        "customer_meeting",
        "uppsala-universitet",
    ];
    let assessment = match assessed {
        true => [
            "4",
            "3",
            "250000.00",
            "pursue",
            "Resenärer från flera lärosäten frågar efter det.",
        ],
        false => [""; 5],
    };
    let mut rows = vec![row(eduroam, -30, assessment)];
    if !assessed {
        let signing = [
            "BEH-2026-002",
            "Gemensam e-signering för lärosätena",
            "",
            "forum",
            "kth",
        ];
        rows.push(row(signing, -10, [""; 5]));
    }
    file(&NEED_COLUMNS, rows)
}
