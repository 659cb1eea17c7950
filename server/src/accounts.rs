//! Accounts: who may sign up, how passwords are stored, how sessions are issued and ended, and
//! what administrators may do.

pub mod admin;
pub mod password;
pub mod policy;
pub mod refusals;
pub mod remembered;
pub mod service;
pub mod sessions;
pub mod store;
pub mod tokens;
