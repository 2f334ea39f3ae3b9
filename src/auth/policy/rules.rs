//! The rule table as it was written in Rust before the governance model became a file, kept
//! only for the differential test below: Sunet's model file must say exactly what it said.
#![allow(non_upper_case_globals)]

use super::{Model, Who};
use crate::domain::action::{Action, ObjectClass};

/// Who a rule let through, as the Rust table wrote it.
#[derive(Debug, Clone, Copy)]
enum Old {
    Global(&'static str),
    InScope(&'static str),
    Ts(&'static str),
    Appointee,
    Submitter,
    GlobalOn(&'static str, ObjectClass),
    Anyone,
}

const ManagementGroup: &str = "management_group";
const ServiceOwner: &str = "service_owner";
const ServiceCoordinator: &str = "service_coordinator";
const ServiceManager: &str = "service_manager";
const ServiceSpecialist: &str = "service_specialist";
const SupportSpecialist: &str = "support_specialist";
const Controller: &str = "controller";
const AccountManager: &str = "account_manager";
const BusinessDeveloper: &str = "business_developer";
const Communicator: &str = "communicator";

mod d {
    pub const Contracts: &str = "contracts";
    pub const Economy: &str = "economy";
    pub const Staffing: &str = "staffing";
    pub const Plan: &str = "plan";
    pub const Documentation: &str = "documentation";
    pub const Prioritization: &str = "prioritization";
}

use d as D;
use Action::*;
use Old::*;

/// The table; Swedish role names in the comments.
fn rule(action: Action) -> Option<&'static [Old]> {
    Some(match action {
        // portfolio create / update / retire — LG (Sunets ledningsgrupp)
        PortfolioCreate | PortfolioUpdate | PortfolioRetire => &[Global(ManagementGroup)],
        // service propose — LG; TÄ, TS, TJF in scope; KA; VU
        ServicePropose => &[
            Global(ManagementGroup),
            InScope(ServiceOwner),
            InScope(ServiceCoordinator),
            InScope(ServiceManager),
            Global(AccountManager),
            Global(BusinessDeveloper),
        ],
        // service establish; reject a proposal; move to another portfolio; decommissioned — LG
        ServiceEstablish | ServiceReject | ServiceMove | ServiceDecommission => {
            &[Global(ManagementGroup)]
        }
        // service rename (`slug`, `name`: the identity other systems use) — LG; TÄ in scope
        ServiceRename => &[Global(ManagementGroup), InScope(ServiceOwner)],
        // service in_operation; decommissioning — TÄ in scope
        ServiceStartOperation | ServiceStartDecommissioning => &[InScope(ServiceOwner)],
        // service update (description, documentation, support/ordering) — TÄ, TS[documentation], TJF
        ServiceUpdate => &[
            InScope(ServiceOwner),
            Ts(D::Documentation),
            InScope(ServiceManager),
        ],
        // service catalogue texts, published flag — communicator (KOM); TÄ in scope
        ServiceUpdateCatalog => &[Global(Communicator), InScope(ServiceOwner)],
        // information classification and security review (guidelines 4.2 item 3) — TÄ,
        // TS[documentation] in scope
        ServiceUpdateSecurity => &[InScope(ServiceOwner), Ts(D::Documentation)],
        // assign / revoke TÄ; assign global roles — LG
        AssignServiceOwner | AssignGlobalRole => &[Global(ManagementGroup)],
        // assign / revoke TS — TÄ in scope
        AssignCoordinator => &[InScope(ServiceOwner)],
        // assign / revoke TJF — TÄ, TS[staffing] in scope
        AssignManager => &[InScope(ServiceOwner), Ts(D::Staffing)],
        // assign / revoke specialists — TÄ, TS[staffing], TJF in scope
        AssignSpecialist => &[
            InScope(ServiceOwner),
            Ts(D::Staffing),
            InScope(ServiceManager),
        ],
        // accepting an appointment (guidelines 2: "dokumenterat och accepterat") — the appointee
        AcceptAssignment => &[Appointee],
        // audit events read — LG, controller, VU; TÄ in scope (the event stream alike)
        AuditRead | EventRead => &[
            Global(ManagementGroup),
            Global(Controller),
            Global(BusinessDeveloper),
            InScope(ServiceOwner),
        ],
        // webhooks (subscribe, read, change, delete, their deliveries) — LG, controller
        WebhookManage => &[Global(ManagementGroup), Global(Controller)],
        // organization create / update — controller, KA (kundansvarig)
        OrganizationCreate | OrganizationUpdate => &[Global(Controller), Global(AccountManager)],
        // contract read — controller, LG, VU; TÄ, TS, TJF in scope of a covered service;
        // KA (customer contracts)
        ContractRead => &[
            Global(Controller),
            Global(ManagementGroup),
            Global(BusinessDeveloper),
            InScope(ServiceOwner),
            InScope(ServiceCoordinator),
            InScope(ServiceManager),
            GlobalOn(AccountManager, ObjectClass::CustomerContract),
        ],
        // contract create / update / terminate — controller; TÄ, TS[contracts] in scope of
        // every covered service (the handler asks for each)
        ContractCreate | ContractUpdate | ContractTerminate => {
            &[Global(Controller), InScope(ServiceOwner), Ts(D::Contracts)]
        }
        // delivery read (the guidelines name no reader): those who create deliveries,
        // those who read contracts, and the service's specialists, who support its customers
        DeliveryRead => &[
            Global(Controller),
            Global(AccountManager),
            Global(ManagementGroup),
            Global(BusinessDeveloper),
            InScope(ServiceOwner),
            InScope(ServiceCoordinator),
            InScope(ServiceManager),
            InScope(ServiceSpecialist),
            InScope(SupportSpecialist),
        ],
        // delivery create / end — controller, KA; TÄ, TS, TJF in scope
        DeliveryCreate | DeliveryEnd => &[
            Global(Controller),
            Global(AccountManager),
            InScope(ServiceOwner),
            InScope(ServiceCoordinator),
            InScope(ServiceManager),
        ],
        // delivery link to contract — controller; TÄ, TS[contracts] in scope
        DeliveryLink => &[Global(Controller), InScope(ServiceOwner), Ts(D::Contracts)],
        // reports read — LG, controller, VU, KA; TÄ, TS in scope (their scope only)
        ReportRead => &[
            Global(ManagementGroup),
            Global(Controller),
            Global(BusinessDeveloper),
            Global(AccountManager),
            InScope(ServiceOwner),
            InScope(ServiceCoordinator),
        ],
        // the economics report (revenue, costs, result per service) — LG, controller, VU; TÄ, TS
        // in scope: commercial figures, so not KA (issue "governance health" §2)
        EconomicsRead => &[
            Global(ManagementGroup),
            Global(Controller),
            Global(BusinessDeveloper),
            InScope(ServiceOwner),
            InScope(ServiceCoordinator),
        ],
        // exchange rates for the economics report — controller
        ExchangeRateSet => &[Global(Controller)],
        // budget frame set — LG (Sunets ledningsgrupp beslutar budgetramen)
        BudgetFrameSet => &[Global(ManagementGroup)],
        // plan create / edit activities (draft) — TÄ, TS[plan], TJF in scope of the portfolio;
        // revising an approved plan opens a draft, so the same people may
        PlanCreate | PlanEdit | PlanRevise => {
            &[InScope(ServiceOwner), Ts(D::Plan), InScope(ServiceManager)]
        }
        // plan submit — TJF, TS[plan] in scope (tjänsteförvaltaren presenterar planen)
        PlanSubmit => &[InScope(ServiceManager), Ts(D::Plan)],
        // plan approve / return / close — TÄ in scope (tjänsteägaren fastställer)
        PlanApprove | PlanReturn | PlanClose => &[InScope(ServiceOwner)],
        // plan follow-up (actuals, outcome) — TÄ, TS[plan] or TS[economy], TJF in scope
        PlanFollowUp => &[
            InScope(ServiceOwner),
            Ts(D::Plan),
            Ts(D::Economy),
            InScope(ServiceManager),
        ],
        // change request read (estimates and notes are internal) — its submitter; LG, VU, KA;
        // TÄ, TS, TJF in scope
        ChangeRequestRead => &[
            Submitter,
            Global(ManagementGroup),
            Global(BusinessDeveloper),
            Global(AccountManager),
            InScope(ServiceOwner),
            InScope(ServiceCoordinator),
            InScope(ServiceManager),
        ],
        // change request create — any authenticated caller
        ChangeRequestCreate => &[Anyone],
        // change request assess — TJF, TS[prioritization] in scope
        ChangeRequestAssess => &[InScope(ServiceManager), Ts(D::Prioritization)],
        // change request decide — TÄ in scope
        ChangeRequestDecide => &[InScope(ServiceOwner)],
        // change request release — TJF in scope
        ChangeRequestRelease => &[InScope(ServiceManager)],
        // New with the model file: the support fields had been under service.update.
        ServiceUpdateSupport => return None,
    })
}

fn who(old: Old) -> Who {
    let role = |code: &str| code.parse().expect("a role code");
    match old {
        Global(r) => Who::Global(role(r)),
        InScope(r) => Who::InScope(role(r)),
        Ts(d) => Who::Delegated(role(ServiceCoordinator), d.parse().expect("a delegation")),
        Appointee => Who::Appointee,
        Submitter => Who::Submitter,
        GlobalOn(r, class) => Who::GlobalOn(role(r), class),
        Anyone => Who::Anyone,
    }
}

#[test]
fn sunets_model_file_says_what_the_rust_table_said() {
    let model = Model::builtin();
    for action in Action::ALL {
        let Some(old) = rule(action) else { continue };
        let old: Vec<Who> = old.iter().map(|o| who(*o)).collect();
        let new = model.rule(action);
        assert_eq!(new.len(), old.len(), "{action}: {new:?} against {old:?}");
        for w in &old {
            assert!(new.contains(w), "{action}: the file lacks {w}");
        }
    }
}
