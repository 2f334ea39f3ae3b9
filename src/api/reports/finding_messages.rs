//! What the governance report says of each finding, in Swedish and in English.

use crate::db::governance::{Detail, Finding};
use crate::domain::governance::Rule;
use crate::domain::money::Money;

/// The finding in words, Swedish and English.
pub(super) fn messages(f: &Finding) -> (String, String) {
    let name = &f.object_name;
    let text = match &f.detail {
        Detail::Text(t) => t.as_str(),
        _ => "",
    };
    match (f.rule, &f.detail) {
        (Rule::PortfolioWithoutOwner, _) => (
            format!("Tjänsteportföljen {name} saknar tjänsteägare (TÄ)."),
            format!("The portfolio {name} has no service owner (TÄ)."),
        ),
        (Rule::ServiceWithoutManager, _) => (
            format!("Tjänsten {name} är i drift utan tjänsteförvaltare (TJF)."),
            format!("The service {name} is in operation without a service manager (TJF)."),
        ),
        (Rule::DeliveryWithoutContract, _) => (
            format!("Leveransen {name} saknar giltigt kundavtal ({text})."),
            format!("The delivery {name} has no valid customer contract ({text})."),
        ),
        (Rule::ServiceWithoutSupplierContract, _) => (
            format!("Tjänsten {name} är i drift utan gällande leverantörsavtal och är inte markerad som egenproducerad."),
            format!("The service {name} is in operation without a supplier contract in force and is not marked self-produced."),
        ),
        (Rule::PlanMissing, Detail::Year(year)) => (
            format!("Tjänsteportföljen {name} saknar fastställd förvaltningsplan för {year}."),
            format!("The portfolio {name} has no approved management plan for {year}."),
        ),
        (Rule::PlanDeviation, _) => (
            format!("Förvaltningsplanen {name} avviker: utfallet överstiger planen eller budgetramen."),
            format!("The management plan {name} deviates: actual costs exceed the plan or the budget frame."),
        ),
        (Rule::ChangeRequestWaiting, _) => {
            let (sv, en) = if text == "assessed" {
                ("värderat men inte beslutat", "assessed but not decided")
            } else {
                ("inte värderat", "not assessed")
            };
            (
                format!("Ändringsönskemålet ”{name}” är {sv} inom föreskriven tid."),
                format!("The change request \"{name}\" is {en} within the set time."),
            )
        }
        (Rule::ContractNoticeDue, Detail::Date(deadline)) => (
            format!("Avtalet {name} måste sägas upp senast {deadline} om det inte ska förlängas."),
            format!("The contract {name} must be given notice by {deadline} unless it is to continue."),
        ),
        (Rule::CatalogueReviewOverdue, _) => (
            format!("Katalogtexten för {name} har inte granskats inom föreskriven tid."),
            format!("The catalogue text of {name} has not been reviewed within the set period."),
        ),
        (Rule::DocumentationReviewOverdue, _) => (
            format!("Dokumentationen för {name} har inte granskats inom föreskriven tid."),
            format!("The documentation of {name} has not been reviewed within the set period."),
        ),
        (Rule::SecurityReviewOverdue, _) if text == "unclassified" => (
            format!("Tjänsten {name} är i drift utan informationsklassning."),
            format!("The service {name} is in operation without an information classification."),
        ),
        (Rule::SecurityReviewOverdue, _) => (
            format!("Informationssäkerheten för {name} har inte granskats inom föreskriven tid."),
            format!("The information security of {name} has not been reviewed within the set period."),
        ),
        (Rule::SupportOrOrderingMissing, _) => {
            let (sv, en) = match text {
                "both" => ("etablerad supportprocess och beställningsrutin", "an established support process and an ordering routine"),
                "support" => ("etablerad supportprocess", "an established support process"),
                _ => ("beställningsrutin", "an ordering routine"),
            };
            (
                format!("Tjänsten {name} är i drift utan {sv}."),
                format!("The service {name} is in operation without {en}."),
            )
        }
        (Rule::AssignmentNotAccepted, _) => (
            format!("Uppdraget {name} har inte accepterats inom föreskriven tid."),
            format!("The assignment {name} has not been accepted within the set time."),
        ),
        (Rule::AssignmentOfUnknownRole, _) => (
            format!("Uppdraget {name} avser rollen {text}, som inte finns i den förvaltningsmodell som gäller; det ger inga rättigheter."),
            format!("The assignment {name} is of the role {text}, which the governance model in force does not have; it grants nothing."),
        ),
        (Rule::AssignmentOfUnknownDelegation, _) => (
            format!("Uppdraget {name} bär delegeringen {text}, som den förvaltningsmodell som gäller inte har för rollen; den ger inga rättigheter."),
            format!("The assignment {name} carries the delegation {text}, which the governance model in force does not have for its role; it grants nothing."),
        ),
        (Rule::NeedUnassessed, _) => (
            format!("Behovet ”{name}” har inte värderats inom föreskriven tid."),
            format!("The need \"{name}\" has not been assessed within the set time."),
        ),
        (Rule::NeedUndecided, _) => (
            format!("Behovet ”{name}” har föredragits för ledningsgruppen men inte beslutats inom föreskriven tid."),
            format!("The need \"{name}\" was presented to the management group but not decided within the set time."),
        ),
        (Rule::ProposalWithoutNeed, _) => (
            format!("Tjänsten {name} etablerades utan att något behov pekar på den."),
            format!("The service {name} was established without a need pointing at it."),
        ),
        (Rule::CustomerFollowUpOverdue, Detail::Date(last)) => (
            format!("Kunden {name} har en aktiv leverans men har inte följts upp sedan {last}."),
            format!("The customer {name} has an active delivery but has not been followed up since {last}."),
        ),
        (Rule::CustomerFollowUpOverdue, _) => (
            format!("Kunden {name} har en aktiv leverans men har aldrig följts upp."),
            format!("The customer {name} has an active delivery but has never been followed up."),
        ),
        (Rule::ArchitectureReviewOverdue, Detail::Date(last)) => (
            format!("Ledningsgruppen har inte gått igenom förvaltningstjänstearkitekturen och it-miljön sedan {last}."),
            format!("The management group has not reviewed the service architecture and the IT environment since {last}."),
        ),
        (Rule::ArchitectureReviewOverdue, _) => (
            "Ledningsgruppen har aldrig registrerat en genomgång av förvaltningstjänstearkitekturen och it-miljön.".to_string(),
            "The management group has never recorded a review of the service architecture and the IT environment.".to_string(),
        ),
        (Rule::SystemReviewOverdue, Detail::Date(last)) => (
            format!("Informationssystemet {name} är i bruk men har inte granskats sedan {last}."),
            format!("The information system {name} is in use but has not been reviewed since {last}."),
        ),
        (Rule::ServiceOnRetiredSystem, Detail::System(slug, lifecycle)) => {
            let (sv, en) = match lifecycle {
                crate::domain::it::SystemLifecycle::Retired => ("har avvecklats", "is retired"),
                _ => ("avvecklas", "is being phased out"),
            };
            (
                format!("Tjänsten {name} är i drift men vilar på informationssystemet {slug}, som {sv}."),
                format!("The service {name} is in operation but rests on the information system {slug}, which {en}."),
            )
        }
        (Rule::SystemWithoutResponsible, Detail::Text(sub)) => (
            format!("Ansvarig för informationssystemet {name} ({sub}) har inte längre någon roll i förvaltningen."),
            format!("The responsible for the information system {name} ({sub}) no longer holds a role in service management."),
        ),
        (Rule::SystemWithoutResponsible, _) => (
            format!("Informationssystemet {name} har ingen ansvarig."),
            format!("The information system {name} has no responsible person."),
        ),
        (Rule::ServiceNotSelfSustaining, Detail::None) => (
            format!("Tjänsten {name} är inte ekonomiskt självbärande i år."),
            format!("The service {name} is not self-sustaining this year."),
        ),
        (Rule::ServiceNotSelfSustaining, Detail::Amount(result)) => {
            let deficit = Money::new(-result, crate::domain::money::Currency::SEK).amount();
            (
                format!("Tjänsten {name} är inte ekonomiskt självbärande i år: underskott {deficit} SEK."),
                format!("The service {name} is not self-sustaining this year: deficit {deficit} SEK."),
            )
        }
        (rule, _) => {
            let (sv, en) = rule.description();
            (format!("{name}: {sv}"), format!("{name}: {en}"))
        }
    }
}
