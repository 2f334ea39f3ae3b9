//! The steps a need row takes from where its need stands to what the row states: the first
//! step whose record differs, and every later one the row states, each allowed by the
//! workflow (docs/domain.md) and the policy as its own operation would be. An import does not
//! take a need back, except as the workflow does: a deferred need assessed again.

use super::row::Stages;
use crate::api::needs::decision_action;
use crate::auth::policy::{Action, Caller, Grant, Target};
use crate::db::needs::{self, Assessment, Decision, Need, Presentation};
use crate::db::DbConnection;
use crate::domain::need::{NeedState, NeedStatus, NeedStep, Outcome};
use crate::error::{AppError, AppResult};

/// One step to record.
pub enum StepWrite {
    Assess(Assessment),
    Present(Presentation),
    Decide(Decision),
}

impl StepWrite {
    fn step(&self) -> NeedStep {
        match self {
            StepWrite::Assess(_) => NeedStep::Assess,
            StepWrite::Present(_) => NeedStep::Present,
            StepWrite::Decide(_) => NeedStep::Decide,
        }
    }

    fn action(&self) -> Action {
        match self {
            StepWrite::Assess(_) => Action::NeedAssess,
            StepWrite::Present(_) => Action::NeedPresent,
            StepWrite::Decide(d) => decision_action(d.outcome),
        }
    }

    /// The file's column that states the step.
    fn column(&self) -> &'static str {
        match self {
            StepWrite::Assess(_) => "value",
            StepWrite::Present(_) => "presented_on",
            StepWrite::Decide(_) => "outcome",
        }
    }

    /// The state the need is in once the step is taken.
    fn leads_to(&self) -> NeedState {
        let (status, outcome) = match self {
            StepWrite::Assess(_) => (NeedStatus::Assessed, None),
            StepWrite::Present(_) => (NeedStatus::Presented, None),
            StepWrite::Decide(d) => (NeedStatus::Decided, Some(d.outcome)),
        };
        NeedState { status, outcome }
    }

    /// Records the step on `need` as `by`.
    pub fn take(&self, conn: &mut DbConnection, need: &Need, by: &str) -> AppResult<Need> {
        match self {
            StepWrite::Assess(a) => needs::assess(conn, need, a, by),
            StepWrite::Present(p) => needs::present(conn, need, p, by),
            StepWrite::Decide(d) => needs::decide(conn, need, d, by),
        }
    }
}

/// The steps `need` has recorded (none for a new one).
pub fn recorded(need: Option<&Need>) -> Stages {
    need.map_or(Stages::default(), |need| Stages {
        assessment: need.assessment(),
        presentation: need.presentation(),
        decision: need.decision(),
    })
}

/// The status `wanted` makes must be the one the row states, if it states one.
pub fn check_status(stated: Option<NeedStatus>, wanted: &Stages) -> AppResult<()> {
    match stated {
        Some(status) if status != wanted.status() => Err(AppError::unprocessable(
            "status",
            format!(
                "is {status}, but the row's steps make the need {}",
                wanted.status()
            ),
        )),
        _ => Ok(()),
    }
}

/// The steps from `current` (a new need when `None`) to `wanted`, each authorised on `target`.
pub fn planned(
    caller: &Caller,
    target: &Target,
    current: Option<&Need>,
    wanted: &Stages,
) -> AppResult<Vec<(StepWrite, Grant)>> {
    let mut state = current.map_or(
        NeedState {
            status: NeedStatus::Identified,
            outcome: None,
        },
        Need::state,
    );
    let mut planned = Vec::new();
    for step in between(&recorded(current), wanted, state)? {
        state.allows(step.step()).map_err(|why| {
            AppError::unprocessable(step.column(), format!("cannot be recorded now: {why}"))
        })?;
        let grant = caller.authorize(step.action(), target)?;
        state = step.leads_to();
        planned.push((step, grant));
    }
    Ok(planned)
}

/// The steps that make `now` into `wanted`: from the first stage that differs, those the row
/// states; a deferred need whose later stages differ is assessed again first.
fn between(now: &Stages, wanted: &Stages, state: NeedState) -> AppResult<Vec<StepWrite>> {
    let differs = [
        now.assessment != wanted.assessment,
        now.presentation != wanted.presentation,
        now.decision != wanted.decision,
    ];
    let Some(mut first) = differs.iter().position(|d| *d) else {
        return Ok(Vec::new());
    };
    if state.outcome == Some(Outcome::Deferred) && wanted.assessment.is_some() {
        first = 0;
    }
    let stated = [
        wanted.assessment.clone().map(StepWrite::Assess),
        wanted.presentation.clone().map(StepWrite::Present),
        wanted.decision.clone().map(StepWrite::Decide),
    ];
    let recorded = [
        now.assessment.is_some(),
        now.presentation.is_some(),
        now.decision.is_some(),
    ];
    let mut steps = Vec::new();
    for (stage, step) in stated.into_iter().enumerate().skip(first) {
        match step {
            Some(step) => steps.push(step),
            None if recorded[stage] && steps.is_empty() => {
                return Err(AppError::unprocessable(
                    "status",
                    format!(
                        "the need is {} already; an import does not take back a recorded step",
                        state.status
                    ),
                ));
            }
            None => break,
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::need::{NeedRecommendation, Score};

    fn assessment(value: i32) -> Assessment {
        Assessment {
            value: Score::try_from(value).unwrap(),
            urgency: Score::try_from(3).unwrap(),
            estimated_cost_minor: None,
            recommendation: NeedRecommendation::Pursue,
            note: Some("Lärosätena efterfrågar det".into()),
        }
    }

    fn presentation(day: u32) -> Presentation {
        Presentation {
            on: chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            reference: Some(format!("LG 2026-11-{day:02} § 4")),
        }
    }

    fn decision(outcome: Outcome) -> Decision {
        Decision {
            outcome,
            reason: "Ryms i årets plan".into(),
        }
    }

    fn state(status: NeedStatus, outcome: Option<Outcome>) -> NeedState {
        NeedState { status, outcome }
    }

    fn kinds(steps: &[StepWrite]) -> Vec<NeedStep> {
        steps.iter().map(StepWrite::step).collect()
    }

    #[test]
    fn a_new_decided_need_takes_every_step() {
        let wanted = Stages {
            assessment: Some(assessment(4)),
            presentation: Some(presentation(3)),
            decision: Some(decision(Outcome::Plan)),
        };
        let steps = between(
            &Stages::default(),
            &wanted,
            state(NeedStatus::Identified, None),
        );
        assert_eq!(
            kinds(&steps.unwrap()),
            [NeedStep::Assess, NeedStep::Present, NeedStep::Decide]
        );
    }

    #[test]
    fn the_same_record_takes_no_step() {
        let now = Stages {
            assessment: Some(assessment(4)),
            presentation: Some(presentation(3)),
            decision: None,
        };
        let steps = between(&now, &now.clone(), state(NeedStatus::Presented, None));
        assert!(steps.unwrap().is_empty());
    }

    #[test]
    fn a_presented_need_is_decided_without_being_assessed_again() {
        let now = Stages {
            assessment: Some(assessment(4)),
            presentation: Some(presentation(3)),
            decision: None,
        };
        let wanted = Stages {
            decision: Some(decision(Outcome::Change)),
            ..now.clone()
        };
        let steps = between(&now, &wanted, state(NeedStatus::Presented, None));
        assert_eq!(kinds(&steps.unwrap()), [NeedStep::Decide]);
    }

    #[test]
    fn a_recorded_step_is_not_taken_back() {
        let now = Stages {
            assessment: Some(assessment(4)),
            presentation: Some(presentation(3)),
            decision: None,
        };
        let wanted = Stages {
            presentation: None,
            ..now.clone()
        };
        let refused = between(&now, &wanted, state(NeedStatus::Presented, None));
        assert!(refused.is_err());
    }

    #[test]
    fn a_deferred_need_is_assessed_again() {
        let now = Stages {
            assessment: Some(assessment(2)),
            presentation: Some(presentation(3)),
            decision: Some(decision(Outcome::Deferred)),
        };
        let wanted = Stages {
            assessment: Some(assessment(2)),
            presentation: None,
            decision: None,
        };
        let deferred = state(NeedStatus::Decided, Some(Outcome::Deferred));
        let steps = between(&now, &wanted, deferred);
        assert_eq!(kinds(&steps.unwrap()), [NeedStep::Assess]);
    }

    #[test]
    fn a_changed_assessment_of_a_presented_need_is_a_step_the_workflow_refuses() {
        let now = Stages {
            assessment: Some(assessment(4)),
            presentation: Some(presentation(3)),
            decision: None,
        };
        let wanted = Stages {
            assessment: Some(assessment(5)),
            ..now.clone()
        };
        let steps = between(&now, &wanted, state(NeedStatus::Presented, None)).unwrap();
        assert_eq!(kinds(&steps), [NeedStep::Assess, NeedStep::Present]);
        let presented = state(NeedStatus::Presented, None);
        assert!(presented.allows(NeedStep::Assess).is_err());
    }
}
