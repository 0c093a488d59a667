//! Google's robots.txt test cases (google/robotstxt, robots_test.cc), re-expressed as a table
//! and run through kuzet's own reading of robots.txt ([`kuzet::robots::Robots`]).
//!
//! Left out, as not applicable to kuzet: cases with an empty URL or an empty user agent (kuzet
//! always has both), URLs that are not percent-encoded (kuzet only ever asks with a parsed,
//! encoded URL), and the parser-callback tests (line numbers, BOM, sitemap counts).
use kuzet::robots::Robots;

/// (robots.txt, user agent, URL, Google's answer: allowed?)
type Case = (&'static str, &'static str, &'static str, bool);

const LINE_OK: &str = "user-agent: FooBot\ndisallow: /\n";
const LINE_UNKNOWN: &str = "foo: FooBot\nbar: /\n";
const LINE_NO_COLON: &str = "user-agent FooBot\ndisallow /\n";
const GROUPS: &str = "allow: /foo/bar/\n\nuser-agent: FooBot\ndisallow: /\nallow: /x/\nuser-agent: BarBot\ndisallow: /\nallow: /y/\n\n\nallow: /w/\nuser-agent: BazBot\n\nuser-agent: FooBot\nallow: /z/\ndisallow: /\n";
const NAMES_UPPER: &str = "USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n";
const NAMES_LOWER: &str = "user-agent: FooBot\nallow: /x/\ndisallow: /\n";
const NAMES_CAMEL: &str = "uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n";
const AGENT_UPPER: &str = "User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n";
const AGENT_LOWER: &str = "User-Agent: foo bar\nAllow: /x/\nDisallow: /\n";
const AGENT_CAMEL: &str = "User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n";
const UP_TO_SPACE: &str = "User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n";
const GLOBAL: &str = "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n";
const ONLY_SPECIFIC: &str = "user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\nuser-agent: BazBot\ndisallow: /\n";
const CASE_LOWER: &str = "user-agent: FooBot\ndisallow: /x/\n";
const CASE_UPPER: &str = "user-agent: FooBot\ndisallow: /X/\n";
const LONGEST_1: &str = "user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/\n";
const LONGEST_2: &str = "user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n";
const LONGEST_3: &str = "user-agent: FooBot\ndisallow: \nallow: \n";
const LONGEST_4: &str = "user-agent: FooBot\ndisallow: /\nallow: /\n";
const LONGEST_5: &str = "user-agent: FooBot\ndisallow: /x\nallow: /x/\n";
const LONGEST_6: &str = "user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/page.html\n";
const LONGEST_7: &str = "user-agent: FooBot\nallow: /page\ndisallow: /*.html\n";
const LONGEST_8: &str = "user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n";
const LONGEST_9: &str = "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n";
const ENC_QUERY: &str = "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n";
const ENC_UTF8: &str = "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n";
const ENC_PERCENT: &str = "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n";
const ENC_UNRESERVED: &str = "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n";
const SPECIAL_1: &str = "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n";
const SPECIAL_2: &str = "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n";
const SPECIAL_3: &str = "User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n";
const INDEX_HTML: &str = "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n";
const DOC_FISH: &str = "user-agent: FooBot\ndisallow: /\nallow: /fish\n";
const DOC_FISH_STAR: &str = "user-agent: FooBot\ndisallow: /\nallow: /fish*\n";
const DOC_FISH_SLASH: &str = "user-agent: FooBot\ndisallow: /\nallow: /fish/\n";
const DOC_PHP: &str = "user-agent: FooBot\ndisallow: /\nallow: /*.php\n";
const DOC_PHP_END: &str = "user-agent: FooBot\ndisallow: /\nallow: /*.php$\n";
const DOC_FISH_PHP: &str = "user-agent: FooBot\ndisallow: /\nallow: /fish*.php\n";
const ORDER_1: &str = "user-agent: FooBot\nallow: /p\ndisallow: /\n";
const ORDER_2: &str = "user-agent: FooBot\nallow: /folder\ndisallow: /folder\n";
const ORDER_3: &str = "user-agent: FooBot\nallow: /page\ndisallow: /*.htm\n";
const ORDER_4: &str = "user-agent: FooBot\nallow: /$\ndisallow: /\n";

const CASES: &[Case] = &[
    // ID_LineSyntax_Line
    (LINE_OK, "FooBot", "http://foo.bar/x/y", false),
    (LINE_UNKNOWN, "FooBot", "http://foo.bar/x/y", true),
    (LINE_NO_COLON, "FooBot", "http://foo.bar/x/y", false),
    // ID_LineSyntax_Groups
    (GROUPS, "FooBot", "http://foo.bar/x/b", true),
    (GROUPS, "FooBot", "http://foo.bar/z/d", true),
    (GROUPS, "FooBot", "http://foo.bar/y/c", false),
    (GROUPS, "BarBot", "http://foo.bar/y/c", true),
    (GROUPS, "BarBot", "http://foo.bar/w/a", true),
    (GROUPS, "BarBot", "http://foo.bar/z/d", false),
    (GROUPS, "BazBot", "http://foo.bar/z/d", true),
    (GROUPS, "FooBot", "http://foo.bar/foo/bar/", false),
    (GROUPS, "BarBot", "http://foo.bar/foo/bar/", false),
    (GROUPS, "BazBot", "http://foo.bar/foo/bar/", false),
    // ID_REPLineNamesCaseInsensitive
    (NAMES_UPPER, "FooBot", "http://foo.bar/x/y", true),
    (NAMES_LOWER, "FooBot", "http://foo.bar/x/y", true),
    (NAMES_CAMEL, "FooBot", "http://foo.bar/x/y", true),
    (NAMES_UPPER, "FooBot", "http://foo.bar/a/b", false),
    (NAMES_LOWER, "FooBot", "http://foo.bar/a/b", false),
    (NAMES_CAMEL, "FooBot", "http://foo.bar/a/b", false),
    // ID_UserAgentValueCaseInsensitive (issue 19, case 14: the value's product token)
    (AGENT_UPPER, "Foo", "http://foo.bar/x/y", true),
    (AGENT_LOWER, "Foo", "http://foo.bar/x/y", true),
    (AGENT_CAMEL, "Foo", "http://foo.bar/x/y", true),
    (AGENT_UPPER, "Foo", "http://foo.bar/a/b", false),
    (AGENT_LOWER, "Foo", "http://foo.bar/a/b", false),
    (AGENT_CAMEL, "Foo", "http://foo.bar/a/b", false),
    (AGENT_UPPER, "foo", "http://foo.bar/x/y", true),
    (AGENT_LOWER, "foo", "http://foo.bar/x/y", true),
    (AGENT_CAMEL, "foo", "http://foo.bar/x/y", true),
    (AGENT_UPPER, "foo", "http://foo.bar/a/b", false),
    (AGENT_LOWER, "foo", "http://foo.bar/a/b", false),
    (AGENT_CAMEL, "foo", "http://foo.bar/a/b", false),
    // GoogleOnly_AcceptUserAgentUpToFirstSpace
    (UP_TO_SPACE, "Foo", "http://foo.bar/x/y", true),
    (UP_TO_SPACE, "Foo Bar", "http://foo.bar/x/y", false),
    // ID_GlobalGroups_Secondary
    ("", "FooBot", "http://foo.bar/x/y", true),
    (GLOBAL, "FooBot", "http://foo.bar/x/y", false),
    (GLOBAL, "BarBot", "http://foo.bar/x/y", true),
    (ONLY_SPECIFIC, "QuxBot", "http://foo.bar/x/y", true),
    // ID_AllowDisallow_Value_CaseSensitive
    (CASE_LOWER, "FooBot", "http://foo.bar/x/y", false),
    (CASE_UPPER, "FooBot", "http://foo.bar/x/y", true),
    // ID_LongestMatch
    (LONGEST_1, "FooBot", "http://foo.bar/x/page.html", false),
    (LONGEST_2, "FooBot", "http://foo.bar/x/page.html", true),
    (LONGEST_2, "FooBot", "http://foo.bar/x/", false),
    (LONGEST_3, "FooBot", "http://foo.bar/x/page.html", true),
    (LONGEST_4, "FooBot", "http://foo.bar/x/page.html", true),
    (LONGEST_5, "FooBot", "http://foo.bar/x", false),
    (LONGEST_5, "FooBot", "http://foo.bar/x/", true),
    (LONGEST_6, "FooBot", "http://foo.bar/x/page.html", true),
    (LONGEST_7, "FooBot", "http://foo.bar/page.html", false),
    (LONGEST_7, "FooBot", "http://foo.bar/page", true),
    (LONGEST_8, "FooBot", "http://foo.bar/x/page.html", true),
    (LONGEST_8, "FooBot", "http://foo.bar/x/y.html", false),
    (LONGEST_9, "FooBot", "http://foo.bar/x/page", true),
    (LONGEST_9, "FooBot", "http://foo.bar/y/page", false),
    // ID_Encoding (URLs as kuzet asks: parsed, so percent-encoded)
    (ENC_QUERY, "FooBot", "http://foo.bar/foo/bar?qux=taz&baz=http://foo.bar?tar&par", true),
    (ENC_UTF8, "FooBot", "http://foo.bar/foo/bar/%E3%83%84", true),
    (ENC_PERCENT, "FooBot", "http://foo.bar/foo/bar/%E3%83%84", true),
    (ENC_UNRESERVED, "FooBot", "http://foo.bar/foo/bar/baz", false),
    (ENC_UNRESERVED, "FooBot", "http://foo.bar/foo/bar/%62%61%7A", true),
    // ID_SpecialCharacters
    (SPECIAL_1, "FooBot", "http://foo.bar/foo/bar/quz", false),
    (SPECIAL_1, "FooBot", "http://foo.bar/foo/quz", true),
    (SPECIAL_1, "FooBot", "http://foo.bar/foo//quz", true),
    (SPECIAL_1, "FooBot", "http://foo.bar/foo/bax/quz", true),
    (SPECIAL_2, "FooBot", "http://foo.bar/foo/bar", false),
    (SPECIAL_2, "FooBot", "http://foo.bar/foo/bar/qux", true),
    (SPECIAL_2, "FooBot", "http://foo.bar/foo/bar/", true),
    (SPECIAL_2, "FooBot", "http://foo.bar/foo/bar/baz", true),
    (SPECIAL_3, "FooBot", "http://foo.bar/foo/bar", true),
    (SPECIAL_3, "FooBot", "http://foo.bar/foo/quz", false),
    // GoogleOnly_IndexHTMLisDirectory
    (INDEX_HTML, "foobot", "http://foo.com/allowed-slash/", true),
    (INDEX_HTML, "foobot", "http://foo.com/allowed-slash/index.htm", false),
    (INDEX_HTML, "foobot", "http://foo.com/allowed-slash/index.html", true),
    (INDEX_HTML, "foobot", "http://foo.com/anyother-url", false),
    // GoogleOnly_DocumentationChecks: "/fish"
    (DOC_FISH, "FooBot", "http://foo.bar/bar", false),
    (DOC_FISH, "FooBot", "http://foo.bar/fish", true),
    (DOC_FISH, "FooBot", "http://foo.bar/fish.html", true),
    (DOC_FISH, "FooBot", "http://foo.bar/fish/salmon.html", true),
    (DOC_FISH, "FooBot", "http://foo.bar/fishheads", true),
    (DOC_FISH, "FooBot", "http://foo.bar/fishheads/yummy.html", true),
    (DOC_FISH, "FooBot", "http://foo.bar/fish.html?id=anything", true),
    (DOC_FISH, "FooBot", "http://foo.bar/Fish.asp", false),
    (DOC_FISH, "FooBot", "http://foo.bar/catfish", false),
    (DOC_FISH, "FooBot", "http://foo.bar/?id=fish", false),
    // "/fish*" is "/fish"
    (DOC_FISH_STAR, "FooBot", "http://foo.bar/bar", false),
    (DOC_FISH_STAR, "FooBot", "http://foo.bar/fish", true),
    (DOC_FISH_STAR, "FooBot", "http://foo.bar/fish.html", true),
    (DOC_FISH_STAR, "FooBot", "http://foo.bar/fish/salmon.html", true),
    (DOC_FISH_STAR, "FooBot", "http://foo.bar/fishheads", true),
    (DOC_FISH_STAR, "FooBot", "http://foo.bar/fishheads/yummy.html", true),
    (DOC_FISH_STAR, "FooBot", "http://foo.bar/fish.html?id=anything", true),
    (DOC_FISH_STAR, "FooBot", "http://foo.bar/Fish.bar", false),
    (DOC_FISH_STAR, "FooBot", "http://foo.bar/catfish", false),
    (DOC_FISH_STAR, "FooBot", "http://foo.bar/?id=fish", false),
    // "/fish/" is not "/fish"
    (DOC_FISH_SLASH, "FooBot", "http://foo.bar/bar", false),
    (DOC_FISH_SLASH, "FooBot", "http://foo.bar/fish/", true),
    (DOC_FISH_SLASH, "FooBot", "http://foo.bar/fish/salmon", true),
    (DOC_FISH_SLASH, "FooBot", "http://foo.bar/fish/?salmon", true),
    (DOC_FISH_SLASH, "FooBot", "http://foo.bar/fish/salmon.html", true),
    (DOC_FISH_SLASH, "FooBot", "http://foo.bar/fish/?id=anything", true),
    (DOC_FISH_SLASH, "FooBot", "http://foo.bar/fish", false),
    (DOC_FISH_SLASH, "FooBot", "http://foo.bar/fish.html", false),
    (DOC_FISH_SLASH, "FooBot", "http://foo.bar/Fish/Salmon.html", false),
    // "/*.php"
    (DOC_PHP, "FooBot", "http://foo.bar/bar", false),
    (DOC_PHP, "FooBot", "http://foo.bar/filename.php", true),
    (DOC_PHP, "FooBot", "http://foo.bar/folder/filename.php", true),
    (DOC_PHP, "FooBot", "http://foo.bar/folder/filename.php?parameters", true),
    (DOC_PHP, "FooBot", "http://foo.bar//folder/any.php.file.html", true),
    (DOC_PHP, "FooBot", "http://foo.bar/filename.php/", true),
    (DOC_PHP, "FooBot", "http://foo.bar/index?f=filename.php/", true),
    (DOC_PHP, "FooBot", "http://foo.bar/php/", false),
    (DOC_PHP, "FooBot", "http://foo.bar/index?php", false),
    (DOC_PHP, "FooBot", "http://foo.bar/windows.PHP", false),
    // "/*.php$"
    (DOC_PHP_END, "FooBot", "http://foo.bar/bar", false),
    (DOC_PHP_END, "FooBot", "http://foo.bar/filename.php", true),
    (DOC_PHP_END, "FooBot", "http://foo.bar/folder/filename.php", true),
    (DOC_PHP_END, "FooBot", "http://foo.bar/filename.php?parameters", false),
    (DOC_PHP_END, "FooBot", "http://foo.bar/filename.php/", false),
    (DOC_PHP_END, "FooBot", "http://foo.bar/filename.php5", false),
    (DOC_PHP_END, "FooBot", "http://foo.bar/php/", false),
    (DOC_PHP_END, "FooBot", "http://foo.bar/filename?php", false),
    (DOC_PHP_END, "FooBot", "http://foo.bar/aaaphpaaa", false),
    (DOC_PHP_END, "FooBot", "http://foo.bar//windows.PHP", false),
    // "/fish*.php"
    (DOC_FISH_PHP, "FooBot", "http://foo.bar/bar", false),
    (DOC_FISH_PHP, "FooBot", "http://foo.bar/fish.php", true),
    (DOC_FISH_PHP, "FooBot", "http://foo.bar/fishheads/catfish.php?parameters", true),
    (DOC_FISH_PHP, "FooBot", "http://foo.bar/Fish.PHP", false),
    // Order of precedence for group-member records
    (ORDER_1, "FooBot", "http://example.com/page", true),
    (ORDER_2, "FooBot", "http://example.com/folder/page", true),
    (ORDER_3, "FooBot", "http://example.com/page.htm", false),
    (ORDER_4, "FooBot", "http://example.com/", true),
    (ORDER_4, "FooBot", "http://example.com/page.html", false),
];

/// Google's GoogleOnly_LineTooLong: lines are cut at 8 × 2083 bytes, and the cut rule applies.
fn long_line_cases() -> Vec<(String, &'static str, String, bool)> {
    const MAX_LINE: usize = 2083 * 8;
    let (allow, disallow) = ("allow: ", "disallow: ");
    let mut out = Vec::new();
    let mut long = String::from("/x/");
    let max_len = MAX_LINE - long.len() - disallow.len() + 1;
    while long.len() < max_len {
        long.push('a');
    }
    let robots = format!("user-agent: FooBot\n{disallow}{long}/qux\n");
    out.push((robots.clone(), "FooBot", "http://foo.bar/fux".to_string(), true));
    out.push((robots, "FooBot", format!("http://foo.bar{long}/fux"), false));
    let (mut a, mut b) = (String::from("/x/"), String::from("/x/"));
    let max_len = MAX_LINE - a.len() - allow.len() + 1;
    while a.len() < max_len {
        a.push('a');
        b.push('b');
    }
    let robots = format!("user-agent: FooBot\ndisallow: /\n{allow}{a}/qux\n{allow}{b}/qux\n");
    out.push((robots.clone(), "FooBot", "http://foo.bar/".to_string(), false));
    out.push((robots.clone(), "FooBot", format!("http://foo.bar{a}/qux"), true));
    out.push((robots, "FooBot", format!("http://foo.bar{b}/fux"), true));
    out
}

/// Issue 19, case 14: every applicable case of Google's suite gives Google's answer (before,
/// groups named `FOO BAR` or `FooBot/1.0` were ignored, and so were index.html folders and cut
/// lines).
#[test]
fn case14_google_robots_cases() {
    let mut all: Vec<(String, &str, String, bool)> = CASES.iter().map(|&(r, a, u, g)| (r.to_string(), a, u.to_string(), g)).collect();
    all.extend(long_line_cases());
    let mut failed = Vec::new();
    for (i, (robots, agent, url, google)) in all.iter().enumerate() {
        let url = url::Url::parse(url).expect("a test URL");
        let ours = Robots::from_response(Some(200), robots.as_bytes(), agent).allowed(&url);
        if ours != *google {
            let (url, robots): (String, String) = (url.as_str().chars().take(100).collect(), robots.chars().take(200).collect());
            failed.push(format!("#{i}: agent {agent:?}, {url}: Google {google}, kuzet {ours}\n{robots}"));
        }
    }
    eprintln!("Google robots.txt cases: {} of {} give Google's answer", all.len() - failed.len(), all.len());
    assert!(failed.is_empty(), "{} cases differ from Google:\n{}", failed.len(), failed.join("\n"));
}

/// Issue 19, case 14, as a webmaster writes it: a group naming kuzet's full User-Agent string
/// applies to kuzet.
#[test]
fn case14_full_user_agent_string_names_the_group() {
    let robots = b"User-agent: *\nAllow: /\n\nUser-agent: kuzet/0.1.0 (+https://kuzet.invalid/contact)\nDisallow: /private/\n";
    let agent = kuzet::crawl::CrawlConfig::default().robots_agent();
    let r = Robots::from_response(Some(200), robots, &agent);
    assert!(!r.allowed(&url::Url::parse("http://a.kz/private/x").unwrap()));
    assert!(r.allowed(&url::Url::parse("http://a.kz/public").unwrap()));
}
