//! One number of the configuration: its environment variable if it has one, else its key in
//! the file, within its range; an error names where the value came from.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;

use super::ConfigError;

/// Where a number is set, and what it counts (for the messages).
pub(super) struct Number<'a> {
    /// The environment variable, for the numbers that have one.
    pub var: Option<&'a str>,
    /// The key in the TOML file.
    pub key: &'a str,
    /// What it counts: "connections", "seconds".
    pub unit: &'a str,
}

impl Number<'_> {
    /// The value set (`None` when neither the variable nor the file sets it), within `range`.
    pub fn read<T>(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
        file: Option<T>,
        range: RangeInclusive<T>,
    ) -> Result<Option<T>, ConfigError>
    where
        T: FromStr + PartialOrd + Display + Copy,
    {
        let from_env = self.var.and_then(|var| env(var).map(|text| (var, text)));
        let (source, value) = match from_env {
            Some((var, text)) => {
                let value = text.trim().parse::<T>().map_err(|_| {
                    ConfigError::new(var, format!("'{text}' is not a number of {}", self.unit))
                })?;
                (var, Some(value))
            }
            None => (self.key, file),
        };
        match value {
            Some(v) if !range.contains(&v) => Err(ConfigError::new(
                source,
                format!("must be {} to {} {}", range.start(), range.end(), self.unit),
            )),
            value => Ok(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: Number = Number {
        var: Some("FORVALTNING_DATABASE_POOL_SIZE"),
        key: "database.pool_size",
        unit: "connections",
    };

    fn env_with(value: Option<&'static str>) -> impl Fn(&str) -> Option<String> {
        move |name| {
            (name == "FORVALTNING_DATABASE_POOL_SIZE")
                .then_some(value)
                .flatten()
                .map(str::to_string)
        }
    }

    #[test]
    fn the_variable_wins_over_the_file_and_errors_name_their_source() {
        assert_eq!(
            POOL.read(&env_with(Some(" 12 ")), Some(40), 1..=1000)
                .unwrap(),
            Some(12)
        );
        assert_eq!(
            POOL.read(&env_with(None), Some(40), 1..=1000).unwrap(),
            Some(40)
        );
        assert_eq!(
            POOL.read(&env_with(None), None::<u32>, 1..=1000).unwrap(),
            None
        );
        let from_file = POOL.read(&env_with(None), Some(0), 1..=1000).unwrap_err();
        assert!(
            from_file.to_string().contains("database.pool_size"),
            "{from_file}"
        );
        assert!(
            from_file
                .to_string()
                .contains("must be 1 to 1000 connections"),
            "{from_file}"
        );
        let from_env = POOL
            .read(&env_with(Some("många")), Some(40), 1..=1000)
            .unwrap_err();
        assert!(
            from_env
                .to_string()
                .contains("FORVALTNING_DATABASE_POOL_SIZE"),
            "{from_env}"
        );
        assert!(from_env
            .to_string()
            .contains("'många' is not a number of connections"));
    }
}
