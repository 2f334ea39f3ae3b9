//! `GET /api/v1/roles` (public): the roles of the guidelines, their codes and duties.

use actix_web::{get, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::role::{Delegation, RoleCode, ScopeKind};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleView {
    pub code: RoleCode,
    /// The Swedish name in the guidelines.
    #[schema(example = "Tjänsteägare")]
    pub name_sv: &'static str,
    #[schema(example = "Service owner")]
    pub name_en: &'static str,
    #[schema(example = "TÄ")]
    pub abbreviation: Option<&'static str>,
    pub scope: ScopeKind,
    /// The section of the guidelines that describes the role.
    #[schema(example = "4.2")]
    pub guideline_section: &'static str,
    pub duties_sv: Vec<&'static str>,
    pub duties_en: Vec<&'static str>,
    /// For a TS: the duties a TÄ may delegate (empty for the other roles).
    pub delegations: Vec<Delegation>,
}

struct RoleText {
    name_sv: &'static str,
    name_en: &'static str,
    abbreviation: Option<&'static str>,
    section: &'static str,
    duties: &'static [(&'static str, &'static str)],
}

/// The guidelines' role descriptions (riktlinjer för Sunets tjänsteförvaltning, section 4).
fn text(role: RoleCode) -> RoleText {
    match role {
        RoleCode::ManagementGroup => RoleText {
            name_sv: "Sunets ledningsgrupp, avdelningschef",
            name_en: "Sunet management group, head of department",
            abbreviation: Some("LG"),
            section: "4.1",
            duties: &[
                ("Ansvarar för den strategiska utvecklingen av Sunets tjänster och it-miljö samt beslutar om budgetramarna.", "Responsible for the strategic development of Sunet's services and IT environment; decides the budget frames."),
                ("Prioriterar och styr förvaltningen ur ett helhetsperspektiv.", "Prioritises and steers management as a whole."),
                ("Ansvarar för etableringen av tjänsteportföljerna och beslutar till vilken portfölj en tjänst ska ingå.", "Establishes the service portfolios and decides which portfolio a service belongs to."),
                ("Ansvarar för att förvaltningstjänstearkitekturen och it-miljön är dokumenterad och aktuell.", "Keeps the service architecture (FTA) and the IT environment documented and current."),
            ],
        },
        RoleCode::ServiceOwner => RoleText {
            name_sv: "Tjänsteägare",
            name_en: "Service owner",
            abbreviation: Some("TÄ"),
            section: "4.2",
            duties: &[
                ("Tar emot och ansvarar för att en ny tjänst etableras efter beslut i Sunets ledningsgrupp.", "Receives a new service and sees it established after the management group's decision."),
                ("Säkerställer att avtal finns samt att kontakter är etablerade med leverantören.", "Ensures that agreements exist and contacts with the supplier are established."),
                ("Säkerställer att tjänsten lever upp till krav på informationssäkerhet.", "Ensures that the service meets information security requirements."),
                ("Ansvarar för tillsättning av tjänstesamordnare och tjänsteförvaltare.", "Appoints service coordinators and service managers."),
                ("Ansvarar för uppföljning av avtal, ekonomi, budget och juridiska frågor för tjänsten.", "Follows up agreements, economy, budget and legal matters of the service."),
                ("Ansvarar för årlig förvaltningsplan för tjänsteportföljen och input till Sunets verksamhetsberättelse.", "Owns the annual management plan of the portfolio and the input to Sunet's annual report."),
                ("Ansvarar för resursplanering och budgetramarna för tjänsten.", "Plans resources and budget frames for the service."),
                ("Säkerställer att supportprocessen är etablerad och fungerar.", "Ensures that the support process is established and works."),
                ("Ansvarar för att dokumentation för tjänsten är korrekt.", "Keeps the service's documentation correct."),
                ("Initierar förändringar av tjänsterna inklusive avveckling av tjänsten.", "Initiates changes to the services, including decommissioning."),
                ("Prioriterar det löpande förvaltningsarbetet.", "Prioritises the ongoing management work."),
            ],
        },
        RoleCode::ServiceCoordinator => RoleText {
            name_sv: "Tjänstesamordnare",
            name_en: "Service coordinator",
            abbreviation: Some("TS"),
            section: "4.3",
            duties: &[
                ("Har på uppdrag av TÄ ett delegerat ansvar för en eller flera tjänster – alla eller vissa av TÄ:s uppgifter.", "Holds, on the TÄ's behalf, delegated responsibility for one or more services: all or some of the TÄ's duties."),
                ("Samordnar med TÄ.", "Coordinates with the TÄ."),
                ("Ansvarar för att tjänsteförvaltare finns.", "Ensures that service managers are in place."),
                ("Prioriterar det löpande förvaltningsarbetet i samråd med TÄ.", "Prioritises the ongoing work together with the TÄ."),
            ],
        },
        RoleCode::ServiceManager => RoleText {
            name_sv: "Tjänsteförvaltare",
            name_en: "Service manager",
            abbreviation: Some("TJF"),
            section: "4.4",
            duties: &[
                ("Ansvarar för att ta fram underlag till årlig förvaltningsplan.", "Prepares the material for the annual management plan."),
                ("Avrapporterar till TÄ/TS.", "Reports to the TÄ/TS."),
                ("Kanaliserar alla önskemål, behov och krav på ändringar i tjänsten, värderar och prioriterar dessa.", "Channels, assesses and prioritises all wishes, needs and change requests for the service."),
                ("Bevakar att det finns en fungerande beställningsrutin av tjänsten.", "Sees that a working ordering routine exists."),
                ("Meddelar TÄ/TS om ändringsarbetet överstiger budget eller avviker från förvaltningsplanen.", "Tells the TÄ/TS when change work exceeds the budget or deviates from the plan."),
                ("Föreslår beslut om godkännande/underkännande av förändringar innan tjänsten tillgängliggörs.", "Proposes approval or rejection of changes before they reach users."),
            ],
        },
        RoleCode::ServiceSpecialist => RoleText {
            name_sv: "Tjänstespecialist",
            name_en: "Service specialist",
            abbreviation: None,
            section: "3.2",
            duties: &[("Operativ nivå; uppgifter specificeras i förekommande fall.", "Operational level; duties specified where needed.")],
        },
        RoleCode::SupportSpecialist => RoleText {
            name_sv: "Supportspecialist",
            name_en: "Support specialist",
            abbreviation: None,
            section: "3.2",
            duties: &[("Operativ nivå; uppgifter specificeras i förekommande fall.", "Operational level; duties specified where needed.")],
        },
        RoleCode::Controller => RoleText {
            name_sv: "Kontrakt- och avtalsansvarig/controller",
            name_en: "Contracts and agreements controller",
            abbreviation: None,
            section: "4.7",
            duties: &[
                ("Har det övergripande ansvaret för Sunets leverantörs- och kundavtalsportfölj.", "Owns Sunet's supplier and customer contract portfolio."),
                ("Varje tjänsteleverans till en kund ska ha ett kontrakt eller annan överenskommelse.", "Every service delivery to a customer must have a contract or other agreement."),
            ],
        },
        RoleCode::AccountManager => RoleText {
            name_sv: "Kundansvarig (Key Account Manager, Account Manager)",
            name_en: "Account manager",
            abbreviation: Some("KA"),
            section: "4.6",
            duties: &[
                ("Ska säkerställa en god relation med Sunets nyckelkunder och samarbetspartners.", "Ensures good relations with Sunet's key customers and partners."),
                ("Identifierar kundernas behov.", "Identifies the customers' needs."),
                ("Följer upp relationen med och leveransen av Sunets tjänster med Sunets kunder.", "Follows up relations and deliveries with Sunet's customers."),
            ],
        },
        RoleCode::BusinessDeveloper => RoleText {
            name_sv: "Verksamhetsutvecklare (metod- och processutvecklare)",
            name_en: "Business developer (methods and processes)",
            abbreviation: Some("VU"),
            section: "4.5",
            duties: &[
                ("Samordnar utvecklingen och tillämpningen av Sunets processer.", "Coordinates the development and use of Sunet's processes."),
                ("Följer upp användandet av metoder och processer.", "Follows up the use of methods and processes."),
            ],
        },
        RoleCode::Communicator => RoleText {
            name_sv: "Kommunikatör",
            name_en: "Communicator",
            abbreviation: Some("KOM"),
            section: "4.8",
            duties: &[(
                "Ser till att tjänsteportföljen innehåller kvalitetssäkrad information om tjänsterna, att den är tillgänglig, fullständig och underhålls regelbundet.",
                "Sees that the portfolio holds quality-assured, available, complete and maintained information about the services.",
            )],
        },
    }
}

#[utoipa::path(
    tag = "roles",
    operation_id = "listRoles",
    security(()),
    summary = "The roles of the guidelines (public)",
    params(crate::api::ListQuery<crate::api::NoFilters>),
    responses((status = 200, description = "OK", body = Vec<RoleView>), crate::api::responses::PublicErrors)
)]
#[get("/roles")]
pub async fn list(
    req: actix_web::HttpRequest,
    whole: crate::api::ListQuery<crate::api::NoFilters>,
) -> crate::error::AppResult<HttpResponse> {
    let roles: Vec<RoleView> = RoleCode::ALL
        .into_iter()
        .map(|code| {
            let t = text(code);
            RoleView {
                code,
                name_sv: t.name_sv,
                name_en: t.name_en,
                abbreviation: t.abbreviation,
                scope: code.scope_kind(),
                guideline_section: t.section,
                duties_sv: t.duties.iter().map(|d| d.0).collect(),
                duties_en: t.duties.iter().map(|d| d.1).collect(),
                delegations: if code == RoleCode::ServiceCoordinator {
                    Delegation::ALL.to_vec()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    crate::api::answer_array(&req, &whole.list, roles)
}

crate::csv_record!(RoleView {
    code,
    name_sv,
    name_en,
    abbreviation,
    scope,
    guideline_section,
    duties_sv,
    duties_en,
    delegations
});
