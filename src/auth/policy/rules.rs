//! The table as data: every action, and who may take it (a role held globally, in scope of the
//! target, a TS holding a delegation, the appointee, the submitter, anyone signed in).
//! `docs/policy.md` is written from it (`forvaltning policy`). Kept apart from how scope is
//! resolved (`super`), so that it reads as the rules and can one day be loaded from a file.

use crate::domain::action::{Action, ObjectClass};
use crate::domain::role::{Delegation, RoleCode};

/// Who a rule lets through.
#[derive(Debug, Clone, Copy)]
pub(super) enum Who {
    /// A global role, from the token or assigned in the database.
    Global(RoleCode),
    /// A scoped role assigned in scope of the target.
    InScope(RoleCode),
    /// A TS in scope holding this delegation.
    Ts(Delegation),
    /// The person the target (a role assignment) appoints.
    Appointee,
    /// The person who submitted the target (a change request).
    Submitter,
    /// A global role, for objects of one class only (KA: customer contracts).
    GlobalOn(RoleCode, ObjectClass),
    /// Any authenticated caller.
    Anyone,
}

use Action::*;
use Delegation as D;
use RoleCode::*;
use Who::*;

/// The table; Swedish role names in the comments.
pub(super) fn rule(action: Action) -> &'static [Who] {
    match action {
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
    }
}
