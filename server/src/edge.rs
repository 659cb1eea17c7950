//! The edge between HTTP and the services: the `/api/*` handler and the ports its server
//! functions call, the API's description, the no-JavaScript forms, and the checks every request meets on the way in
//! (body limits, the cross-site check, security headers, the client's address), and the plain
//! routes beside the server functions (dataset downloads, the admin's charts, the model's
//! weights for the browser).

pub mod api;
pub mod body_limit;
pub mod charts;
pub mod client;
pub mod csrf;
pub mod dataset;
pub mod forms;
pub mod ports;
pub mod reference;
pub mod security;
pub mod weights;
