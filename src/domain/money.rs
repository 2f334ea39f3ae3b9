//! Money (docs/conventions.md): `{"amount": "1250000.00", "currency": "SEK"}`. The amount is a decimal
//! string parsed into an integer of minor units (öre for SEK, hundredths for every currency
//! here); no floating point anywhere between the request and the database.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An ISO 4217 currency code: three uppercase letters that name an active currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

/// Active ISO 4217 codes (list one, 2026), funds and metals left out.
pub const ISO_4217: &str =
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB \
BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR \
FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES \
KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR \
MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR \
SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH \
UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG";

impl Currency {
    pub const SEK: Currency = Currency(*b"SEK");

    pub fn parse(code: &str) -> Result<Self, String> {
        let known = code.len() == 3
            && code.bytes().all(|b| b.is_ascii_uppercase())
            && ISO_4217.split_whitespace().any(|c| c == code);
        if !known {
            return Err("must be an ISO 4217 currency code such as SEK or EUR".into());
        }
        let b = code.as_bytes();
        Ok(Currency([b[0], b[1], b[2]]))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters get in.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An exact, non-negative amount in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    /// Hundredths (öre).
    pub minor: i64,
    pub currency: Currency,
}

/// The largest amount accepted: what fits in minor units with room for sums of many.
pub const MAX_MINOR: i64 = 1_000_000_000_000_000; // 10^13 units (ten trillion)

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Parses `"1250000.00"`, `"1250000.5"` or `"1250000"`: digits, at most two decimals, no
    /// sign, no exponent, no separators.
    pub fn parse_amount(amount: &str) -> Result<i64, String> {
        let (whole, fraction) = match amount.split_once('.') {
            Some((w, f)) => (w, f),
            None => (amount, ""),
        };
        if amount.starts_with('-') {
            return Err("must not be negative".into());
        }
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (amount.contains('.') && !digits(fraction)) {
            return Err("must be a decimal string such as \"1250000.00\"".into());
        }
        if fraction.len() > 2 {
            return Err("must have at most two decimals".into());
        }
        let too_large = || format!("must be at most {}", format_minor(MAX_MINOR));
        let units: i64 = whole.parse().map_err(|_| too_large())?;
        let hundredths: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
        let minor = units
            .checked_mul(100)
            .and_then(|m| m.checked_add(hundredths))
            .filter(|m| *m <= MAX_MINOR)
            .ok_or_else(too_large)?;
        Ok(minor)
    }

    /// The wire amount: always two decimals.
    pub fn amount(&self) -> String {
        format_minor(self.minor)
    }
}

fn format_minor(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Money on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyJson {
    /// A decimal string with at most two decimals; never a JSON number.
    #[schema(
        example = "1250000.00",
        pattern = "^[0-9]+(\\.[0-9]{1,2})?$",
        max_length = 20
    )]
    pub amount: String,
    /// ISO 4217.
    #[schema(example = "SEK", pattern = "^[A-Z]{3}$")]
    pub currency: String,
}

/// Money that must be in SEK (budget frames and plans), as a request gives it: the shape of
/// money with SEK as the only currency. For the document only; the body is read as MoneyJson.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SekJson {
    /// A decimal string with at most two decimals; never a JSON number.
    #[schema(
        example = "1250000.00",
        pattern = "^[0-9]+(\\.[0-9]{1,2})?$",
        max_length = 20
    )]
    amount: String,
    /// Always SEK.
    #[schema(example = "SEK", pattern = "^SEK$")]
    currency: String,
}

impl MoneyJson {
    /// Parses into [`Money`]; errors name `field.amount` or `field.currency`.
    pub fn parse(&self, field: &str) -> Result<Money, (String, String)> {
        let minor =
            Money::parse_amount(&self.amount).map_err(|m| (format!("{field}.amount"), m))?;
        let currency =
            Currency::parse(&self.currency).map_err(|m| (format!("{field}.currency"), m))?;
        Ok(Money { minor, currency })
    }
}

impl From<Money> for MoneyJson {
    fn from(m: Money) -> Self {
        MoneyJson {
            amount: m.amount(),
            currency: m.currency.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly_into_ore() {
        assert_eq!(Money::parse_amount("1250000.00"), Ok(125_000_000));
        assert_eq!(Money::parse_amount("0.1"), Ok(10));
        assert_eq!(Money::parse_amount("7"), Ok(700));
        assert_eq!(Money::parse_amount("0.07"), Ok(7));
        // 0.1 + 0.2 is 0.3 here.
        let sum = Money::parse_amount("0.1").unwrap() + Money::parse_amount("0.2").unwrap();
        assert_eq!(sum, Money::parse_amount("0.3").unwrap());
        for bad in [
            "",
            "-5",
            "1.234",
            "1e6",
            "1,5",
            " 1",
            "1.",
            ".5",
            "+1",
            "99999999999999999999",
        ] {
            assert!(Money::parse_amount(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn amounts_print_with_two_decimals() {
        let m = Money::new(125_000_050, Currency::SEK);
        assert_eq!(m.amount(), "1250000.50");
        assert_eq!(Money::new(7, Currency::SEK).amount(), "0.07");
        assert_eq!(format_minor(-250), "-2.50");
    }

    #[test]
    fn currencies_are_iso_4217() {
        assert!(Currency::parse("SEK").is_ok());
        assert!(Currency::parse("EUR").is_ok());
        assert!(Currency::parse("sek").is_err());
        assert!(Currency::parse("XYZ").is_err());
        assert!(Currency::parse("SEKK").is_err());
    }

    #[test]
    fn wire_errors_name_the_field() {
        let wire = MoneyJson {
            amount: "12.345".into(),
            currency: "SEK".into(),
        };
        assert_eq!(
            wire.parse("annual_value").unwrap_err().0,
            "annual_value.amount"
        );
    }
}
