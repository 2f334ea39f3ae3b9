//! Swedish organisation numbers (organisationsnummer): `NNNNNN-NNNN`, the last digit a Luhn
//! check digit over the other nine (Skatteverket SKV 709).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgNumber(String);

/// Why a text is not an organisation number: its form (what a pattern can say), or its check
/// digit (what only arithmetic can).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgNumberError {
    Form,
    CheckDigit,
}

impl fmt::Display for OrgNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OrgNumberError::Form => "must be a Swedish organisation number NNNNNN-NNNN",
            OrgNumberError::CheckDigit => "has a wrong check digit (Luhn)",
        })
    }
}

impl OrgNumber {
    pub fn parse(value: &str) -> Result<Self, OrgNumberError> {
        let shape = value.len() == 11
            && value.as_bytes()[6] == b'-'
            && value
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 6 || b.is_ascii_digit());
        if !shape {
            return Err(OrgNumberError::Form);
        }
        let digits: Vec<u32> = value
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| u32::from(b - b'0'))
            .collect();
        if !luhn_valid(&digits) {
            return Err(OrgNumberError::CheckDigit);
        }
        Ok(OrgNumber(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The Luhn (modulus 10) check over all digits, the check digit last.
fn luhn_valid(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let doubled = d * 2;
                doubled / 10 + doubled % 10
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl fmt::Display for OrgNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_organisation_numbers_pass() {
        // Vetenskapsrådet (Sunet's host), Uppsala universitet, KTH.
        for n in ["202100-5208", "202100-2932", "202100-3054"] {
            assert!(OrgNumber::parse(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn wrong_check_digits_and_shapes_fail() {
        assert_eq!(
            OrgNumber::parse("202100-5209"),
            Err(OrgNumberError::CheckDigit)
        );
        for n in [
            "2021005208",
            "202100 5208",
            "20210-05208",
            "202100-520",
            "a02100-5208",
            "",
        ] {
            assert!(OrgNumber::parse(n).is_err(), "{n}");
        }
    }
}
