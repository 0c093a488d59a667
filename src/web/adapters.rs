//! Site adapters: how a page of posts (a forum thread, a public channel's web preview, a
//! comment section) splits into items, each with its own permalink, author, time, text and
//! place on the page.
//!
//! An adapter is a TOML file (`adapters/*.toml`, bundled in the binary like the lexicons,
//! or a folder given instead). It says which pages it applies to — URL patterns (regular
//! expressions), and page markers: CSS selectors that must match, checked only on pages that
//! contain one of its `hints` (plain strings), so that a page no adapter could apply to is
//! never parsed twice — and the CSS selectors of the item, its text, author, time (with the
//! attribute to read), permalink, the post it replies to, and the link to older items. A
//! `json_ld` adapter reads schema.org JSON-LD instead of selectors.
//!
//! [`Adapters::split`] is the pure function: (URL, decoded HTML) → the items, or `None` when
//! no adapter applies (the page stays one item and keeps the fast extraction path). The page
//! is parsed with `scraper`; its `Html` is not `Send`, so it lives and dies inside the call.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use aho_corasick::AhoCorasick;
use ego_tree::iter::Edge;
use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};
use serde::Deserialize;
use toml::Spanned;
use url::Url;

/// An adapter file's path inside the bundled folder.
pub type File = crate::bundled::File;

/// One post on a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    /// The post's URL: its own link, or the page URL with the post's anchor.
    pub permalink: String,
    pub author: String,
    /// As the markup gives it (an ISO time from a `datetime` attribute, usually).
    pub time: String,
    pub text: String,
    /// 1-based place on the page, in document order.
    pub position: usize,
    /// The permalink of the post this one replies to, when the markup says.
    pub reply_to: String,
    /// The thread's or channel's title.
    pub title: String,
}

/// A page split into items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    /// The adapter's name.
    pub adapter: String,
    pub items: Vec<Item>,
    /// The link to older items (the previous page of a thread, older channel messages).
    pub older: Option<Url>,
}

/// An adapter file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    #[error("{file}:{line}: selector `{selector}` does not parse: {message}")]
    Selector { file: PathBuf, line: usize, selector: String, message: String },
    #[error("{file}:{line}: URL pattern `{pattern}` does not parse: {message}")]
    Pattern { file: PathBuf, line: usize, pattern: String, message: String },
    #[error("{0}")]
    Settings(String),
    #[error("{file}: {message}")]
    Invalid { file: PathBuf, message: String },
    #[error("{file}: {source}")]
    Io { file: PathBuf, source: std::io::Error },
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdapterFile {
    name: String,
    /// Tried after every adapter that is not generic.
    #[serde(default)]
    generic: bool,
    #[serde(default)]
    urls: Vec<Spanned<String>>,
    #[serde(default)]
    hints: Vec<String>,
    #[serde(default)]
    markers: Vec<Spanned<String>>,
    /// schema.org types read from JSON-LD (`json_ld` adapters have no item selector).
    #[serde(default)]
    json_ld: Vec<String>,
    item: Option<Spanned<String>>,
    text: Option<Spanned<String>>,
    author: Option<Spanned<String>>,
    time: Option<Spanned<String>>,
    #[serde(default = "time_attrs")]
    time_attrs: Vec<String>,
    permalink: Option<Spanned<String>>,
    #[serde(default = "href")]
    permalink_attr: String,
    /// The item's attribute holding its anchor (`id`): permalink = page URL + `#` + it.
    anchor_attr: Option<String>,
    /// The link to the post this one replies to (read from `reply_to_attr`).
    reply_to: Option<Spanned<String>>,
    #[serde(default = "href")]
    reply_to_attr: String,
    /// The post replies to the item it sits in (nested comments).
    #[serde(default)]
    reply_to_parent: bool,
    older: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    /// The page's own post (an article above its comments): an item with the page's URL,
    /// read with `main_author` and `main_time`.
    main: Option<Spanned<String>>,
    main_author: Option<Spanned<String>>,
    main_time: Option<Spanned<String>>,
}

fn time_attrs() -> Vec<String> {
    vec!["datetime".into(), "content".into(), "title".into()]
}

fn href() -> String {
    "href".into()
}

/// One compiled adapter.
#[derive(Debug)]
struct Adapter {
    name: String,
    generic: bool,
    urls: Vec<Regex>,
    hinted: bool,
    markers: Vec<Selector>,
    json_ld: Vec<String>,
    item: Option<Selector>,
    text: Option<Selector>,
    author: Option<Selector>,
    time: Option<Selector>,
    time_attrs: Vec<String>,
    permalink: Option<Selector>,
    permalink_attr: String,
    anchor_attr: Option<String>,
    reply_to: Option<Selector>,
    reply_to_attr: String,
    reply_to_parent: bool,
    older: Option<Selector>,
    title: Option<Selector>,
    main: Option<Selector>,
    main_author: Option<Selector>,
    main_time: Option<Selector>,
}

/// Every adapter, in the order they are tried, and the hints that let a page be parsed.
#[derive(Debug)]
pub struct Adapters {
    list: Vec<Adapter>,
    /// Every adapter's hints; pattern i belongs to adapter `hint_owner[i]`.
    hints: Option<AhoCorasick>,
    hint_owner: Vec<usize>,
}

/// Lines are 1-based; `span` is a byte range in `text`.
fn line_of(text: &str, at: usize) -> usize {
    1 + text[..at.min(text.len())].matches('\n').count()
}

impl Adapters {
    /// No adapters: every page stays one item.
    pub fn none() -> Adapters {
        Adapters { list: Vec::new(), hints: None, hint_owner: Vec::new() }
    }

    /// The adapters compiled into the binary.
    pub fn bundled() -> Result<Adapters, AdapterError> {
        let files: Vec<(PathBuf, String)> =
            crate::bundled::ADAPTER_FILES.iter().map(|(name, bytes)| (Path::new("[bundled]/adapters").join(name), String::from_utf8_lossy(bytes).into_owned())).collect();
        Adapters::from_files(&files)
    }

    /// Every `*.toml` of `dir` (not recursive), sorted by name.
    pub fn load_dir(dir: &Path) -> Result<Adapters, AdapterError> {
        let io = |source| AdapterError::Io { file: dir.to_path_buf(), source };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml") && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
            .collect();
        paths.sort();
        let mut files = Vec::new();
        for path in paths {
            let bytes = crate::input::read_regular(&path).map_err(|source| AdapterError::Io { file: path.clone(), source })?;
            let text = String::from_utf8(bytes).map_err(|_| AdapterError::Invalid { file: path.clone(), message: "not UTF-8".into() })?;
            files.push((path, text));
        }
        Adapters::from_files(&files)
    }

    /// The adapters of `dir`, or the bundled ones.
    pub fn load(dir: Option<&Path>) -> Result<Adapters, AdapterError> {
        match dir {
            Some(dir) => Adapters::load_dir(dir),
            None => Adapters::bundled(),
        }
    }

    /// Compiles (file name, TOML text) pairs; the first error names its file and line.
    pub fn from_files(files: &[(PathBuf, String)]) -> Result<Adapters, AdapterError> {
        let mut list = Vec::new();
        let mut hint_words = Vec::new();
        let mut hint_owner = Vec::new();
        for (path, text) in files {
            let file: AdapterFile = crate::settings::parse(text).map_err(|e| AdapterError::Settings(e.render(path)))?;
            let index = list.len();
            for h in &file.hints {
                if !h.is_empty() {
                    hint_words.push(h.clone());
                    hint_owner.push(index);
                }
            }
            list.push(compile(path, text, file)?);
        }
        // Specific adapters before generic ones, each group in file order.
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by_key(|&i| list[i].generic);
        let position: Vec<usize> = {
            let mut p = vec![0; list.len()];
            for (new, &old) in order.iter().enumerate() {
                p[old] = new;
            }
            p
        };
        let mut slots: Vec<Option<Adapter>> = list.into_iter().map(Some).collect();
        let list: Vec<Adapter> = order.iter().map(|&i| slots[i].take().expect("each adapter once")).collect();
        let hint_owner = hint_owner.into_iter().map(|i| position[i]).collect();
        let hints = if hint_words.is_empty() {
            None
        } else {
            Some(AhoCorasick::builder().ascii_case_insensitive(true).build(&hint_words).map_err(|e| AdapterError::Invalid { file: PathBuf::from("adapters"), message: e.to_string() })?)
        };
        Ok(Adapters { list, hints, hint_owner })
    }

    /// The adapters' names, in the order they are tried.
    pub fn names(&self) -> Vec<&str> {
        self.list.iter().map(|a| a.name.as_str()).collect()
    }

    /// Whether any adapter might apply to the page: its URL matches a pattern, or its text
    /// holds a hint. Cheap: one pass over the bytes, no parsing.
    fn candidates(&self, url: &Url, html: &str) -> Vec<usize> {
        let mut hit = vec![false; self.list.len()];
        for (i, a) in self.list.iter().enumerate() {
            // Known by markers alone: every page is parsed and checked (a folder's choice).
            if a.urls.iter().any(|r| r.is_match(url.as_str())) || (!a.hinted && a.urls.is_empty()) {
                hit[i] = true;
            }
        }
        if let Some(ac) = &self.hints {
            for m in ac.find_overlapping_iter(html) {
                hit[self.hint_owner[m.pattern().as_usize()]] = true;
            }
        }
        (0..self.list.len()).filter(|&i| hit[i]).collect()
    }

    /// The items of the page at `url`, or `None` when no adapter applies (or the one that
    /// applies finds no item).
    pub fn split(&self, url: &Url, html: &str) -> Option<Split> {
        let candidates = self.candidates(url, html);
        if candidates.is_empty() {
            return None;
        }
        let doc = Html::parse_document(html);
        for i in candidates {
            let a = &self.list[i];
            let by_url = a.urls.iter().any(|r| r.is_match(url.as_str()));
            let marked = a.markers.iter().any(|m| doc.select(m).next().is_some());
            if !(by_url || marked || (a.markers.is_empty() && a.hinted)) {
                continue;
            }
            let split = a.split(url, &doc);
            if !split.items.is_empty() {
                return Some(split);
            }
        }
        None
    }
}

fn compile(path: &Path, text: &str, file: AdapterFile) -> Result<Adapter, AdapterError> {
    let selector = |s: &Option<Spanned<String>>| -> Result<Option<Selector>, AdapterError> {
        s.as_ref().map(|s| parse_selector(path, text, s)).transpose()
    };
    let urls = file
        .urls
        .iter()
        .map(|p| {
            Regex::new(p.get_ref()).map_err(|e| AdapterError::Pattern { file: path.to_path_buf(), line: line_of(text, p.span().start), pattern: p.get_ref().clone(), message: e.to_string() })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let markers = file.markers.iter().map(|m| parse_selector(path, text, m)).collect::<Result<Vec<_>, _>>()?;
    let adapter = Adapter {
        name: file.name.clone(),
        generic: file.generic,
        urls,
        hinted: !file.hints.is_empty(),
        markers,
        json_ld: file.json_ld.clone(),
        item: selector(&file.item)?,
        text: selector(&file.text)?,
        author: selector(&file.author)?,
        time: selector(&file.time)?,
        time_attrs: file.time_attrs.clone(),
        permalink: selector(&file.permalink)?,
        permalink_attr: file.permalink_attr.clone(),
        anchor_attr: file.anchor_attr.clone(),
        reply_to: selector(&file.reply_to)?,
        reply_to_attr: file.reply_to_attr.clone(),
        reply_to_parent: file.reply_to_parent,
        older: selector(&file.older)?,
        title: selector(&file.title)?,
        main: selector(&file.main)?,
        main_author: selector(&file.main_author)?,
        main_time: selector(&file.main_time)?,
    };
    let invalid = |message: &str| AdapterError::Invalid { file: path.to_path_buf(), message: message.into() };
    if adapter.item.is_none() && adapter.json_ld.is_empty() {
        return Err(invalid("an adapter needs `item` (a CSS selector) or `json_ld` (schema.org types)"));
    }
    if adapter.urls.is_empty() && adapter.markers.is_empty() && !adapter.hinted {
        return Err(invalid("an adapter needs `urls`, `markers` or `hints` to know its pages"));
    }
    Ok(adapter)
}

fn parse_selector(path: &Path, text: &str, s: &Spanned<String>) -> Result<Selector, AdapterError> {
    Selector::parse(s.get_ref()).map_err(|e| AdapterError::Selector { file: path.to_path_buf(), line: line_of(text, s.span().start), selector: s.get_ref().clone(), message: e.to_string() })
}

/// Elements never read as text.
fn hidden(name: &str) -> bool {
    matches!(name, "script" | "style" | "template" | "noscript" | "iframe" | "object" | "head")
}

/// Elements whose text is set apart from what is around it.
fn block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div" | "br" | "li" | "ul" | "ol" | "blockquote" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr" | "table" | "section" | "article" | "header" | "footer" | "pre" | "dd" | "dt"
    )
}

/// The visible text under `el`, leaving out hidden elements and the subtrees of `skip`
/// (nested items: a reply inside a comment is its own item).
fn visible_text(el: ElementRef<'_>, skip: &HashSet<ego_tree::NodeId>) -> String {
    let mut out = String::new();
    let mut skipping: Option<ego_tree::NodeId> = None;
    for edge in el.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(e) => {
                        if node.id() != el.id() && (hidden(e.name()) || skip.contains(&node.id())) {
                            skipping = Some(node.id());
                        } else if block(e.name()) {
                            out.push('\n');
                        }
                    }
                    Node::Text(t) => out.push_str(t),
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                } else if skipping.is_none()
                    && let Node::Element(e) = node.value()
                    && block(e.name())
                {
                    out.push('\n');
                }
            }
        }
    }
    tidy(&out)
}

/// Whitespace collapsed within lines, blank lines dropped, lines joined by one line break.
fn tidy(s: &str) -> String {
    s.lines().map(crate::extract::collapse).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

impl Adapter {
    fn split(&self, url: &Url, doc: &Html) -> Split {
        let title = self.title.as_ref().and_then(|t| doc.select(t).next()).map(|e| visible_text(e, &HashSet::new())).or_else(|| page_title(doc)).unwrap_or_default();
        let title = crate::extract::collapse(&title);
        let older = self.older.as_ref().and_then(|s| doc.select(s).find_map(|e| e.value().attr("href"))).and_then(|h| url.join(h.trim()).ok()).filter(|u| matches!(u.scheme(), "http" | "https"));
        let mut items = Vec::new();
        let read_time = |t: ElementRef<'_>| self.time_attrs.iter().find_map(|a| t.value().attr(a)).map(str::to_string).unwrap_or_else(|| crate::extract::collapse(&visible_text(t, &HashSet::new())));
        if let Some(main) = self.main.as_ref().and_then(|m| doc.select(m).next()) {
            let text = visible_text(main, &HashSet::new());
            if !text.is_empty() {
                let first = |s: &Option<Selector>| s.as_ref().and_then(|s| doc.select(s).next());
                let author = first(&self.main_author).map(|a| crate::extract::collapse(&visible_text(a, &HashSet::new()))).unwrap_or_default();
                let time = first(&self.main_time).map(read_time).unwrap_or_default();
                items.push(Item { permalink: url.to_string(), author, time, text, position: 1, reply_to: String::new(), title: title.clone() });
            }
        }
        if let Some(item_sel) = &self.item {
            let elements: Vec<ElementRef<'_>> = doc.select(item_sel).collect();
            let ids: HashSet<ego_tree::NodeId> = elements.iter().map(|e| e.id()).collect();
            let mut permalinks: Vec<String> = Vec::with_capacity(elements.len());
            for el in &elements {
                // Nested items are read on their own, not as part of this one.
                let nested: HashSet<ego_tree::NodeId> = ids.iter().copied().filter(|&id| id != el.id()).collect();
                let own = |sel: &Option<Selector>| sel.as_ref().and_then(|s| el.select(s).find(|found| !inside_other(*found, el.id(), &ids)));
                let text = match &self.text {
                    Some(_) => own(&self.text).map(|t| visible_text(t, &nested)).unwrap_or_default(),
                    None => visible_text(*el, &nested),
                };
                let author = own(&self.author).map(|a| crate::extract::collapse(&visible_text(a, &nested))).unwrap_or_default();
                let time = own(&self.time).map(read_time).unwrap_or_default();
                let from_link = own(&self.permalink).and_then(|p| p.value().attr(&self.permalink_attr)).and_then(|h| url.join(h.trim()).ok());
                let from_anchor = self.anchor_attr.as_ref().and_then(|a| el.value().attr(a)).filter(|a| !a.trim().is_empty()).map(|a| {
                    let mut u = url.clone();
                    u.set_fragment(Some(a.trim()));
                    u
                });
                let permalink = from_link.or(from_anchor).filter(|u| matches!(u.scheme(), "http" | "https")).map(|u| u.to_string()).unwrap_or_else(|| {
                    // No link of its own: the page URL with the item's place.
                    let mut u = url.clone();
                    u.set_fragment(Some(&format!("item-{}", items.len() + 1)));
                    u.to_string()
                });
                let mut reply_to = own(&self.reply_to).and_then(|r| r.value().attr(&self.reply_to_attr)).and_then(|h| url.join(h.trim()).ok()).map(|u| u.to_string()).unwrap_or_default();
                if reply_to.is_empty()
                    && self.reply_to_parent
                    && let Some(parent) = el.ancestors().find(|a| ids.contains(&a.id()))
                    && let Some(i) = elements.iter().position(|e| e.id() == parent.id())
                {
                    reply_to = permalinks.get(i).cloned().unwrap_or_default();
                }
                if text.is_empty() {
                    permalinks.push(permalink);
                    continue;
                }
                permalinks.push(permalink.clone());
                items.push(Item { permalink, author, time, text, position: items.len() + 1, reply_to, title: title.clone() });
            }
        }
        if !self.json_ld.is_empty() {
            crate::adapters::jsonld::items(doc, url, &self.json_ld, &title, &mut items);
        }
        Split { adapter: self.name.clone(), items, older }
    }
}

/// Whether `found` (under the item `root`) sits inside another item nested in `root`.
fn inside_other(found: ElementRef<'_>, root: ego_tree::NodeId, items: &HashSet<ego_tree::NodeId>) -> bool {
    if found.id() != root && items.contains(&found.id()) {
        return true;
    }
    for a in found.ancestors() {
        if a.id() == root {
            return false;
        }
        if items.contains(&a.id()) {
            return true;
        }
    }
    false
}

/// The day (since 1970-01-01) of a time that starts `YYYY-MM-DD` (ISO 8601, as `datetime`
/// attributes and JSON-LD give it); `None` for any other form.
pub fn days_since_epoch(time: &str) -> Option<i64> {
    let b = time.trim().as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| std::str::from_utf8(&b[r]).ok()?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn page_title(doc: &Html) -> Option<String> {
    let sel = Selector::parse("title").ok()?;
    doc.select(&sel).next().map(|t| t.text().collect::<String>())
}

mod jsonld;

#[cfg(test)]
mod tests;
