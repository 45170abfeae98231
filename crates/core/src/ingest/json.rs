//! A JSON reader specialised for describe-* output: a [`serde::Deserializer`] over `&str` that
//! borrows every string without escapes and skips the fields nobody asked for at memory speed.
//!
//! The AWS CLI pretty-prints with four-space indents, so more than half of a large describe-* file
//! is blanks, and most of the rest are fields vpc-reach never reads (`BlockDeviceMappings`,
//! `Placement`, …). `serde_json` walks both a byte at a time; this reader skips runs of blanks and
//! string bodies sixteen bytes at a time (SSE2 on x86-64 through `safe_arch`, SWAR arithmetic on
//! `u64`s elsewhere; no `unsafe` here) and skips an unread value without calling a visitor.
//!
//! It is strict: anything that is not JSON as RFC 8259 defines it, or that `serde_json` would
//! reject (a control character in a string, a lone surrogate escape, a number out of `f64` range,
//! nesting deeper than 128), is an error. Its errors carry no message: on any error the caller
//! reads the same document again with `serde_json` (see `super::load_json`), so every message and
//! position the user sees comes from `serde_json` exactly as before, and a document this reader
//! wrongly refused would still be read. `tests` checks it against `serde_json` on the corpus and on
//! mutated documents.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Visitor};

/// Deepest nesting accepted (`serde_json`'s own limit).
const MAX_DEPTH: u32 = 128;

/// Why the fast read stopped. Only the kind matters to the caller, which re-reads with `serde_json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Error {
    /// Not JSON (or JSON this reader declines), at this byte offset.
    Syntax(usize),
    /// Well-formed JSON of the wrong shape, as a visitor reported it.
    Data(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Syntax(at) => write!(f, "not JSON at byte {at}"),
            Error::Data(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::Data(msg.to_string())
    }
}

type Result<T> = std::result::Result<T, Error>;

/// A JSON number as `serde_json` classifies it.
enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
}

/// Byte classes over the next [`LEN`](block::LEN) bytes at once, as a bit mask (bit `i` for byte
/// `p + i`; only the lowest set bit is exact). `None` when fewer than `LEN` bytes are left.
/// On x86-64: SSE2, which every x86-64 CPU has, through `safe_arch` (so no `unsafe` here);
/// elsewhere (the browser build does not use this reader) SWAR arithmetic on a `u64`.
mod block {
    #[cfg(target_arch = "x86_64")]
    mod imp {
        use safe_arch::{
            cmp_eq_mask_i8_m128i, load_unaligned_m128i, m128i, min_u8_m128i, move_mask_i8_m128i,
            set_splat_i8_m128i,
        };

        pub(crate) const LEN: usize = 16;

        #[inline(always)]
        fn load(bytes: &[u8], at: usize) -> Option<m128i> {
            let chunk: &[u8; 16] = bytes.get(at..at.checked_add(16)?)?.try_into().ok()?;
            Some(load_unaligned_m128i(chunk))
        }

        #[inline(always)]
        fn equal(v: m128i, b: u8) -> m128i {
            cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(b as i8))
        }

        /// Bytes that are not JSON blanks (space, line feed, carriage return, tab).
        #[inline(always)]
        pub(crate) fn not_blanks(bytes: &[u8], at: usize) -> Option<u32> {
            let v = load(bytes, at)?;
            let blanks = equal(v, b' ') | equal(v, b'\n') | equal(v, b'\r') | equal(v, b'\t');
            Some(!(move_mask_i8_m128i(blanks) as u32) & 0xFFFF)
        }

        /// Bytes that end a run of plain string characters: `"`, `\` or a control character.
        #[inline(always)]
        pub(crate) fn string_stops(bytes: &[u8], at: usize) -> Option<u32> {
            let v = load(bytes, at)?;
            // `min(v, 0x1F) == v` exactly for the bytes below 0x20, compared unsigned.
            let control = cmp_eq_mask_i8_m128i(min_u8_m128i(v, set_splat_i8_m128i(0x1F)), v);
            let m = move_mask_i8_m128i(equal(v, b'"') | equal(v, b'\\') | control);
            Some(m as u32)
        }
    }

    #[cfg(any(not(target_arch = "x86_64"), test))]
    pub(super) mod swar {
        pub(crate) const LEN: usize = 8;

        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;

        #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
        fn word(bytes: &[u8], at: usize) -> Option<u64> {
            let chunk = bytes.get(at..at.checked_add(8)?)?;
            <[u8; 8]>::try_from(chunk).ok().map(u64::from_le_bytes)
        }

        /// A `u64` mask with the high bit of each flagged byte to one bit per byte.
        #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
        fn per_byte(m: u64) -> u32 {
            // Only the lowest set bit is used: its byte index is `trailing_zeros / 8`.
            if m == 0 {
                0
            } else {
                1 << (m.trailing_zeros() / 8)
            }
        }

        /// `0x80` in exactly the bytes of `w` that equal `b` (no carries between bytes, so unlike the
        /// usual `(x - 0x01…) & !x` trick it never flags a byte above a match, which
        /// [`not_blanks`] needs).
        #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
        fn bytes_equal_exact(w: u64, b: u8) -> u64 {
            const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
            let x = w ^ (ONES * u64::from(b));
            !(((x & LOW7) + LOW7) | x | LOW7)
        }

        /// Bytes that are not JSON blanks (space, line feed, carriage return, tab).
        #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
        pub(crate) fn not_blanks(bytes: &[u8], at: usize) -> Option<u32> {
            let w = word(bytes, at)?;
            let blanks = bytes_equal_exact(w, b' ')
                | bytes_equal_exact(w, b'\n')
                | bytes_equal_exact(w, b'\r')
                | bytes_equal_exact(w, b'\t');
            Some(per_byte(!blanks & HIGHS))
        }

        /// Bytes that end a run of plain string characters: `"`, `\` or a control character (only
        /// the lowest flag is exact for control characters, which is all [`per_byte`] keeps).
        #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
        pub(crate) fn string_stops(bytes: &[u8], at: usize) -> Option<u32> {
            let w = word(bytes, at)?;
            let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
            Some(per_byte(
                bytes_equal_exact(w, b'"') | bytes_equal_exact(w, b'\\') | control,
            ))
        }
    }

    #[cfg(target_arch = "x86_64")]
    pub(crate) use imp::{not_blanks, string_stops, LEN};
    #[cfg(not(target_arch = "x86_64"))]
    pub(crate) use swar::{not_blanks, string_stops, LEN};

    #[cfg(all(test, target_arch = "x86_64"))]
    mod tests {
        /// The SWAR fallback (other targets) finds the same first byte as SSE2, on every byte
        /// value at every position of a word, behind every other byte value.
        #[test]
        fn fallback_finds_the_same_first_byte() {
            let lowest = |m: u32| (m != 0).then(|| m.trailing_zeros());
            for before in 0..=255u8 {
                for b in 0..=255u8 {
                    for at in 0..super::swar::LEN {
                        let mut bytes = [before; 16];
                        if let Some(x) = bytes.get_mut(at) {
                            *x = b;
                        }
                        let wide = (
                            super::imp::not_blanks(&bytes, 0),
                            super::imp::string_stops(&bytes, 0),
                        );
                        let narrow = (
                            super::swar::not_blanks(&bytes, 0),
                            super::swar::string_stops(&bytes, 0),
                        );
                        assert_eq!(
                            (
                                wide.0.map(|m| lowest(m & 0xFF)),
                                wide.1.map(|m| lowest(m & 0xFF))
                            ),
                            (narrow.0.map(lowest), narrow.1.map(lowest)),
                            "{before:#x} then {b:#x} at {at}"
                        );
                    }
                }
            }
        }
    }
}

/// The newtype name by which a list of network interfaces nested in an instance asks a reader with
/// [`Spans`] to skip it and record where its elements are (see `super::raw::NestedEnis`). Any other
/// deserializer reads the list as usual.
pub(crate) const NESTED_ENIS: &str = "$vpc_reach::NestedEnis";

/// The nested interface lists a reader skipped, for reading later: each element's byte range in
/// the text and its `NetworkInterfaceId`, if that is a string without escapes (else `None`).
#[derive(Debug, Default)]
pub(crate) struct Spans<'a> {
    /// Each skipped list, as a range of `elements`.
    pub lists: Vec<std::ops::Range<usize>>,
    pub elements: Vec<(std::ops::Range<usize>, Option<&'a str>)>,
}

/// Reads JSON values from `text`, starting at a byte offset.
pub(crate) struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
    /// Strings with an escape read or skipped so far.
    escaped: usize,
    /// Where skipped nested interface lists are recorded; `None`: read them.
    spans: Option<Spans<'a>>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str, pos: usize) -> Self {
        Reader {
            text,
            bytes: text.as_bytes(),
            pos,
            depth: 0,
            escaped: 0,
            spans: None,
        }
    }

    /// A reader that skips nested interface lists, recording them (see [`NESTED_ENIS`]).
    pub(crate) fn with_spans(text: &'a str, pos: usize) -> Self {
        Reader {
            spans: Some(Spans::default()),
            ..Reader::new(text, pos)
        }
    }

    /// Byte offset just after what has been read.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    fn err<T>(&self) -> Result<T> {
        Err(Error::Syntax(self.pos))
    }

    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skips blanks: a lone blank byte by byte, a longer run a block at a time (and its last few
    /// bytes, at the end of the text, byte by byte).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn skip_blanks(&mut self) {
        let blank = |b: Option<&u8>| matches!(b, Some(b' ' | b'\n' | b'\r' | b'\t'));
        let mut p = self.pos;
        if !blank(self.bytes.get(p)) {
            return;
        }
        p += 1;
        // One blank (the space after every `:`) needs no block.
        if !blank(self.bytes.get(p)) {
            self.pos = p;
            return;
        }
        // A line break and the next line's indent are one run.
        while let Some(hits) = block::not_blanks(self.bytes, p) {
            if hits != 0 {
                self.pos = p + hits.trailing_zeros() as usize;
                return;
            }
            p += block::LEN;
        }
        while blank(self.bytes.get(p)) {
            p += 1;
        }
        self.pos = p;
    }

    /// Moves past the byte at the current position.
    pub(crate) fn advance(&mut self) {
        self.pos += 1;
    }

    /// Blanks, then `b`.
    pub(crate) fn expect(&mut self, b: u8) -> Result<()> {
        if self.peek_token() != Some(b) {
            return self.err();
        }
        self.pos += 1;
        Ok(())
    }

    /// The byte range of each element of the list at `pos` (after blanks), which is skipped, and
    /// the elements holding a string with an escape (or a control character, which is an error).
    pub(crate) fn element_ranges(&mut self) -> Result<(Vec<std::ops::Range<usize>>, Vec<usize>)> {
        let mut out = (Vec::new(), Vec::new());
        self.expect(b'[')?;
        if self.peek_token() == Some(b']') {
            self.pos += 1;
            return Ok(out);
        }
        loop {
            self.skip_blanks();
            let start = self.pos;
            let escaped = self.escaped;
            self.skip_value()?;
            if self.escaped != escaped {
                out.1.push(out.0.len());
            }
            out.0.push(start..self.pos);
            match self.peek_token() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(out);
                }
                _ => return self.err(),
            }
        }
    }

    /// The next byte after blanks.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn peek_token(&mut self) -> Option<u8> {
        self.skip_blanks();
        self.peek()
    }

    /// Moves to the first `"`, `\` or control character at or after `pos` (inside a string).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn scan_string_body(&mut self) {
        let mut p = self.pos;
        while let Some(hits) = block::string_stops(self.bytes, p) {
            if hits != 0 {
                self.pos = p + hits.trailing_zeros() as usize;
                return;
            }
            p += block::LEN;
        }
        while let Some(&b) = self.bytes.get(p) {
            if b == b'"' || b == b'\\' || b < 0x20 {
                break;
            }
            p += 1;
        }
        self.pos = p;
    }

    /// Reads a string whose opening quote is at `pos`. Borrowed when it holds no escape.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>> {
        self.pos += 1;
        let start = self.pos;
        self.scan_string_body();
        if self.peek() == Some(b'"') {
            let s = self.text.get(start..self.pos);
            self.pos += 1;
            return s.map(Cow::Borrowed).map_or_else(|| self.err(), Ok);
        }
        let mut owned = String::from(self.text.get(start..self.pos).unwrap_or_default());
        self.escaped_rest(Some(&mut owned))?;
        Ok(Cow::Owned(owned))
    }

    /// Skips a string whose opening quote is at `pos`.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn skip_string(&mut self) -> Result<()> {
        self.pos += 1;
        self.scan_string_body();
        if self.peek() == Some(b'"') {
            self.pos += 1;
            return Ok(());
        }
        self.escaped_rest(None)
    }

    /// The rest of a string from a `\` or control character at `pos`, appended to `out` if given.
    fn escaped_rest(&mut self, mut out: Option<&mut String>) -> Result<()> {
        self.escaped += 1;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.escape()?;
                    if let Some(o) = out.as_deref_mut() {
                        o.push(c);
                    }
                }
                _ => return self.err(),
            }
            let start = self.pos;
            self.scan_string_body();
            if let Some(o) = out.as_deref_mut() {
                o.push_str(self.text.get(start..self.pos).unwrap_or_default());
            }
        }
    }

    /// One escape, after its `\`.
    fn escape(&mut self) -> Result<char> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let first = self.hex4()?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                            return self.err();
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return self.err();
                        }
                        0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return self.err(),
                    _ => first,
                };
                return char::from_u32(code).map_or_else(|| self.err(), Ok);
            }
            _ => return self.err(),
        };
        self.pos += 1;
        Ok(c)
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4);
        let s = digits.and_then(|d| std::str::from_utf8(d).ok());
        match s.and_then(|s| {
            s.bytes()
                .all(|b| b.is_ascii_hexdigit())
                .then(|| u32::from_str_radix(s, 16).ok())
                .flatten()
        }) {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => self.err(),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Reads a number at `pos` (RFC 8259 grammar) and hands it to the visitor.
    fn number<V: Visitor<'a>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.parse_number()? {
            Number::U64(n) => visitor.visit_u64(n),
            Number::I64(i) => visitor.visit_i64(i),
            Number::F64(f) => visitor.visit_f64(f),
        }
    }

    /// The number at `pos`, as `serde_json` would give it (not generic: one copy in the binary).
    fn parse_number(&mut self) -> Result<Number> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.err(),
        }
        let int_end = self.pos;
        let mut integral = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            integral = false;
            if self.digits() == 0 {
                return self.err();
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            integral = false;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return self.err();
            }
        }
        if integral {
            let digits = self.text.get(int_start..int_end).unwrap_or_default();
            if let Ok(n) = digits.parse::<u64>() {
                if !negative {
                    return Ok(Number::U64(n));
                }
                // `-0` is a float for serde_json too.
                if let Some(i) = 0i64.checked_sub_unsigned(n).filter(|_| n != 0) {
                    return Ok(Number::I64(i));
                }
            }
        }
        let all = self.text.get(start..self.pos).unwrap_or_default();
        match all.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Number::F64(f)),
            _ => self.err(),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<()> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            self.err()
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err();
        }
        self.pos += 1;
        Ok(())
    }

    /// After a visitor is done with a list or object: blanks, then `close`.
    fn leave(&mut self, close: u8) -> Result<()> {
        if self.peek_token() != Some(close) {
            return self.err();
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(())
    }

    /// Skips one value at `pos` (after blanks), validating it, without any visitor.
    pub(crate) fn skip_value(&mut self) -> Result<()> {
        match self.peek_token() {
            Some(b'"') => self.skip_string(),
            Some(b'{') => self.walk(b'}', |r| {
                if r.peek_token() != Some(b'"') {
                    return r.err();
                }
                r.skip_string()?;
                r.expect(b':')?;
                r.skip_value()
            }),
            Some(b'[') => self.walk(b']', Reader::skip_value),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.parse_number().map(|_| ()),
            _ => self.err(),
        }
    }

    /// Skips the list at `pos` (its `[` next), validating it, and records it in `spans`: each
    /// element's byte range, and its `NetworkInterfaceId` if that is a string without escapes.
    /// Returns the list's number in `spans.lists`.
    fn skip_nested(&mut self) -> Result<usize> {
        let mut elements = Vec::new();
        self.walk(b']', |r| {
            r.skip_blanks();
            let start = r.pos;
            let id = if r.peek() == Some(b'{') {
                r.skip_object_reading_id()?
            } else {
                r.skip_value()?;
                None
            };
            elements.push((start..r.pos, id));
            Ok(())
        })?;
        let Some(spans) = self.spans.as_mut() else {
            return self.err();
        };
        let first = spans.elements.len();
        spans.elements.extend(elements);
        spans.lists.push(first..spans.elements.len());
        Ok(spans.lists.len() - 1)
    }

    /// [`Reader::skip_value`] for an object, keeping its one `NetworkInterfaceId` string if that
    /// holds no escape (`None` if it is missing, escaped, not a string, or given twice).
    fn skip_object_reading_id(&mut self) -> Result<Option<&'a str>> {
        let mut id = None;
        let mut seen = false;
        self.walk(b'}', |r| {
            let key = r.key()?;
            if key != "NetworkInterfaceId" {
                return r.skip_value();
            }
            id = match (seen, r.peek_token()) {
                (false, Some(b'"')) => match r.string()? {
                    Cow::Borrowed(s) => Some(s),
                    Cow::Owned(_) => None,
                },
                _ => {
                    r.skip_value()?;
                    None
                }
            };
            seen = true;
            Ok(())
        })?;
        Ok(id)
    }

    /// Walks the list or object at `pos` (its `[` or `{` next) up to its `close`, validating the
    /// commas; `item` reads each element or `"key": value` (blanks before it may be left to it).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn walk(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        self.enter()?;
        if self.peek_token() == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            item(self)?;
            match self.peek_token() {
                Some(b',') => self.pos += 1,
                Some(b) if b == close => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return self.err(),
            }
        }
    }

    /// At an object's key: the key, unless that is not a string.
    fn key(&mut self) -> Result<Cow<'a, str>> {
        if self.peek_token() != Some(b'"') {
            return self.err();
        }
        let key = self.string()?;
        self.expect(b':')?;
        Ok(key)
    }
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek_token() {
            Some(b'"') => self.visit_string(visitor),
            Some(b'{') => self.visit_object(visitor),
            Some(b'[') => self.visit_list(visitor),
            Some(b't') => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            Some(b'n') => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            Some(b'-' | b'0'..=b'9') => self.number(visitor),
            _ => self.err(),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.peek_token() == Some(b'n') {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip_value()?;
        visitor.visit_unit()
    }

    // Structs, lists and keys get only their own branch (and any other token is a wrong type,
    // reported as such; the caller re-reads such a document with serde_json anyway). Forwarding
    // them to `deserialize_any` would copy every branch into each struct's code, which the web
    // build pays for in size.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.peek_token() {
            Some(b'{') => self.visit_object(visitor),
            Some(b'[') => self.visit_list(visitor),
            _ => Err(wrong_type()),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        if name == NESTED_ENIS && self.spans.is_some() && self.peek_token() == Some(b'[') {
            let list = self.skip_nested()?;
            return visitor.visit_u64(list as u64);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek_token() {
            Some(b'{') => self.visit_object(visitor),
            _ => Err(wrong_type()),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek_token() {
            Some(b'[') => self.visit_list(visitor),
            _ => Err(wrong_type()),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek_token() {
            Some(b'"') => self.visit_string(visitor),
            _ => Err(wrong_type()),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct tuple
        tuple_struct enum
    }
}

fn wrong_type() -> Error {
    Error::Data("a value of another type".to_owned())
}

impl<'de> Reader<'de> {
    /// Visits the string at `pos` (its `"` next), borrowed when it holds no escape.
    fn visit_string<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.string()? {
            Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
            Cow::Owned(s) => visitor.visit_string(s),
        }
    }

    /// Visits the object at `pos` (its `{` next).
    fn visit_object<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.enter()?;
        let value = visitor.visit_map(Elements {
            reader: self,
            first: true,
        })?;
        self.leave(b'}')?;
        Ok(value)
    }

    /// Visits the list at `pos` (its `[` next).
    fn visit_list<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.enter()?;
        let value = visitor.visit_seq(Elements {
            reader: self,
            first: true,
        })?;
        self.leave(b']')?;
        Ok(value)
    }
}

/// The elements of a list or the entries of an object being visited.
struct Elements<'r, 'a> {
    reader: &'r mut Reader<'a>,
    first: bool,
}

impl Elements<'_, '_> {
    /// Before an element: `None` at `close`, else past the `,` that must separate it.
    fn more(&mut self, close: u8) -> Result<bool> {
        let r = &mut *self.reader;
        match r.peek_token() {
            Some(b) if b == close => Ok(false),
            Some(b',') if !self.first => {
                r.pos += 1;
                Ok(true)
            }
            Some(_) if self.first => {
                self.first = false;
                Ok(true)
            }
            _ => r.err(),
        }
    }
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if !self.more(b']')? {
            return Ok(None);
        }
        if self.reader.peek_token() == Some(b']') {
            // `[1,]`: a comma must be followed by a value.
            return self.reader.err();
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

impl<'de> de::MapAccess<'de> for Elements<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if !self.more(b'}')? {
            return Ok(None);
        }
        if self.reader.peek_token() != Some(b'"') {
            return self.reader.err();
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let r = &mut *self.reader;
        if r.peek_token() != Some(b':') {
            return r.err();
        }
        r.pos += 1;
        seed.deserialize(&mut *self.reader)
    }
}

/// Reads the document starting at `pos` (after blanks) into `T`; returns it with the offset just
/// after it.
// The browser build reads whole documents with serde_json (see `super::typed_read`).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(crate) fn read_document<'a, T: de::Deserialize<'a>>(
    text: &'a str,
    pos: usize,
) -> Result<(T, usize)> {
    let mut reader = Reader::new(text, pos);
    let value = T::deserialize(&mut reader)?;
    Ok((value, reader.offset()))
}

/// [`read_document`], skipping the nested interface lists and returning where they are.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(crate) fn read_document_with_spans<'a, T: de::Deserialize<'a>>(
    text: &'a str,
    pos: usize,
) -> Result<(T, usize, Spans<'a>)> {
    let mut reader = Reader::with_spans(text, pos);
    let value = T::deserialize(&mut reader)?;
    let spans = reader.spans.take().unwrap_or_default();
    Ok((value, reader.offset(), spans))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::raw::TopDoc;
    use serde::de::IgnoredAny;

    fn fast_ok(s: &str) -> bool {
        read_document::<IgnoredAny>(s, 0)
            .is_ok_and(|(_, end)| s.get(end..).is_some_and(|r| r.trim().is_empty()))
            && read_document::<serde_json::Value>(s, 0).is_ok()
    }

    fn serde_ok(s: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(s).is_ok()
    }

    #[test]
    fn agrees_with_serde_json_on_edge_cases() {
        let cases = [
            r#"{}"#,
            r#"[]"#,
            r#"{"a":1,}"#,
            r#"[1,]"#,
            r#"[,1]"#,
            r#"{,}"#,
            r#"{"a" 1}"#,
            r#"{"a":}"#,
            r#"{1:2}"#,
            r#"[01]"#,
            r#"[-]"#,
            r#"[-0]"#,
            r#"[1.]"#,
            r#"[.5]"#,
            r#"[1e]"#,
            r#"[1e+5]"#,
            r#"[1E-5]"#,
            r#"[1e400]"#,
            r#"[18446744073709551616]"#,
            r#"[-9223372036854775809]"#,
            r#"[-9223372036854775808]"#,
            r#"["\u0041\u00e9\ud83d\ude00"]"#,
            r#"["\ud83d"]"#,
            r#"["\ude00"]"#,
            r#"["\ud83d\u0041"]"#,
            r#"["\x"]"#,
            r#"["\u12g4"]"#,
            "[\"a\tb\"]",
            "[\"a\u{1}b\"]",
            r#"["a\"b\\c\/d\b\f\n\r\t"]"#,
            r#"[tru]"#,
            r#"[truex]"#,
            r#"[nul]"#,
            r#"[true,false,null]"#,
            r#"{"a":[{"b":{"c":"d"}}]}"#,
            "{\n    \"a\":    \"bbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\r\n\t\"c\": [ ]  }",
            r#"["unterminated"#,
            r#"{"a":1"#,
            r#"["é日本語🎉 and more than eight bytes"]"#,
        ];
        for case in cases {
            assert_eq!(fast_ok(case), serde_ok(case), "{case}");
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(!fast_ok(&deep));
        assert!(!serde_ok(&deep));
    }

    /// Every position of a block read (16 bytes natively, 8 in the fallback) and its tail: a
    /// special byte at each offset of a long string, and runs of blanks of every length.
    #[test]
    fn agrees_with_serde_json_at_every_block_offset() {
        let specials = [
            "\"", "\\\\", "\\u0041", "\u{1}", "\u{1f}", "\t", "\u{7f}", "é", "日",
        ];
        for at in 0..40 {
            for special in specials {
                let body = format!("{}{special}{}", "x".repeat(at), "y".repeat(40 - at));
                for case in [format!("[\"{body}\"]"), format!("{{\"{body}\": 1}}")] {
                    assert_eq!(fast_ok(&case), serde_ok(&case), "{case:?}");
                    if let (Ok((a, _)), Ok(b)) = (
                        read_document::<serde_json::Value>(&case, 0),
                        serde_json::from_str::<serde_json::Value>(&case),
                    ) {
                        assert_eq!(a, b, "{case:?}");
                    }
                }
            }
        }
        for n in 0..40 {
            for blank in [" ", "\n", "\t", "\r\n"] {
                let pad = format!("{}{blank}{}", " ".repeat(n), " ".repeat(n % 7));
                let case = format!(
                    "{pad}{{{pad}\"a\"{pad}:{pad}[{pad}1{pad},{pad}\"b\"{pad}]{pad}}}{pad}"
                );
                assert!(fast_ok(&case), "{case:?}");
                let broken = format!("{pad}{{{pad}\"a\"{pad}{pad}1{pad}}}");
                assert!(!fast_ok(&broken), "{broken:?}");
            }
        }
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        use super::super::raw::Val;
        let text = r#"["plain", "esc\naped", "\u00e9x"]"#;
        let (v, _) = read_document::<Vec<Val<'_>>>(text, 0).unwrap_or_default();
        assert!(matches!(v.first(), Some(Val::Str(Cow::Borrowed("plain")))));
        assert!(matches!(v.get(1), Some(Val::Str(Cow::Owned(s))) if s == "esc\naped"));
        assert!(matches!(v.get(2), Some(Val::Str(Cow::Owned(s))) if s == "éx"));
    }

    #[test]
    fn values_match_serde_json() {
        let doc = r#" {"a": [1, -2, 3.5, 1e3, -0, 18446744073709551615, 18446744073709551616, true, null, "x\ty"], "b": {"c": {}}} "#;
        let (fast, end) = read_document::<serde_json::Value>(doc, 0).unwrap_or_default();
        let slow: serde_json::Value = serde_json::from_str(doc).unwrap_or_default();
        assert_eq!(fast, slow);
        assert_eq!(doc.get(end..), Some(" "));
    }

    /// Numbers equal up to float rounding (serde_json's default float parser may differ from
    /// `str::parse` in the last bit); everything else exactly.
    fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
        use serde_json::Value as J;
        match (a, b) {
            (J::Number(x), J::Number(y)) if x.is_f64() || y.is_f64() => {
                match (x.as_f64(), y.as_f64()) {
                    (Some(x), Some(y)) => x == y || ((x - y) / x).abs() < 1e-15,
                    _ => false,
                }
            }
            (J::Array(x), J::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
            }
            (J::Object(x), J::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
            }
            _ => a == b,
        }
    }

    /// What serde_json makes of the documents in `text`: each one's value and end, up to the
    /// first error (`None`).
    fn serde_docs(text: &str) -> Vec<Option<(usize, serde_json::Value, usize)>> {
        let mut out = Vec::new();
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
        loop {
            let before = stream.byte_offset();
            match stream.next() {
                None => return out,
                Some(Ok(v)) => {
                    let start = before
                        + text
                            .get(before..)
                            .map_or(0, |r| r.len() - r.trim_start().len());
                    out.push(Some((start, v, stream.byte_offset())));
                }
                Some(Err(_)) => {
                    out.push(None);
                    return out;
                }
            }
        }
    }

    /// The fast reader agrees with serde_json on every document of `text`. Returns how many
    /// documents it compared.
    fn agree(text: &str, what: &str) -> usize {
        let docs = serde_docs(text);
        let mut pos = 0;
        for doc in &docs {
            let mut r = Reader::new(text, pos);
            r.skip_blanks();
            let start = r.offset();
            let fast = read_document::<serde_json::Value>(text, start);
            let skim = read_document::<IgnoredAny>(text, start).map(|(_, end)| end);
            // Reading describe-* documents, with nested interface lists read or skipped: skipping
            // accepts exactly what reading does (bar a wrong shape inside a skipped list), and
            // never what serde_json refuses.
            let typed = read_document::<TopDoc>(text, start).map(|(_, end)| end);
            let spans = read_document_with_spans::<TopDoc>(text, start).map(|(_, end, _)| end);
            if typed.is_ok() {
                assert_eq!(spans, typed, "{what}: skipping nested lists at {start}");
            }
            if let Ok(end) = spans {
                let doc = text.get(start..end).unwrap_or_default();
                assert!(
                    serde_json::from_str::<serde_json::Value>(doc).is_ok(),
                    "{what}: skipping nested lists accepts what serde_json refuses at {start}"
                );
            }
            match doc {
                Some((s, v, end)) => {
                    assert_eq!(start, *s, "{what}: document start");
                    assert!(
                        fast.is_ok(),
                        "{what}: serde_json reads the document at {start}, the fast reader does not: {fast:?}"
                    );
                    let Ok((fv, fend)) = fast else { return 0 };
                    assert!(same(&fv, v), "{what}: values differ at {start}");
                    assert_eq!(fend, *end, "{what}: document end");
                    assert_eq!(skim, Ok(*end), "{what}: skipping");
                    pos = *end;
                }
                None => {
                    // serde_json refuses this document; the fast reader must refuse it too,
                    // unless what it read ends before serde_json's error (a stream of documents
                    // where serde_json wants a separator).
                    if let Ok((_, fend)) = fast {
                        let rest = text.get(fend..).unwrap_or_default();
                        assert!(
                            serde_json::from_str::<serde_json::Value>(text.get(start..fend).unwrap_or_default()).is_ok()
                                && !rest.trim().is_empty(),
                            "{what}: the fast reader accepts a document serde_json refuses at {start}"
                        );
                    }
                    assert_eq!(
                        skim.is_ok(),
                        fast.is_ok(),
                        "{what}: skipping and reading disagree"
                    );
                }
            }
        }
        docs.len()
    }

    fn corpus_texts() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
        let mut out = Vec::new();
        let mut dirs = vec![root];
        while let Some(d) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "json") {
                    if let Ok(text) = std::fs::read_to_string(&p) {
                        let text = text.trim_start_matches('\u{feff}').to_owned();
                        out.push((p.display().to_string(), text));
                    }
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn agrees_with_serde_json_on_the_corpus() {
        let texts = corpus_texts();
        assert!(
            texts.len() > 500,
            "the corpus is beside the repository: {} files",
            texts.len()
        );
        let docs: usize = texts.iter().map(|(name, text)| agree(text, name)).sum();
        assert!(docs >= texts.len());
    }

    /// A xorshift generator: the mutation tests' random numbers, the same on every run.
    fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    /// Deletes the byte at `at`, or replaces it with a byte of `vocabulary`, or inserts one before it.
    fn mutate(bytes: &mut Vec<u8>, at: usize, vocabulary: &[u8], next: &mut impl FnMut() -> u64) {
        let b = vocabulary
            .get(next() as usize % vocabulary.len().max(1))
            .copied()
            .unwrap_or(b' ');
        match next() % 3 {
            0 => {
                if at < bytes.len() {
                    bytes.remove(at);
                }
            }
            1 => {
                if let Some(x) = bytes.get_mut(at) {
                    *x = b;
                }
            }
            _ => bytes.insert(at.min(bytes.len()), b),
        }
    }

    /// Mutations inside the interface lists nested in describe-instances, which a full load only
    /// skips: the skip must refuse exactly the JSON that serde_json refuses.
    #[test]
    fn skipped_nested_lists_are_validated_like_serde_json() {
        let texts = corpus_texts();
        let mut lists: Vec<(&str, Vec<std::ops::Range<usize>>)> = Vec::new();
        for (_, t) in &texts {
            if let Ok((_, _, spans)) = read_document_with_spans::<TopDoc>(t, 0) {
                if !spans.elements.is_empty() {
                    lists.push((t, spans.elements.iter().map(|e| e.0.clone()).collect()));
                }
            }
        }
        assert!(
            lists.len() >= 5,
            "corpus documents with nested interfaces: {}",
            lists.len()
        );
        let mut next = xorshift(0x2545_F491_4F6C_DD1D);
        let vocabulary = b"{}[],:\"\\ \n0123456789-.etrufalsn";
        let mut compared = 0;
        for round in 0..4_000u32 {
            let Some((base, ranges)) = lists.get(next() as usize % lists.len()) else {
                continue;
            };
            let Some(r) = ranges.get(next() as usize % ranges.len()) else {
                continue;
            };
            let mut bytes = base.as_bytes().to_vec();
            let blank = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_whitespace);
            // The element's edges, and the list's `[`, `,` or `]` on either side of it.
            let mut before = r.start;
            while before > 0 && blank(before - 1) {
                before -= 1;
            }
            let mut after = r.end;
            while blank(after) {
                after += 1;
            }
            let edges = [
                before.saturating_sub(1),
                r.start,
                r.end.saturating_sub(1),
                after,
            ];
            let structural: Vec<usize> = r
                .clone()
                .filter(|&i| bytes.get(i).is_some_and(|b| b"{}[],:\"".contains(b)))
                .collect();
            let (at, vocabulary): (usize, &[u8]) = match next() % 3 {
                0 => (
                    edges
                        .get(next() as usize % edges.len())
                        .copied()
                        .unwrap_or(r.start),
                    b"{}[],:\" ",
                ),
                1 => (
                    structural
                        .get(next() as usize % structural.len().max(1))
                        .copied()
                        .unwrap_or(r.start),
                    b"{}[],:\" ",
                ),
                _ => (r.start + next() as usize % r.len().max(1), vocabulary),
            };
            mutate(&mut bytes, at, vocabulary, &mut next);
            let Ok(text) = String::from_utf8(bytes) else {
                continue;
            };
            compared += agree(&text, &format!("nested mutant {round}"));
        }
        assert!(compared > 3_000);
    }

    /// Mutated corpus documents: a byte deleted, replaced or inserted (from JSON's own
    /// vocabulary), many times over. Whatever serde_json accepts, the fast reader reads to the
    /// same value; whatever it refuses, the fast reader refuses.
    #[test]
    fn agrees_with_serde_json_on_mutated_documents() {
        let texts = corpus_texts();
        let small: Vec<&String> = texts
            .iter()
            .map(|(_, t)| t)
            .filter(|t| t.len() < 6000)
            .collect();
        assert!(small.len() > 100);
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        let vocabulary = b"{}[],:\"\\ \n\t0123456789-+.eEtrufalsn/bu\x01";
        let mut compared = 0;
        for round in 0..40_000u32 {
            let base = small
                .get(next() as usize % small.len())
                .map_or("", |s| s.as_str());
            let mut bytes = base.as_bytes().to_vec();
            for _ in 0..1 + next() % 3 {
                if bytes.is_empty() {
                    break;
                }
                let at = next() as usize % bytes.len();
                mutate(&mut bytes, at, vocabulary, &mut next);
            }
            let Ok(text) = String::from_utf8(bytes) else {
                continue;
            };
            compared += agree(&text, &format!("mutant {round}: {text}"));
        }
        assert!(compared > 30_000);
    }
}
