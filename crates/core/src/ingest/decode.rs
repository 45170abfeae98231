//! Bytes to text: BOMs, UTF-16 (Windows PowerShell's `>`), and positions in the decoded text.

use std::borrow::Cow;

/// Why an input could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodeError {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// Decodes UTF-8 (with or without a BOM) and UTF-16 LE/BE (with a BOM, or without one when the text
/// starts with an ASCII character, as PowerShell output does).
pub(crate) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes, "UTF-16 LE"),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes, "UTF-16 BE"),
        [a, 0, ..] if *a != 0 && a.is_ascii() => utf16(bytes, u16::from_le_bytes, "UTF-16 LE"),
        [0, b, ..] if *b != 0 && b.is_ascii() => utf16(bytes, u16::from_be_bytes, "UTF-16 BE"),
        _ => utf8(bytes),
    }
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    // Natively, SIMD validation first (several times faster on large inputs: the whole input is
    // checked before anything is read); `std` finds where an invalid input goes wrong.
    #[cfg(not(target_arch = "wasm32"))]
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return Ok(Cow::Borrowed(s));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => {
            let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
            // The valid prefix is UTF-8 by definition.
            let prefix = std::str::from_utf8(valid).unwrap_or_default();
            let (line, column) = line_col(prefix, prefix.len());
            Err(DecodeError {
                message: format!(
                    "the input is not valid UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                ),
                line: Some(line),
                column: Some(column),
            })
        }
    }
}

fn utf16(
    bytes: &[u8],
    unit: fn([u8; 2]) -> u16,
    label: &str,
) -> Result<Cow<'static, str>, DecodeError> {
    if bytes.len() % 2 != 0 {
        return Err(DecodeError {
            message: format!("the input looks like {label} but has an odd number of bytes"),
            line: None,
            column: None,
        });
    }
    let units = bytes.chunks_exact(2).map(|c| match c {
        [a, b] => unit([*a, *b]),
        _ => 0,
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => out.push(c),
            Err(e) => {
                let (line, column) = line_col(&out, out.len());
                return Err(DecodeError {
                    message: format!(
                        "the input is not valid {label} (unpaired surrogate `{:#06x}`)",
                        e.unpaired_surrogate()
                    ),
                    line: Some(line),
                    column: Some(column + 1),
                });
            }
        }
    }
    // A BOM inside UTF-16 text that had none at the start.
    if let Some(rest) = out.strip_prefix('\u{feff}') {
        return Ok(Cow::Owned(rest.to_owned()));
    }
    Ok(Cow::Owned(out))
}

/// True when the text's first non-whitespace character opens a JSON object or array.
pub(crate) fn looks_like_json(text: &str) -> bool {
    let t = text.trim_start_matches(is_json_space);
    match t.strip_prefix('[') {
        Some(rest) => array_start(rest),
        None => t.starts_with('{'),
    }
}

/// After a `[`: true when a JSON value (or `]`) follows, false for text that only starts with a
/// bracket, such as the shell prompt `[ec2-user@ip-10-0-1-5 ~]$` or `iptables-save -c` counters
/// (`[0:0] -A INPUT …`).
fn array_start(rest: &str) -> bool {
    let rest = rest.trim_start_matches(is_json_space);
    match rest.chars().next() {
        None | Some('{' | '[' | ']' | '"') => true,
        Some(c) if c == '-' || c.is_ascii_digit() => {
            let after = rest.trim_start_matches(|c: char| {
                c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')
            });
            matches!(
                after.trim_start_matches(is_json_space).chars().next(),
                None | Some(',' | ']')
            )
        }
        Some(_) => ["true", "false", "null"]
            .iter()
            .any(|w| rest.starts_with(w)),
    }
}

fn is_json_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// True when nothing but JSON whitespace follows.
pub(crate) fn only_space(text: &str) -> bool {
    text.chars().all(is_json_space)
}

/// Text for the evidence parsers: CRLF and lone CR line endings become LF.
pub(crate) fn normalise_newlines(text: Cow<'_, str>) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.into_owned()
    }
}

/// 1-based line and column (in characters) of byte offset `at` in `text`. The column of a position
/// at the very start of a line is 1; the column of a position just after a character is that
/// character's column plus one, so callers point at the character itself by passing its offset.
pub(crate) fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = floor_char_boundary(text, at);
    let before = text.get(..at).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}

/// The byte offset serde_json means by its (1-based line, column) in `text`: its column counts the
/// bytes of the line up to and including the offending one (0 when the error is at a line start).
pub(crate) fn serde_offset(text: &str, line: usize, column: usize) -> usize {
    let mut line_start = 0;
    if line > 1 {
        let mut seen = 0;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                seen += 1;
                if seen == line - 1 {
                    line_start = i + 1;
                    break;
                }
            }
        }
    }
    // Point at the offending byte itself, not just after it.
    (line_start + column.saturating_sub(1)).min(text.len())
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { vec![] };
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode(b"{\"a\":1}").unwrap(), "{\"a\":1}");
        assert_eq!(decode(b"\xEF\xBB\xBF{\"a\":1}").unwrap(), "{\"a\":1}");
    }

    #[test]
    fn utf16_both_orders() {
        assert_eq!(decode(&utf16le("{\"é\":1}", true)).unwrap(), "{\"é\":1}");
        assert_eq!(decode(&utf16le("{\"x\":1}", false)).unwrap(), "{\"x\":1}");
        let mut be = vec![0xFE, 0xFF];
        be.extend("[1]".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be).unwrap(), "[1]");
    }

    #[test]
    fn invalid_utf8_and_utf16_are_errors_with_positions() {
        let e = decode(b"{\n  \"a\": \"\xFF\"}").unwrap_err();
        assert!(e.message.contains("not valid UTF-8"), "{}", e.message);
        assert_eq!((e.line, e.column), (Some(2), Some(9)));
        let e = decode(&[0xFF, 0xFE, 0x7B, 0x00, 0x00]).unwrap_err();
        assert!(e.message.contains("odd number"), "{}", e.message);
        let e = decode(&[0xFF, 0xFE, 0x7B, 0x00, 0x00, 0xD8, 0x7D, 0x00]).unwrap_err();
        assert!(e.message.contains("surrogate"), "{}", e.message);
    }

    #[test]
    fn json_detection_and_newlines() {
        assert!(looks_like_json("\r\n  {"));
        assert!(looks_like_json("["));
        assert!(looks_like_json("[\n    {\n        \"InstanceId\": \"i-1\""));
        assert!(looks_like_json("[\"i-0abc\", \"i-0def\"]"));
        assert!(looks_like_json("[ 12, 13 ]"));
        assert!(looks_like_json("[[\"a\"]]"));
        assert!(looks_like_json("[null]"));
        // Shell prompts and counters are text for the evidence parsers.
        assert!(!looks_like_json(
            "[ec2-user@ip-10-0-1-5 ~]$ ip route\ndefault via 10.0.1.1"
        ));
        assert!(!looks_like_json("[root@web ~]# iptables-save"));
        assert!(!looks_like_json(
            "[0:0] -A INPUT -p tcp --dport 22 -j ACCEPT"
        ));
        assert!(!looks_like_json("2 123456789012 eni-1 ..."));
        assert!(!looks_like_json("   "));
        assert_eq!(
            normalise_newlines(Cow::Borrowed("a\r\nb\rc\n")),
            "a\nb\nc\n"
        );
    }

    #[test]
    fn positions() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 7), (2, 4));
        assert_eq!(serde_offset(t, 2, 2), 4);
        assert_eq!(serde_offset(t, 1, 0), 0);
    }
}
