/// Trimmed text of bounded length. `parse` names the field in its error.
pub fn required(field: &str, value: &str, max_chars: usize) -> Result<String, (String, String)> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err((field.to_string(), "must not be empty".into()));
    }
    bounded(field, trimmed, max_chars)
}

/// One line of text (a name, a title, a reference, a subject): like [`required`], but no control
/// character at all, tab and newline included (long texts may hold those; a name may not).
pub fn line(field: &str, value: &str, max_chars: usize) -> Result<String, (String, String)> {
    let text = required(field, value, max_chars)?;
    if text.chars().any(char::is_control) {
        return Err((
            field.to_string(),
            "must be one line, without tabs, line breaks or other control characters".into(),
        ));
    }
    Ok(text)
}

/// The longest `?q=` text search any list takes.
pub const SEARCH_MAX_CHARS: usize = 200;

/// A list's `?q=` (serde `deserialize_with`): at most [`SEARCH_MAX_CHARS`] characters, so that a
/// search pattern stays far inside every backend's limits (SQLite refuses a `LIKE` pattern over
/// 50 000 bytes).
pub fn search<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let q = <Option<String> as serde::Deserialize>::deserialize(d)?;
    match q {
        Some(q) if q.chars().count() > SEARCH_MAX_CHARS => Err(serde::de::Error::custom(format!(
            "q must be at most {SEARCH_MAX_CHARS} characters"
        ))),
        q => Ok(q),
    }
}

/// Like [`required`], but empty text is allowed.
pub fn bounded(field: &str, value: &str, max_chars: usize) -> Result<String, (String, String)> {
    let trimmed = value.trim();
    if trimmed.chars().count() > max_chars {
        return Err((
            field.to_string(),
            format!("must be at most {max_chars} characters"),
        ));
    }
    if trimmed.chars().any(is_forbidden_control) {
        return Err((
            field.to_string(),
            "must not contain control characters".into(),
        ));
    }
    Ok(trimmed.to_string())
}

/// An absolute http(s) URL, as for documentation links.
pub fn url(field: &str, value: &str) -> Result<String, (String, String)> {
    let trimmed = bounded(field, value, 2000)?;
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty()
                && !rest.starts_with('/')
                && !rest.contains(char::is_whitespace) =>
        {
            Ok(trimmed)
        }
        _ => Err((field.to_string(), "must be an absolute http(s) URL".into())),
    }
}

/// A plausible e-mail address (one '@', something on both sides, no spaces).
pub fn email(field: &str, value: &str) -> Result<String, (String, String)> {
    let trimmed = bounded(field, value, 320)?;
    match trimmed.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !trimmed.contains(char::is_whitespace) =>
        {
            Ok(trimmed)
        }
        _ => Err((field.to_string(), "must be an e-mail address".into())),
    }
}

/// Control characters no text of the API may carry: all but tab, newline and carriage return
/// (which long texts may hold; the fields that may not are checked by their own parsers).
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Does a percent-encoded URL part (a path or a query string) carry a control character, raw or
/// encoded? Every control character counts here, tab and newline too: no path segment or query
/// parameter needs one.
pub fn url_part_has_control(part: &str) -> bool {
    String::from_utf8_lossy(&percent_decode(part))
        .chars()
        .any(char::is_control)
}

fn percent_decode(part: &str) -> Vec<u8> {
    let bytes = part.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    decoded
}

/// Does a JSON text carry a forbidden control character in a string, raw or as a `\u` escape?
/// (Raw ones below U+0020 are invalid JSON anyway; DEL and U+0080–U+009F are not.)
pub fn json_has_forbidden_control(json: &[u8]) -> bool {
    let text = String::from_utf8_lossy(json);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let escaped = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                    if escaped.is_some_and(is_forbidden_control) {
                        return true;
                    }
                }
                Some('b' | 'f') => return true,
                _ => {}
            }
        } else if is_forbidden_control(c) {
            return true;
        }
    }
    false
}

/// JSON Schema counts `-319.0` and `1e3` as integers, and so does the document: rewrites each
/// number outside strings whose value is a whole number within `i64` into its plain integer
/// form, so that an integer field accepts it. `None` when there is nothing to rewrite (the
/// common case: no copy).
pub fn integral_numbers_as_integers(json: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let (mut i, mut copied, mut in_string) = (0, 0, false);
    while i < json.len() {
        let b = json[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if b != b'-' && !b.is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < json.len() && matches!(json[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
            i += 1;
        }
        let token = &json[start..i];
        if !token.iter().any(|c| matches!(c, b'.' | b'e' | b'E')) {
            continue;
        }
        if let Some(integer) = std::str::from_utf8(token).ok().and_then(whole_number) {
            let buffer = out.get_or_insert_with(|| Vec::with_capacity(json.len()));
            buffer.extend_from_slice(&json[copied..start]);
            buffer.extend_from_slice(integer.to_string().as_bytes());
            copied = i;
        }
    }
    let mut buffer = out?;
    buffer.extend_from_slice(&json[copied..]);
    Some(buffer)
}

/// The value of a JSON number token when it is a whole number within `i64`, computed on its
/// digits (no float rounding: `9007199254740993.0` stays exact).
fn whole_number(token: &str) -> Option<i64> {
    let (negative, unsigned) = match token.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, token),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], unsigned[at + 1..].parse::<i32>().ok()?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{whole}{fraction}");
    let shift = exponent.checked_sub(i32::try_from(fraction.len()).ok()?)?;
    let integer_digits = if shift >= 0 {
        if shift > 19 && digits.bytes().any(|c| c != b'0') {
            return None;
        }
        format!("{digits}{}", "0".repeat(shift.min(19) as usize))
    } else {
        let cut = digits.len().checked_sub(shift.unsigned_abs() as usize)?;
        if digits[cut..].bytes().any(|c| c != b'0') {
            return None;
        }
        digits[..cut].to_string()
    };
    let magnitude = integer_digits.trim_start_matches('0');
    let text = if negative {
        format!("-{magnitude}")
    } else {
        magnitude.to_string()
    };
    match text.as_str() {
        "" | "-" => Some(0),
        _ => text.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required("name", "  Örebro  ", 10).unwrap(), "Örebro");
        assert!(required("name", "   ", 10).is_err());
        assert!(required("name", "åäöåäöåäöåä", 10).is_err());
        assert!(bounded("d", "a\u{0}b", 10).is_err());
    }

    #[test]
    fn control_characters_are_found_raw_and_escaped() {
        assert!(url_part_has_control("q=a%00b"));
        assert!(url_part_has_control("/api/v1/services/a%0Ab"));
        assert!(url_part_has_control("q=%C2%85"));
        assert!(!url_part_has_control("q=%C3%B6rebro&limit=5"));
        assert!(!url_part_has_control("q=100%"));
        assert!(json_has_forbidden_control(br#"{"name":"a\u0000b"}"#));
        assert!(json_has_forbidden_control(br#"{"name":"a\u007F"}"#));
        assert!(json_has_forbidden_control(
            "{\"name\":\"a\u{7f}\"}".as_bytes()
        ));
        assert!(!json_has_forbidden_control(br#"{"name":"a\\u0000b"}"#));
        assert!(!json_has_forbidden_control(
            br#"{"d":"rad 1\nrad 2\t\u00e5"}"#
        ));
    }

    #[test]
    fn urls_and_emails() {
        assert!(url("u", "https://wiki.sunet.se/eduroam").is_ok());
        assert!(url("u", "ftp://x").is_err());
        assert!(url("u", "https://").is_err());
        assert!(email("e", "åsa.öberg@sunet.se").is_ok());
        assert!(email("e", "åsa").is_err());
    }

    #[test]
    fn whole_numbers_become_integers_and_nothing_else_changes() {
        let rewrite = |s: &str| {
            integral_numbers_as_integers(s.as_bytes()).map(|v| String::from_utf8(v).unwrap())
        };
        assert_eq!(
            rewrite(r#"{"plan_item_id": -319.0, "n": 1e3, "x": 2.50E1, "z": -0.0}"#).as_deref(),
            Some(r#"{"plan_item_id": -319, "n": 1000, "x": 25, "z": 0}"#)
        );
        assert_eq!(rewrite(r#"{"a": 1, "b": "1.0", "c": [3, -4]}"#), None);
        assert_eq!(rewrite(r#"{"a": 1.5, "b": 1e-3, "c": 1e400}"#), None);
        assert_eq!(
            rewrite(r#"{"q": "x\"1.0", "a": 7.0}"#).as_deref(),
            Some(r#"{"q": "x\"1.0", "a": 7}"#)
        );
        assert_eq!(
            rewrite("[9223372036854775807.0, 9223372036854775808.0]").as_deref(),
            Some("[9223372036854775807, 9223372036854775808.0]")
        );
        assert_eq!(
            rewrite("[9007199254740993.0]").as_deref(),
            Some("[9007199254740993]")
        );
    }
}
