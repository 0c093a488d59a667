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

const SKIPPED: &[&str] = &["script", "style", "noscript", "template", "head", "iframe", "object"];
const BLOCKS: &[&str] = &[
    "address", "article", "aside", "blockquote", "body", "dd", "details", "dialog", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "summary", "table", "tr", "ul", "caption", "option", "select", "textarea",
];

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
                Node::Element(el) => {
                    let name = el.name();
                    if name == "title" && out.title.is_empty() {
                        in_title = true;
                    }
                    if name == "base" && out.base.is_none() {
                        out.base = el.attr("href").map(str::to_string);
                    }
                    if matches!(name, "a" | "area")
                        && let Some(href) = el.attr("href") {
                            out.links.push(href.to_string());
                        }
                    if SKIPPED.contains(&name) {
                        skip += 1;
                    } else if name == "br" {
                        push_break(&mut text, "\n");
                    } else if matches!(name, "td" | "th") {
                        push_break(&mut text, " \t ");
                    } else if BLOCKS.contains(&name) {
                        push_break(&mut text, "\n\n");
                    }
                    if name == "pre" {
                        pre += 1;
                    }
                }
                Node::Text(t) if in_title => out.title.push_str(t),
                Node::Text(t) if skip == 0 => push_text(&mut text, t, pre > 0),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    if name == "title" {
                        in_title = false;
                    }
                    if SKIPPED.contains(&name) {
                        skip = skip.saturating_sub(1);
                    } else if BLOCKS.contains(&name) {
                        push_break(&mut text, "\n\n");
                    }
                    if name == "pre" {
                        pre = pre.saturating_sub(1);
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
    for (i, word) in t.split(char::is_whitespace).enumerate() {
        if i > 0 && !text.ends_with(char::is_whitespace) {
            text.push(' ');
        }
        text.push_str(word);
    }
}

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
    ];

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
