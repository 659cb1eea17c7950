//! Integration tests: the real router on a real port against real databases.
//!
//! `make test` provides PostgreSQL and Redis through `TEST_POSTGRES_URL` and `TEST_REDIS_URL`;
//! the tests that need them fail with a clear message when they are missing.
//!
//! Run them one at a time (`-- --test-threads=1`, as `make test` does): each test starts its
//! servers on its own Tokio runtime, and Leptos page renders on several runtimes at once in one
//! process can stall until the 30 s request timeout. A deployed server has one runtime.

mod accounts_api;
mod accounts_store;
mod health;
mod helpers;
mod metrics;
mod pages;
mod postgres;
mod predict;
mod ratelimit;
mod shutdown;
