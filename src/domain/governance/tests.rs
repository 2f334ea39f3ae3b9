//! The rules' own examples: thresholds, deadlines and texts.

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn a_year_is_prorated_by_its_days() {
    // A whole leap year, half of it, none of it.
    assert_eq!(days_in_year(2028, d(2027, 6, 1), None), (366, 366));
    assert_eq!(days_in_year(2027, d(2027, 7, 2), None), (183, 365));
    assert_eq!(days_in_year(2027, d(2028, 1, 1), None), (0, 365));
    assert_eq!(
        days_in_year(2027, d(2026, 1, 1), Some(d(2026, 12, 31))),
        (0, 365)
    );
    assert_eq!(
        days_in_year(2027, d(2027, 1, 1), Some(d(2027, 1, 31))),
        (31, 365)
    );
}

#[test]
fn prorating_is_exact_to_the_ore() {
    // 48 000 kr, 100 %, the whole year.
    assert_eq!(
        prorated_sek_minor(4_800_000, 100, (365, 365), Rate::ONE),
        4_800_000
    );
    // 100 000 kr × 30 % × 183/365 = 15 041.0958… kr → 15 041.10.
    assert_eq!(
        prorated_sek_minor(10_000_000, 30, (183, 365), Rate::ONE),
        1_504_110
    );
    // 1 000 EUR at 11.4250 for 31 of 365 days: 970.3424… kr → 970.34.
    let eur = Rate::parse("11.4250").unwrap();
    assert_eq!(prorated_sek_minor(100_000, 100, (31, 365), eur), 97_034);
    // Half an öre rounds away from zero: 0.01 × 50 % = 0.005 → 0.01.
    assert_eq!(prorated_sek_minor(1, 50, (365, 365), Rate::ONE), 1);
}

#[test]
fn rates_parse_exactly() {
    assert_eq!(Rate::parse("11.4250"), Ok(Rate(11_425_000)));
    assert_eq!(Rate::parse("0.095"), Ok(Rate(95_000)));
    assert_eq!(Rate(11_425_000).text(), "11.425");
    assert_eq!(Rate(10_000_000).text(), "10.00");
    for bad in ["", "0", "-1", "1.1234567", "1,5", "abc", "1e3"] {
        assert!(Rate::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn plan_deadlines_follow_the_configuration() {
    let t = Thresholds::default();
    assert_eq!(t.plan_deadline_for(2027), d(2026, 12, 31));
    // On 2026-11-28 the 2026 plan is due (deadline 2025-12-31), the 2027 plan not yet.
    assert_eq!(t.latest_year_due(d(2026, 11, 28)), 2026);
    let early = Thresholds {
        plan_deadline: (11, 15),
        ..t
    };
    assert_eq!(early.latest_year_due(d(2026, 11, 28)), 2027);
    assert_eq!(Thresholds::parse_plan_deadline("12-31"), Ok((12, 31)));
    assert!(Thresholds::parse_plan_deadline("02-29").is_err());
    assert!(Thresholds::parse_plan_deadline("13-01").is_err());
}

#[test]
fn every_rule_has_a_section_and_texts() {
    for rule in Rule::ALL {
        assert!(!rule.guideline().is_empty());
        let (sv, en) = rule.description();
        assert!(!sv.is_empty() && !en.is_empty());
    }
    assert_eq!(Rule::ALL.len(), 24);
}

#[test]
fn a_classification_cell_reads_back_as_written() {
    let c: SecurityClassification = "2/3/ 4".parse().unwrap();
    assert_eq!(c.cell(), "2/3/4");
    for wrong in ["2/3", "2/3/5", "a/b/c", "", "1/1/1/1"] {
        assert!(wrong.parse::<SecurityClassification>().is_err(), "{wrong}");
    }
}
