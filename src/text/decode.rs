//! Decoding: bytes to text, the way a browser would choose the encoding.
//!
//! Order: byte-order mark → the HTTP `charset` → a `<meta>` prescan of the first 1024 bytes
//! (HTML only) → valid UTF-8 → chardetng's guess with the top-level domain as a hint → UTF-8
//! with replacement characters. Which step decided is recorded: analysts ask.
//! A declared charset that fails to decode cleanly falls through to the next step, since old
//! Russian sites often declare it wrongly.

use encoding_rs::{Encoding, UTF_8};

/// Which step chose the encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecidedBy {
    Bom,
    HttpCharset,
    MetaCharset,
    Utf8,
    Detector,
}

impl DecidedBy {
    /// Name used in logs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DecidedBy::Bom => "bom",
            DecidedBy::HttpCharset => "http-charset",
            DecidedBy::MetaCharset => "meta-charset",
            DecidedBy::Utf8 => "utf-8",
            DecidedBy::Detector => "detector",
        }
    }
}

/// Decoded text.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    pub decided_by: DecidedBy,
}

/// [`decode`] of bytes the caller gives up: text that is UTF-8 already (no byte-order mark, no
/// charset declared) keeps its buffer, neither copied nor validated twice.
pub fn decode_owned(bytes: Vec<u8>, http_charset: Option<&str>, tld: Option<&str>, html: bool) -> Decoded {
    let undeclared = Encoding::for_bom(&bytes).is_none() && http_charset.is_none() && !(html && meta_charset(&bytes).is_some());
    if undeclared && simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: simdutf8 has just found `bytes` to be UTF-8.
        let text = unsafe { String::from_utf8_unchecked(bytes) };
        return Decoded { text, encoding: UTF_8, decided_by: DecidedBy::Utf8 };
    }
    decode(&bytes, http_charset, tld, html)
}

/// Decodes `bytes`; `http_charset` is the Content-Type charset, `tld` the host's top-level domain.
///
/// ```
/// let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode("Привет, мир! Убийство запрещено.");
/// let d = kuzet::decode::decode(&cp1251, None, Some("ru"), false);
/// assert_eq!(d.text, "Привет, мир! Убийство запрещено.");
/// assert_eq!(d.encoding, encoding_rs::WINDOWS_1251);
/// ```
pub fn decode(bytes: &[u8], http_charset: Option<&str>, tld: Option<&str>, html: bool) -> Decoded {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return Decoded { text: text.into_owned(), encoding, decided_by: DecidedBy::Bom };
    }
    let declared = [
        (http_charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())), DecidedBy::HttpCharset),
        (if html { meta_charset(bytes) } else { None }, DecidedBy::MetaCharset),
    ];
    for (encoding, decided_by) in declared {
        if let Some(encoding) = encoding {
            // A page declaring UTF-16 in <meta> is read as UTF-8 (WHATWG), as is any failure.
            let encoding = encoding.output_encoding();
            if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) {
                return Decoded { text: text.into_owned(), encoding, decided_by };
            }
        }
    }
    // simdutf8's validation: the standard library's ran at about 0.6 GB/s on Cyrillic text,
    // a tenth of `kuzet classify`'s time.
    let first_invalid = match simdutf8::compat::from_utf8(bytes) {
        Ok(text) => return Decoded { text: text.to_string(), encoding: UTF_8, decided_by: DecidedBy::Utf8 },
        Err(e) => e.valid_up_to(),
    };
    // The detector reads from just before the first byte that is not UTF-8 (the markup before
    // it is ASCII and tells nothing) until it has seen 2,048 bytes that are not ASCII, or 16 KiB.
    // chardetng reads about 10 MB/s; its guesses on Russian text in windows-1251, KOI8-R and
    // CP866 were the same from 512 such bytes on as from 16 KiB.
    let start = first_invalid.saturating_sub(256);
    let window = &bytes[start..bytes.len().min(start + DETECTOR_SAMPLE)];
    let mut end = 0;
    let mut seen = 0;
    for chunk in window.chunks(256) {
        if seen >= DETECTOR_NON_ASCII {
            break;
        }
        seen += chunk.iter().filter(|&&b| b >= 0x80).count();
        end += chunk.len();
    }
    let sample = &window[..end];
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    // `last` only when the sample is the end of the page: a cut sample would otherwise end a
    // multi-byte character and rule out the encoding it belongs to.
    detector.feed(sample, start + end == bytes.len());
    let encoding = detector.guess(tld.map(str::as_bytes), chardetng::Utf8Detection::Allow);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    Decoded { text: text.into_owned(), encoding, decided_by: DecidedBy::Detector }
}

/// Bytes the encoding detector reads at most.
const DETECTOR_SAMPLE: usize = 16 << 10;

/// Bytes that are not ASCII after which the detector has read enough.
const DETECTOR_NON_ASCII: usize = 2048;

/// Bytes sniffed before the binary check.
const SNIFF: usize = 8192;

/// Whether `bytes` look like a binary file rather than text in any encoding: a NUL byte or
/// many control bytes in the first 8 KiB (git's and file(1)'s test), unless a UTF-16 or
/// UTF-32 byte-order mark says the NULs are text. Leet decoding finds words in machine code,
/// so binaries are never analysed.
///
/// ```
/// assert!(kuzet::decode::looks_binary(b"\x7fELF\x02\x01\x01\0\0\0"));
/// assert!(!kuzet::decode::looks_binary("Убей их.\r\n\tTab\x0c".as_bytes()));
/// assert!(!kuzet::decode::looks_binary(b"\xFF\xFEh\0i\0"));
/// ```
pub fn looks_binary(bytes: &[u8]) -> bool {
    if Encoding::for_bom(bytes).is_some() {
        return false;
    }
    let head = &bytes[..bytes.len().min(SNIFF)];
    if memchr::memchr(0, head).is_some() {
        return true;
    }
    let controls = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)).count();
    controls * 10 > head.len()
}

/// A simplified WHATWG prescan: `charset=` in a `<meta>` tag in the first 1024 bytes.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"<meta") {
        let start = from + at;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = rest.iter().skip_while(|b| b.is_ascii_whitespace()).copied().collect::<Vec<u8>>();
            if let Some(value) = rest.strip_prefix(b"=") {
                let value: Vec<u8> = value
                    .iter()
                    .skip_while(|b| b.is_ascii_whitespace() || **b == b'"' || **b == b'\'')
                    .take_while(|b| !(b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b';' | b'/' | b'>')))
                    .copied()
                    .collect();
                if let Some(e) = Encoding::for_label(&value) {
                    return Some(e);
                }
            }
        }
        from = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_bytes_decode_as_borrowed_ones_and_utf8_keeps_its_buffer() {
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode("Привет, мир!");
        let (koi8, _, _) = encoding_rs::KOI8_R.encode("Привет, мир!");
        let cases: [(Vec<u8>, Option<&str>, bool); 7] = [
            ("Привет, мир!".as_bytes().to_vec(), None, false),
            (cp1251.into_owned(), None, false),
            (koi8.into_owned(), Some("koi8-r"), false),
            ("\u{FEFF}Привет".as_bytes().to_vec(), None, false),
            (b"<meta charset=windows-1251><p>\xcf\xf0\xe8\xe2\xe5\xf2".to_vec(), None, true),
            (b"<meta charset=utf-8><p>ok".to_vec(), None, true),
            (b"caf\xe9 \xff".to_vec(), None, false),
        ];
        for (bytes, charset, html) in cases {
            let borrowed = decode(&bytes, charset, Some("ru"), html);
            let owned = decode_owned(bytes.clone(), charset, Some("ru"), html);
            assert_eq!((owned.text.as_str(), owned.encoding, owned.decided_by), (borrowed.text.as_str(), borrowed.encoding, borrowed.decided_by), "{bytes:?}");
        }
        let bytes = "Привет, мир!".as_bytes().to_vec();
        let at = bytes.as_ptr();
        assert_eq!(decode_owned(bytes, None, None, false).text.as_ptr(), at);
    }

    #[test]
    fn steps() {
        let text = "Призывы к насилию запрещены законом. Суд вынес приговор.";
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let (koi8, _, _) = encoding_rs::KOI8_R.encode(text);
        let meta = [b"<html><head><meta charset=\"windows-1251\"></head><body>".as_slice(), &cp1251].concat();
        let meta_eq = [b"<meta http-equiv='Content-Type' content='text/html; charset=koi8-r'>".as_slice(), &koi8].concat();
        // 40 KB of ASCII markup before the text, and a long text after the detector's sample.
        let long_head = [b"<html><head>".as_slice(), &b"<script>var a = 1;</script>\n".repeat(1500), &koi8, &koi8.repeat(800)].concat();
        // (bytes, HTTP charset, top-level domain, HTML, what decided, how the text ends)
        type Case<'a> = (&'a [u8], Option<&'a str>, Option<&'a str>, bool, DecidedBy, &'a str);
        let cases: Vec<Case> = vec![
            (b"\xEF\xBB\xBFhi", None, None, false, DecidedBy::Bom, "hi"),
            (&cp1251, Some("windows-1251"), None, false, DecidedBy::HttpCharset, text),
            (&meta, None, None, true, DecidedBy::MetaCharset, text),
            (&meta_eq, None, None, true, DecidedBy::MetaCharset, text),
            ("уже utf-8".as_bytes(), None, None, false, DecidedBy::Utf8, "уже utf-8"),
            (&cp1251, None, Some("kz"), false, DecidedBy::Detector, text),
            (&koi8, None, Some("ru"), false, DecidedBy::Detector, text),
            (&long_head, None, Some("ru"), true, DecidedBy::Detector, text),
            // a wrong declared charset falls through
            (&cp1251, Some("utf-8"), Some("ru"), false, DecidedBy::Detector, text),
        ];
        for (bytes, http, tld, html, by, want) in cases {
            let d = decode(bytes, http, tld, html);
            assert_eq!(d.decided_by, by, "{want}");
            assert!(d.text.ends_with(want), "{} vs {want}", d.text);
        }
    }
}
