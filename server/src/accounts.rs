//! Accounts: who may sign up, how passwords are stored, how sessions are issued and ended.
//! (The endpoints that use these come with the accounts issue; these are the parts they share.)

pub mod password;
pub mod policy;
pub mod store;
pub mod tokens;
