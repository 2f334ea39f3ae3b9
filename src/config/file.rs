//! The TOML file's shape: every table and key it may hold (unknown ones are refused).

use super::*;
use crate::domain::governance::Thresholds;
use serde::Deserialize;
use std::path::PathBuf;

/// The TOML file, every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) bind: Option<String>,
    pub(super) data_dir: Option<PathBuf>,
    pub(super) database_url: Option<String>,
    pub(super) env: Option<String>,
    pub(super) workers: Option<usize>,
    pub(super) rate_limit: Option<u32>,
    pub(super) trusted_proxies: Option<String>,
    pub(super) metrics: Option<bool>,
    #[serde(default)]
    pub(super) webhooks: FileWebhooks,
    #[serde(default)]
    pub(super) events: FileEvents,
    #[serde(default)]
    pub(super) governance: FileGovernance,
    #[serde(default)]
    pub(super) cors: FileCors,
    #[serde(default)]
    pub(super) limits: FileLimits,
    #[serde(default)]
    pub(super) database: FileDatabase,
    #[serde(default)]
    pub(super) jwt: FileJwt,
    #[serde(default)]
    pub(super) claims: FileClaims,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileCors {
    #[serde(default)]
    pub(super) allowed_origins: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileEvents {
    pub(super) scan_seconds: Option<u64>,
}

/// `[governance]`: the thresholds of the findings report (defaults in `Thresholds`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileGovernance {
    /// The governance model's file (the built-in Sunet model without it).
    pub(super) model_file: Option<std::path::PathBuf>,
    pub(super) plan_deadline: Option<String>,
    pub(super) change_request_waiting_days: Option<i64>,
    pub(super) contract_notice_days: Option<i64>,
    pub(super) catalogue_review_months: Option<u32>,
    pub(super) documentation_review_months: Option<u32>,
    pub(super) security_review_months: Option<u32>,
    pub(super) assignment_acceptance_days: Option<i64>,
    pub(super) need_assessment_days: Option<i64>,
    pub(super) need_decision_days: Option<i64>,
    pub(super) customer_follow_up_months: Option<u32>,
    pub(super) architecture_review_months: Option<u32>,
    pub(super) system_review_months: Option<u32>,
}

impl FileGovernance {
    pub(super) fn thresholds(&self) -> Result<Thresholds, ConfigError> {
        let defaults = Thresholds::default();
        let days = |key: &str, value: Option<i64>, default: i64| match value {
            Some(v) if !(1..=3650).contains(&v) => Err(ConfigError::new(
                &format!("governance.{key}"),
                "must be 1 to 3650 days",
            )),
            v => Ok(v.unwrap_or(default)),
        };
        let months = |key: &str, value: Option<u32>, default: u32| match value {
            Some(v) if !(1..=120).contains(&v) => Err(ConfigError::new(
                &format!("governance.{key}"),
                "must be 1 to 120 months",
            )),
            v => Ok(v.unwrap_or(default)),
        };
        Ok(Thresholds {
            plan_deadline: match &self.plan_deadline {
                Some(text) => Thresholds::parse_plan_deadline(text)
                    .map_err(|m| ConfigError::new("governance.plan_deadline", m))?,
                None => defaults.plan_deadline,
            },
            change_request_waiting_days: days(
                "change_request_waiting_days",
                self.change_request_waiting_days,
                defaults.change_request_waiting_days,
            )?,
            contract_notice_days: days(
                "contract_notice_days",
                self.contract_notice_days,
                defaults.contract_notice_days,
            )?,
            catalogue_review_months: months(
                "catalogue_review_months",
                self.catalogue_review_months,
                defaults.catalogue_review_months,
            )?,
            documentation_review_months: months(
                "documentation_review_months",
                self.documentation_review_months,
                defaults.documentation_review_months,
            )?,
            security_review_months: months(
                "security_review_months",
                self.security_review_months,
                defaults.security_review_months,
            )?,
            assignment_acceptance_days: days(
                "assignment_acceptance_days",
                self.assignment_acceptance_days,
                defaults.assignment_acceptance_days,
            )?,
            need_assessment_days: days(
                "need_assessment_days",
                self.need_assessment_days,
                defaults.need_assessment_days,
            )?,
            need_decision_days: days(
                "need_decision_days",
                self.need_decision_days,
                defaults.need_decision_days,
            )?,
            customer_follow_up_months: months(
                "customer_follow_up_months",
                self.customer_follow_up_months,
                defaults.customer_follow_up_months,
            )?,
            architecture_review_months: months(
                "architecture_review_months",
                self.architecture_review_months,
                defaults.architecture_review_months,
            )?,
            system_review_months: months(
                "system_review_months",
                self.system_review_months,
                defaults.system_review_months,
            )?,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileWebhooks {
    pub(super) allow_private: Option<bool>,
    pub(super) delivery_log_days: Option<u32>,
    pub(super) proxy: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileLimits {
    pub(super) max_body_bytes: Option<usize>,
    pub(super) max_import_bytes: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDatabase {
    pub(super) pool_size: Option<u32>,
    pub(super) concurrent_reads: Option<u32>,
    pub(super) pool_timeout_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileJwt {
    pub(super) secret: Option<String>,
    pub(super) public_key_file: Option<PathBuf>,
    #[serde(default)]
    pub(super) public_key_files: Vec<PathBuf>,
    pub(super) jwks_url: Option<String>,
    pub(super) issuer: Option<String>,
    pub(super) audience: Option<String>,
    #[serde(default)]
    pub(super) algorithms: Vec<String>,
    pub(super) leeway_seconds: Option<u64>,
    pub(super) jwks_refetch_cooldown_seconds: Option<u64>,
    pub(super) jwks_max_age_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileClaims {
    pub(super) roles: Option<Vec<ClaimRule>>,
}
