//! The interface in Spanish and English: one Fluent catalogue per language
//! (`app/locales/<lang>/*.ftl`, loaded at compile time by `fluent-templates`), looked up through
//! `leptos-fluent`'s context and its `tr!`/`move_tr!` macros.
//!
//! Which language a page is in is decided once, by the server, for each request ([`Lang::for_request`]):
//! the `trazo_lang` cookie if it names a language we have, else the first of `Accept-Language`
//! we have (Spanish for any `es-*`), else English. The server writes it in `<html lang>`, and the
//! browser starts from that attribute when it hydrates, so both render the same words and there
//! is no flash of the other language. The switch in the header ([`set_language`]) changes the
//! context, the cookie and `<html lang>`; for a logged-in person the layout also saves it in the
//! account, which applies it at their next log-in on any device.
//!
//! Numbers are formatted here ([`fmt`]), not by Fluent: `fluent-bundle` writes every number with
//! a `.` and no grouping, and ICU's decimal data for every locale would weigh more in the WASM
//! bundle than the whole catalogue. Plural forms are Fluent's (CLDR rules, `intl_pluralrules`).
//!
//! Adding a language: README, "Adding a language".

pub mod fmt;
mod server_text;

pub use server_text::server_text;

use std::sync::LazyLock;

use fluent_templates::{StaticLoader, static_loader};
use leptos::prelude::*;
pub use leptos_fluent::{I18n, move_tr, tr};
use leptos_fluent::{Language, WritingDirection};

// Every catalogue, compiled in. `use_isolating(false)`: Fluent would otherwise wrap each
// interpolated value in Unicode direction marks, which no left-to-right language here needs and
// which would end up in copied text and in tests' expectations.
static_loader! {
    pub static TRANSLATIONS = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: Language = Language {
    id: "en",
    name: "English",
    dir: &WritingDirection::Ltr,
    flag: None,
    script: None,
};
static ES: Language = Language {
    id: "es",
    name: "Español",
    dir: &WritingDirection::Ltr,
    flag: None,
    script: None,
};
static LANGUAGES: [&Language; 2] = [&EN, &ES];
static LOADERS: [&LazyLock<StaticLoader>; 1] = [&TRANSLATIONS];

/// The cookie that remembers the chosen language (readable by the page, which writes it).
pub const COOKIE: &str = "trazo_lang";

/// A language of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// The BCP 47 code, as in `<html lang>`, the cookie and the account.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language's own name for itself, as the switch shows it.
    pub fn name(self) -> &'static str {
        self.language().name
    }

    /// `en`, `es`, or a tag of either with a region or script (`es-MX`, `en_GB`), any case.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The first language of an `Accept-Language` header that trazo has, by quality (`q`), the
    /// header's order breaking ties; `*` and unknown languages are skipped.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut choices: Vec<(u16, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(position, item)| {
                let mut parts = item.split(';');
                let lang = Lang::from_code(parts.next()?)?;
                let quality = parts
                    .find_map(|param| param.trim().strip_prefix("q="))
                    .map_or(Some(1000), |q| {
                        q.trim()
                            .parse::<f32>()
                            .ok()
                            .filter(|q| (0.0..=1.0).contains(q))
                            .map(|q| (q * 1000.0).round() as u16)
                    })?;
                (quality > 0).then_some((quality, position, lang))
            })
            .collect();
        choices.sort_by_key(|&(quality, position, _)| (std::cmp::Reverse(quality), position));
        choices.first().map(|&(_, _, lang)| lang)
    }

    /// The language of a page request: the cookie, then `Accept-Language`, then English.
    pub fn for_headers(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        cookie
            .and_then(|cookies| {
                cookies.split(';').find_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    (name.trim() == COOKIE)
                        .then(|| Lang::from_code(value))
                        .flatten()
                })
            })
            .or_else(|| accept_language.and_then(Lang::from_accept_language))
            .unwrap_or_default()
    }

    /// On the server, the language of the request being rendered.
    #[cfg(feature = "ssr")]
    pub fn for_request() -> Lang {
        use_context::<http::request::Parts>()
            .map(|parts| {
                let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
                Lang::for_headers(
                    header(http::header::COOKIE),
                    header(http::header::ACCEPT_LANGUAGE),
                )
            })
            .unwrap_or_default()
    }

    fn language(self) -> &'static Language {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }
}

/// Provides the translation context for the whole app, in the language the server chose for
/// this page (on the server, from the request; in the browser, from `<html lang>`).
pub fn provide() -> I18n {
    let i18n = context(initial_lang());
    provide_context(i18n);
    i18n
}

/// A translation context in `lang`, over every catalogue (needs a reactive owner).
fn context(lang: Lang) -> I18n {
    I18n::new(
        RwSignal::new(lang.language()),
        &LANGUAGES,
        Signal::derive(|| LOADERS.to_vec()),
    )
}

/// For unit tests: the context the pages have, in `lang`, with no app mounted. Signals live in
/// an owner's arena (the server build's `sandboxed-arenas`), so the test thread gets one for
/// the rest of its run.
#[cfg(test)]
pub(crate) fn test_context(lang: Lang) -> I18n {
    let owner = Owner::new();
    owner.set();
    std::mem::forget(owner);
    context(lang)
}

fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        Lang::for_request()
    }
    #[cfg(not(feature = "ssr"))]
    {
        web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.document_element())
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|code| Lang::from_code(&code))
            .unwrap_or_default()
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// The current language (reactive).
pub fn use_lang() -> Lang {
    lang_of(use_i18n())
}

/// The language `i18n` is in (reactive).
pub fn lang_of(i18n: I18n) -> Lang {
    Lang::from_code(i18n.language.get().id).unwrap_or_default()
}

/// Switches the interface to `lang`: the context (every text re-renders), `<html lang>` and the
/// cookie, for a year. Saving it in the account is the caller's part.
pub fn set_language(i18n: I18n, lang: Lang) {
    i18n.language.set(lang.language());
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let Some(document) = web_sys::window().and_then(|window| window.document()) else {
            return;
        };
        if let Some(html) = document.document_element() {
            let _ = html.set_attribute("lang", lang.code());
        }
        let secure = document
            .location()
            .and_then(|location| location.protocol().ok())
            .is_some_and(|protocol| protocol == "https:");
        if let Ok(document) = document.dyn_into::<web_sys::HtmlDocument>() {
            let _ = document.set_cookie(&format!(
                "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
                lang.code(),
                if secure { "; Secure" } else { "" }
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_spanish_tag_is_spanish() {
        for tag in ["es", "es-ES", "es-MX", "ES-419", "es_AR"] {
            assert_eq!(Lang::from_code(tag), Some(Lang::Es), "{tag}");
        }
        assert_eq!(Lang::from_code("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_code("fr"), None);
        assert_eq!(Lang::from_code(""), None);
    }

    #[test]
    fn accept_language_by_quality_then_order() {
        assert_eq!(
            Lang::from_accept_language("es-ES,es;q=0.9,en;q=0.8"),
            Some(Lang::Es)
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR, en;q=0.5, es;q=0.7"),
            Some(Lang::Es)
        );
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de, fr;q=0.8"), None);
        assert_eq!(
            Lang::from_accept_language("es;q=0, en;q=0.1"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("*"), None);
        // Hostile or broken headers pick nothing rather than fail.
        assert_eq!(Lang::from_accept_language(";;,,=q"), None);
        assert_eq!(Lang::from_accept_language("es;q=abc, en"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("es;q=7"), None);
    }

    #[test]
    fn cookie_first_then_header_then_english() {
        assert_eq!(
            Lang::for_headers(Some("a=1; trazo_lang=es"), Some("en")),
            Lang::Es
        );
        assert_eq!(
            Lang::for_headers(Some("trazo_lang=en"), Some("es-ES")),
            Lang::En
        );
        assert_eq!(
            Lang::for_headers(Some("trazo_lang=xx"), Some("es-ES")),
            Lang::Es
        );
        // A cookie without a value, or one whose name only starts the same, is not ours.
        assert_eq!(
            Lang::for_headers(Some("trazo_lang; trazo_language=es"), None),
            Lang::En
        );
        assert_eq!(Lang::for_headers(None, Some("de")), Lang::En);
        assert_eq!(Lang::for_headers(None, None), Lang::En);
    }
}
