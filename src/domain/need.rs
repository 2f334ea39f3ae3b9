//! Behov och kundrelationer (docs/domain.md, guidelines 1, 2, 4.4 item 12, 4.5, 4.6): the need
//! workflow, what realises a decided need, and customer follow-ups.

use utoipa::ToSchema;

crate::vocabulary! {
    /// `identified` → `assessed` (value, urgency, estimate, recommendation) → `presented` (to
    /// LG) → `decided` (with an outcome). A deferred need may be assessed again; a declined one
    /// is final.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    pub enum NeedStatus("a need status") {
        Identified = "identified",
        Assessed = "assessed",
        Presented = "presented",
        Decided = "decided",
    }
}

crate::vocabulary! {
    /// What was decided about a need.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    pub enum Outcome("an outcome") {
        /// A new service is proposed for it (the management group's decision alone).
        NewService = "new_service",
        /// A change request of an existing service meets it.
        Change = "change",
        /// A plan activity meets it.
        Plan = "plan",
        /// Not now: it may be assessed again.
        Deferred = "deferred",
        /// Not at all: final.
        Declined = "declined",
    }
}

crate::vocabulary! {
    /// Where a need was heard.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    pub enum Channel("a channel") {
        CustomerMeeting = "customer_meeting",
        Forum = "forum",
        Survey = "survey",
        Support = "support",
        Strategy = "strategy",
        Other = "other",
    }
}

crate::vocabulary! {
    /// The assessor's advice to the management group.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    pub enum NeedRecommendation("a need recommendation") {
        Pursue = "pursue",
        Defer = "defer",
        Decline = "decline",
    }
}

crate::vocabulary! {
    /// A step of the need workflow.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    pub enum NeedStep("a need step") {
        Update = "update",
        Assess = "assess",
        Present = "present",
        Decide = "decide",
        Link = "link",
        Endorse = "endorse",
    }
}

crate::vocabulary! {
    /// What a decided need points at to be realised.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    pub enum LinkKind("a link kind") {
        /// A (proposed) service: done once it is in operation.
        Service = "service",
        /// A change request: done once released.
        ChangeRequest = "change_request",
        /// A plan activity: done once done.
        PlanItem = "plan_item",
    }
}

crate::vocabulary! {
    /// A recorded contact with one customer organization.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    pub enum FollowUpKind("a follow-up kind") {
        Meeting = "meeting",
        Survey = "survey",
        DeliveryReview = "delivery_review",
        Complaint = "complaint",
    }
}

impl FollowUpKind {
    /// Does it review deliveries, so that every named service must be delivered to the customer?
    pub fn reviews_deliveries(self) -> bool {
        matches!(self, FollowUpKind::DeliveryReview | FollowUpKind::Complaint)
    }
}

/// A need's state as the workflow reads it: its status and, once decided, the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeedState {
    pub status: NeedStatus,
    pub outcome: Option<Outcome>,
}

impl NeedState {
    /// May `step` be taken? Each refusal says why, for the 409.
    pub fn allows(self, step: NeedStep) -> Result<(), &'static str> {
        use NeedStatus::*;
        let deferred = self.outcome == Some(Outcome::Deferred);
        let declined = self.outcome == Some(Outcome::Declined);
        let ok = match step {
            NeedStep::Update => self.status != Decided,
            NeedStep::Assess => matches!(self.status, Identified | Assessed) || deferred,
            NeedStep::Present => self.status == Assessed,
            NeedStep::Decide => self.status == Presented,
            NeedStep::Link => self.status == Decided,
            NeedStep::Endorse => !declined,
        };
        if ok {
            return Ok(());
        }
        Err(match step {
            NeedStep::Update => "a decided need is not changed; its decision is on record",
            NeedStep::Assess if declined => "a declined need is final",
            NeedStep::Assess => "a need is assessed before it is decided, or again once deferred",
            NeedStep::Present => "a need is presented once assessed, and only then",
            NeedStep::Decide => "a need is decided once presented to the management group",
            NeedStep::Link => "a need points at what realises it once it is decided",
            NeedStep::Endorse => "a declined need is final and takes no endorsements",
        })
    }
}

/// A score of 1 to 5 (value, urgency, satisfaction).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    ToSchema,
)]
#[serde(try_from = "i32", into = "i32")]
#[schema(value_type = i32, minimum = 1, maximum = 5)]
pub struct Score(i32);

impl Score {
    pub fn get(self) -> i32 {
        self.0
    }

    /// A score a request gives as a plain number; the error names `field`.
    pub fn parse(field: &str, n: i64) -> Result<Score, (String, String)> {
        i32::try_from(n)
            .map_err(|_| format!("must be 1 to 5, not {n}"))
            .and_then(Score::try_from)
            .map_err(|m| (field.to_string(), m))
    }
}

impl TryFrom<i32> for Score {
    type Error = String;

    fn try_from(n: i32) -> Result<Self, Self::Error> {
        if (1..=5).contains(&n) {
            Ok(Score(n))
        } else {
            Err(format!("must be 1 to 5, not {n}"))
        }
    }
}

impl From<Score> for i32 {
    fn from(s: Score) -> i32 {
        s.0
    }
}

/// Is a need realised? Decided, with at least one link, every linked object done.
pub fn realised(status: NeedStatus, links_done: impl IntoIterator<Item = bool>) -> bool {
    if status != NeedStatus::Decided {
        return false;
    }
    let mut any = false;
    for done in links_done {
        if !done {
            return false;
        }
        any = true;
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;
    use NeedStatus::*;

    fn state(status: NeedStatus, outcome: Option<Outcome>) -> NeedState {
        NeedState { status, outcome }
    }

    #[test]
    fn the_workflow_runs_identified_assessed_presented_decided() {
        assert!(state(Identified, None).allows(NeedStep::Assess).is_ok());
        assert!(state(Identified, None).allows(NeedStep::Present).is_err());
        assert!(state(Assessed, None).allows(NeedStep::Assess).is_ok());
        assert!(state(Assessed, None).allows(NeedStep::Present).is_ok());
        assert!(state(Assessed, None).allows(NeedStep::Decide).is_err());
        assert!(state(Presented, None).allows(NeedStep::Decide).is_ok());
        assert!(state(Presented, None).allows(NeedStep::Link).is_err());
        assert!(state(Decided, Some(Outcome::Plan))
            .allows(NeedStep::Link)
            .is_ok());
    }

    #[test]
    fn a_deferred_need_is_assessed_again_and_a_declined_one_is_final() {
        let deferred = state(Decided, Some(Outcome::Deferred));
        assert!(deferred.allows(NeedStep::Assess).is_ok());
        assert!(deferred.allows(NeedStep::Endorse).is_ok());
        let declined = state(Decided, Some(Outcome::Declined));
        assert_eq!(
            declined.allows(NeedStep::Assess),
            Err("a declined need is final")
        );
        assert!(declined.allows(NeedStep::Endorse).is_err());
        assert!(declined.allows(NeedStep::Update).is_err());
        assert!(state(Decided, Some(Outcome::Change))
            .allows(NeedStep::Assess)
            .is_err());
    }

    #[test]
    fn realised_needs_a_decision_and_every_link_done() {
        assert!(realised(Decided, [true, true]));
        assert!(!realised(Decided, [true, false]));
        assert!(!realised(Decided, []));
        assert!(!realised(Presented, [true]));
    }

    #[test]
    fn scores_are_one_to_five() {
        assert_eq!(serde_json::from_str::<Score>("3").unwrap().get(), 3);
        for bad in ["0", "6", "-1", "2.5"] {
            assert!(serde_json::from_str::<Score>(bad).is_err(), "{bad}");
        }
    }
}
