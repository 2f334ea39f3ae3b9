//! Types that parse, never just validate: once a value has one of these types it is valid, so
//! handlers and queries never check again. The lifecycle rules of docs/domain.md live here too.

pub mod access;
pub mod action;
pub mod contract;
pub mod event;
pub mod governance;
pub mod it;
pub mod it_graph;
pub mod lifecycle;
pub mod model;
pub mod money;
pub mod need;
pub mod object_type;
pub mod org_number;
pub mod plan;
pub mod role;
pub mod slug;
pub mod text;
pub mod vocabulary;
pub mod webhook;
