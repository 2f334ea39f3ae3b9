//! What the demo's Sunet holds: its portfolios, services, information systems, customers and
//! suppliers, and the controller's contract register (dates relative to today).

use chrono::{Duration, Utc};

/// Portfolios: slug, name, TÄ.
pub(super) const PORTFOLIOS: &[(&str, &str, &str)] = &[
    ("natverk", "Nätverkstjänster", "TA"),
    ("identitet", "Identitet och åtkomst", "TA_ID"),
    ("samarbete", "Samarbetstjänster", "TA_SAM"),
];

/// A service: slug, name, description, portfolio, how far along, its TJF, the systems it rests
/// on (critical first).
type ServiceRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

/// An information system: slug, name, kind, hosting, supplier, responsible, what it rests on.
type SystemRow = ServiceRow;

/// A contract of the register: reference, kind, title, organization, services, started (days
/// from today), ends, renewal, notice (months), annual value, currency, responsible.
type ContractRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<String>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

pub(super) const SERVICES: &[ServiceRow] = &[
    (
        "eduroam",
        "eduroam",
        "Trådlöst nät för forskning och utbildning, över hela världen",
        "natverk",
        "in_operation",
        "TJF",
        &["radius", "sunet-stamnat"],
    ),
    (
        "sunet-anslutning",
        "Sunet anslutning",
        "IP-anslutning av lärosäten till Sunets nät",
        "natverk",
        "in_operation",
        "TJF",
        &["sunet-stamnat"],
    ),
    (
        "eduvpn",
        "eduVPN",
        "Säker åtkomst till lärosätets nät på distans",
        "natverk",
        "in_operation",
        "TJF",
        &["sunet-stamnat"],
    ),
    (
        "sunet-tid",
        "Sunet Tid",
        "Tidssynkronisering (NTP) för lärosätena",
        "natverk",
        "established",
        "",
        &["sunet-stamnat"],
    ),
    (
        "swamid",
        "SWAMID",
        "Identitetsfederationen för svensk forskning och utbildning",
        "identitet",
        "in_operation",
        "TJF_ID",
        &["metadatatjanst"],
    ),
    (
        "edugain",
        "eduGAIN",
        "Den internationella sammankopplingen av identitetsfederationer",
        "identitet",
        "in_operation",
        "TJF_ID",
        &["metadatatjanst"],
    ),
    (
        "eduid",
        "eduID",
        "Identitet för den som saknar konto vid ett lärosäte",
        "identitet",
        "in_operation",
        "TJF_ID",
        &["eduid-plattform"],
    ),
    (
        "sunet-tcs",
        "Sunet TCS",
        "Certifikat för lärosätenas servrar och personal",
        "identitet",
        "in_operation",
        "TJF_ID",
        &[],
    ),
    (
        "sunet-drive",
        "Sunet Drive",
        "Lagring och delning av filer för forskare",
        "samarbete",
        "in_operation",
        "TJF_SAM",
        &["nextcloud-plattform", "objektlagring"],
    ),
    (
        "sunet-play",
        "Sunet Play",
        "Videoplattform för undervisning",
        "samarbete",
        "in_operation",
        "TJF_SAM",
        &["kaltura"],
    ),
    (
        "sunet-survey",
        "Sunet Survey",
        "Enkätverktyg för lärosätena",
        "samarbete",
        "established",
        "",
        &[],
    ),
    (
        "sunet-konferens",
        "Sunet Konferens",
        "Videomöten för forskningssamarbeten",
        "samarbete",
        "proposed",
        "",
        &[],
    ),
];

pub(super) const SYSTEMS: &[SystemRow] = &[
    (
        "sunet-stamnat",
        "Sunets stamnät",
        "network",
        "sunet",
        "",
        "tove@sunet.se",
        &[],
    ),
    (
        "radius",
        "RADIUS-plattformen",
        "infrastructure",
        "sunet",
        "",
        "frida@sunet.se",
        &["sunet-stamnat"],
    ),
    (
        "metadatatjanst",
        "Metadatatjänsten för SWAMID",
        "application",
        "sunet",
        "",
        "oskar@sunet.se",
        &["sunet-stamnat"],
    ),
    (
        "eduid-plattform",
        "eduID-plattformen",
        "application",
        "sunet",
        "",
        "oskar@sunet.se",
        &["sunet-stamnat"],
    ),
    (
        "objektlagring",
        "S3-lagring hos Safespring",
        "data_store",
        "supplier",
        "safespring",
        "maja@sunet.se",
        &[],
    ),
    (
        "nextcloud-plattform",
        "Nextcloud-plattformen",
        "application",
        "sunet",
        "",
        "maja@sunet.se",
        &["objektlagring", "sunet-stamnat"],
    ),
    (
        "kaltura",
        "Kaltura",
        "external_service",
        "supplier",
        "kaltura",
        "maja@sunet.se",
        &[],
    ),
];

pub(super) const ORGANIZATIONS: &str = "slug;name;kind;org_number;contact_name;contact_email;notes\r\n\
uppsala-universitet;Uppsala universitet;customer;202100-2932;Åsa Öberg;asa.oberg@uu.se;Ansluten sedan 1988.\r\n\
lunds-universitet;Lunds universitet;customer;202100-3211;Björn Ek;bjorn.ek@lu.se;\r\n\
kth;Kungliga Tekniska högskolan;customer;202100-3054;Örjan Åkesson;orjan@kth.se;\r\n\
umea-universitet;Umeå universitet;customer;202100-2874;Sofia Nyström;sofia.nystrom@umu.se;\r\n\
chalmers;Chalmers tekniska högskola;customer;556479-5598;;;Avtal under förhandling.\r\n\
goteborgs-universitet;Göteborgs universitet;customer;202100-1215;;;\r\n\
safespring;Safespring AB;supplier;556997-1731;Driftsupport;support@safespring.com;\r\n\
kaltura;Kaltura Inc.;supplier;;;;Avtal via upphandling 2024.\r\n";

pub(super) fn day(offset: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset)).to_string()
}

/// The contract register, as the controller keeps it in a spreadsheet (a cell holding `;` is
/// quoted, as the spreadsheet would).
pub(super) fn contracts() -> String {
    let ending = |days: i64| Some(day(days));
    let rows: [ContractRow; 6] = [
        // Near its notice deadline: ends in 100 days, three months' notice.
        (
            "SUNET-2024-017",
            "customer",
            "Anslutningsavtal, eduroam och IP-anslutning",
            "uppsala-universitet",
            "eduroam 50%; sunet-anslutning 50%",
            -700,
            ending(100),
            "none",
            "3",
            "480000.00",
            "SEK",
            "karin@sunet.se",
        ),
        (
            "SUNET-2025-004",
            "customer",
            "Anslutningsavtal",
            "lunds-universitet",
            "sunet-anslutning 70%; eduroam 30%",
            -400,
            ending(300),
            "automatic",
            "3",
            "420000.00",
            "SEK",
            "karin@sunet.se",
        ),
        (
            "SUNET-2025-031",
            "customer",
            "Sunet Drive för forskargrupper",
            "kth",
            "sunet-drive 100%",
            -200,
            ending(160),
            "automatic",
            "2",
            "150000.00",
            "SEK",
            "maja@sunet.se",
        ),
        (
            "SUNET-2026-002",
            "customer",
            "Identitetstjänster",
            "umea-universitet",
            "swamid 60%; eduid 40%",
            -90,
            None,
            "none",
            "6",
            "90000.00",
            "SEK",
            "oskar@sunet.se",
        ),
        (
            "LEV-2023-112",
            "supplier",
            "Objektlagring för Sunet Drive",
            "safespring",
            "sunet-drive 100%",
            -900,
            ending(400),
            "automatic",
            "3",
            "1250000.00",
            "SEK",
            "karin@sunet.se",
        ),
        // Expiring: ends in 45 days and renews only by a new decision.
        (
            "LEV-2024-007",
            "supplier",
            "Videoplattform",
            "kaltura",
            "sunet-play 100%",
            -700,
            ending(45),
            "none",
            "3",
            "38000.00",
            "EUR",
            "karin@sunet.se",
        ),
    ];
    let mut file = String::from("reference;kind;title;organization_slug;services;start_date;end_date;renewal;renewal_term_months;notice_period_months;annual_value_amount;annual_value_currency;responsible\r\n");
    for (
        reference,
        kind,
        title,
        organization,
        services,
        started,
        ends,
        renewal,
        notice,
        amount,
        currency,
        responsible,
    ) in rows
    {
        let term = if renewal == "automatic" { "12" } else { "" };
        file.push_str(&format!(
            "{reference};{kind};{title};{organization};\"{services}\";{};{};{renewal};{term};{notice};{amount};{currency};{responsible}\r\n",
            day(started),
            ends.unwrap_or_default()
        ));
    }
    file
}
