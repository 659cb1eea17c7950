//! Integration tests: the real router on a real port against real databases.
//!
//! `make test` provides PostgreSQL and Redis through `TEST_POSTGRES_URL` and `TEST_REDIS_URL`;
//! the tests that need them fail with a clear message when they are missing.

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
