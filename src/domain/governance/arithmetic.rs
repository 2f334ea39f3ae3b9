//! The exact arithmetic of the economics report: days in force in a year, exchange rates,
//! amounts pro rata in öre.

use chrono::NaiveDate;

/// The days of `year` from `start` to `end` (both inclusive; `end` None: open), as
/// (days in the period, days in the year).
pub fn days_in_year(year: i32, start: NaiveDate, end: Option<NaiveDate>) -> (i64, i64) {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    let year_days = (last - first).num_days() + 1;
    let from = start.max(first);
    let to = end.map_or(last, |e| e.min(last));
    let days = ((to - from).num_days() + 1).clamp(0, year_days);
    (days, year_days)
}

/// SEK per unit of a currency, exactly, in millionths (11.4250 EUR→SEK is 11 425 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate(pub i64);

impl Rate {
    pub const ONE: Rate = Rate(1_000_000);

    /// Whether `text` has the form the document states: digits, at most six decimals.
    pub fn has_form(text: &str) -> bool {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        digits(whole) && (!text.contains('.') || digits(fraction)) && fraction.len() <= 6
    }

    /// Parses `"11.4250"`: digits, at most six decimals, more than zero.
    pub fn parse(text: &str) -> Result<Rate, String> {
        if !Rate::has_form(text) {
            return Err(
                "must be a decimal string with at most six decimals, such as \"11.4250\"".into(),
            );
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let micro = whole
            .parse::<i64>()
            .ok()
            .and_then(|w| w.checked_mul(1_000_000))
            .and_then(|w| w.checked_add(format!("{fraction:0<6}").parse::<i64>().unwrap_or(0)))
            .filter(|m| *m > 0 && *m <= 1_000_000_000_000)
            .ok_or("must be more than 0 and at most 1000000")?;
        Ok(Rate(micro))
    }

    /// The wire form: the shortest decimal with at least two decimals ("11.425", "0.09").
    pub fn text(self) -> String {
        let mut fraction = format!("{:06}", self.0 % 1_000_000);
        while fraction.len() > 2 && fraction.ends_with('0') {
            fraction.pop();
        }
        format!("{}.{fraction}", self.0 / 1_000_000)
    }
}

/// One contract's part of a service's year in öre (SEK), exact until one rounding, half away
/// from zero: `annual × share% × days/year_days × rate`.
pub fn prorated_sek_minor(
    annual_minor: i64,
    share_percent: i32,
    (days, year_days): (i64, i64),
    rate: Rate,
) -> i64 {
    let numerator = annual_minor as i128 * share_percent as i128 * days as i128 * rate.0 as i128;
    let denominator = 100i128 * year_days as i128 * 1_000_000i128;
    if denominator == 0 {
        return 0;
    }
    ((2 * numerator + denominator) / (2 * denominator)) as i64
}
