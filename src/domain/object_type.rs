//! The kinds of object the audit trail and the event stream name: the singular snake_case
//! resource names.

crate::vocabulary! {
    /// The type of an audited object, by its code (`object_type` of audit events and events).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ObjectType("an object type") {
        Portfolio = "portfolio",
        Service = "service",
        Person = "person",
        RoleAssignment = "role_assignment",
        Organization = "organization",
        Contract = "contract",
        Delivery = "delivery",
        BudgetFrame = "budget_frame",
        Plan = "plan",
        PlanItem = "plan_item",
        ChangeRequest = "change_request",
        Webhook = "webhook",
        ExchangeRate = "exchange_rate",
        Need = "need",
        FollowUp = "follow_up",
        InformationSystem = "information_system",
        ServiceDependency = "service_dependency",
        SystemDependency = "system_dependency",
        ArchitectureReview = "architecture_review",
        Import = "import",
    }
}
