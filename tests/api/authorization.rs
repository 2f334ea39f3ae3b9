//! docs/governance-model.md over HTTP: every action of the foundation × every kind of caller, with the
//! expected status written out literally. Each attempt gets a fresh target, so no row depends
//! on another; every refusal names the expected action and leaves the object and the audit
//! trail as they were.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde_json::{json, Value};

use crate::helpers::{day, token, Backend, TestApp};

#[path = "authorization_needs.rs"]
mod needs;

#[path = "authorization_it.rs"]
mod it;

#[path = "authorization_imports.rs"]
mod imports;

/// The callers, in the column order of the table.
const CALLERS: [&str; 19] = [
    "lg",           // Sunets ledningsgrupp (token claim)
    "ta_in",        // TÄ of portfolio A (the target's)
    "ta_out",       // TÄ of portfolio B
    "ts_with",      // TS on A holding every delegation
    "ts_without",   // TS on A holding no delegation
    "ts_one",       // TS on A holding exactly the delegation the row needs
    "ts_but",       // TS on A holding every delegation but the one the row needs
    "ts_service",   // TS on service a1 only, every delegation
    "tjf_in",       // TJF of service a1 in A
    "tjf_sibling",  // TJF of service a2, also in A
    "tjf_out",      // TJF of service b1 in B
    "specialist",   // tjänstespecialist of a1
    "spec_sibling", // tjänstespecialist of a2
    "controller",   // kontrakt- och avtalsansvarig
    "ka",           // kundansvarig
    "vu",           // verksamhetsutvecklare
    "kom",          // kommunikatör
    "plain",        // signed in, no role
    "anonymous",    // no token
];

/// One row: what is attempted, the delegation a TS needs for it (the `ts_one` / `ts_but`
/// columns; where the row needs none, `support`, which decides only its own row), the action a 403 names, and the expected
/// status per caller (order of CALLERS).
type Row = (&'static str, &'static str, &'static str, [u16; 19]);

#[rustfmt::skip]
const TABLE: &[Row] = &[
    //                                                                                   lg   ta_i ta_o ts_w ts_wo ts_1 ts_b ts_s tjf_i tjf_s tjf_o spec sp_s ctrl ka   vu   kom  plain anon
    ("portfolio.create",         "support",       "portfolio.create",                    [201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("portfolio.update",         "support",       "portfolio.update",                    [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("portfolio.retire",         "support",       "portfolio.retire",                    [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.propose in A",     "support",       "service.propose",                     [201, 201, 403, 201, 201, 201, 201, 403, 201, 201, 403, 403, 403, 403, 201, 201, 403, 403, 401]),
    ("service.propose unplaced", "support",       "service.propose",                     [201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 201, 201, 403, 403, 401]),
    ("service.establish",        "support",       "service.establish",                   [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.reject",           "support",       "service.reject",                      [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.move",             "support",       "service.move",                        [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.in_operation",     "support",       "service.start_operation",             [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.decommissioning",  "support",       "service.start_decommissioning",       [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.decommissioned",   "support",       "service.decommission",                [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.rename",           "documentation", "service.rename",                      [200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.update",           "documentation", "service.update",                      [403, 200, 403, 200, 403, 200, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.update support",   "support",       "service.update_support",              [403, 200, 403, 200, 403, 200, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service.update catalogue", "documentation", "service.update_catalog",              [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 401]),
    ("service.update security",  "documentation", "service.update_security",             [403, 200, 403, 200, 403, 200, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("assign TÄ",                "staffing",      "role_assignment.service_owner",       [201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("revoke TÄ",                "staffing",      "role_assignment.service_owner",       [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("assign global role",       "staffing",      "role_assignment.global_role",         [201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("assign TS",                "staffing",      "role_assignment.service_coordinator", [403, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("revoke TS",                "staffing",      "role_assignment.service_coordinator", [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("assign TJF",               "staffing",      "role_assignment.service_manager",     [403, 201, 403, 201, 403, 201, 403, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("revoke TJF",               "staffing",      "role_assignment.service_manager",     [403, 200, 403, 200, 403, 200, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("assign specialist",        "staffing",      "role_assignment.specialist",          [403, 201, 403, 201, 403, 201, 403, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("revoke specialist",        "staffing",      "role_assignment.specialist",          [403, 200, 403, 200, 403, 200, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("audit events read",        "support",       "audit_event.read",                    [200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 401]),
    ("events read",              "support",       "event.read",                          [200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 401]),
    ("webhooks list",             "support",       "webhook.manage",                      [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 401]),
    ("webhook create",            "support",       "webhook.manage",                      [201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 201, 403, 403, 403, 403, 401]),
    ("webhook read",              "support",       "webhook.manage",                      [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 401]),
    ("webhook update",            "support",       "webhook.manage",                      [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 401]),
    ("webhook delete",            "support",       "webhook.manage",                      [204, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 204, 403, 403, 403, 403, 401]),
    ("webhook deliveries read",   "support",       "webhook.manage",                      [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 401]),
    ("organization.create",      "support",       "organization.create",                 [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 201, 201, 403, 403, 403, 401]),
    ("organization.update",      "support",       "organization.update",                 [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 401]),
    ("contract.create",          "contracts",     "contract.create",                     [403, 201, 403, 201, 403, 201, 403, 201, 403, 403, 403, 403, 403, 201, 403, 403, 403, 403, 401]),
    ("contract.update",          "contracts",     "contract.update",                     [403, 200, 404, 200, 403, 200, 403, 200, 403, 404, 404, 404, 404, 200, 403, 403, 404, 404, 401]),
    ("contract.terminate",       "contracts",     "contract.terminate",                  [403, 200, 404, 200, 403, 200, 403, 200, 403, 404, 404, 404, 404, 200, 403, 403, 404, 404, 401]),
    ("customer contract read",   "contracts",     "",                                    [200, 200, 404, 200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 200, 200, 404, 404, 401]),
    ("supplier contract read",   "contracts",     "",                                    [200, 200, 404, 200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 404, 200, 404, 404, 401]),
    ("contracts list",           "contracts",     "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("delivery.create",          "support",       "delivery.create",                     [403, 201, 403, 201, 201, 201, 201, 201, 201, 403, 403, 403, 403, 201, 201, 403, 403, 403, 401]),
    ("delivery.end",             "support",       "delivery.end",                        [403, 200, 404, 200, 200, 200, 200, 200, 200, 404, 404, 403, 404, 200, 200, 403, 404, 404, 401]),
    ("delivery.link_contract",   "contracts",     "delivery.link_contract",              [403, 200, 404, 200, 403, 200, 403, 200, 403, 404, 404, 403, 404, 200, 403, 403, 404, 404, 401]),
    ("delivery read",            "support",       "",                                    [200, 200, 404, 200, 200, 200, 200, 200, 200, 404, 404, 200, 404, 200, 200, 200, 404, 404, 401]),
    ("coverage report read",     "support",       "report.read",                         [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 200, 200, 200, 403, 403, 401]),
    ("governance report read",   "support",       "report.read",                         [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 200, 200, 200, 403, 403, 401]),
    ("economics report read",    "economy",       "economics.read",                      [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 200, 403, 200, 403, 403, 401]),
    ("governance rules read",    "support",       "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("exchange rates read",      "economy",       "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("exchange rate read",       "economy",       "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("exchange_rate.set",        "economy",       "exchange_rate.set",                   [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 201, 403, 403, 403, 403, 401]),
    ("governance model read",    "support",       "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("governance model history", "support",       "governance_model.history",            [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 401]),
    ("budget_frame.set",         "plan",          "budget_frame.set",                    [201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("plan.create",              "plan",          "plan.create",                         [403, 201, 403, 201, 403, 201, 403, 403, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("plan.edit",                "plan",          "plan.edit",                           [403, 200, 403, 200, 403, 200, 403, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("plan item create",         "plan",          "plan.edit",                           [403, 201, 403, 201, 403, 201, 403, 403, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("plan.submit",              "plan",          "plan.submit",                         [403, 403, 403, 200, 403, 200, 403, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("plan.return",              "plan",          "plan.return",                         [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("plan.approve",             "plan",          "plan.approve",                        [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("plan.close",               "plan",          "plan.close",                          [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("plan.revise",              "plan",          "plan.revise",                         [403, 200, 403, 200, 403, 200, 403, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("plan.follow_up",           "economy",       "plan.follow_up",                      [403, 200, 403, 200, 403, 200, 200, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("plans read",               "plan",          "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("change_request.create",    "prioritization", "",                                   [201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 401]),
    ("change_request.assess",    "prioritization", "change_request.assess",              [403, 403, 404, 200, 403, 200, 403, 200, 200, 404, 404, 404, 404, 404, 403, 403, 404, 404, 401]),
    ("change_request.decide",    "prioritization", "change_request.decide",              [403, 200, 404, 403, 403, 403, 403, 403, 403, 404, 404, 404, 404, 404, 403, 403, 404, 404, 401]),
    ("change_request.release",   "prioritization", "change_request.release",             [403, 403, 404, 403, 403, 403, 403, 403, 200, 404, 404, 404, 404, 404, 403, 403, 404, 404, 401]),
    ("need.create",              "prioritization", "",                                   [201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 201, 401]),
    ("needs list",               "prioritization", "",                                   [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("need read",                "prioritization", "",                                   [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("need endorsements read",   "prioritization", "",                                   [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("need.update",              "prioritization", "need.update",                        [403, 403, 403, 200, 403, 200, 403, 200, 200, 403, 403, 403, 403, 403, 200, 200, 403, 403, 401]),
    ("need.assess",              "prioritization", "need.assess",                        [403, 403, 403, 200, 403, 200, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("need.assess unplaced",     "prioritization", "need.assess",                        [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 401]),
    ("need.present",             "prioritization", "need.present",                       [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 401]),
    ("need.decide",              "prioritization", "need.decide",                        [200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("need.decide new service",  "prioritization", "need.decide_new_service",            [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("need.link",                "prioritization", "need.link",                          [201, 201, 403, 403, 403, 403, 403, 403, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("need unlink",              "prioritization", "need.link",                          [200, 200, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("need.endorse",             "support",       "need.endorse",                        [403, 201, 403, 201, 201, 201, 201, 201, 201, 403, 403, 403, 403, 403, 201, 403, 403, 403, 401]),
    ("follow_up.create",         "support",       "follow_up.create",                    [403, 201, 403, 201, 201, 201, 201, 201, 201, 403, 403, 403, 403, 403, 201, 201, 403, 403, 401]),
    ("follow-ups list",          "support",       "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("organization follow-ups list", "support",   "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("follow-up read",           "support",       "",                                    [200, 200, 404, 200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 200, 200, 200, 404, 404, 401]),
    ("organization key account", "support",       "organization.set_key_account",        [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 401]),
    ("needs report read",        "plan",          "report.read",                         [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 200, 200, 200, 403, 403, 401]),
    ("annual report read",       "plan",          "report.read",                         [200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 200, 200, 200, 403, 403, 401]),
    ("services read",            "support",       "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("information_system.create", "support",      "information_system.create",           [201, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("information systems list", "support",       "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("information system read",  "support",       "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("information_system.update", "support",      "information_system.update",           [200, 200, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("information_system.retire", "support",      "information_system.retire",           [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("system dependencies read", "support",       "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("system dependency add",    "support",       "system_dependency.manage",            [201, 403, 403, 403, 403, 403, 403, 403, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("system dependency remove", "support",       "system_dependency.manage",            [200, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("information system impact read", "support", "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("service dependencies read", "support",      "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("service dependency add",   "documentation", "service_dependency.manage",           [403, 201, 403, 201, 403, 201, 403, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("service dependency remove", "documentation", "service_dependency.manage",          [403, 204, 403, 204, 403, 204, 403, 204, 204, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("architecture_review.record", "support",     "architecture_review.record",          [201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("architecture reviews read", "support",      "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("architecture read",        "support",       "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    // A file's row is refused as its own operation would be; a refused row refuses the file (422).
    ("contracts import",         "contracts",     "",                                    [422, 200, 422, 200, 422, 200, 422, 200, 422, 422, 422, 422, 422, 200, 422, 422, 422, 422, 401]),
    ("import read",              "support",       "",                                    [200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 401]),
    ("role assignments read",    "support",       "",                                    [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("portfolios list",           "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("portfolio read",            "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("budget frames read",        "plan",           "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("budget frame read",         "plan",           "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("service read",              "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("people list",               "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("person read",               "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("me read",                   "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("me update",                 "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("organizations list",        "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("organization read",         "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("role assignment read",      "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("role assignment accept (another's)", "staffing",       "role_assignment.accept",                [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("deliveries list",           "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("plan read",                 "plan",           "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("plan items read",           "plan",           "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("plan item read",            "plan",           "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("plan versions read",        "plan",           "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("plan item delete",          "plan",           "plan.edit",                             [403, 204, 403, 204, 403, 204, 403, 403, 204, 204, 403, 403, 403, 403, 403, 403, 403, 403, 401]),
    ("change requests list",      "prioritization", "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401]),
    ("change request read",       "prioritization", "",                                      [200, 200, 404, 200, 200, 200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 200, 404, 404, 401]),
    ("catalogue read (public)",   "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("roles read (public)",       "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("document read (public)",    "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("health live (public)",      "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("health ready (public)",     "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("metrics (public)",          "support",        "",                                      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
];

const DELEGATIONS: [&str; 7] = [
    "contracts",
    "economy",
    "staffing",
    "plan",
    "support",
    "documentation",
    "prioritization",
];

struct World {
    app: TestApp,
    lg: String,
    ta_in: String,
    ta_out: String,
    a: i64,
    b: i64,
    a1: i64,
    /// Services of B, whom the callers of A must not reach through a body.
    b1: i64,
    /// By column; `ts_one` and `ts_but` are looked up per row in `coordinators`.
    tokens: Vec<Option<String>>,
    /// delegation → (TS holding only it, TS holding all but it), both on A.
    coordinators: Vec<(&'static str, String, String)>,
    controller: String,
    /// A customer (Uppsala universitet) and a supplier.
    customer: i64,
    supplier: i64,
    counter: AtomicUsize,
    /// Plan years handed out: one plan per portfolio and year.
    years: Mutex<(i32, i32)>,
    /// A prepared plan or request a row keeps using until an attempt on it succeeds.
    prepared: Mutex<HashMap<&'static str, i64>>,
    /// The requests attempted (method, path): every operation of the document must be among them.
    covered: Mutex<HashSet<(&'static str, String)>>,
}

/// The row's own name, with the table's lifetime: the key of the object it keeps.
fn row_key(action: &str) -> &'static str {
    TABLE
        .iter()
        .find(|r| r.0 == action)
        .map(|r| r.0)
        .expect("a row of the table")
}

/// A request to make as the caller, and where to look afterwards to see that a refusal
/// changed nothing.
struct Attempt {
    method: &'static str,
    path: String,
    body: Option<Value>,
    /// A GET whose answer must be the same before and after a refused attempt.
    watch: Option<String>,
}

impl Attempt {
    fn new(method: &'static str, path: impl Into<String>, body: Option<Value>) -> Self {
        Attempt {
            method,
            path: path.into(),
            body,
            watch: None,
        }
    }

    fn watching(mut self, path: impl Into<String>) -> Self {
        self.watch = Some(path.into());
        self
    }
}

impl World {
    async fn build(backend: Backend) -> World {
        let world = crate::helpers::two_portfolios(backend).await;
        let (app, lg, ta_in, ta_out) = (world.app, world.lg, world.tove, world.orjan);
        let (a, b) = (world.natverk, world.samarbete);
        let (a1, a2, b1) = (world.eduroam, world.eduid, world.sunet_box);
        let scoped = [
            json!({"subject": "sara.samordnare@sunet.se", "role": "service_coordinator", "portfolio_id": a, "delegations": DELEGATIONS}),
            json!({"subject": "sven.samordnare@sunet.se", "role": "service_coordinator", "portfolio_id": a}),
            json!({"subject": "tilda.samordnare@sunet.se", "role": "service_coordinator", "service_id": a1, "delegations": DELEGATIONS}),
            json!({"subject": "frida.forvaltare@sunet.se", "role": "service_manager", "service_id": a1}),
            json!({"subject": "gustav.forvaltare@sunet.se", "role": "service_manager", "service_id": a2}),
            json!({"subject": "spec.ialist@sunet.se", "role": "service_specialist", "service_id": a1}),
            json!({"subject": "syster.specialist@sunet.se", "role": "support_specialist", "service_id": a2}),
        ];
        for body in scoped {
            app.assign(&ta_in, body).await.expect(201);
        }
        let mut coordinators = Vec::new();
        for d in DELEGATIONS {
            let (only, but) = (
                format!("ts-bara-{d}@sunet.se"),
                format!("ts-utom-{d}@sunet.se"),
            );
            let others: Vec<&str> = DELEGATIONS.into_iter().filter(|x| *x != d).collect();
            for (sub, delegations) in [(&only, vec![d]), (&but, others)] {
                app.assign(
                    &ta_in,
                    json!({"subject": sub, "role": "service_coordinator", "portfolio_id": a, "delegations": delegations}),
                )
                .await
                .expect(201);
            }
            coordinators.push((d, token(&only, &[]), token(&but, &[])));
        }
        app.assign(&ta_out, json!({"subject": "bjorn.forvaltare@sunet.se", "role": "service_manager", "service_id": b1}))
            .await
            .expect(201);
        let tokens = vec![
            Some(lg.clone()),
            Some(ta_in.clone()),
            Some(ta_out.clone()),
            Some(token("sara.samordnare@sunet.se", &[])),
            Some(token("sven.samordnare@sunet.se", &[])),
            None, // ts_one: per row
            None, // ts_but: per row
            Some(token("tilda.samordnare@sunet.se", &[])),
            Some(token("frida.forvaltare@sunet.se", &[])),
            Some(token("gustav.forvaltare@sunet.se", &[])),
            Some(token("bjorn.forvaltare@sunet.se", &[])),
            Some(token("spec.ialist@sunet.se", &[])),
            Some(token("syster.specialist@sunet.se", &[])),
            Some(token("karin.controller@sunet.se", &["controller"])),
            Some(token("kalle.kund@sunet.se", &["account_manager"])),
            Some(token("vera.utveckling@sunet.se", &["business_developer"])),
            Some(token("kim.kommunikation@sunet.se", &["communicator"])),
            Some(token("per.plain@sunet.se", &[])),
            None,
        ];
        // Everyone has been seen once, so that an attempt writes no first-sight event.
        let everyone = tokens
            .iter()
            .flatten()
            .chain(coordinators.iter().flat_map(|(_, one, but)| [one, but]));
        for t in everyone {
            app.get("/api/v1/me", Some(t)).await.expect(200);
        }
        let controller = token("karin.controller@sunet.se", &["controller"]);
        let mut organizations = Vec::new();
        for (slug, kind, number) in [
            ("uppsala-universitet", "customer", "202100-2932"),
            ("natleverantoren", "supplier", "556016-0680"),
        ] {
            let body = json!({"slug": slug, "name": slug.replace('-', " "), "kind": kind, "org_number": number});
            organizations.push(
                app.post("/api/v1/organizations", Some(&controller), body)
                    .await
                    .expect(201)
                    .id(),
            );
        }
        World {
            app,
            lg,
            ta_in,
            ta_out,
            a,
            b,
            a1,
            b1,
            tokens,
            coordinators,
            controller,
            customer: organizations[0],
            supplier: organizations[1],
            counter: AtomicUsize::new(0),
            years: Mutex::new((2030, 2000)),
            prepared: Mutex::new(HashMap::new()),
            covered: Mutex::new(HashSet::new()),
        }
    }

    /// A year without a plan of A: a future one, or one that has ended.
    fn plan_year(&self, past: bool) -> i32 {
        let mut years = self.years.lock().unwrap();
        if past {
            years.1 += 1;
            years.1
        } else {
            years.0 += 1;
            years.0
        }
    }

    /// A plan of A in `status`, with one activity of a1 (the frame set where it must be).
    async fn plan_in(&self, status: &str, past: bool) -> i64 {
        let (app, ta) = (&self.app, self.ta_in.as_str());
        let year = self.plan_year(past);
        let id = app
            .post(
                "/api/v1/plans",
                Some(ta),
                json!({"portfolio_id": self.a, "year": year}),
            )
            .await
            .expect(201)
            .id();
        app.post(&format!("/api/v1/plans/{id}/items"), Some(ta), json!({"title": "Drift av eduroam", "planned_cost": {"amount": "1000.00", "currency": "SEK"}, "service_id": self.a1}))
            .await
            .expect(201);
        if status == "draft" {
            return id;
        }
        let tjf = self.tokens[8].clone();
        app.post(
            &format!("/api/v1/plans/{id}/submit"),
            tjf.as_deref(),
            json!({}),
        )
        .await
        .expect(200);
        app.send(
            "PUT",
            &format!("/api/v1/portfolios/{}/budget-frames/{year}", self.a),
            Some(&self.lg),
            Some(json!({"amount": {"amount": "5000", "currency": "SEK"}})),
            &[],
        )
        .await
        .expect(201);
        if status == "submitted" {
            return id;
        }
        app.post(&format!("/api/v1/plans/{id}/approve"), Some(ta), json!({}))
            .await
            .expect(200);
        id
    }

    /// The object a row keeps using until an attempt on it succeeds (then a new one is made).
    async fn kept(&self, row: &'static str, make: impl std::future::Future<Output = i64>) -> i64 {
        if let Some(id) = self.prepared.lock().unwrap().get(row) {
            return *id;
        }
        let id = make.await;
        self.prepared.lock().unwrap().insert(row, id);
        id
    }

    /// A subscription's body (development: a loopback target is allowed; nothing listens), held
    /// so that no delivery changes it while it is watched.
    fn webhook_body(&self) -> Value {
        json!({"url": "http://127.0.0.1:9/krok", "secret": "matrisens-hemlighet-0123", "event_types": ["contract.*"], "active": false})
    }

    /// A new webhook, made by the management group.
    async fn new_webhook(&self) -> i64 {
        self.app
            .post("/api/v1/webhooks", Some(&self.lg), self.webhook_body())
            .await
            .expect(201)
            .id()
    }

    /// A change request on a1 in `status` (submitted, assessed, approved).
    async fn change_request_in(&self, status: &str) -> i64 {
        let app = &self.app;
        let id = app
            .post(
                "/api/v1/change-requests",
                Some(&self.lg),
                json!({"service_id": self.a1, "title": "Stöd för WPA3"}),
            )
            .await
            .expect(201)
            .id();
        if status == "submitted" {
            return id;
        }
        let tjf = self.tokens[8].clone();
        app.post(&format!("/api/v1/change-requests/{id}/assessment"), tjf.as_deref(), json!({"priority": "high", "estimated_cost": {"amount": "10", "currency": "SEK"}, "recommendation": "approve"}))
            .await
            .expect(200);
        if status == "assessed" {
            return id;
        }
        app.post(
            &format!("/api/v1/change-requests/{id}/decision"),
            Some(&self.ta_in),
            json!({"decision": "approved"}),
        )
        .await
        .expect(200);
        id
    }

    /// A year for which A has a budget frame (set by the management group).
    async fn frame_of_a(&self) -> i64 {
        let year = self.plan_year(false);
        self.app
            .send(
                "PUT",
                &format!("/api/v1/portfolios/{}/budget-frames/{year}", self.a),
                Some(&self.lg),
                Some(json!({"amount": {"amount": "250000", "currency": "SEK"}})),
                &[],
            )
            .await
            .expect(201);
        i64::from(year)
    }

    fn fresh(&self, prefix: &str) -> String {
        format!("{prefix}-{}", self.counter.fetch_add(1, Ordering::SeqCst))
    }

    /// The caller of `column` for a row needing `delegation`.
    fn caller(&self, column: usize, delegation: &str) -> Option<String> {
        let coordinator = self.coordinators.iter().find(|(d, _, _)| *d == delegation);
        match CALLERS[column] {
            "ts_one" => coordinator.map(|c| c.1.clone()),
            "ts_but" => coordinator.map(|c| c.2.clone()),
            _ => self.tokens[column].clone(),
        }
    }

    /// Prepares a fresh target for `action` (as LG or TÄ): the request to attempt.
    async fn prepare(&self, action: &str) -> Attempt {
        let app = &self.app;
        let (lg, ta) = (self.lg.as_str(), self.ta_in.as_str());
        let service = |id: i64| format!("/api/v1/services/{id}");
        let transition = |id: i64, body: Value| {
            Attempt::new("POST", format!("{}/transitions", service(id)), Some(body))
                .watching(service(id))
        };
        match action {
            "portfolio.create" => Attempt::new("POST", "/api/v1/portfolios", Some(json!({"slug": self.fresh("ny"), "name": "Ny portfölj"})))
                .watching("/api/v1/portfolios?limit=500"),
            "portfolio.update" => {
                let path = format!("/api/v1/portfolios/{}", self.a);
                Attempt::new("PATCH", &path, Some(json!({"description": self.fresh("Ändrad beskrivning")}))).watching(path)
            }
            "portfolio.retire" => {
                let id = app.create_portfolio(lg, &self.fresh("tom"), "Tom portfölj").await;
                let path = format!("/api/v1/portfolios/{id}");
                Attempt::new("POST", format!("{path}/retire"), None).watching(path)
            }
            "service.propose in A" => Attempt::new("POST", "/api/v1/services", Some(json!({"slug": self.fresh("forslag"), "name": "Förslag", "portfolio_id": self.a})))
                .watching("/api/v1/services?limit=500"),
            "service.propose unplaced" => Attempt::new("POST", "/api/v1/services", Some(json!({"slug": self.fresh("ide"), "name": "Idé"})))
                .watching("/api/v1/services?limit=500"),
            "service.establish" => {
                let id = app.propose_service(lg, &self.fresh("etablera"), Some(self.a)).await;
                transition(id, json!({"to": "established", "it_assessment": crate::helpers::it_assessment()}))
            }
            "service.reject" => {
                let id = app.propose_service(lg, &self.fresh("avslag"), Some(self.a)).await;
                transition(id, json!({"to": "rejected", "reason": "LG-beslut: behovet täcks redan"}))
            }
            "service.move" => {
                let id = app.established_service(lg, &self.fresh("flytta"), self.a).await;
                Attempt::new("PATCH", service(id), Some(json!({"portfolio_id": self.b}))).watching(service(id))
            }
            "service.in_operation" => {
                let id = app.established_service(lg, &self.fresh("drift"), self.a).await;
                app.assign(ta, json!({"subject": "frida.forvaltare@sunet.se", "role": "service_manager", "service_id": id}))
                    .await
                    .expect(201);
                transition(id, json!({"to": "in_operation"}))
            }
            "service.decommissioning" => {
                let id = app.service_in_operation(lg, ta, &self.fresh("avveckla"), self.a).await;
                transition(id, json!({"to": "decommissioning"}))
            }
            "service.decommissioned" => {
                let id = app.service_in_operation(lg, ta, &self.fresh("avvecklad"), self.a).await;
                app.transition(ta, id, "decommissioning").await.expect(200);
                transition(id, json!({"to": "decommissioned"}))
            }
            "service.rename" => Attempt::new("PATCH", service(self.a1), Some(json!({"name": self.fresh("eduroam")}))).watching(service(self.a1)),
            "service.update" => Attempt::new("PATCH", service(self.a1), Some(json!({"description": self.fresh("Trådlöst nät för forskning och utbildning")})))
                .watching(service(self.a1)),
            "service.update support" => Attempt::new("PATCH", service(self.a1), Some(json!({"ordering_routine": self.fresh("Beställs via Sunets portal")})))
                .watching(service(self.a1)),
            "service.update security" => Attempt::new("PATCH", service(self.a1), Some(json!({"security_classification": {"confidentiality": 2, "integrity": 3, "availability": 3}})))
                .watching(service(self.a1)),
            "service.update catalogue" => Attempt::new("PATCH", service(self.a1), Some(json!({"published": true, "catalog_text": self.fresh("Trådlöst nätverk")})))
                .watching(service(self.a1)),
            "assign TÄ" => {
                let id = app.create_portfolio(lg, &self.fresh("agarlos"), "Ägarlös").await;
                Attempt::new("POST", "/api/v1/role-assignments", Some(json!({"subject": self.fresh("ny-ta"), "role": "service_owner", "portfolio_id": id})))
                    .watching("/api/v1/role-assignments?limit=500")
            }
            "revoke TÄ" => {
                let id = app.create_portfolio(lg, &self.fresh("byte"), "Ägarbyte").await;
                let assignment = app
                    .assign(lg, json!({"subject": self.fresh("gammal-ta"), "role": "service_owner", "portfolio_id": id}))
                    .await
                    .expect(201)
                    .id();
                let path = format!("/api/v1/role-assignments/{assignment}");
                Attempt::new("POST", format!("{path}/revoke"), None).watching(path)
            }
            "assign global role" => Attempt::new("POST", "/api/v1/role-assignments", Some(json!({"subject": self.fresh("ny-controller"), "role": "controller"})))
                .watching("/api/v1/role-assignments?limit=500"),
            "assign TS" | "assign TJF" | "assign specialist" => {
                Attempt::new("POST", "/api/v1/role-assignments", Some(self.scoped_assignment(action)))
                    .watching("/api/v1/role-assignments?limit=500")
            }
            "revoke TS" | "revoke TJF" | "revoke specialist" => {
                let body = self.scoped_assignment(&action.replace("revoke", "assign"));
                let assignment = app.assign(ta, body).await.expect(201).id();
                let path = format!("/api/v1/role-assignments/{assignment}");
                Attempt::new("POST", format!("{path}/revoke"), None).watching(path)
            }
            "organization.create" => Attempt::new("POST", "/api/v1/organizations", Some(json!({"slug": self.fresh("kund"), "name": "Ny kund", "kind": "customer"})))
                .watching("/api/v1/organizations?limit=500"),
            "organization.update" => {
                let path = format!("/api/v1/organizations/{}", self.customer);
                Attempt::new("PATCH", &path, Some(json!({"notes": self.fresh("Anteckning")}))).watching(path)
            }
            "contract.create" => Attempt::new("POST", "/api/v1/contracts", Some(self.contract_body("customer")))
                .watching("/api/v1/contracts?limit=500"),
            "contract.update" | "contract.terminate" | "customer contract read" | "supplier contract read" => {
                let kind = if action.starts_with("supplier") { "supplier" } else { "customer" };
                let id = app.post("/api/v1/contracts", Some(&self.controller), self.contract_body(kind)).await.expect(201).id();
                let path = format!("/api/v1/contracts/{id}");
                match action {
                    "contract.update" => Attempt::new("PATCH", &path, Some(json!({"title": "Ändrat avtal"}))).watching(path),
                    "contract.terminate" => Attempt::new("POST", format!("{path}/terminate"), Some(json!({"date": day(180), "reason": "Uppsagt"})))
                        .watching(path),
                    _ => Attempt::new("GET", path, None),
                }
            }
            "contracts list" => Attempt::new("GET", "/api/v1/contracts", None),
            "delivery.create" => Attempt::new("POST", "/api/v1/deliveries", Some(json!({"service_id": self.a1, "organization_id": self.customer, "start_date": day(-30)})))
                .watching("/api/v1/deliveries?limit=500"),
            "delivery.end" | "delivery.link_contract" | "delivery read" => {
                let delivery = json!({"service_id": self.a1, "organization_id": self.customer, "start_date": day(-30)});
                let id = app.post("/api/v1/deliveries", Some(&self.controller), delivery).await.expect(201).id();
                let path = format!("/api/v1/deliveries/{id}");
                match action {
                    "delivery.end" => Attempt::new("PATCH", &path, Some(json!({"end_date": day(30)}))).watching(path),
                    "delivery.link_contract" => {
                        let contract = app.post("/api/v1/contracts", Some(&self.controller), self.contract_body("customer")).await.expect(201).id();
                        Attempt::new("PATCH", &path, Some(json!({"contract_id": contract}))).watching(path)
                    }
                    _ => Attempt::new("GET", path, None),
                }
            }
            "coverage report read" => Attempt::new("GET", "/api/v1/reports/contract-coverage", None),
            "governance report read" => Attempt::new("GET", "/api/v1/reports/governance", None),
            "economics report read" => Attempt::new("GET", "/api/v1/reports/economics?year=2027", None),
            "governance rules read" => Attempt::new("GET", "/api/v1/reports/governance/rules", None),
            "exchange rates read" => Attempt::new("GET", "/api/v1/exchange-rates", None),
            "governance model read" => Attempt::new("GET", "/api/v1/governance-model", None),
            "governance model history" => Attempt::new("GET", "/api/v1/governance-model/versions", None),
            "exchange rate read" => {
                self.kept("exchange rate read", async {
                    app.send("PUT", "/api/v1/exchange-rates/NOK/2026", Some(&self.controller), Some(json!({"sek_per_unit": "0.9512"})), &[])
                        .await
                        .expect(201);
                    0
                })
                .await;
                Attempt::new("GET", "/api/v1/exchange-rates/NOK/2026", None)
            }
            "exchange_rate.set" => Attempt::new("PUT", "/api/v1/exchange-rates/EUR/2027", Some(json!({"sek_per_unit": "11.4250", "note": "Riksbanken"})))
                .watching("/api/v1/exchange-rates"),
            "budget_frame.set" => {
                let path = format!("/api/v1/portfolios/{}/budget-frames/{}", self.a, self.plan_year(false));
                Attempt::new("PUT", &path, Some(json!({"amount": {"amount": "1500000.00", "currency": "SEK"}, "note": "LG-beslut"}))).watching(path)
            }
            "plan.create" => {
                let year = self.kept("plan.create", async { self.plan_year(false) as i64 }).await;
                Attempt::new("POST", "/api/v1/plans", Some(json!({"portfolio_id": self.a, "year": year}))).watching("/api/v1/plans?limit=500")
            }
            "plan.edit" | "plan item create" | "plan.submit" | "plan.return" | "plan.approve" | "plan.close" | "plan.revise" | "plan.follow_up" => {
                let (status, past) = match action {
                    "plan.return" | "plan.approve" => ("submitted", false),
                    "plan.close" => ("approved", true),
                    "plan.revise" | "plan.follow_up" => ("approved", false),
                    _ => ("draft", false),
                };
                let key = row_key(action);
                let id = self.kept(key, self.plan_in(status, past)).await;
                let path = format!("/api/v1/plans/{id}");
                let attempt = match action {
                    "plan.edit" => Attempt::new("PATCH", &path, Some(json!({"summary": self.fresh("Förvaltningsplan")}))),
                    "plan item create" => Attempt::new("POST", format!("{path}/items"), Some(json!({"title": "Ny aktivitet", "planned_cost": {"amount": "10", "currency": "SEK"}}))),
                    "plan.return" => Attempt::new("POST", format!("{path}/return"), Some(json!({"reason": "Komplettera"}))),
                    "plan.close" => Attempt::new("POST", format!("{path}/close"), Some(json!({"annual_report": "Året i korthet"}))),
                    "plan.follow_up" => {
                        let item = app.get(&format!("{path}/items"), Some(lg)).await.expect(200).body[0]["id"].as_i64().unwrap();
                        Attempt::new("PATCH", format!("{path}/items/{item}"), Some(json!({"outcome": self.fresh("Utfall")})))
                    }
                    step => Attempt::new("POST", format!("{path}/{}", step.trim_start_matches("plan.")), Some(json!({}))),
                };
                attempt.watching(format!("{path}/versions"))
            }
            "plans read" => Attempt::new("GET", "/api/v1/plans", None),
            "change_request.create" => Attempt::new("POST", "/api/v1/change-requests", Some(json!({"service_id": self.a1, "title": "Önskemål"}))),
            "change_request.assess" | "change_request.decide" | "change_request.release" => {
                let status = match action {
                    "change_request.assess" => "submitted",
                    "change_request.decide" => "assessed",
                    _ => "approved",
                };
                let key = row_key(action);
                let id = self.kept(key, self.change_request_in(status)).await;
                let path = format!("/api/v1/change-requests/{id}");
                let attempt = match action {
                    "change_request.assess" => Attempt::new("POST", format!("{path}/assessment"), Some(json!({"priority": "medium", "estimated_cost": {"amount": "99", "currency": "SEK"}, "recommendation": "approve"}))),
                    "change_request.decide" => Attempt::new("POST", format!("{path}/decision"), Some(json!({"decision": "rejected", "note": "Inte i år"}))),
                    _ => Attempt::new("POST", format!("{path}/release"), Some(json!({}))),
                };
                attempt.watching(path)
            }
            "annual report read" => Attempt::new("GET", "/api/v1/reports/annual?year=2031", None),
            "audit events read" => Attempt::new("GET", "/api/v1/audit-events", None),
            "events read" => Attempt::new("GET", "/api/v1/events", None),
            "webhooks list" => Attempt::new("GET", "/api/v1/webhooks", None),
            "webhook create" => Attempt::new("POST", "/api/v1/webhooks", Some(self.webhook_body()))
                .watching("/api/v1/webhooks?limit=500"),
            "webhook read" | "webhook deliveries read" => {
                let id = self.kept("webhook read", self.new_webhook()).await;
                match action {
                    "webhook read" => Attempt::new("GET", format!("/api/v1/webhooks/{id}"), None),
                    _ => Attempt::new("GET", format!("/api/v1/webhooks/{id}/deliveries"), None),
                }
            }
            "webhook update" | "webhook delete" => {
                let path = format!("/api/v1/webhooks/{}", self.new_webhook().await);
                match action {
                    "webhook update" => Attempt::new("PATCH", &path, Some(json!({"event_types": ["plan.*"]}))),
                    _ => Attempt::new("DELETE", &path, None),
                }
                .watching(path)
            }
            "services read" => Attempt::new("GET", "/api/v1/services", None),
            "architecture read" => Attempt::new("GET", "/api/v1/architecture", None),
            "role assignments read" => Attempt::new("GET", "/api/v1/role-assignments", None),
            "portfolios list" => Attempt::new("GET", "/api/v1/portfolios", None),
            "portfolio read" => Attempt::new("GET", format!("/api/v1/portfolios/{}", self.a), None),
            "budget frames read" => Attempt::new("GET", format!("/api/v1/portfolios/{}/budget-frames", self.a), None),
            "budget frame read" => {
                let year = self.kept("budget frame read", self.frame_of_a()).await;
                Attempt::new("GET", format!("/api/v1/portfolios/{}/budget-frames/{year}", self.a), None)
            }
            "service read" => Attempt::new("GET", service(self.a1), None),
            "people list" => Attempt::new("GET", "/api/v1/people", None),
            "person read" => {
                let me = app.get("/api/v1/me", Some(ta)).await.expect(200);
                Attempt::new("GET", format!("/api/v1/people/{}", me.body["person"]["id"]), None)
            }
            "me read" => Attempt::new("GET", "/api/v1/me", None),
            "me update" => Attempt::new("PATCH", "/api/v1/me", Some(json!({"name": self.fresh("Namn Namnsson")}))),
            "organizations list" => Attempt::new("GET", "/api/v1/organizations", None),
            "organization read" => Attempt::new("GET", format!("/api/v1/organizations/{}", self.customer), None),
            "role assignment read" | "role assignment accept (another's)" => {
                let body = json!({"subject": self.fresh("utnamnd"), "role": "support_specialist", "service_id": self.a1});
                let id = app.assign(ta, body).await.expect(201).id();
                let path = format!("/api/v1/role-assignments/{id}");
                if action == "role assignment read" {
                    Attempt::new("GET", path, None)
                } else {
                    Attempt::new("POST", format!("{path}/accept"), None).watching(path)
                }
            }
            "deliveries list" => Attempt::new("GET", "/api/v1/deliveries", None),
            "plan read" | "plan items read" | "plan item read" | "plan versions read" | "plan item delete" => {
                let key = row_key(action);
                let id = self.kept(key, self.plan_in("draft", false)).await;
                let path = format!("/api/v1/plans/{id}");
                match action {
                    "plan read" => Attempt::new("GET", path, None),
                    "plan items read" => Attempt::new("GET", format!("{path}/items"), None),
                    "plan versions read" => Attempt::new("GET", format!("{path}/versions"), None),
                    _ => {
                        let item = app.post(&format!("{path}/items"), Some(ta), json!({"title": self.fresh("Aktivitet"), "planned_cost": {"amount": "10", "currency": "SEK"}}))
                            .await
                            .expect(201)
                            .id();
                        let item_path = format!("{path}/items/{item}");
                        if action == "plan item read" {
                            Attempt::new("GET", item_path, None)
                        } else {
                            Attempt::new("DELETE", &item_path, None).watching(item_path)
                        }
                    }
                }
            }
            "change requests list" => Attempt::new("GET", "/api/v1/change-requests", None),
            "change request read" => {
                let id = self.kept("change request read", self.change_request_in("submitted")).await;
                Attempt::new("GET", format!("/api/v1/change-requests/{id}"), None)
            }
            "catalogue read (public)" => Attempt::new("GET", "/api/v1/catalog", None),
            "roles read (public)" => Attempt::new("GET", "/api/v1/roles", None),
            "document read (public)" => Attempt::new("GET", "/api/v1/openapi.json", None),
            "health live (public)" => Attempt::new("GET", "/health/live", None),
            "health ready (public)" => Attempt::new("GET", "/health/ready", None),
            "metrics (public)" => Attempt::new("GET", "/metrics", None),
            other => match self.need_attempt(other).await {
                Some(attempt) => attempt,
                None => match self.it_attempt(other).await {
                    Some(attempt) => attempt,
                    None => match self.import_attempt(other).await {
                        Some(attempt) => attempt,
                        None => panic!("no attempt for {other}"),
                    },
                },
            },
        }
    }

    fn scoped_assignment(&self, action: &str) -> Value {
        let subject = self.fresh("utsedd");
        match action {
            "assign TS" => {
                json!({"subject": subject, "role": "service_coordinator", "portfolio_id": self.a, "delegations": ["staffing"]})
            }
            "assign TJF" => {
                json!({"subject": subject, "role": "service_manager", "service_id": self.a1})
            }
            _ => json!({"subject": subject, "role": "support_specialist", "service_id": self.a1}),
        }
    }

    /// A contract of `kind` covering a1, in force from a month ago for four years.
    fn contract_body(&self, kind: &str) -> Value {
        let organization = if kind == "customer" {
            self.customer
        } else {
            self.supplier
        };
        json!({
            "kind": kind, "organization_id": organization, "title": "Avtal om eduroam",
            "reference": self.fresh("VR-2026"), "start_date": day(-30), "end_date": day(4 * 365),
            "annual_value": {"amount": "48000.00", "currency": "SEK"},
            "services": [{"service_id": self.a1, "share_percent": 100}]
        })
    }

    /// The id of the newest audit event (as the management group sees it).
    async fn last_audit_event(&self) -> i64 {
        let newest = self
            .app
            .get("/api/v1/audit-events?ordering=-id&limit=1", Some(&self.lg))
            .await
            .expect(200);
        newest.body["results"][0]["id"].as_i64().unwrap_or(0)
    }

    /// The watched object as the management group sees it (a 404 counts: it must stay one).
    async fn watched(&self, attempt: &Attempt) -> Option<(u16, Value)> {
        match &attempt.watch {
            Some(path) => {
                let mut reply = self.app.get(path, Some(&self.lg)).await;
                // A problem names its request, which differs each time.
                if let Some(problem) = reply.body.as_object_mut() {
                    problem.remove("request_id");
                }
                Some((reply.status, reply.body))
            }
            None => None,
        }
    }

    /// Attempts one cell of the table; returns what went wrong, if anything.
    async fn check(&self, row: &Row, column: usize) -> Option<String> {
        let (action, delegation, refused_action, expected) = row;
        let caller = self.caller(column, delegation);
        let attempt = self.prepare(action).await;
        let (watched_before, audit_before) =
            (self.watched(&attempt).await, self.last_audit_event().await);
        let reply = self
            .app
            .send(
                attempt.method,
                &attempt.path,
                caller.as_deref(),
                attempt.body.clone(),
                &[],
            )
            .await;
        let who = CALLERS[column];
        if reply.status != expected[column] {
            return Some(format!(
                "{action} by {who}: expected {}, got {} {}",
                expected[column], reply.status, reply.body
            ));
        }
        if reply.status == 403 && reply.body["action"] != *refused_action {
            return Some(format!(
                "{action} by {who}: 403 names {} instead of {refused_action}",
                reply.body["action"]
            ));
        }
        if reply.status < 300 && attempt.method != "GET" {
            // The kept object has moved on; the next attempt gets a new one.
            self.prepared.lock().unwrap().remove(action);
        }
        self.covered
            .lock()
            .unwrap()
            .insert((attempt.method, attempt.path.clone()));
        if reply.status >= 400 {
            if self.watched(&attempt).await != watched_before {
                return Some(format!(
                    "{action} by {who}: refused, yet the object changed"
                ));
            }
            if self.last_audit_event().await != audit_before {
                return Some(format!(
                    "{action} by {who}: refused, yet an audit event was written"
                ));
            }
        }
        None
    }
}

/// How many operations the document has, and those (`GET /api/v1/plans/{id}`) that no
/// attempted request matched.
async fn operations_not_attempted(world: &World) -> (usize, Vec<String>) {
    let document = world
        .app
        .get("/api/v1/openapi.json", None)
        .await
        .expect(200)
        .body;
    let covered = world.covered.lock().unwrap().clone();
    let matches = |template: &str, path: &str| {
        let path = path.split('?').next().unwrap_or(path);
        let (t, p): (Vec<&str>, Vec<&str>) =
            (template.split('/').collect(), path.split('/').collect());
        t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p)
    };
    let (mut operations, mut missing) = (0, Vec::new());
    for (template, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            operations += 1;
            let method = method.to_uppercase();
            if !covered
                .iter()
                .any(|(m, p)| *m == method && matches(template, p))
            {
                missing.push(format!("{method} {template}"));
            }
        }
    }
    (operations, missing)
}

/// Anonymous attempts send no token at all.
pub async fn every_action_by_every_caller(backend: Backend) {
    let world = World::build(backend).await;
    let mut failures = Vec::new();
    let mut cells = 0;
    for row in TABLE {
        for column in 0..CALLERS.len() {
            cells += 1;
            if let Some(failure) = world.check(row, column).await {
                failures.push(failure);
            }
        }
    }
    let (operations, uncovered) = operations_not_attempted(&world).await;
    eprintln!(
        "authorization table ({backend:?}): {cells} cells checked, {} rows over the document's {operations} operations",
        TABLE.len()
    );
    assert!(
        uncovered.is_empty(),
        "operations of the document no row attempts: {uncovered:?}"
    );
    assert!(
        failures.is_empty(),
        "{} mismatches of {cells}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    world.app.assert_trails_filed();
    let _ = (&world.ta_out, world.b);
}

/// A TÄ reads the audit trail of their own portfolio only.
pub async fn a_service_owner_reads_only_their_portfolios_audit_trail(backend: Backend) {
    let world = World::build(backend).await;
    let app = &world.app;
    let own = app
        .get(
            &format!(
                "/api/v1/audit-events?count=true&object_type=service&object_id={}",
                world.a1
            ),
            Some(&world.ta_in),
        )
        .await
        .expect(200);
    assert!(own.body["count"].as_i64().unwrap() >= 3, "{}", own.body);
    let other = app
        .get(
            &format!(
                "/api/v1/audit-events?count=true&object_type=service&object_id={}",
                world.a1
            ),
            Some(&world.ta_out),
        )
        .await
        .expect(200);
    assert_eq!(other.body["count"], 0);
    let all = app
        .get("/api/v1/audit-events?count=true&limit=500", Some(&world.lg))
        .await
        .expect(200);
    let mine = app
        .get(
            "/api/v1/audit-events?count=true&limit=500",
            Some(&world.ta_in),
        )
        .await
        .expect(200);
    assert!(all.body["count"].as_i64() > mine.body["count"].as_i64());
}

/// Guidelines §2: the appointee accepts; nobody else can accept for them.
pub async fn only_the_appointee_accepts_an_appointment(backend: Backend) {
    let world = World::build(backend).await;
    let app = &world.app;
    let id = app
        .assign(&world.ta_in, json!({"subject": "nils.ny@sunet.se", "role": "service_manager", "service_id": world.a1}))
        .await
        .expect(201)
        .id();
    let path = format!("/api/v1/role-assignments/{id}/accept");
    app.post(&path, Some(&world.ta_in), json!({}))
        .await
        .expect(403);
    app.post(&path, Some(&world.lg), json!({}))
        .await
        .expect(403);
    let nils = token("nils.ny@sunet.se", &[]);
    let accepted = app.post(&path, Some(&nils), json!({})).await.expect(200);
    assert!(accepted.body["accepted_at"].is_string());
    app.post(&path, Some(&nils), json!({})).await.expect(409);
}

/// OWASP API1 through a body: a caller in scope of A names an object of B (or one they may not
/// see) in the body of a write on A. Refused — 403 where the body asks for authority over B,
/// 422 where it names an object the rules exclude, and an invisible contract is answered as if
/// it did not exist — and nothing is written.
pub async fn foreign_ids_in_bodies_are_refused(backend: Backend) {
    let world = World::build(backend).await;
    let (app, ta, lg) = (&world.app, world.ta_in.as_str(), world.lg.as_str());
    let controller = world.controller.as_str();
    let with_services = |services: Value| {
        let mut body = world.contract_body("customer");
        body["services"] = services;
        body
    };
    // Objects of A (made by those who may) and of B.
    let a_contract = app
        .post(
            "/api/v1/contracts",
            Some(controller),
            world.contract_body("customer"),
        )
        .await
        .expect(201)
        .id();
    let b_contract = app
        .post(
            "/api/v1/contracts",
            Some(controller),
            with_services(json!([{"service_id": world.b1, "share_percent": 100}])),
        )
        .await
        .expect(201)
        .id();
    let a_delivery = app
        .post("/api/v1/deliveries", Some(controller), json!({"service_id": world.a1, "organization_id": world.customer, "start_date": day(-10)}))
        .await
        .expect(201)
        .id();
    let a_plan = world.plan_in("draft", false).await;
    let ta_out = world.ta_out.as_str();
    let b_plan = app
        .post(
            "/api/v1/plans",
            Some(ta_out),
            json!({"portfolio_id": world.b, "year": 2040}),
        )
        .await
        .expect(201)
        .id();
    let b_item = app
        .post(&format!("/api/v1/plans/{b_plan}/items"), Some(ta_out), json!({"title": "Lagring", "planned_cost": {"amount": "5", "currency": "SEK"}, "service_id": world.b1}))
        .await
        .expect(201)
        .id();
    let a_request = world.change_request_in("submitted").await;
    let tjf = world.tokens[8].clone().expect("the TJF of a1");

    let attempts: Vec<(&str, &str, String, Value, &str, u16)> = vec![
        (
            "a contract covering a1 and b1",
            "POST",
            "/api/v1/contracts".into(),
            with_services(
                json!([{"service_id": world.a1, "share_percent": 50}, {"service_id": world.b1, "share_percent": 50}]),
            ),
            ta,
            403,
        ),
        (
            "A's contract moved to cover b1",
            "PATCH",
            format!("/api/v1/contracts/{a_contract}"),
            json!({"services": [{"service_id": world.b1, "share_percent": 100}]}),
            ta,
            403,
        ),
        (
            "a delivery of b1",
            "POST",
            "/api/v1/deliveries".into(),
            json!({"service_id": world.b1, "organization_id": world.customer, "start_date": day(-1)}),
            ta,
            403,
        ),
        (
            "A's delivery linked to B's contract",
            "PATCH",
            format!("/api/v1/deliveries/{a_delivery}"),
            json!({"contract_id": b_contract}),
            ta,
            422,
        ),
        (
            "a plan of B",
            "POST",
            "/api/v1/plans".into(),
            json!({"portfolio_id": world.b, "year": 2041}),
            ta,
            403,
        ),
        (
            "an activity of b1 in A's plan",
            "POST",
            format!("/api/v1/plans/{a_plan}/items"),
            json!({"title": "Fel", "planned_cost": {"amount": "1", "currency": "SEK"}, "service_id": world.b1}),
            ta,
            422,
        ),
        (
            "a TJF of b1",
            "POST",
            "/api/v1/role-assignments".into(),
            json!({"subject": "ny.tjf@sunet.se", "role": "service_manager", "service_id": world.b1}),
            ta,
            403,
        ),
        (
            "a TS of B",
            "POST",
            "/api/v1/role-assignments".into(),
            json!({"subject": "ny.ts@sunet.se", "role": "service_coordinator", "portfolio_id": world.b}),
            ta,
            403,
        ),
        (
            "a1 moved to B",
            "PATCH",
            format!("/api/v1/services/{}", world.a1),
            json!({"portfolio_id": world.b}),
            ta,
            403,
        ),
        (
            "a proposal placed in B",
            "POST",
            "/api/v1/services".into(),
            json!({"slug": "smuggel", "name": "Smuggel", "portfolio_id": world.b}),
            tjf.as_str(),
            403,
        ),
        (
            "an assessment naming B's activity",
            "POST",
            format!("/api/v1/change-requests/{a_request}/assessment"),
            json!({"priority": "low", "estimated_cost": {"amount": "1", "currency": "SEK"}, "recommendation": "approve", "plan_item_id": b_item}),
            tjf.as_str(),
            422,
        ),
    ];
    let audit_before = world.last_audit_event().await;
    let mut wrong = Vec::new();
    for (what, method, path, body, caller, expected) in &attempts {
        let reply = app
            .send(method, path, Some(caller), Some(body.clone()), &[])
            .await;
        if reply.status != *expected {
            wrong.push(format!(
                "{what}: expected {expected}, got {} {}",
                reply.status, reply.body
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(
        world.last_audit_event().await,
        audit_before,
        "a refused write left an audit event"
    );

    // The contract A's TÄ may not see is answered as one that does not exist.
    let unseen = app
        .send(
            "PATCH",
            &format!("/api/v1/deliveries/{a_delivery}"),
            Some(ta),
            Some(json!({"contract_id": b_contract})),
            &[],
        )
        .await;
    let missing = app
        .send(
            "PATCH",
            &format!("/api/v1/deliveries/{a_delivery}"),
            Some(ta),
            Some(json!({"contract_id": 999_999})),
            &[],
        )
        .await;
    let masked = |reply: &crate::helpers::Reply| {
        reply.body["detail"]
            .as_str()
            .unwrap_or_default()
            .replace(&b_contract.to_string(), "N")
            .replace("999999", "N")
    };
    assert_eq!(
        (unseen.status, masked(&unseen)),
        (missing.status, masked(&missing))
    );
    let _ = lg;
}

/// No answer carries what its caller may not read: B's contracts and deliveries are absent from
/// every list, report and audit page A's TÄ gets, and reading one is the 404 of an id that
/// does not exist.
pub async fn no_answer_leaks_what_its_caller_may_not_read(backend: Backend) {
    let world = World::build(backend).await;
    let (app, ta) = (&world.app, world.ta_in.as_str());
    let controller = world.controller.as_str();
    let mut b_body = world.contract_body("supplier");
    b_body["services"] = json!([{"service_id": world.b1, "share_percent": 100}]);
    b_body["title"] = json!("Hemligt leverantörsavtal");
    let b_contract = app
        .post("/api/v1/contracts", Some(controller), b_body)
        .await
        .expect(201)
        .id();
    let b_delivery = app
        .post("/api/v1/deliveries", Some(controller), json!({"service_id": world.b1, "organization_id": world.customer, "start_date": day(-3)}))
        .await
        .expect(201)
        .id();
    let secret = "Hemligt leverantörsavtal";
    for path in [
        "/api/v1/contracts?limit=500".to_string(),
        "/api/v1/contracts?limit=500&format=csv".to_string(),
        "/api/v1/deliveries?limit=500".to_string(),
        "/api/v1/reports/contract-coverage".to_string(),
        "/api/v1/audit-events?limit=500".to_string(),
        "/api/v1/architecture".to_string(),
        "/api/v1/me".to_string(),
        format!("/api/v1/services/{}", world.b1),
    ] {
        let reply = app.get(&path, Some(ta)).await;
        let text = reply.body.to_string();
        assert!(reply.status == 200, "{path}: {}", reply.status);
        assert!(!text.contains(secret), "{path} shows B's contract: {text}");
        assert!(
            !text.contains(&format!("\"contract_id\":{b_contract}"))
                && !text.contains(&format!("\"id\":{b_delivery},\"service_id\":{}", world.b1)),
            "{path} shows B's contract or delivery: {text}"
        );
    }
    let strip = |mut reply: crate::helpers::Reply| {
        reply.body.as_object_mut().map(|o| o.remove("request_id"));
        (reply.status, reply.body)
    };
    for (object, nowhere) in [
        (
            format!("/api/v1/contracts/{b_contract}"),
            "/api/v1/contracts/999999",
        ),
        (
            format!("/api/v1/deliveries/{b_delivery}"),
            "/api/v1/deliveries/999999",
        ),
    ] {
        let seen = strip(app.get(&object, Some(ta)).await);
        let absent = strip(app.get(nowhere, Some(ta)).await);
        assert_eq!(seen.0, 404, "{object}");
        assert_eq!(
            seen, absent,
            "{object} answers otherwise than an id that does not exist"
        );
    }
}
