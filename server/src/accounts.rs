//! Accounts: who may sign up, how passwords are stored, how sessions are issued and ended.

pub mod password;
pub mod policy;
pub mod service;
pub mod store;
pub mod tokens;
