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
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
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
    fn urls_and_emails() {
        assert!(url("u", "https://wiki.sunet.se/eduroam").is_ok());
        assert!(url("u", "ftp://x").is_err());
        assert!(url("u", "https://").is_err());
        assert!(email("e", "åsa.öberg@sunet.se").is_ok());
        assert!(email("e", "åsa").is_err());
    }
}
