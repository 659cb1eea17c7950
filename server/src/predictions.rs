//! Predictions: the quota in front of `/api/predict`, the predictor behind it, the answer cache
//! it consults and the history it writes, and the admin's figures over all of them.

pub mod answers;
pub mod history;
pub mod predictor;
pub mod quota;
pub mod stats;
