//! The catalogues under `app/locales`: every message exists in every language with the same
//! variables, every key the code asks for exists, none is left unused, and plural forms and
//! variables come out as each language writes them.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

use app::i18n::{Lang, TRANSLATIONS};
use fluent_templates::{Loader, fluent_bundle::FluentValue};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Each message of one language: its id and the variables (`$name`) it uses.
fn catalogue(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let dir = root().join("locales").join(lang.code());
    let mut messages = BTreeMap::new();
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ftl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .ftl file in {}", dir.display());
    for file in files {
        let text = fs::read_to_string(&file).expect("a readable catalogue");
        let mut current: Option<String> = None;
        for line in text.lines() {
            let starts_message = line.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
            if starts_message {
                let (id, _) = line
                    .split_once('=')
                    .unwrap_or_else(|| panic!("{}: not a message: {line}", file.display()));
                let id = id.trim().to_owned();
                assert!(
                    messages.insert(id.clone(), BTreeSet::new()).is_none(),
                    "{}: {id} is defined twice in {}",
                    file.display(),
                    lang.code()
                );
                current = Some(id);
            } else if line.starts_with('#') || line.trim().is_empty() {
                if line.trim().is_empty() {
                    continue;
                }
                current = None;
                continue;
            }
            if let Some(id) = &current {
                let vars = messages.get_mut(id).expect("the current message");
                for piece in line.split('$').skip(1) {
                    let name: String = piece
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                        .collect();
                    if !name.is_empty() {
                        vars.insert(name);
                    }
                }
            }
        }
    }
    messages
}

#[test]
fn every_language_has_every_message_with_the_same_variables() {
    let english = catalogue(Lang::En);
    let spanish = catalogue(Lang::Es);
    let only = |a: &BTreeMap<String, BTreeSet<String>>, b: &BTreeMap<String, BTreeSet<String>>| {
        a.keys()
            .filter(|key| !b.contains_key(*key))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(only(&english, &spanish), Vec::<String>::new(), "only in en");
    assert_eq!(only(&spanish, &english), Vec::<String>::new(), "only in es");
    for (id, vars) in &english {
        assert_eq!(
            Some(vars),
            spanish.get(id),
            "{id}: en and es use different variables"
        );
    }
}

/// The string literals passed to `tr!` / `move_tr!` in `app/src`.
fn keys_in_code() -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, found: &mut BTreeMap<String, PathBuf>) {
        for entry in fs::read_dir(dir).expect("a source directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let text = fs::read_to_string(&path).expect("a readable source file");
                for (index, _) in text.match_indices("tr!(") {
                    let call = &text[index + 4..];
                    let Some(start) = call.find('"') else {
                        continue;
                    };
                    // The key is the first literal, before the call's first comma after it.
                    if call[..start].contains(')') || call[..start].contains('{') {
                        continue;
                    }
                    let rest = &call[start + 1..];
                    let Some(end) = rest.find('"') else { continue };
                    found.insert(rest[..end].to_owned(), path.clone());
                }
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(&root().join("src"), &mut found);
    found
}

#[test]
fn every_key_the_code_uses_exists_and_every_message_is_used() {
    let english = catalogue(Lang::En);
    let used = keys_in_code();
    assert!(used.len() > 50, "the scan found only {} keys", used.len());
    let missing: Vec<_> = used
        .iter()
        .filter(|(key, _)| !english.contains_key(*key))
        .map(|(key, file)| format!("{key} ({})", file.display()))
        .collect();
    assert_eq!(
        missing,
        Vec::<String>::new(),
        "used in code, not in the catalogues"
    );
    let unused: Vec<_> = english
        .keys()
        .filter(|key| !used.contains_key(*key))
        .collect();
    assert_eq!(
        unused,
        Vec::<&String>::new(),
        "in the catalogues, used nowhere"
    );
}

fn say(lang: Lang, id: &str, args: &[(&str, FluentValue<'static>)]) -> String {
    let lang_id: fluent_templates::LanguageIdentifier =
        lang.code().parse().expect("a language identifier");
    let args = args
        .iter()
        .map(|(name, value)| (std::borrow::Cow::Owned(name.to_string()), value.clone()))
        .collect();
    TRANSLATIONS
        .try_lookup_with_args(&lang_id, id, &args)
        .unwrap_or_else(|| panic!("{id} is not in {}", lang.code()))
}

#[test]
fn spanish_and_english_plurals() {
    let left = |lang, n: i64| say(lang, "draw-quota-left", &[("count", n.into())]);
    assert_eq!(left(Lang::Es, 1), "Queda 1 predicción");
    assert_eq!(left(Lang::Es, 2), "Quedan 2 predicciones");
    assert_eq!(left(Lang::Es, 0), "Quedan 0 predicciones");
    assert_eq!(left(Lang::En, 1), "1 prediction left");
    assert_eq!(left(Lang::En, 2), "2 predictions left");
}

#[test]
fn variables_are_set_without_direction_marks() {
    let text = say(Lang::Es, "common-session-ended", &[]);
    assert_eq!(text, "Tu sesión ha terminado. Vuelve a iniciar sesión.");
    let any_with_var = catalogue(Lang::Es)
        .into_iter()
        .find(|(_, vars)| vars.len() == 1)
        .expect("a message with one variable");
    let var = any_with_var.1.iter().next().expect("its variable").clone();
    let said = say(
        Lang::Es,
        &any_with_var.0,
        &[(
            Box::leak(var.into_boxed_str()),
            FluentValue::from("<b>x</b>"),
        )],
    );
    assert!(said.contains("<b>x</b>"), "{said}");
    assert!(
        !said.contains('\u{2068}') && !said.contains('\u{2069}'),
        "{said:?}"
    );
}
