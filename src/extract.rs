//! Extraction: the visible text, title and links of an HTML page.
//!
//! The text is everything a reader sees, comment sections and forum posts included (that is
//! where incitement lives): `script`, `style`, `noscript`, `template` and `head` are skipped,
//! whitespace inside text is collapsed as a browser does (except in `pre`), and block elements
//! are separated by a blank line so that phrases never run from one block into the next.
//! No main-content heuristics: nothing visible is dropped.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

/// What a page says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    pub title: String,
    pub text: String,
    /// `href` values of `a` and `area` elements, as written.
    pub links: Vec<String>,
    /// The first `<base href>`, if any.
    pub base: Option<String>,
}

/// What an element means to extraction, looked up once per tag by name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Never visible: `script`, `style`, `noscript`, `template`, `head`, `iframe`, `object`.
    Skipped,
    /// Separated from what is around it by a blank line.
    Block,
    /// `pre`: a block whose whitespace is kept.
    Pre,
    /// `td`, `th`: separated by a tab.
    Cell,
    Br,
    Title,
    Base,
    /// `a`, `area`: a link.
    Link,
    Other,
}

fn role(name: &str) -> Role {
    match name {
        "script" | "style" | "noscript" | "template" | "head" | "iframe" | "object" => Role::Skipped,
        "address" | "article" | "aside" | "blockquote" | "body" | "dd" | "details" | "dialog" | "div" | "dl" | "dt"
        | "fieldset" | "figcaption" | "figure" | "footer" | "form" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "header"
        | "hr" | "li" | "main" | "nav" | "ol" | "p" | "section" | "summary" | "table" | "tr" | "ul" | "caption"
        | "option" | "select" | "textarea" => Role::Block,
        "pre" => Role::Pre,
        "td" | "th" => Role::Cell,
        "br" => Role::Br,
        "title" => Role::Title,
        "base" => Role::Base,
        "a" | "area" => Role::Link,
        _ => Role::Other,
    }
}

/// Extracts the visible text, title and links of `html`.
///
/// ```
/// let page = "<title>T</title><script>kill()</script><p>Hello <b>world</b></p><div>next</div>";
/// let e = kuzet::extract::html(page);
/// assert_eq!(e.title, "T");
/// assert_eq!(e.text, "Hello world\n\nnext");
/// ```
pub fn html(source: &str) -> Extracted {
    let doc = Html::parse_document(source);
    let mut out = Extracted::default();
    let mut text = String::with_capacity(source.len() / 2);
    let (mut skip, mut pre, mut in_title) = (0usize, 0usize, false);
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => match role(el.name()) {
                    Role::Title => in_title |= out.title.is_empty(),
                    Role::Base if out.base.is_none() => out.base = el.attr("href").map(str::to_string),
                    Role::Link => out.links.extend(el.attr("href").map(str::to_string)),
                    Role::Skipped => skip += 1,
                    Role::Br => push_break(&mut text, "\n"),
                    Role::Cell => push_break(&mut text, " \t "),
                    Role::Block => push_break(&mut text, "\n\n"),
                    Role::Pre => {
                        push_break(&mut text, "\n\n");
                        pre += 1;
                    }
                    Role::Base | Role::Other => {}
                },
                Node::Text(t) if in_title => out.title.push_str(t),
                Node::Text(t) if skip == 0 => push_text(&mut text, t, pre > 0),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    match role(el.name()) {
                        Role::Title => in_title = false,
                        Role::Skipped => skip = skip.saturating_sub(1),
                        Role::Block => push_break(&mut text, "\n\n"),
                        Role::Pre => {
                            push_break(&mut text, "\n\n");
                            pre = pre.saturating_sub(1);
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    out.title = collapse(&out.title);
    out.text = text.trim().to_string();
    out
}

fn push_text(text: &mut String, t: &str, pre: bool) {
    if pre {
        text.push_str(t);
        return;
    }
    // Every whitespace character (Unicode's, as `char::is_whitespace`) reads as one space,
    // none after whitespace already written. The rest is copied in runs.
    let b = t.as_bytes();
    let (mut i, mut run) = (0, 0);
    while i < b.len() {
        if !MAYBE_SPACE[b[i] as usize]
            // One space after a character of this run and before one that is no space stays.
            || (b[i] == b' ' && i > run && b.get(i + 1).is_some_and(|&n| !MAYBE_SPACE[n as usize]))
        {
            i += 1;
            continue;
        }
        let c = t[i..].chars().next().unwrap_or(' ');
        if !c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        text.push_str(&t[run..i]);
        if !text.ends_with(char::is_whitespace) {
            text.push(' ');
        }
        i += c.len_utf8();
        run = i;
    }
    text.push_str(&t[run..]);
}

/// Bytes that may begin a whitespace character: ASCII whitespace, and the first bytes of
/// U+0085, U+00A0 (0xC2), U+1680 (0xE1), U+2000-U+205F (0xE2) and U+3000 (0xE3).
static MAYBE_SPACE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = (c as u8).is_ascii_whitespace() || matches!(c, 0x0B | 0xC2 | 0xE1 | 0xE2 | 0xE3);
        c += 1;
    }
    t
};

fn push_break(text: &mut String, brk: &str) {
    while text.ends_with(' ') {
        text.pop();
    }
    if !text.is_empty() && !text.ends_with(brk) && !text.ends_with("\n\n") {
        text.push_str(brk);
    }
}

/// Collapses whitespace runs to one space and trims.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, &str)] = &[
        ("<p>kill</p><p>all</p>", "kill\n\nall"),
        ("<div>a<script>var kill = 1;</script>b</div>", "ab"),
        ("<style>p{}</style><noscript>no</noscript><template><p>t</p></template>x", "x"),
        ("<p>line one<br>line two</p>", "line one\nline two"),
        ("<p>  spaced \n\n  out  </p>", "spaced out"),
        ("<div class=comments><div class=c>first</div><div class=c>second</div></div>", "first\n\nsecond"),
        ("<p>unclosed <b>bold <i>italic</p> tail", "unclosed bold italic\n\ntail"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a \t b"),
        ("<pre>keep\n  this</pre>", "keep\n  this"),
        ("<p>a\u{A0}\u{3000} b\u{2003}c\u{200B}d</p>", "a b c\u{200B}d"),
    ];

    /// `push_text` as first written, one character at a time: the reference.
    fn push_text_by_words(text: &mut String, t: &str) {
        for (i, word) in t.split(char::is_whitespace).enumerate() {
            if i > 0 && !text.ends_with(char::is_whitespace) {
                text.push(' ');
            }
            text.push_str(word);
        }
    }

    proptest::proptest! {
        #[test]
        fn push_text_collapses_whitespace_as_the_reference(
            before in proptest::sample::select(vec!["", "x", "x ", "x\n\n", "x\u{A0}"]),
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "убить", " ", "  ", "\n", "\t", "\r", "\u{B}", "\u{C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}",
                "\u{200A}", "\u{200B}", "\u{2028}", "\u{202F}", "\u{205F}", "\u{3000}", "«", "»", "\u{2014}", "ᚠ", "、",
            ]), 0..30)
        ) {
            let t: String = parts.concat();
            let (mut got, mut want) = (before.to_string(), before.to_string());
            push_text(&mut got, &t, false);
            push_text_by_words(&mut want, &t);
            proptest::prop_assert_eq!(got, want, "{:?}", t);
        }
    }

    #[test]
    fn table() {
        for &(page, want) in CASES {
            assert_eq!(html(page).text, want, "{page:?}");
        }
    }

    #[test]
    fn links_title_base() {
        let e = html("<head><title> A \n title </title><base href='/x/'></head><a href='p1'>1</a><area href='p2'><a>no</a>");
        assert_eq!(e.title, "A title");
        assert_eq!(e.base.as_deref(), Some("/x/"));
        assert_eq!(e.links, ["p1", "p2"]);
    }
}
