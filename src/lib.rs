//! Förvaltning: Sunet's service management model (riktlinjer för Sunets tjänsteförvaltning)
//! as a REST/JSON API.
//!
//! A request travels one way: extractor (who, `auth`) → handler (what, `api`) → policy (may
//! they, on this object, `auth::policy`) → domain rules (`domain`) → one transaction with its
//! audit event (`db`) → response.

pub mod api;
pub mod auth;
pub mod client_address;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod logging;
pub mod metrics;
pub mod openapi;
pub mod ratelimit;
pub mod redact;
pub mod request;
pub mod startup;
pub mod webhooks;
