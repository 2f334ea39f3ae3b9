//! The actions of the API, by code: what a caller may attempt, what a 403 names and an audit
//! event records. Who may take each is the policy's table (`auth::policy`).

use utoipa::ToSchema;

use super::lifecycle::Lifecycle;

crate::vocabulary! {
    /// Everything a caller may attempt, by its code (used in 403 problems and audit events).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    pub enum Action("an action") {
        PortfolioCreate = "portfolio.create",
        PortfolioUpdate = "portfolio.update",
        PortfolioRetire = "portfolio.retire",
        ServicePropose = "service.propose",
        ServiceEstablish = "service.establish",
        ServiceReject = "service.reject",
        ServiceMove = "service.move",
        ServiceStartOperation = "service.start_operation",
        ServiceStartDecommissioning = "service.start_decommissioning",
        ServiceDecommission = "service.decommission",
        ServiceRename = "service.rename",
        ServiceUpdate = "service.update",
        ServiceUpdateCatalog = "service.update_catalog",
        ServiceUpdateSecurity = "service.update_security",
        ServiceUpdateSupport = "service.update_support",
        AssignServiceOwner = "role_assignment.service_owner",
        AssignGlobalRole = "role_assignment.global_role",
        AssignCoordinator = "role_assignment.service_coordinator",
        AssignManager = "role_assignment.service_manager",
        AssignSpecialist = "role_assignment.specialist",
        AcceptAssignment = "role_assignment.accept",
        AuditRead = "audit_event.read",
        EventRead = "event.read",
        WebhookManage = "webhook.manage",
        OrganizationCreate = "organization.create",
        OrganizationUpdate = "organization.update",
        ContractRead = "contract.read",
        ContractCreate = "contract.create",
        ContractUpdate = "contract.update",
        ContractTerminate = "contract.terminate",
        DeliveryRead = "delivery.read",
        DeliveryCreate = "delivery.create",
        DeliveryEnd = "delivery.end",
        DeliveryLink = "delivery.link_contract",
        ReportRead = "report.read",
        EconomicsRead = "economics.read",
        ExchangeRateSet = "exchange_rate.set",
        GovernanceModelHistory = "governance_model.history",
        BudgetFrameSet = "budget_frame.set",
        PlanCreate = "plan.create",
        PlanEdit = "plan.edit",
        PlanRevise = "plan.revise",
        PlanSubmit = "plan.submit",
        PlanApprove = "plan.approve",
        PlanReturn = "plan.return",
        PlanClose = "plan.close",
        PlanFollowUp = "plan.follow_up",
        ChangeRequestRead = "change_request.read",
        ChangeRequestCreate = "change_request.create",
        ChangeRequestAssess = "change_request.assess",
        ChangeRequestDecide = "change_request.decide",
        ChangeRequestRelease = "change_request.release",
        NeedCreate = "need.create",
        NeedRead = "need.read",
        NeedUpdate = "need.update",
        NeedAssess = "need.assess",
        NeedPresent = "need.present",
        NeedDecide = "need.decide",
        NeedDecideNewService = "need.decide_new_service",
        NeedLink = "need.link",
        NeedEndorse = "need.endorse",
        FollowUpCreate = "follow_up.create",
        FollowUpRead = "follow_up.read",
        OrganizationSetKeyAccount = "organization.set_key_account",
        InformationSystemCreate = "information_system.create",
        InformationSystemUpdate = "information_system.update",
        InformationSystemRetire = "information_system.retire",
        ServiceDependencyManage = "service_dependency.manage",
        SystemDependencyManage = "system_dependency.manage",
        ArchitectureReviewRecord = "architecture_review.record",
        ImportCreate = "import.create",
        ImportRead = "import.read",
    }
}

crate::vocabulary! {
    /// A class of objects a rule can single out among those an action applies to.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ObjectClass("an object class (customer_contract, unplaced_need)") {
        /// A kundavtal (as opposed to a leverantörsavtal).
        CustomerContract = "customer_contract",
        /// A need that belongs to no portfolio yet (assessed by KA and VU).
        UnplacedNeed = "unplaced_need",
    }
}

impl Action {
    /// The action's code (as in 403 problems, audit events and `/me`).
    pub fn code(self) -> &'static str {
        self.as_str()
    }

    /// Does the action appoint (and revoke) holders of a role? A role names one such action.
    pub fn appoints(self) -> bool {
        matches!(
            self,
            Action::AssignServiceOwner
                | Action::AssignGlobalRole
                | Action::AssignCoordinator
                | Action::AssignManager
                | Action::AssignSpecialist
        )
    }

    /// The action that moves a service into `to`.
    pub fn lifecycle(to: Lifecycle) -> Option<Action> {
        match to {
            Lifecycle::Proposed => None,
            Lifecycle::Established => Some(Action::ServiceEstablish),
            Lifecycle::InOperation => Some(Action::ServiceStartOperation),
            Lifecycle::Decommissioning => Some(Action::ServiceStartDecommissioning),
            Lifecycle::Decommissioned => Some(Action::ServiceDecommission),
            Lifecycle::Rejected => Some(Action::ServiceReject),
        }
    }
}
