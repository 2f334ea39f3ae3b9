//! Types that parse, never just validate: once a value has one of these types it is valid, so
//! handlers and queries never check again. The lifecycle rules of DESIGN.md §1 live here too.

pub mod contract;
pub mod lifecycle;
pub mod money;
pub mod org_number;
pub mod role;
pub mod slug;
pub mod text;
