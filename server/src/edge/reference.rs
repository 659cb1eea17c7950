//! The API described: `GET /api/openapi.json` (the OpenAPI 3.1 document from
//! `app::api::openapi`) and `GET /api/docs`, a reference page rendered from that same document
//! on the server (plain HTML with the site's stylesheet, no script), so what people read and
//! what tools read never differ.

use std::{fmt::Write as _, sync::OnceLock};

use axum::{
    http::{HeaderValue, header},
    response::{Html, IntoResponse, Response},
};
use serde_json::Value;

/// The document as JSON, built once.
fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT
        .get_or_init(|| serde_json::to_value(app::api::openapi::document()).unwrap_or(Value::Null))
}

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Response {
    let mut response = axum::Json(document()).into_response();
    // The document changes only with a new release.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

/// `GET /api/docs`.
pub async fn docs() -> Html<String> {
    static PAGE: OnceLock<String> = OnceLock::new();
    Html(PAGE.get_or_init(|| render(document())).clone())
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` with `code` spans for backticks, escaped.
fn prose(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A schema in a few words, linking to named schemas.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("<a href=\"#schema-{0}\">{0}</a>", escape(name));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(items) = schema.get(key).and_then(Value::as_array) {
            return items.iter().map(type_of).collect::<Vec<_>>().join(" or ");
        }
    }
    let format = str_of(schema, "format");
    let kind = match schema.get("type") {
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        Some(Value::String(kind)) if kind == "array" => {
            format!(
                "array of {}",
                type_of(schema.get("items").unwrap_or(&Value::Null))
            )
        }
        Some(Value::String(kind)) => kind.clone(),
        _ => "any".to_owned(),
    };
    if format.is_empty() {
        kind
    } else {
        format!("{kind} ({})", escape(format))
    }
}

fn render(doc: &Value) -> String {
    let mut page = String::new();
    let title = format!(
        "{} API {}",
        str_of(&doc["info"], "title"),
        str_of(&doc["info"], "version")
    );
    let _ = write!(
        page,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/trazo.css\"></head>\
         <body><main class=\"api-reference\"><h1>{title}</h1><p>{}</p>\
         <p>Machine-readable: <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI {}).</p>",
        prose(str_of(&doc["info"], "description")),
        escape(str_of(doc, "openapi")),
    );
    page.push_str("<h2>Endpoints</h2>");
    let empty = serde_json::Map::new();
    let paths = doc["paths"].as_object().unwrap_or(&empty);
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap_or(&empty) {
            render_operation(&mut page, path, method, operation);
        }
    }
    page.push_str("<h2>Schemas</h2>");
    let schemas = doc["components"]["schemas"].as_object().unwrap_or(&empty);
    for (name, schema) in schemas {
        render_schema(&mut page, name, schema);
    }
    page.push_str("</main></body></html>");
    page
}

fn render_operation(page: &mut String, path: &str, method: &str, operation: &Value) {
    let _ = write!(
        page,
        "<section id=\"{id}\"><h3><code>{method} {path}</code></h3><p>{summary}</p>",
        id = escape(str_of(operation, "operationId")),
        method = escape(&method.to_uppercase()),
        path = escape(path),
        summary = prose(str_of(operation, "summary")),
    );
    let schemes: Vec<String> = operation["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|requirement| requirement.keys().cloned())
        .collect();
    if !schemes.is_empty() {
        let _ = write!(
            page,
            "<p>Authentication: {}.</p>",
            escape(&schemes.join(" or "))
        );
    }
    if let Some(parameters) = operation["parameters"].as_array() {
        page.push_str("<p>Parameters:</p><ul>");
        for parameter in parameters {
            let _ = write!(
                page,
                "<li><code>{}</code> (in the {}, {}): {}</li>",
                escape(str_of(parameter, "name")),
                escape(str_of(parameter, "in")),
                type_of(&parameter["schema"]),
                prose(str_of(parameter, "description")),
            );
        }
        page.push_str("</ul>");
    }
    if let Some(content) = operation["requestBody"]["content"].as_object() {
        for (media, body) in content {
            let _ = write!(
                page,
                "<p>Body (<code>{}</code>): {}</p>",
                escape(media),
                type_of(&body["schema"])
            );
        }
    }
    page.push_str(
        "<table><thead><tr><th>Status</th><th>Body</th><th>Meaning</th></tr></thead><tbody>",
    );
    for (status, response) in operation["responses"].as_object().into_iter().flatten() {
        let body = match response["content"].as_object() {
            Some(content) if !content.contains_key("application/json") => content
                .keys()
                .map(|media| format!("<code>{}</code>", escape(media)))
                .collect::<Vec<_>>()
                .join(" or "),
            _ => type_of(&response["content"]["application/json"]["schema"]),
        };
        let headers: Vec<String> = response["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, _)| format!("<code>{}</code>", escape(name)))
            .collect();
        let headers = if headers.is_empty() {
            String::new()
        } else {
            format!(" Headers: {}.", headers.join(", "))
        };
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}{headers}</td></tr>",
            escape(status),
            body,
            prose(str_of(response, "description")),
        );
    }
    page.push_str("</tbody></table></section>");
}

fn render_schema(page: &mut String, name: &str, schema: &Value) {
    let _ = write!(
        page,
        "<section id=\"schema-{0}\"><h3>{0}</h3>",
        escape(name)
    );
    if !str_of(schema, "description").is_empty() {
        let _ = write!(page, "<p>{}</p>", prose(str_of(schema, "description")));
    }
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    match schema["properties"].as_object() {
        Some(properties) => {
            page.push_str(
                "<table><thead><tr><th>Field</th><th>Type</th><th>Required</th><th>About</th></tr></thead><tbody>",
            );
            for (field, property) in properties {
                let _ = write!(
                    page,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(field),
                    type_of(property),
                    if required.contains(&field.as_str()) {
                        "yes"
                    } else {
                        "no"
                    },
                    prose(str_of(property, "description")),
                );
            }
            page.push_str("</tbody></table>");
        }
        None => {
            let _ = write!(page, "<p>{}</p>", type_of(schema));
        }
    }
    page.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_every_endpoint_and_schema_and_escapes_text() {
        let page = render(document());
        for (path, method) in app::api::openapi::documented_paths() {
            assert!(
                page.contains(&format!("{method} {path}")),
                "{method} {path}"
            );
        }
        for name in ["PredictResponse", "ApiError", "Credentials", "HistoryPage"] {
            assert!(page.contains(&format!("id=\"schema-{name}\"")), "{name}");
        }
        assert!(page.contains("<code>Retry-After</code>"));
        assert_eq!(prose("a <b> `c`"), "a &lt;b&gt; <code>c</code>");
    }
}
