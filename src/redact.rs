//! Secrets kept out of what operators see: URLs in log lines and in `check-config`.

/// A URL fit for a log line: the credentials before the host (everything up to the last `@` of
/// the part before the query, so a password holding `@` or `/` goes whole) and every query
/// parameter that may carry a secret (`password`, `sslpassword`, `token`, `api_key` …) are
/// replaced by `***`; the user name stays when it can be told apart.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let location = match before_query.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) if !user.contains(['@', '/']) => format!("{user}:***@{host}"),
            _ => format!("***@{host}"),
        },
        None => before_query.to_string(),
    };
    match query {
        None => format!("{scheme}{location}"),
        Some(query) => format!("{scheme}{location}?{}", redact_query(query)),
    }
}

/// A query string with the values of credential-bearing parameters replaced by `***` (the
/// fragment, if any, goes too: it is never needed to tell which database or key set is meant).
fn redact_query(query: &str) -> String {
    let query = query.split('#').next().unwrap_or_default();
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if carries_secret(key) => format!("{key}=***"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn carries_secret(key: &str) -> bool {
    let key = percent_encoding::percent_decode_str(key)
        .decode_utf8_lossy()
        .to_ascii_lowercase();
    [
        "pass", "pwd", "secret", "token", "key", "auth", "cred", "sig",
    ]
    .iter()
    .any(|word| key.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_credential_in_a_url_is_redacted() {
        for (url, shown) in [
            (
                "postgres://app:lösen@db.sunet.se/forvaltning",
                "postgres://app:***@db.sunet.se/forvaltning",
            ),
            (
                "postgres://app:lö@s@en@db.sunet.se:5432/forvaltning",
                "postgres://app:***@db.sunet.se:5432/forvaltning",
            ),
            (
                "postgres://app:p/a@ss@db.sunet.se/f",
                "postgres://app:***@db.sunet.se/f",
            ),
            ("postgres://hemligt@db/f", "postgres://***@db/f"),
            (
                "postgres://db.sunet.se/f?user=app&password=hemligt&sslmode=require",
                "postgres://db.sunet.se/f?user=app&password=***&sslmode=require",
            ),
            (
                "postgresql:///f?host=/run/pg&PassWord=hemligt&sslpassword=hemligt",
                "postgresql:///f?host=/run/pg&PassWord=***&sslpassword=***",
            ),
            (
                "postgres://db/f?pass%77ord=hemligt#hemligt",
                "postgres://db/f?pass%77ord=***",
            ),
            (
                "https://idp.sunet.se/jwks?access_token=hemligt",
                "https://idp.sunet.se/jwks?access_token=***",
            ),
            (
                "/var/lib/forvaltning/data.db",
                "/var/lib/forvaltning/data.db",
            ),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
    }
}
