//! Accounts and sessions in the database. The SQL is the dialect SQLite and PostgreSQL share,
//! with `$n` placeholders, which both accept.

mod email;
mod sessions;
mod users;

pub use email::*;
pub use sessions::*;
pub use users::*;
