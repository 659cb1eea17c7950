//! The pages the router serves.

mod account;
mod admin;
mod credentials;
mod draw;
mod history;
mod home;
mod not_found;
mod notice;
mod pager;

pub use account::AccountPage;
pub use admin::AdminPage;
pub use credentials::{LoginPage, RegisterPage};
pub use history::HistoryPage;
pub use home::HomePage;
pub use not_found::NotFound;
