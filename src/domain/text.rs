/// Trimmed text of bounded length. `parse` names the field in its error.
pub fn required(field: &str, value: &str, max_chars: usize) -> Result<String, (String, String)> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err((field.to_string(), "must not be empty".into()));
    }
    bounded(field, trimmed, max_chars)
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
}
