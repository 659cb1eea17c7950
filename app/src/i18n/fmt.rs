//! Numbers, percentages and durations as each language writes them (CLDR's rules for `en` and
//! `es`): English `1,234.5` and `99.5%`; Spanish `1234,5` (no grouping below five digits),
//! `12.345,5` and `99,5 %` (a no-break space before the sign).

use super::Lang;

/// No-break space: keeps a number and its unit or sign on one line.
const NBSP: char = '\u{a0}';

/// An integer, grouped by thousands where the language does.
pub fn int(lang: Lang, value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{}", group(lang, &digits))
}

/// A number with exactly `decimals` digits after the separator.
pub fn decimal(lang: Lang, value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    // `-0.0` and values that round to zero are written without a sign.
    let negative = value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let sign = if negative { "-" } else { "" };
    let whole = group(lang, whole);
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        let separator = match lang {
            Lang::En => '.',
            Lang::Es => ',',
        };
        format!("{sign}{whole}{separator}{fraction}")
    }
}

/// A share (`0.995`) as a percentage with `decimals` digits: `99.5%`, `99,5 %`.
pub fn percent(lang: Lang, share: f64, decimals: usize) -> String {
    let number = decimal(lang, share * 100.0, decimals);
    match lang {
        Lang::En => format!("{number}%"),
        Lang::Es => format!("{number}{NBSP}%"),
    }
}

/// A duration in milliseconds: whole milliseconds from 10 ms, one decimal below.
pub fn millis(lang: Lang, ms: f64) -> String {
    let decimals = if ms.abs() < 10.0 { 1 } else { 0 };
    format!("{}{NBSP}ms", decimal(lang, ms, decimals))
}

/// A wait in whole seconds, as a person reads it: `45 s`, `3 min`, `2 h 5 min` (the same
/// abbreviations in both languages). Minutes and hours are rounded up, so a wait is never
/// shown shorter than it is.
pub fn wait(lang: Lang, secs: u64) -> String {
    if secs < 60 {
        return format!("{}{NBSP}s", int(lang, secs as i64));
    }
    let minutes = secs.div_ceil(60);
    if minutes < 60 {
        return format!("{minutes}{NBSP}min");
    }
    let (hours, minutes) = (minutes / 60, minutes % 60);
    if minutes == 0 {
        format!("{}{NBSP}h", int(lang, hours as i64))
    } else {
        format!("{}{NBSP}h {minutes}{NBSP}min", int(lang, hours as i64))
    }
}

fn group(lang: Lang, digits: &str) -> String {
    let (separator, minimum) = match lang {
        Lang::En => (',', 4),
        // CLDR `es`: minimumGroupingDigits 2, so 1234 but 12.345.
        Lang::Es => ('.', 5),
    };
    if digits.len() < minimum {
        return digits.to_owned();
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(int(Lang::En, 0), "0");
        assert_eq!(int(Lang::En, 999), "999");
        assert_eq!(int(Lang::En, 1234), "1,234");
        assert_eq!(int(Lang::En, -1234567), "-1,234,567");
        assert_eq!(int(Lang::Es, 1234), "1234");
        assert_eq!(int(Lang::Es, 12345), "12.345");
        assert_eq!(int(Lang::Es, 1234567), "1.234.567");
    }

    #[test]
    fn decimals() {
        assert_eq!(decimal(Lang::En, 1234.56, 1), "1,234.6");
        assert_eq!(decimal(Lang::Es, 1234.56, 1), "1234,6");
        assert_eq!(decimal(Lang::Es, 12345.5, 2), "12.345,50");
        assert_eq!(decimal(Lang::Es, 0.5, 0), "0");
        assert_eq!(decimal(Lang::En, -0.04, 1), "0.0");
        assert_eq!(decimal(Lang::En, -2.25, 1), "-2.2");
        assert_eq!(decimal(Lang::Es, f64::NAN, 1), "—");
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(Lang::En, 0.995, 1), "99.5%");
        assert_eq!(percent(Lang::Es, 0.995, 1), "99,5\u{a0}%");
        assert_eq!(percent(Lang::En, 1.0, 0), "100%");
        assert_eq!(percent(Lang::Es, 0.0, 1), "0,0\u{a0}%");
    }

    #[test]
    fn durations() {
        assert_eq!(millis(Lang::En, 8.25), "8.2\u{a0}ms");
        assert_eq!(millis(Lang::Es, 8.25), "8,2\u{a0}ms");
        assert_eq!(millis(Lang::Es, 1234.0), "1234\u{a0}ms");
        assert_eq!(millis(Lang::En, 1234.0), "1,234\u{a0}ms");
        assert_eq!(wait(Lang::En, 45), "45\u{a0}s");
        assert_eq!(wait(Lang::Es, 61), "2\u{a0}min");
        assert_eq!(wait(Lang::En, 3600), "1\u{a0}h");
        assert_eq!(wait(Lang::Es, 3601 + 4 * 60), "1\u{a0}h 5\u{a0}min");
    }
}
