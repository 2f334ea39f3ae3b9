//! Contracts (guidelines 4.7): their kinds, renewal terms, and the dates that follow from
//! them — the current term's end, the last day notice can be given, and the status.

use chrono::{Months, NaiveDate};

crate::vocabulary! {
    /// What an organisation is to Sunet.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum OrganizationKind("an organization kind") {
        /// A connected organisation that receives services (ansluten organisation, kund).
        Customer = "customer",
        Supplier = "supplier",
        Partner = "partner",
    }
}

crate::vocabulary! {
    /// Leverantörsavtal or kundavtal.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum ContractKind("a contract kind") {
        Supplier = "supplier",
        Customer = "customer",
    }
}

impl ContractKind {
    /// The organisation kind a contract of this kind is made with.
    pub fn counterpart(self) -> OrganizationKind {
        match self {
            ContractKind::Supplier => OrganizationKind::Supplier,
            ContractKind::Customer => OrganizationKind::Customer,
        }
    }
}

crate::vocabulary! {
    /// What happens when a term ends.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum Renewal("a renewal") {
        /// The contract ends with its end date.
        None = "none",
        /// It renews itself by `renewal_term_months` unless notice is given.
        Automatic = "automatic",
        /// It may be renewed by a decision (an option to extend).
        ByDecision = "by_decision",
    }
}

crate::vocabulary! {
    /// Derived from the dates and today.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum ContractStatus("a contract status") {
        Active = "active",
        /// The current term ends within 90 days and no automatic renewal follows.
        Expiring = "expiring",
        Expired = "expired",
        Terminated = "terminated",
    }
}

/// A contract is `expiring` this many days before its current term ends.
pub const EXPIRING_DAYS: i64 = 90;

/// The renewal terms of a contract, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub notice_period_months: u32,
    pub renewal: Renewal,
    pub renewal_term_months: Option<u32>,
}

/// The dates that follow from the terms on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermDates {
    /// The last day of the current term (null: open-ended).
    pub current_term_end: Option<NaiveDate>,
    /// The last day notice can be given for the current term.
    pub notice_deadline: Option<NaiveDate>,
}

impl Terms {
    /// `current_term_end`: the end date; automatic renewal rolls it forward by whole terms,
    /// each counted from the original end date (so a term ending on the 31st keeps ending on
    /// the month's last day), until it is `today` or later.
    pub fn dates_on(&self, today: NaiveDate) -> TermDates {
        let current_term_end =
            self.end_date
                .map(|end| match (self.renewal, self.renewal_term_months) {
                    (Renewal::Automatic, Some(term)) if term > 0 && end < today => {
                        roll_forward(end, term, today)
                    }
                    _ => end,
                });
        let notice_deadline = current_term_end.map(|end| {
            end.checked_sub_months(Months::new(self.notice_period_months))
                .unwrap_or(NaiveDate::MIN)
        });
        TermDates {
            current_term_end,
            notice_deadline,
        }
    }
}

/// The first `end + k·term` months (k ≥ 1) that is on or after `today`.
fn roll_forward(end: NaiveDate, term: u32, today: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let months_behind =
        (today.year() - end.year()) * 12 + today.month() as i32 - end.month() as i32;
    // Start one term short of the estimate and step: the day of month decides the last step.
    let mut k = (months_behind.max(0) as u32 / term)
        .saturating_sub(1)
        .max(1);
    loop {
        let candidate = end
            .checked_add_months(Months::new(k.saturating_mul(term)))
            .unwrap_or(NaiveDate::MAX);
        if candidate >= today {
            return candidate;
        }
        k += 1;
    }
}

/// The status on `today` of a contract with these dates.
pub fn status_on(
    today: NaiveDate,
    dates: &TermDates,
    renewal: Renewal,
    terminated: bool,
) -> ContractStatus {
    if terminated {
        return ContractStatus::Terminated;
    }
    match dates.current_term_end {
        Some(end) if end < today => ContractStatus::Expired,
        Some(end) if renewal != Renewal::Automatic && (end - today).num_days() <= EXPIRING_DAYS => {
            ContractStatus::Expiring
        }
        _ => ContractStatus::Active,
    }
}

crate::vocabulary! {
    /// Why an active delivery lacks valid cover (guidelines 4.7).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, utoipa::ToSchema)]
    pub enum CoverageReason("a coverage reason") {
        /// No contract is linked.
        NoContract = "no_contract",
        /// The linked contract was terminated.
        ContractTerminated = "contract_terminated",
        /// The linked contract's term has ended.
        ContractExpired = "contract_expired",
        /// The linked contract has not started yet.
        ContractNotStarted = "contract_not_started",
        /// The linked contract no longer covers the delivered service.
        ServiceNotCovered = "service_not_covered",
        /// The linked contract is with another organisation.
        OrganizationMismatch = "organization_mismatch",
    }
}

/// Checks the service shares of a contract: each 1–100, no service twice, summing to 100.
pub fn check_shares(shares: &[(i64, i64)]) -> Result<(), String> {
    if shares.is_empty() {
        return Err("must name at least one service".into());
    }
    if let Some((_, p)) = shares.iter().find(|(_, p)| !(1..=100).contains(p)) {
        return Err(format!("share_percent must be 1 to 100 (got {p})"));
    }
    let mut ids: Vec<i64> = shares.iter().map(|(s, _)| *s).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err("names a service twice".into());
    }
    let sum: i64 = shares.iter().map(|(_, p)| p).sum();
    if sum != 100 {
        return Err(format!("share_percent must sum to 100 (they sum to {sum})"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn terms(end: &str, notice: u32, renewal: Renewal, term: Option<u32>) -> Terms {
        Terms {
            start_date: d("2024-01-01"),
            end_date: Some(d(end)),
            notice_period_months: notice,
            renewal,
            renewal_term_months: term,
        }
    }

    #[test]
    fn notice_deadlines_clamp_to_the_end_of_shorter_months() {
        let t = terms("2027-03-31", 1, Renewal::None, None);
        let dates = t.dates_on(d("2026-11-28"));
        assert_eq!(dates.current_term_end, Some(d("2027-03-31")));
        assert_eq!(dates.notice_deadline, Some(d("2027-02-28")));
        // In a leap year February has 29 days.
        let leap = terms("2028-03-31", 1, Renewal::None, None).dates_on(d("2026-11-28"));
        assert_eq!(leap.notice_deadline, Some(d("2028-02-29")));
        // A year back from a leap day.
        let from_leap_day = terms("2028-02-29", 12, Renewal::None, None).dates_on(d("2026-11-28"));
        assert_eq!(from_leap_day.notice_deadline, Some(d("2027-02-28")));
        let none = terms("2027-06-30", 0, Renewal::None, None).dates_on(d("2026-11-28"));
        assert_eq!(none.notice_deadline, Some(d("2027-06-30")));
        let six = terms("2027-08-31", 6, Renewal::None, None).dates_on(d("2026-11-28"));
        assert_eq!(six.notice_deadline, Some(d("2027-02-28")));
    }

    #[test]
    fn automatic_renewal_rolls_the_term_forward_by_whole_terms() {
        let t = terms("2024-12-31", 3, Renewal::Automatic, Some(12));
        let dates = t.dates_on(d("2026-11-28"));
        assert_eq!(dates.current_term_end, Some(d("2026-12-31")));
        assert_eq!(dates.notice_deadline, Some(d("2026-09-30")));
        // On the end day itself the term has not ended yet.
        assert_eq!(
            t.dates_on(d("2025-12-31")).current_term_end,
            Some(d("2025-12-31"))
        );
        assert_eq!(
            t.dates_on(d("2026-01-01")).current_term_end,
            Some(d("2026-12-31"))
        );
        // Terms counted from the original end keep the month's last day.
        let monthly = terms("2025-01-31", 0, Renewal::Automatic, Some(1));
        assert_eq!(
            monthly.dates_on(d("2025-02-15")).current_term_end,
            Some(d("2025-02-28"))
        );
        assert_eq!(
            monthly.dates_on(d("2025-03-01")).current_term_end,
            Some(d("2025-03-31"))
        );
        // A leap day end renews to the end of February.
        let leap = terms("2024-02-29", 0, Renewal::Automatic, Some(12));
        assert_eq!(
            leap.dates_on(d("2026-11-28")).current_term_end,
            Some(d("2027-02-28"))
        );
        assert_eq!(
            leap.dates_on(d("2027-03-01")).current_term_end,
            Some(d("2028-02-29"))
        );
        // A decision to renew is not automatic: the term stays ended.
        let by_decision = terms("2025-12-31", 3, Renewal::ByDecision, Some(12));
        assert_eq!(
            by_decision.dates_on(d("2026-11-28")).current_term_end,
            Some(d("2025-12-31"))
        );
    }

    #[test]
    fn long_ago_ends_roll_forward_to_the_first_term_after_today() {
        let t = terms("1990-06-30", 0, Renewal::Automatic, Some(24));
        assert_eq!(
            t.dates_on(d("2026-11-28")).current_term_end,
            Some(d("2028-06-30"))
        );
        let quarterly = terms("2020-01-31", 0, Renewal::Automatic, Some(3));
        assert_eq!(
            quarterly.dates_on(d("2026-11-28")).current_term_end,
            Some(d("2027-01-31"))
        );
    }

    #[test]
    fn status_follows_the_dates() {
        let today = d("2026-11-28");
        let status = |end: &str, renewal: Renewal, terminated: bool| {
            let t = terms(end, 0, renewal, Some(12));
            status_on(today, &t.dates_on(today), renewal, terminated)
        };
        assert_eq!(
            status("2027-12-31", Renewal::None, false),
            ContractStatus::Active
        );
        assert_eq!(
            status("2027-02-26", Renewal::None, false),
            ContractStatus::Expiring
        );
        assert_eq!(
            status("2027-02-25", Renewal::None, false),
            ContractStatus::Expiring
        );
        assert_eq!(
            status("2027-02-27", Renewal::None, false),
            ContractStatus::Active
        );
        assert_eq!(
            status("2026-11-28", Renewal::None, false),
            ContractStatus::Expiring
        );
        assert_eq!(
            status("2026-11-27", Renewal::None, false),
            ContractStatus::Expired
        );
        assert_eq!(
            status("2026-12-31", Renewal::Automatic, false),
            ContractStatus::Active
        );
        assert_eq!(
            status("2020-12-31", Renewal::Automatic, false),
            ContractStatus::Active
        );
        assert_eq!(
            status("2020-12-31", Renewal::ByDecision, false),
            ContractStatus::Expired
        );
        assert_eq!(
            status("2027-12-31", Renewal::None, true),
            ContractStatus::Terminated
        );
        let open = Terms {
            end_date: None,
            ..terms("2027-12-31", 0, Renewal::None, None)
        };
        assert_eq!(
            status_on(today, &open.dates_on(today), Renewal::None, false),
            ContractStatus::Active
        );
    }

    #[test]
    fn shares_sum_to_one_hundred() {
        assert!(check_shares(&[(1, 60), (2, 40)]).is_ok());
        assert!(check_shares(&[(1, 100)]).is_ok());
        assert!(check_shares(&[]).is_err());
        assert!(check_shares(&[(1, 60), (2, 30)])
            .unwrap_err()
            .contains("sum to 90"));
        assert!(check_shares(&[(1, 0), (2, 100)]).is_err());
        assert!(check_shares(&[(1, 50), (1, 50)])
            .unwrap_err()
            .contains("twice"));
        assert!(check_shares(&[(1, 101)]).is_err());
    }
}
