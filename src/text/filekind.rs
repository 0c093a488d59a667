//! What a file is, told by its first bytes (its magic number), never by its name.
//!
//! Reviewers save queue files as CSV, as an Excel workbook, or by mistake as something else
//! (an OpenDocument spreadsheet, a PDF print, a zip of several files); a lexicon edited in a
//! spreadsheet may come back as a workbook under its `.csv` name. [`sniff`] names each, so a
//! message can say "x.csv is an Excel workbook" instead of a decoding error. It does not read
//! any of these formats: [`crate::review`] reads CSV and workbooks.

use crate::decode::looks_binary;

/// What the bytes of a file are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text in any encoding (CSV is text).
    Text,
    /// An Office Open XML workbook (Excel's .xlsx, LibreOffice's "Excel 2007-365").
    Xlsx,
    /// An Excel binary workbook (.xlsb).
    Xlsb,
    /// An OpenDocument spreadsheet (.ods, LibreOffice's own format).
    Ods,
    /// Another OpenDocument file (text, presentation).
    OpenDocument,
    /// A Word document (.docx).
    Docx,
    /// An Office 97-2003 file (.xls, .doc).
    Ole,
    /// Another zip archive.
    Zip,
    Pdf,
    Gzip,
    /// Anything else that is not text.
    Binary,
}

impl Kind {
    /// What to call it in a message: "x.csv is {describe}".
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Text => "a text file",
            Kind::Xlsx => "an Excel workbook (.xlsx)",
            Kind::Xlsb => "an Excel binary workbook (.xlsb)",
            Kind::Ods => "an OpenDocument spreadsheet (.ods)",
            Kind::OpenDocument => "an OpenDocument file (not a spreadsheet)",
            Kind::Docx => "a Word document (.docx)",
            Kind::Ole => "an Office 97-2003 file (.xls or .doc)",
            Kind::Zip => "a zip archive",
            Kind::Pdf => "a PDF document",
            Kind::Gzip => "a gzip-compressed file",
            Kind::Binary => "a binary file (not text)",
        }
    }
}

/// The kind of `bytes`, by their first bytes: the zip, OLE2, PDF and gzip signatures, and for a
/// zip the names of its first entries (an OpenDocument file's first entry is its `mimetype`).
pub fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return zip_kind(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Kind::Ole;
    }
    if bytes.starts_with(b"%PDF-") {
        return Kind::Pdf;
    }
    if bytes.starts_with(&[0x1F, 0x8B]) {
        return Kind::Gzip;
    }
    if looks_binary(bytes) { Kind::Binary } else { Kind::Text }
}

/// Which zip: the entry names in the local headers of its first 64 KiB tell the Office and
/// OpenDocument formats apart.
fn zip_kind(bytes: &[u8]) -> Kind {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
    if bytes.get(30..38) == Some(b"mimetype") {
        return if has(b"application/vnd.oasis.opendocument.spreadsheet") { Kind::Ods } else { Kind::OpenDocument };
    }
    if has(b"xl/workbook.bin") {
        Kind::Xlsb
    } else if has(b"xl/") {
        Kind::Xlsx
    } else if has(b"word/") {
        Kind::Docx
    } else {
        Kind::Zip
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip's first local header naming `entry`, followed by `content`.
    fn zip(entry: &str, content: &str) -> Vec<u8> {
        let mut b = b"PK\x03\x04".to_vec();
        b.extend([0u8; 22]);
        b.extend((entry.len() as u16).to_le_bytes());
        b.extend([0u8; 2]);
        b.extend(entry.as_bytes());
        b.extend(content.as_bytes());
        b
    }

    #[test]
    fn kinds_by_content() {
        let cases: Vec<(Vec<u8>, Kind)> = vec![
            ("\u{FEFF}priority,category\r\n1,violence\r\n".into(), Kind::Text),
            (b"\xFF\xFEi\0t\0".to_vec(), Kind::Text),
            (encoding_rs::WINDOWS_1251.encode("item_id;decision;notes\r\nk1;confirmed;Қазақша\r\n").0.into_owned(), Kind::Text),
            (zip("[Content_Types].xml", "<Types/>PK\x03\x04....xl/workbook.xml"), Kind::Xlsx),
            (zip("[Content_Types].xml", "xl/workbook.bin"), Kind::Xlsb),
            (zip("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), Kind::Ods),
            (zip("mimetype", "application/vnd.oasis.opendocument.text"), Kind::OpenDocument),
            (zip("[Content_Types].xml", "word/document.xml"), Kind::Docx),
            (zip("notes.txt", "hello"), Kind::Zip),
            (b"PK\x05\x06\0\0\0\0".to_vec(), Kind::Zip),
            (vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0], Kind::Ole),
            (b"%PDF-1.7\n%\xE2\xE3".to_vec(), Kind::Pdf),
            (vec![0x1F, 0x8B, 8, 0, 0, 0], Kind::Gzip),
            (b"\x7fELF\x02\x01\x01\0\0\0".to_vec(), Kind::Binary),
        ];
        for (bytes, want) in cases {
            assert_eq!(sniff(&bytes), want, "{:?}", String::from_utf8_lossy(&bytes[..bytes.len().min(40)]));
        }
    }
}
