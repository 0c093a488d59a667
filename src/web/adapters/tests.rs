use super::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/adapters").join(name)).expect("adapter fixture")
}

fn bundled() -> Adapters {
    Adapters::bundled().expect("the bundled adapters compile")
}

struct Case {
    fixture: &'static str,
    url: &'static str,
    adapter: &'static str,
    permalinks: &'static [&'static str],
    authors: &'static [&'static str],
    times: &'static [&'static str],
    texts: &'static [&'static str],
    reply_to: &'static [&'static str],
    title: &'static str,
    older: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case {
        fixture: "telegram.html",
        url: "https://t.me/s/gardennotes",
        adapter: "telegram",
        permalinks: &["https://t.me/gardennotes/501", "https://t.me/gardennotes/502", "https://t.me/gardennotes/503"],
        authors: &["Garden Notes", "Garden Notes", "Garden Notes"],
        times: &["2025-03-01T08:00:00+00:00", "2025-03-02T09:30:00+00:00", "2025-03-03T18:15:00+00:00"],
        texts: &["Tomatoes need sun.\nWater them in the morning.", "And basil likes the shade.", "Seed swap on Saturday."],
        reply_to: &["", "https://t.me/gardennotes/501", ""],
        title: "Garden Notes",
        older: Some("https://t.me/s/gardennotes?before=501"),
    },
    Case {
        fixture: "phpbb.html",
        url: "https://bikes.example/forum/viewtopic.php?t=77&start=15",
        adapter: "phpbb",
        permalinks: &[
            "https://bikes.example/forum/viewtopic.php?p=1001#p1001",
            "https://bikes.example/forum/viewtopic.php?p=1002#p1002",
            "https://bikes.example/forum/viewtopic.php?p=1003#p1003",
        ],
        authors: &["rider_one", "wheelie", "gears"],
        times: &["2025-02-10T12:00:00+00:00", "2025-02-10T13:05:00+00:00", "2025-02-11T07:45:00+00:00"],
        texts: &["How often do you oil a chain?", "rider_one wrote:How often?\nEvery 300 km or after rain.", "Wax works too."],
        reply_to: &["", "", ""],
        title: "Bike chains",
        older: Some("https://bikes.example/forum/viewtopic.php?t=77&start=0"),
    },
    Case {
        fixture: "xenforo.html",
        url: "https://bake.example/threads/sourdough-starters.90/page-2",
        adapter: "xenforo",
        permalinks: &["https://bake.example/threads/sourdough-starters.90/post-9001", "https://bake.example/threads/sourdough-starters.90/post-9002"],
        authors: &["crumb", "loaf"],
        times: &["2025-01-05T10:00:00+0000", "2025-01-05T11:20:00+0000"],
        texts: &["Feed it twice a day.", "Feed it twice a day.\nMine lives in the fridge."],
        reply_to: &["", ""],
        title: "Sourdough starters",
        older: Some("https://bake.example/threads/sourdough-starters.90/"),
    },
    Case {
        fixture: "vbulletin.html",
        url: "https://radio.example/forum/showthread.php?t=314&page=2",
        adapter: "vbulletin",
        permalinks: &["https://radio.example/forum/showthread.php?t=314&p=4401#post4401", "https://radio.example/forum/showthread.php?t=314&p=4402#post4402"],
        authors: &["valve", "dial"],
        times: &["03-04-2025, 10:15 AM", "03-04-2025, 11:40 AM"],
        texts: &["Found a 1950s set at a fair.", "Check the capacitors first."],
        reply_to: &["", ""],
        title: "Old radios",
        older: Some("https://radio.example/forum/showthread.php?t=314&page=1"),
    },
    Case {
        fixture: "discourse.html",
        url: "https://hike.example/t/choosing-a-tent/55?page=2",
        adapter: "discourse",
        permalinks: &["https://hike.example/t/choosing-a-tent/55?page=2#post_1", "https://hike.example/t/choosing-a-tent/55?page=2#post_2", "https://hike.example/t/choosing-a-tent/55?page=2#post_3"],
        authors: &["trail_mix", "summit", "basecamp"],
        times: &["2025-04-01T06:00:00Z", "2025-04-01T07:10:00Z", "2025-04-02T20:00:00Z"],
        texts: &["Two person tent for alpine trips?", "Look for a free-standing one.", "Weight matters more than you think."],
        reply_to: &["", "", ""],
        title: "Choosing a tent",
        older: Some("https://hike.example/t/choosing-a-tent/55?page=1"),
    },
    Case {
        fixture: "wordpress.html",
        url: "https://blog.example/2025/05/fence/",
        adapter: "wordpress",
        permalinks: &[
            "https://blog.example/2025/05/fence/",
            "https://blog.example/2025/05/fence/#comment-11",
            "https://blog.example/2025/05/fence/#comment-12",
            "https://blog.example/2025/05/fence/#comment-13",
        ],
        authors: &["sam", "pat", "sam", "lee"],
        times: &["2025-05-01T09:00:00+00:00", "2025-05-02T10:00:00+00:00", "2025-05-02T11:30:00+00:00", "2025-05-03T08:00:00+00:00"],
        texts: &["Replace the rotten posts first.\nThen fix the rails.", "What wood did you use?", "Treated pine.", "Nice work."],
        reply_to: &["", "", "https://blog.example/2025/05/fence/#comment-11", ""],
        title: "Repairing a fence",
        older: None,
    },
    Case {
        fixture: "jsonld.html",
        url: "https://games.example/t/9",
        adapter: "schema-jsonld",
        permalinks: &["https://games.example/t/9#p1", "https://games.example/t/9#p2", "https://games.example/t/9#p3"],
        authors: &["meeple", "dice", "rook"],
        times: &["2025-06-01T19:00:00Z", "2025-06-01T19:05:00Z", "2025-06-01T19:20:00Z"],
        texts: &["Who brings the cards?", "I will.", "Bring snacks too."],
        reply_to: &["", "https://games.example/t/9#p1", "https://games.example/t/9#p1"],
        title: "Board game night",
        older: None,
    },
    Case {
        fixture: "microdata.html",
        url: "https://bake.example/posts",
        adapter: "schema-microdata",
        permalinks: &["https://bake.example/posts/1", "https://bake.example/posts#c7", "https://bake.example/posts/2"],
        authors: &["yeast", "flour", "crust"],
        times: &["2025-07-01T12:00:00Z", "2025-07-01T13:00:00Z", "2025-07-02T08:00:00Z"],
        texts: &["Rye needs a longer rise.", "How long exactly?", "Steam makes the crust."],
        reply_to: &["", "https://bake.example/posts/1", ""],
        title: "Bread recipes",
        older: None,
    },
    Case {
        fixture: "h-entry.html",
        url: "https://kites.example/notes",
        adapter: "h-entry",
        permalinks: &["https://kites.example/notes/1", "https://other.example/replies/5", "https://kites.example/notes/2"],
        authors: &["wind", "string", "wind"],
        times: &["2025-08-01T15:00:00Z", "2025-08-01T16:00:00Z", "2025-08-03T10:00:00Z"],
        texts: &["Light wind is best for beginners.", "Agreed, under 15 km/h.", "Fix the spars with tape."],
        reply_to: &["", "https://kites.example/notes/1", ""],
        title: "Notes on kites",
        older: None,
    },
];

#[test]
fn each_bundled_adapter_splits_its_fixture_into_posts() {
    let adapters = bundled();
    for c in CASES {
        let html = fixture(c.fixture);
        let url = Url::parse(c.url).unwrap();
        let split = adapters.split(&url, &html).unwrap_or_else(|| panic!("{}: no adapter applied", c.fixture));
        let f = c.fixture;
        assert_eq!(split.adapter, c.adapter, "{f}");
        assert_eq!(split.items.len(), c.permalinks.len(), "{f}: {:#?}", split.items);
        let got = |field: fn(&Item) -> &str| split.items.iter().map(field).collect::<Vec<_>>();
        assert_eq!(got(|i| &i.permalink), c.permalinks, "{f}");
        assert_eq!(got(|i| &i.author), c.authors, "{f}");
        assert_eq!(got(|i| &i.time), c.times, "{f}");
        assert_eq!(got(|i| &i.text), c.texts, "{f}");
        assert_eq!(got(|i| &i.reply_to), c.reply_to, "{f}");
        assert!(split.items.iter().all(|i| i.title == c.title), "{f}: {:?}", got(|i| &i.title));
        assert_eq!(split.items.iter().map(|i| i.position).collect::<Vec<_>>(), (1..=c.permalinks.len()).collect::<Vec<_>>(), "{f}");
        assert_eq!(split.older.as_ref().map(Url::as_str), c.older, "{f}");
    }
}

#[test]
fn markup_finds_the_adapter_wherever_the_page_is_served() {
    // A saved copy of a channel preview, served from a mirror: the markup decides.
    let adapters = bundled();
    let url = Url::parse("http://127.0.0.1:9/archive/garden.html").unwrap();
    let split = adapters.split(&url, &fixture("telegram.html")).expect("the markup says telegram");
    assert_eq!(split.adapter, "telegram");
    assert_eq!(split.items.len(), 3);
    let phpbb = adapters.split(&Url::parse("http://127.0.0.1:9/saved/topic77.html").unwrap(), &fixture("phpbb.html")).expect("phpbb markup");
    assert_eq!(phpbb.adapter, "phpbb");
}

#[test]
fn pages_without_posts_stay_whole() {
    let adapters = bundled();
    let url = Url::parse("https://news.example/a").unwrap();
    let pages = [
        "<html><body><p>Just an article.</p></body></html>",
        // A hint in the text but no markup to match: not split.
        "<html><body><p>We talk about phpbb and h-entry and tgme_widget_message here.</p></body></html>",
        // Markup that matches, with nothing in it.
        "<html><body><div class='h-entry'><div class='e-content'> </div></div></body></html>",
        "",
        "<<<<>>>&&&",
    ];
    for page in pages {
        assert_eq!(adapters.split(&url, page), None, "{page:?}");
    }
    assert_eq!(Adapters::none().split(&url, &fixture("phpbb.html")), None);
}

#[test]
fn hostile_pages_do_not_panic() {
    let adapters = bundled();
    let url = Url::parse("https://t.me/s/x").unwrap();
    let deep = format!("{}text{}", "<div class='h-entry'><div class='e-content'>".repeat(1000), "</div></div>".repeat(1000));
    let split = adapters.split(&url, &deep);
    assert!(split.as_ref().is_some_and(|s| s.items.len() == 1), "only the innermost holds text of its own: {:?}", split.map(|s| s.items.len()));
    let nested_json = format!("<script type='application/ld+json'>{}{{\"@type\":\"Comment\",\"text\":\"deep\"}}{}</script> DiscussionForumPosting", "[".repeat(200), "]".repeat(200));
    assert_eq!(adapters.split(&url, &nested_json), None, "nesting past the limit is not followed");
}

#[test]
fn a_bad_adapter_file_names_its_file_line_and_selector() {
    let cases: &[(&str, &str)] = &[
        ("name = \"x\"\nhints = [\"x\"]\nitem = \"div.post\"\ntext = \"div[[\"\n", "bad.toml:4: selector `div[[` does not parse"),
        ("name = \"x\"\nhints = [\"x\"]\nmarkers = [\"a\",\n  \"::nope(\"]\nitem = \"p\"\n", "bad.toml:4: selector `::nope(` does not parse"),
        ("name = \"x\"\nurls = ['(']\nitem = \"p\"\n", "bad.toml:2: URL pattern `(` does not parse"),
        ("name = \"x\"\nhints = [\"x\"]\n", "bad.toml: an adapter needs `item`"),
        ("name = \"x\"\nitem = \"p\"\n", "bad.toml: an adapter needs `urls`, `markers` or `hints`"),
        ("name = \"x\"\nhints = [\"x\"]\nitem = \"p\"\ncolour = 1\n", "bad.toml:4: unknown field `colour`"),
    ];
    for (text, want) in cases {
        let err = Adapters::from_files(&[(PathBuf::from("bad.toml"), text.to_string())]).expect_err(text).to_string();
        assert!(err.starts_with(want), "{text:?}: {err}");
    }
}

#[test]
fn a_folder_of_adapters_replaces_the_bundled_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("posts.toml"), "name = \"mine\"\nmarkers = [\"div.msg\"]\nitem = \"div.msg\"\nauthor = \".who\"\nanchor_attr = \"id\"\n").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not an adapter").unwrap();
    let adapters = Adapters::load(Some(dir.path())).unwrap();
    assert_eq!(adapters.names(), ["mine"]);
    let url = Url::parse("https://x.example/t").unwrap();
    let split = adapters.split(&url, "<div class=msg id=m1><b class=who>ann</b> hello</div><div class=msg id=m2><b class=who>bo</b> hi</div>").expect("markers match");
    let got: Vec<(&str, &str, &str)> = split.items.iter().map(|i| (i.permalink.as_str(), i.author.as_str(), i.text.as_str())).collect();
    assert_eq!(got, [("https://x.example/t#m1", "ann", "ann hello"), ("https://x.example/t#m2", "bo", "bo hi")]);
    // The bundled adapters do not apply once a folder is given.
    assert_eq!(adapters.split(&Url::parse("https://t.me/s/gardennotes").unwrap(), &fixture("telegram.html")), None);
}

#[test]
fn iso_dates_read_as_days() {
    let table: &[(&str, Option<i64>)] = &[
        ("1970-01-01", Some(0)),
        ("1970-03-01T00:00:00Z", Some(59)),
        ("2000-02-29T10:00:00+05:00", Some(11_016)),
        ("2026-12-05", Some(20_792)),
        (" 2025-01-05T10:00:00+0000", Some(20_093)),
        ("03-04-2025, 10:15 AM", None),
        ("2025-13-01", None),
        ("2025-1-1", None),
        ("", None),
        ("２０２５-01-01", None),
    ];
    for (time, want) in table {
        assert_eq!(days_since_epoch(time), *want, "{time:?}");
    }
}
