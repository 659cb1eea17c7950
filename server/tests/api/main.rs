//! Integration tests: the real router on a real port against real databases.
//!
//! `make test` provides PostgreSQL and Redis through `TEST_POSTGRES_URL` and `TEST_REDIS_URL`;
//! the tests that need them fail with a clear message when they are missing.
//!
//! They run in parallel, each test with its servers on its own Tokio runtime. (They once had to
//! run one at a time: building a router made Leptos render the app with resource loading
//! switched off process-wide, stalling page renders in other tests; routes are now generated
//! once per process, see `server/src/routes.rs`.) `abuse` starts the real binary per test.

mod abuse;
mod accounts_api;
mod accounts_store;
mod commands;
mod health;
mod helpers;
mod labels;
mod language;
mod mail;
mod metrics;
mod observability;
mod openapi;
mod pages;
mod pepper;
mod postgres;
mod predict;
mod ratelimit;
mod readme;
mod remembered;
mod shutdown;
mod stats;
mod weights;
