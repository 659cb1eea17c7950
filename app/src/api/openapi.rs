//! The OpenAPI 3.1 description of `/api/*` (served at `/api/openapi.json`): the response
//! schemas are derived from the wire types themselves (`utoipa::ToSchema`), the request bodies
//! from small mirrors of the server functions' arguments (a test holds each mirror to the
//! argument type the function really reads), and the operations from the table below, one row
//! per server function. The integration tests fail when a server function is missing here or a
//! response no longer matches its documented schema.

use utoipa::{
    OpenApi, ToSchema,
    openapi::{
        Components, ContentBuilder, HttpMethod, OpenApi as Document, PathItem, Ref, RefOr,
        Required, ResponseBuilder,
        header::HeaderBuilder,
        path::{OperationBuilder, ParameterBuilder, ParameterIn},
        request_body::RequestBodyBuilder,
        schema::{ObjectBuilder, OneOfBuilder, Schema, Type},
        security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        },
    },
};

use super::wire::{
    AccessToken, ApiError, CurrentUser, HistoryItem, HistoryPage, LabelState, Message, ModelStats,
    PredictError, PredictResponse, StatsSlot, UserPage,
};

/// `POST /api/register` and `POST /api/login`.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct Credentials {
    /// 3–32 characters: letters, digits, `.`, `_` and `-`.
    pub username: String,
    /// At least 8 characters and not easy to guess (checked on sign-up).
    pub password: String,
}

/// `POST /api/register`: the credentials, and an optional address to confirm by mail.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct SignUp {
    /// 3–32 characters: letters, digits, `.`, `_` and `-`.
    pub username: String,
    /// At least 8 characters and not easy to guess.
    pub password: String,
    /// Optional. A mail with a link confirms it; a confirmed address can reset a forgotten password.
    pub email: Option<String>,
}

/// `POST /api/confirm_email`: the token from the mailed link (`/confirm-email?token=…`).
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct EmailToken {
    pub token: String,
}

/// `POST /api/change_email`: the new address, and the password to confirm it is you.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct EmailChange {
    pub email: String,
    pub password: String,
}

/// `POST /api/set_language`: the interface language for the account.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct LanguageChoice {
    /// `en` or `es`.
    pub language: String,
}

/// `POST /api/forgot_password`.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct ResetRequest {
    /// A username, or an account's confirmed email address.
    pub login: String,
}

/// `POST /api/reset_password`: the token from the mailed link (`/reset-password?token=…`).
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct PasswordReset {
    pub token: String,
    pub new_password: String,
}

/// `POST /api/change_password`.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/delete_account`: the password again, to confirm.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct PasswordConfirmation {
    pub password: String,
}

/// `POST /api/admin/set_disabled`.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct SetDisabled {
    pub username: String,
    pub disabled: bool,
}

/// `POST /api/label`.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct LabelChoice {
    /// The prediction's `id` (from `/api/predict` or `/api/history`).
    pub id: String,
    /// The digit it really is, 0–9 (the answer itself confirms it); `null` takes it back.
    pub label: Option<u8>,
}

/// `POST /api/predict`: multipart form data with the image in `file`.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct Upload {
    /// A PNG, JPEG or GIF of one digit, at most `PREDICT_MAX_BYTES` (1 MiB by default).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// The schemas, collected by utoipa with everything they refer to.
#[derive(OpenApi)]
#[openapi(components(schemas(
    ApiError,
    Message,
    AccessToken,
    CurrentUser,
    UserPage,
    ModelStats,
    StatsSlot,
    PredictError,
    PredictResponse,
    HistoryPage,
    HistoryItem,
    LabelState,
    LabelChoice,
    Credentials,
    SignUp,
    EmailToken,
    EmailChange,
    LanguageChoice,
    ResetRequest,
    PasswordReset,
    PasswordChange,
    PasswordConfirmation,
    SetDisabled,
    Upload
)))]
struct Schemas;

/// How an endpoint takes its input.
#[derive(Clone, Copy)]
enum Input {
    None,
    Json(&'static str),
    Multipart,
    /// Query parameters: (name, integer?, description).
    Query(&'static [(&'static str, bool, &'static str)]),
}

/// Who may call it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Auth {
    Anyone,
    /// An access token, as `Authorization: Bearer` or the access cookie.
    Session,
    /// The refresh cookie.
    RefreshCookie,
}

struct Endpoint {
    method: HttpMethod,
    path: &'static str,
    tag: &'static str,
    summary: &'static str,
    input: Input,
    auth: Auth,
    /// The success status and its schema (`None`: the user or `null`).
    ok: (u16, Option<&'static str>),
    /// Error statuses; their body is `ApiError` (`PredictError` for `/api/predict`).
    errors: &'static [u16],
}

const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/register",
        tag: "accounts",
        summary: "Create an account (with an optional email address, confirmed by mail)",
        input: Input::Json("SignUp"),
        auth: Auth::Anyone,
        ok: (201, Some("Message")),
        errors: &[400, 403, 409, 422, 429, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/login",
        tag: "accounts",
        summary: "Log in: an access token in the body, and the session cookies",
        input: Input::Json("Credentials"),
        auth: Auth::Anyone,
        ok: (200, Some("AccessToken")),
        errors: &[400, 401, 403, 429, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/refresh",
        tag: "accounts",
        summary: "A new access token from the refresh cookie (which is rotated)",
        input: Input::None,
        auth: Auth::RefreshCookie,
        ok: (200, Some("AccessToken")),
        errors: &[401, 403, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/logout",
        tag: "accounts",
        summary: "End this session and clear its cookies",
        input: Input::None,
        auth: Auth::Anyone,
        ok: (200, Some("Message")),
        errors: &[403, 503],
    },
    Endpoint {
        method: HttpMethod::Get,
        path: "/api/me",
        tag: "accounts",
        summary: "The logged-in user",
        input: Input::None,
        auth: Auth::Session,
        ok: (200, Some("CurrentUser")),
        errors: &[401, 503],
    },
    Endpoint {
        method: HttpMethod::Get,
        path: "/api/session",
        tag: "accounts",
        summary: "The logged-in user or null, never a 401 (refreshes from the refresh cookie \
                  when the access token has run out)",
        input: Input::None,
        auth: Auth::Anyone,
        ok: (200, None),
        errors: &[503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/change_password",
        tag: "accounts",
        summary: "Change the password; every other session ends",
        input: Input::Json("PasswordChange"),
        auth: Auth::Session,
        ok: (200, Some("Message")),
        errors: &[400, 401, 403, 422, 429, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/logout_everywhere",
        tag: "accounts",
        summary: "End every session of the user, this one included",
        input: Input::None,
        auth: Auth::Session,
        ok: (200, Some("Message")),
        errors: &[401, 403, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/delete_account",
        tag: "accounts",
        summary: "Delete the account and everything stored for it",
        input: Input::Json("PasswordConfirmation"),
        auth: Auth::Session,
        ok: (200, Some("Message")),
        errors: &[400, 401, 403, 429, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/confirm_email",
        tag: "accounts",
        summary: "Confirm an address with the token of its mailed link (no session needed)",
        input: Input::Json("EmailToken"),
        auth: Auth::Anyone,
        ok: (200, Some("Message")),
        errors: &[400, 403, 404, 409, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/resend_confirmation",
        tag: "accounts",
        summary: "Mail a new confirmation link to the account's address (3 an hour)",
        input: Input::None,
        auth: Auth::Session,
        ok: (200, Some("Message")),
        errors: &[400, 401, 403, 404, 429, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/change_email",
        tag: "accounts",
        summary: "Set a new address (confirmed by mail; the old one is told)",
        input: Input::Json("EmailChange"),
        auth: Auth::Session,
        ok: (200, Some("Message")),
        errors: &[400, 401, 403, 404, 422, 429, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/set_language",
        tag: "accounts",
        summary: "Save the interface language (en or es), applied at each log-in; 60 changes an hour",
        input: Input::Json("LanguageChoice"),
        auth: Auth::Session,
        ok: (200, Some("Message")),
        errors: &[400, 401, 403, 422, 429, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/forgot_password",
        tag: "accounts",
        summary: "Mail a password reset link to the account's confirmed address; the same \
                  answer whether or not the account exists",
        input: Input::Json("ResetRequest"),
        auth: Auth::Anyone,
        ok: (200, Some("Message")),
        errors: &[400, 403, 404, 429, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/reset_password",
        tag: "accounts",
        summary: "Choose a new password with the token of a mailed reset link; every session ends",
        input: Input::Json("PasswordReset"),
        auth: Auth::Anyone,
        ok: (200, Some("Message")),
        errors: &[400, 403, 404, 422, 503],
    },
    Endpoint {
        method: HttpMethod::Get,
        path: "/api/admin/users",
        tag: "admin",
        summary: "A page of accounts, 20 per page (admins)",
        input: Input::Query(&[
            ("query", false, "Part of a username to look for"),
            ("page", true, "Page number, from 1"),
        ]),
        auth: Auth::Session,
        ok: (200, Some("UserPage")),
        errors: &[400, 401, 403, 503],
    },
    Endpoint {
        method: HttpMethod::Get,
        path: "/api/admin/stats",
        tag: "admin",
        summary: "How the model is doing: predictions per hour and per day, the cache's share, \
                  the rate limit's refusals, confidence, and the confusion matrix of labelled \
                  answers (admins; as charts: /api/admin/stats/{chart})",
        input: Input::None,
        auth: Auth::Session,
        ok: (200, Some("ModelStats")),
        errors: &[401, 403, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/admin/set_disabled",
        tag: "admin",
        summary: "Disable an account (its sessions end at once) or enable it again (admins)",
        input: Input::Json("SetDisabled"),
        auth: Auth::Session,
        ok: (200, Some("Message")),
        errors: &[400, 401, 403, 404, 409, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/predict",
        tag: "predictions",
        summary: "Recognise the digit in an image; counts against the hourly and daily quota",
        input: Input::Multipart,
        auth: Auth::Session,
        ok: (200, Some("PredictResponse")),
        errors: &[400, 401, 403, 413, 422, 429, 503],
    },
    Endpoint {
        method: HttpMethod::Get,
        path: "/api/history",
        tag: "predictions",
        summary: "The caller's predictions, newest first, 20 per page",
        input: Input::Query(&[
            ("page", true, "Page number, from 1"),
            (
                "label",
                false,
                "Only answers the caller `confirmed`, `corrected`, or left `unlabelled`",
            ),
            (
                "digit",
                true,
                "Only this true digit, 0-9 (the label where there is one, else the answer)",
            ),
        ]),
        auth: Auth::Session,
        ok: (200, Some("HistoryPage")),
        errors: &[400, 401, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/label",
        tag: "predictions",
        summary: "Say what a prediction really is: its own digit confirms it, another corrects it, null takes it back",
        input: Input::Json("LabelChoice"),
        auth: Auth::Session,
        ok: (200, Some("HistoryItem")),
        errors: &[400, 401, 403, 404, 429, 503],
    },
    Endpoint {
        method: HttpMethod::Post,
        path: "/api/clear_history",
        tag: "predictions",
        summary: "Delete the caller's predictions",
        input: Input::None,
        auth: Auth::Session,
        ok: (200, Some("Message")),
        errors: &[401, 403, 503],
    },
];

/// What each error status means, said once for every endpoint.
fn error_description(status: u16) -> &'static str {
    match status {
        400 => {
            "The request is not valid (a field missing, a body that is not JSON, an upload \
                that is not an image)"
        }
        401 => {
            "No valid session: `Missing Authorization Header`, `Token has expired`, or a \
                session that was ended"
        }
        403 => "Refused: a cross-site request, an account that is disabled, or not an admin",
        404 => "No such account, prediction or file",
        409 => "A conflict: the username is taken, or an admin disabling their own account",
        413 => "The body is larger than this endpoint accepts",
        422 => "Understood but not acceptable: a weak password, an image without a digit",
        429 => "A limit is spent; `Retry-After` says when to come back",
        503 => "Busy or a dependency is down; retry after `Retry-After` seconds",
        _ => "Error",
    }
}

fn json(schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

fn header(description: &str) -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(description))
        .build()
}

/// The rate-limit headers `/api/predict` answers with, for the window closest to running out.
fn quota_headers(response: ResponseBuilder) -> ResponseBuilder {
    response
        .header(
            "RateLimit-Policy",
            header("Both windows, e.g. `50;w=3600, 200;w=86400` (IETF draft)"),
        )
        .header(
            "RateLimit",
            header("`limit=50, remaining=49, reset=3512` for the tightest window"),
        )
        .header("X-RateLimit-Limit", header("The tightest window's limit"))
        .header("X-RateLimit-Remaining", header("Requests left in it"))
        .header("X-RateLimit-Reset", header("Seconds until it resets"))
}

fn operation(endpoint: &Endpoint) -> utoipa::openapi::path::Operation {
    let schema = |name: &str| Ref::from_schema_name(name);
    let (status, body) = endpoint.ok;
    let ok_schema: RefOr<Schema> = match body {
        Some(name) => schema(name).into(),
        None => OneOfBuilder::new()
            .item(schema("CurrentUser"))
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .into(),
    };
    let predict = endpoint.path == "/api/predict";
    let mut ok = ResponseBuilder::new()
        .description("Success")
        .content("application/json", json(ok_schema));
    if predict {
        ok = quota_headers(ok);
    }
    let mut builder = OperationBuilder::new()
        .tag(endpoint.tag)
        .summary(Some(endpoint.summary))
        .operation_id(Some(
            endpoint.path.trim_start_matches("/api/").replace('/', "_"),
        ))
        .response(status.to_string(), ok.build());
    for &status in endpoint.errors {
        let error = if predict { "PredictError" } else { "ApiError" };
        let mut response = error_response(status, error);
        if predict && status == 429 {
            response = quota_headers(response);
        }
        builder = builder.response(status.to_string(), response.build());
    }
    builder = match endpoint.input {
        Input::None => builder,
        Input::Json(name) => builder.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content("application/json", json(schema(name)))
                .build(),
        )),
        Input::Multipart => builder.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content("multipart/form-data", json(schema("Upload")))
                .build(),
        )),
        Input::Query(parameters) => {
            for &(name, integer, description) in parameters {
                let kind = if integer { Type::Integer } else { Type::String };
                builder = builder.parameter(
                    ParameterBuilder::new()
                        .name(name)
                        .parameter_in(ParameterIn::Query)
                        .required(Required::False)
                        .description(Some(description))
                        .schema(Some(ObjectBuilder::new().schema_type(kind))),
                );
            }
            builder
        }
    };
    match endpoint.auth {
        Auth::Anyone => builder,
        Auth::Session => builder
            .security(SecurityRequirement::new("bearer", Vec::<String>::new()))
            .security(SecurityRequirement::new("cookie", Vec::<String>::new())),
        Auth::RefreshCookie => builder.security(SecurityRequirement::new(
            "refresh_cookie",
            Vec::<String>::new(),
        )),
    }
    .build()
}

/// An error answer with a `schema` body, and `Retry-After` where the status sends one.
fn error_response(status: u16, schema: &str) -> ResponseBuilder {
    let response = ResponseBuilder::new()
        .description(error_description(status))
        .content("application/json", json(Ref::from_schema_name(schema)));
    if matches!(status, 429 | 503) {
        response.header("Retry-After", header("Seconds to wait before trying again"))
    } else {
        response
    }
}

/// A plain route's GET (its answers are files): `errors` with `ApiError` bodies, callable with
/// the credentials `schemes` name.
fn plain_get(mut builder: OperationBuilder, errors: &[u16], schemes: &[&str]) -> PathItem {
    for &status in errors {
        builder = builder.response(
            status.to_string(),
            error_response(status, "ApiError").build(),
        );
    }
    for &scheme in schemes {
        builder = builder.security(SecurityRequirement::new(scheme, Vec::<String>::new()));
    }
    PathItem::new(HttpMethod::Get, builder.build())
}

/// The dataset downloads: a plain route beside the server functions (its answers are files).
pub const DATASET_PATH: &str = "/api/dataset/{file}";

fn dataset_operation() -> PathItem {
    let file_kinds = [
        (
            "application/gzip",
            "images-idx3-ubyte.gz or labels-idx1-ubyte.gz: MNIST's IDX format",
        ),
        (
            "text/csv",
            "digits.csv: `label,pixel0,…,pixel783`, one row per digit",
        ),
    ];
    let mut ok = ResponseBuilder::new().description(
        "The caller's labelled digits, oldest first: the 28×28 image the model saw and the \
         digit the caller gave",
    );
    for (kind, description) in file_kinds {
        ok = ok.content(
            kind,
            json(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Binary,
                    )))
                    .description(Some(description)),
            ),
        );
    }
    let builder = OperationBuilder::new()
        .tag("predictions")
        .summary(Some("Download the caller's labelled digits as a dataset"))
        .operation_id(Some("dataset"))
        .parameter(
            ParameterBuilder::new()
                .name("file")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some([
                            "images-idx3-ubyte.gz",
                            "labels-idx1-ubyte.gz",
                            "digits.csv",
                        ])),
                )),
        )
        .parameter(
            ParameterBuilder::new()
                .name("until")
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(
                    "Only labels given by then (Unix milliseconds): the same value for both \
                     files keeps the IDX pair in step",
                ))
                .schema(Some(ObjectBuilder::new().schema_type(Type::Integer))),
        )
        .response("200", ok.build());
    plain_get(builder, &[401, 404, 503], &["bearer", "cookie"])
}

/// The admin's charts: a plain route beside the server functions (its answers are SVG images).
pub const CHARTS_PATH: &str = "/api/admin/stats/{chart}";

fn charts_operation() -> PathItem {
    let ok = ResponseBuilder::new()
        .description(
            "The chart as an SVG document (it scales to the width it is shown at, and has a \
             title and a description)",
        )
        .content(
            "image/svg+xml",
            json(ObjectBuilder::new().schema_type(Type::String)),
        );
    let builder = OperationBuilder::new()
        .tag("admin")
        .summary(Some("The admin's figures as a chart (admins)"))
        .operation_id(Some("admin_chart"))
        .parameter(
            ParameterBuilder::new()
                .name("chart")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(
                    "Predictions per hour (48 hours) or per day (30 days), split into the \
                     model's answers, the cache's and the rate limit's refusals; the model's \
                     confidence; the confusion matrix of labelled answers",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some([
                            "hours.svg",
                            "days.svg",
                            "confidence.svg",
                            "confusion.svg",
                        ])),
                )),
        )
        .response("200", ok.build());
    plain_get(
        builder,
        &[401, 403, 404, 503],
        &["bearer", "cookie", "refresh_cookie"],
    )
}

/// The model's weights for the browser's live guess: a plain route (its answer is a file).
pub const MODEL_PATH: &str = "/api/model/{file}";

fn model_operation() -> PathItem {
    let ok = ResponseBuilder::new()
        .description(
            "The weights of the model this server runs (Burnpack), for the live guess the page \
             works out in the browser with the same model crate compiled to WebAssembly. Cached \
             for good: the name carries the version",
        )
        .content(
            "application/octet-stream",
            json(ObjectBuilder::new().schema_type(Type::String).format(Some(
                utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Binary),
            ))),
        );
    let builder = OperationBuilder::new()
        .tag("predictions")
        .summary(Some("The model's weights, for the browser (public)"))
        .operation_id(Some("model_weights"))
        .parameter(
            ParameterBuilder::new()
                .name("file")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(
                    "`{model_version}.bpk`, the version `/api/predict` reports; any other \
                     version is 404",
                ))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
        )
        .response("200", ok.build());
    plain_get(builder, &[404], &[])
}

/// The whole document.
pub fn document() -> Document {
    let mut doc = Schemas::openapi();
    doc.info.title = "trazo".to_owned();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.info.description = Some(
        "Handwritten digits recognised by a CNN, with accounts. Every error is \
         `{\"msg\": \"...\"}` with a meaningful status; a bad upload to `/api/predict` is \
         `{\"error\": \"...\"}`, as in the original service. Scripts authenticate with \
         `Authorization: Bearer <access_token>` from `/api/login`; browsers with the \
         HTTP-only session cookies. State-changing requests from another site are refused \
         (403)."
            .to_owned(),
    );
    doc.info.license = None;
    for endpoint in ENDPOINTS {
        doc.paths.paths.insert(
            endpoint.path.to_owned(),
            PathItem::new(endpoint.method.clone(), operation(endpoint)),
        );
    }
    doc.paths
        .paths
        .insert(DATASET_PATH.to_owned(), dataset_operation());
    doc.paths
        .paths
        .insert(CHARTS_PATH.to_owned(), charts_operation());
    doc.paths
        .paths
        .insert(MODEL_PATH.to_owned(), model_operation());
    let components = doc.components.get_or_insert_with(Components::new);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some("The access_token from /api/login or /api/refresh"))
                .build(),
        ),
    );
    components.add_security_scheme(
        "cookie",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "trazo_access",
            "The HTTP-only access cookie set at log-in (`__Host-trazo_access` over HTTPS)",
        ))),
    );
    components.add_security_scheme(
        "refresh_cookie",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "trazo_refresh",
            "The HTTP-only refresh cookie set at log-in (`__Host-trazo_refresh` over HTTPS)",
        ))),
    );
    doc
}

/// The documented paths, for the tests that compare them with the registered functions (and
/// the dataset downloads, the admin's charts and the model's weights, which are not one).
pub fn documented_paths() -> impl Iterator<Item = (&'static str, &'static str)> {
    ENDPOINTS
        .iter()
        .map(|endpoint| {
            let method = if endpoint.method == HttpMethod::Get {
                "GET"
            } else {
                "POST"
            };
            (endpoint.path, method)
        })
        .chain([
            (DATASET_PATH, "GET"),
            (CHARTS_PATH, "GET"),
            (MODEL_PATH, "GET"),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{
        AdminSetDisabled, ChangeEmail, ChangePassword, ConfirmEmail, DeleteAccount, ForgotPassword,
        LabelPrediction, Login, Register, ResetPassword, SetLanguage,
    };

    /// The JSON object keys `value` serialises to.
    fn keys(value: impl serde::Serialize) -> Vec<String> {
        let mut keys: Vec<String> = serde_json::to_value(value)
            .expect("json")
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    /// The documented properties of the request schema `name`.
    fn documented(name: &str) -> Vec<String> {
        let doc = serde_json::to_value(document()).expect("json");
        let mut keys: Vec<String> = doc["components"]["schemas"][name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} has no properties"))
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn documented_request_bodies_name_the_fields_the_functions_read() {
        let some = || Some(String::new());
        assert_eq!(
            documented("SignUp"),
            keys(Register {
                username: some(),
                password: some(),
                email: some()
            })
        );
        assert_eq!(
            documented("EmailToken"),
            keys(ConfirmEmail { token: some() })
        );
        assert_eq!(
            documented("EmailChange"),
            keys(ChangeEmail {
                email: some(),
                password: some()
            })
        );
        assert_eq!(
            documented("LanguageChoice"),
            keys(SetLanguage { language: some() })
        );
        assert_eq!(
            documented("ResetRequest"),
            keys(ForgotPassword { login: some() })
        );
        assert_eq!(
            documented("PasswordReset"),
            keys(ResetPassword {
                token: some(),
                new_password: some()
            })
        );
        assert_eq!(
            documented("Credentials"),
            keys(Login {
                username: some(),
                password: some()
            })
        );
        assert_eq!(
            documented("PasswordChange"),
            keys(ChangePassword {
                current_password: some(),
                new_password: some()
            })
        );
        assert_eq!(
            documented("PasswordConfirmation"),
            keys(DeleteAccount { password: some() })
        );
        assert_eq!(
            documented("LabelChoice"),
            keys(LabelPrediction {
                id: some(),
                label: Some(3)
            })
        );
        assert_eq!(
            documented("SetDisabled"),
            keys(AdminSetDisabled {
                username: some(),
                disabled: Some(true)
            })
        );
    }

    #[test]
    fn the_document_is_openapi_3_1_with_resolvable_references() {
        let text = serde_json::to_string(&document()).expect("json");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert!(doc["openapi"].as_str().expect("version").starts_with("3.1"));
        for name in text
            .split("\"#/components/schemas/")
            .skip(1)
            .map(|rest| rest.split('"').next().expect("name"))
        {
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{name} is referred to but not defined"
            );
        }
        // Every server function and every plain route, each path once.
        assert_eq!(
            doc["paths"].as_object().expect("paths").len(),
            documented_paths().count()
        );
        assert!(
            doc["paths"][DATASET_PATH]["get"]["responses"]["200"]["content"]["text/csv"]
                .is_object()
        );
        assert!(
            doc["paths"][MODEL_PATH]["get"]["responses"]["200"]["content"]
                ["application/octet-stream"]
                .is_object()
        );
    }
}
