//! Text embedded in the Markdown reports, escaped so that a stored value can only ever be
//! text where it is shown: no HTML (`<`, `>` and `&` as entities), no links, emphasis, code or
//! table cells of its own (their punctuation backslash-escaped), and no block of its own (a
//! heading, quote, list or rule at the start of a line is escaped; single-line contexts get
//! no line break at all).

/// Inline punctuation that Markdown (CommonMark and GitHub's tables) gives a meaning.
const INLINE: [char; 8] = ['\\', '`', '*', '_', '[', ']', '|', '~'];

fn escape_char(c: char, out: &mut String) {
    match c {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        c if INLINE.contains(&c) => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
}

/// One line of inline text: escaped, with line breaks as spaces.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            c => escape_char(c, &mut out),
        }
    }
    out
}

/// A value inside a line of the report: a table cell, a heading's text, a list item's.
pub fn md_inline(text: &str) -> String {
    inline(text)
}

/// A value in a table cell (the same as [`md_inline`]; named for where it goes).
pub fn md_cell(text: &str) -> String {
    inline(text)
}

/// A long text shown as paragraphs of its own (an annual-report text): its line breaks kept,
/// each line's own block syntax escaped.
pub fn md_block(text: &str) -> String {
    text.lines()
        .map(|line| escape_line_start(&inline(line)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A line whose start would open a block (`#`, `-`, `+`, `=`, `1.`, `1)`; a quote's `>` is an
/// entity already) gets that marker escaped; leading spaces go, so that no line becomes code.
fn escape_line_start(line: &str) -> String {
    let line = line.trim_start();
    match line.chars().next() {
        Some('#' | '-' | '+' | '=') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            match line[digits..].chars().next() {
                Some(marker @ ('.' | ')')) => {
                    format!("{}\\{marker}{}", &line[..digits], &line[digits + 1..])
                }
                _ => line.to_string(),
            }
        }
        _ => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_inline_syntax_are_only_text() {
        assert_eq!(
            md_cell("<img src=x onerror=alert(1)> | [x](javascript:y) *a* `b` & c"),
            "&lt;img src=x onerror=alert(1)&gt; \\| \\[x\\](javascript:y) \\*a\\* \\`b\\` &amp; c"
        );
        assert_eq!(
            md_inline("Rad ett\n# Falsk rubrik"),
            "Rad ett # Falsk rubrik"
        );
    }

    #[test]
    fn a_long_text_keeps_its_lines_but_opens_no_block() {
        let hostile = "Året gick bra.\n# Falsk rubrik\n  > citat\n- punkt\n1. lista\n12) lista\n===\n    kod\n<script>alert(1)</script>";
        assert_eq!(
            md_block(hostile),
            "Året gick bra.\n\\# Falsk rubrik\n&gt; citat\n\\- punkt\n1\\. lista\n12\\) lista\n\\===\nkod\n&lt;script&gt;alert(1)&lt;/script&gt;"
        );
    }
}
