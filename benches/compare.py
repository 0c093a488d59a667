#!/usr/bin/env python3
"""kuzet against ripgrep (matching), and against Scrapy and wget (crawling), on this machine.

    python3 benches/compare.py [--quick] [--runs 3] [--kuzet PATH]

1. Builds kuzet (`cargo build --release --locked`) unless `--kuzet PATH` is given, and installs
   what the other sides need, saying so: `apt-get install -y ripgrep wget` when `rg` or `wget`
   is missing (`apt-get update` first only if that install fails), and `pip install scrapy` when
   `import scrapy` fails. A side that cannot be installed is reported and skipped.
2. Matching: a deterministic corpus (100 MB; 10 MB with --quick) of ru/kk/en/ar text in ~1 MB
   UTF-8 files (Kazakh mostly Cyrillic, one file in ten in the 2021 Latin alphabet), Zipf word
   frequencies over ~3,000 words per language (real function words first, then pseudo-words),
   sentences and paragraphs, articles of 2-20 KB, 1 article in 50 with 1-3 lexicon terms injected.
   `kuzet classify --lexicons LEX --out OUT DIR` against `rg --count -i -w -F -f TERMS DIR`, for
   three lexicon sizes: the bundled `lexicons/`, bundled + synthetic entries up to 2,000, and up
   to 20,000. TERMS holds every entry term (stems without their `*`) and every cue term of the
   rules files' `[[group]]`s. Reports MB/s (text bytes / median wall), peak RSS, kuzet/rg.
3. Crawling: a deterministic site (10,000 pages of 15-60 KB; 1,000 with --quick; ru/kk/en/ar,
   every tenth Russian page windows-1251) served on 127.0.0.1 by one `kuzet serve`. Sides:
   `kuzet crawl` (classification on, delay 0), `wget --recursive --level=inf`, and a minimal
   Scrapy spider (`scrapy runspider`, robots.txt obeyed, no delay, no items). Scrapy's
   CONCURRENT_REQUESTS is calibrated first (8/16/32) on a smaller site. Reports pages/s, wall,
   CPU seconds of the child tree, peak RSS, and kuzet/scrapy, kuzet/wget.

Every comparison runs `--runs` times, alternating which side goes first; the summary gives
medians (peak RSS: the highest seen). Fixed seeds: the same inputs on every machine. All
generated data lives in a temporary folder that is removed at the end. No traffic leaves
127.0.0.1 (the installs aside).
"""

import argparse
import csv
import itertools
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in benches/
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (ROOT, ensure_debian_tools, ensure_pip_module, generate_site, kuzet_binary,  # noqa: E402
                    kuzet_serve, measure, median, say)

SEED = 20261128
LANGS = ["ru", "kk", "en", "ar"]
VOCAB_SIZE = 3000          # words per language (function words included)
FILE_BYTES = 1_000_000     # about this much text per file
INJECT_ONE_IN = 50         # 1 article in 50 gets 1-3 lexicon terms
# Language of each file, cycling: ru 40%, kk 20% Cyrillic + 10% Latin ("kkl"), en 20%, ar 10%.
FILE_LANGS = ["ru", "kk", "en", "ru", "ar", "kk", "ru", "en", "kkl", "ru"]
SITE_LANGS = ["ru"] * 4 + ["kk"] * 2 + ["kkl"] + ["en"] * 2 + ["ar"]
LEXICON_SIZES = [("bundled", None), ("~2,000", 2_000), ("20,000", 20_000)]
SCRAPY_CONCURRENCY = [8, 16, 32]

FUNCTION_WORDS = {
    "ru": "и в не на что я с он как а то это по к но они мы из у же вы за бы от о так для да уже "
          "ты его все был она только было при если или еще когда даже до нет там где есть ни быть "
          "ее их чтобы этот сегодня здесь потом очень после между также который года время".split(),
    "kk": "және мен бұл осы үшін емес болып деп бар жоқ да де ол біз сіз олар сен бір екі көп жаңа "
          "үлкен қазір бүгін кейін дейін арқылы туралы сияқты бойынша әр барлық өз ең тағы жыл "
          "уақыт керек болды мұнда онда сондай".split(),
    "en": "the of and to a in is it you that he was for on are with as his they be at one have "
          "this from or had by not but what some we can out other were all there when up use "
          "your how said an each she which do their time if will way about many then would".split(),
    "ar": "في من على إلى أن هذا هذه مع كان عن ما لا هو هي التي الذي كل بعد قد ذلك بين عند حتى أو "
          "ثم لم لن كما إن قال أيضا منذ خلال وقد وفي عام اليوم".split(),
}
SHAPES = {  # onsets, vowels, codas, endings of the pseudo-words
    "ru": ("б в г д ж з к л м н п р с т ф х ц ч ш щ бр вл гр др кр пр ст тр сл см".split(),
           "а а о о е е и и у ы я ю".split(), "н р л с т й к м".split(),
           ["", "", "а", "о", "ов", "ый", "ой", "ая", "ое", "ие", "ых", "ть", "ет", "ут", "ами",
            "ение", "ость", "ник", "ский", "ка"]),
    "kk": ("б ғ д ж з й к қ л м н п р с т ш т с б".split() + [""],
           "а а ә е е ы і о ө ұ ү и".split(), "н ң р л с т қ з й".split(),
           ["", "", "лар", "лер", "дар", "дер", "ның", "нің", "ға", "ге", "да", "де", "мен", "ды",
            "ді", "шы", "лық", "лік"]),
    "en": ("b c d f g h j k l m n p r s t v w y z bl br ch cl cr dr fl fr gr pl pr sh sl sp st th "
           "tr wh".split(), "a e i o u ea ee oo ai ou".split(), "n r l s t m nd st ck ng".split(),
           ["", "", "s", "ed", "ing", "er", "ly", "tion", "ment", "ness"]),
}
AR_CONSONANTS = list("بتثجحخدذرزسشصضطظعغفقكلمنهوي")
AR_LONG = list("اوي")
AR_ENDINGS = ["", "", "ة", "ات", "ون", "ين", "ي"]
STEM_ENDINGS = {"ru": ["у", "ем", "ите", "ли", "ть", "йте"], "kk": ["у", "ді", "іңдер", "ейік", ""],
                "en": ["s", "ing", "ed", "er"], "ar": ["", "ات", "ون"]}
SENTENCE_ENDS = {"ru": [". "] * 8 + ["? ", "! "], "kk": [". "] * 8 + ["? ", "! "],
                 "en": [". "] * 8 + ["? ", "! "], "ar": [". "] * 8 + ["؟ ", "! "]}
COMMA = {"ru": ",", "kk": ",", "en": ",", "ar": "،"}
KK_LATIN = {"а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ё": "io",
            "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
            "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū",
            "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "ş", "щ": "şş", "ъ": "",
            "ы": "y", "і": "ı", "ь": "", "э": "e", "ю": "iu", "я": "ia"}
KK_LATIN_TABLE = str.maketrans({**KK_LATIN, **{c.upper(): v.capitalize() for c, v in KK_LATIN.items()}})


# ---------------------------------------------------------------------------------------------
# Lexicons

def read_lexicon(lexdir):
    """Entries of `lexdir/<lang>/*.csv` (tests.csv, `#` lines and the header skipped) as
    (lang, term) pairs, and every cue term of the `[[group]]`s in `lexdir/**/*.toml`."""
    entries = []
    for path in sorted(lexdir.glob("*/*.csv")):
        if path.name == "tests.csv":
            continue
        lines = [l for l in path.read_text(encoding="utf-8-sig").splitlines() if l.strip() and not l.lstrip().startswith("#")]
        for row in itertools.islice(csv.reader(lines), 1, None):
            if row and row[0].strip():
                entries.append((path.parent.name, row[0].strip()))
    cues = []
    for path in sorted(lexdir.rglob("*.toml")):
        with open(path, "rb") as f:
            data = tomllib.load(f)
        for group in data.get("group", []):
            cues.extend(t for t in group.get("terms", []) if t.strip())
    return entries, cues


def rg_form(term):
    """A lexicon term as a fixed string for rg: lower case, the stem's `*` dropped."""
    return " ".join(term.lower().replace("*", " ").split())


def write_lexicon(dst, bundled, synthetic):
    """`bundled` copied to `dst`, plus `<lang>/synthetic.csv` with the (lang, term) pairs."""
    shutil.copytree(bundled, dst)
    for lang in LANGS:
        terms = [t for l, t in synthetic if l == lang]
        if not terms:
            continue
        with open(dst / lang / "synthetic.csv", "w", encoding="utf-8", newline="") as f:
            f.write("# synthetic pseudo-word entries written by benches/compare.py (benchmark only)\n")
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["term", "category", "weight", "note", "groups"])
            for t in terms:
                w.writerow([t, "violence", 3, "synthetic benchmark entry", ""])


# An approximation of kuzet's loose one-key fold (src/text/normalize.rs): Cyrillic and Latin letters
# to one Latin key, Kazakh letters to their Russian-keyboard twins, diacritics dropped, repeats
# collapsed. Used only to keep synthetic entries from matching the generated text.
LOOSE = str.maketrans({
    **dict(zip("абвгдезийклмнопрстуфхцыэ", "abvgdeziiklmnoprstufhcye")),
    "ё": "e", "ә": "a", "ғ": "g", "і": "i", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u",
    "һ": "h", "ж": "ž", "ш": "š", "щ": "š", "ч": "č", "я": "ya", "ю": "yu", "ъ": "", "ь": "",
    "q": "k", "w": "u", "x": "h", "j": "ž", "ş": "š", "ç": "č", "ı": "i", "ä": "a", "ö": "o",
    "ü": "u", "ū": "u", "ğ": "g", "ñ": "n"})


def loose_key(word):
    key = word.lower().translate(LOOSE).replace("sh", "š").replace("ch", "č").replace("zh", "ž")
    return "".join(c for c, _ in itertools.groupby(key))


def synthetic_entries(count, taken, vocab):
    """`count` deterministic pseudo-word entries spread over the four languages: single words,
    some two-word phrases and some stems; none equal to a text word, a bundled term or a cue,
    and no stem that begins a text word, also after an approximate loose fold (so they cost
    lookups but do not match; the few the fold does not foresee show in kuzet's flagged count)."""
    rng = random.Random(SEED + 99)
    words = {loose_key(w) for ws in vocab.values() for w in ws}
    words |= {loose_key(w.translate(KK_LATIN_TABLE)) for w in vocab["kk"]}
    prefixes = {w[:i] for w in words for i in range(1, len(w) + 1)}
    out, seen = [], {loose_key(t) for t in taken}
    while len(out) < count:
        lang = LANGS[len(out) % len(LANGS)]
        kind = rng.random()
        if kind < 0.15:
            term = f"{pseudo_word(rng, lang)} {pseudo_word(rng, lang)}"
        elif kind < 0.20:
            stem = pseudo_word(rng, lang)
            if len(stem) < 5 or loose_key(stem) in prefixes:
                continue
            term = stem + "*"
        else:
            term = pseudo_word(rng, lang)
            if len(term) < 4:
                continue
        key = loose_key(rg_form(term))
        if any(w in words for w in key.split()) or key in seen:
            continue
        seen.add(key)
        out.append((lang, term))
    return out


# ---------------------------------------------------------------------------------------------
# Text

def pseudo_word(rng, lang):
    if lang == "ar":
        n = rng.choice((3, 3, 3, 4, 4, 5))
        root = "".join(c + (rng.choice(AR_LONG) if rng.random() < 0.35 else "") for c in rng.choices(AR_CONSONANTS, k=n))
        return ("ال" if rng.random() < 0.35 else "") + root + rng.choice(AR_ENDINGS)
    onsets, vowels, codas, endings = SHAPES[lang]
    n = rng.choice((1, 2, 2, 2, 3, 3, 4))
    w = "".join(rng.choice(onsets) + rng.choice(vowels) + (rng.choice(codas) if rng.random() < 0.3 else "") for _ in range(n))
    return w + rng.choice(endings)


def build_vocab(entries):
    """Per language: the real function words, then pseudo-words, shorter ones more frequent;
    no word equal to a one-word entry or beginning with a one-word stem."""
    exact = {t for _, t in entries if " " not in t and not t.endswith("*")}
    stems = tuple(t[:-1] for _, t in entries if " " not in t and t.endswith("*"))
    vocab = {}
    for lang in LANGS:
        rng = random.Random(f"{SEED}:vocab:{lang}")
        words = list(dict.fromkeys(FUNCTION_WORDS[lang]))
        seen = set(words)
        extra = []
        while len(words) + len(extra) < VOCAB_SIZE:
            w = pseudo_word(rng, lang)
            if w not in seen and w not in exact and not w.startswith(stems) and len(w) > 1:
                seen.add(w)
                extra.append(w)
        keys = {w: len(w) + rng.random() * 4 for w in extra}
        words += sorted(extra, key=keys.__getitem__)
        vocab[lang] = [w for w in words if w not in exact and not w.startswith(stems)]
    return vocab


# Set in the parent before the worker pool forks.
VOCAB, CUM, HITS = {}, {}, {}


def setup_text(entries):
    """Builds the vocabularies and the Zipf weights (once); returns the vocabularies."""
    if VOCAB:
        return VOCAB
    VOCAB.update(build_vocab(entries))
    vocab = VOCAB
    for lang, words in vocab.items():
        CUM[lang] = list(itertools.accumulate(1 / (rank + 2.7) for rank in range(len(words))))  # Zipf-Mandelbrot
        HITS[lang] = sorted(t for l, t in entries if l == lang)
    return VOCAB


def sentence(rng, lang, lo=4, hi=20, end=True):
    n = rng.randint(lo, hi)
    ws = rng.choices(VOCAB[lang], cum_weights=CUM[lang], k=n)
    if n > 8 and rng.random() < 0.5:
        i = rng.randrange(2, n - 2)
        ws[i] += COMMA[lang]
    if rng.random() < 0.08:
        ws[rng.randrange(n)] = str(rng.randint(2, 2030))
    ws[0] = ws[0].capitalize()
    return " ".join(ws) + (rng.choice(SENTENCE_ENDS[lang]).rstrip() if end else "")


def paragraph(rng, lang):
    return " ".join(sentence(rng, lang) for _ in range(rng.randint(2, 7)))


def hit(rng, lang):
    """A lexicon term of `lang` as it would appear in text (a stem gets an ending)."""
    term = rng.choice(HITS[lang])
    return term[:-1] + rng.choice(STEM_ENDINGS[lang]) if term.endswith("*") else term


def inject(rng, lang, text, k):
    words = text.split(" ")
    for _ in range(k):
        words.insert(rng.randint(1, len(words)), hit(rng, lang))
    return " ".join(words)


def article(rng, lang):
    """One article of 2-20 KB: a title line and paragraphs. Returns (text, terms injected)."""
    target = rng.randint(2_000, 20_000)
    paras = [sentence(rng, lang, 3, 9, end=False)]
    size = len(paras[0].encode())
    while size < target:
        p = paragraph(rng, lang)
        paras.append(p)
        size += len(p.encode()) + 2
    k = 0
    if rng.randrange(INJECT_ONE_IN) == 0:
        k = rng.randint(1, 3)
        j = rng.randrange(1, len(paras)) if len(paras) > 1 else 0
        paras[j] = inject(rng, lang, paras[j], k)
    return "\n\n".join(paras), k


def make_file(job):
    """Writes one text file; returns (bytes, articles, articles with hits, terms injected)."""
    index, path, lang = job
    rng = random.Random(SEED * 1_000_003 + index)
    base = "kk" if lang == "kkl" else lang
    parts, size, hit_articles, injected = [], 0, 0, 0
    while size < FILE_BYTES:
        text, k = article(rng, base)
        if lang == "kkl":
            text = text.translate(KK_LATIN_TABLE)
        parts.append(text)
        size += len(text.encode()) + 3
        hit_articles += k > 0
        injected += k
    data = ("\n\n\n".join(parts) + "\n").encode("utf-8")
    Path(path).write_bytes(data)
    return len(data), len(parts), hit_articles, injected


def generate_text(folder, megabytes):
    folder.mkdir(parents=True)
    files = max(2, round(megabytes * 1e6 / FILE_BYTES))
    jobs = [(i, str(folder / f"{FILE_LANGS[i % len(FILE_LANGS)]}-{i:04}.txt"), FILE_LANGS[i % len(FILE_LANGS)]) for i in range(files)]
    start = time.monotonic()
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 2) as pool:
        stats = pool.map(make_file, jobs, chunksize=1)
    total, articles, hit_articles, injected = (sum(col) for col in zip(*stats))
    latin = sum(s[0] for j, s in zip(jobs, stats) if j[2] == "kkl")
    say(f"generated {files} text files, {total / 1e6:.1f} MB ({total:,} bytes; Kazakh in Latin script "
        f"{latin / 1e6:.1f} MB), {articles:,} articles, {hit_articles:,} of them ({hit_articles / articles:.1%}) with "
        f"{injected:,} injected lexicon terms, in {time.monotonic() - start:.0f} s")
    return files, total


def site_pool(rng):
    """Paragraph pools for the site: 400 per language (`kkl` = Kazakh in Latin script), about
    1 in 200 with a lexicon term (a page holds 30-120 paragraphs drawn from its pool)."""
    pool = {}
    for lang in ["ru", "kk", "en", "ar", "kkl"]:
        base = "kk" if lang == "kkl" else lang
        paras = []
        for _ in range(400):
            p = paragraph(rng, base)
            if rng.randrange(200) == 0:
                p = inject(rng, base, p, 1)
            paras.append(p.translate(KK_LATIN_TABLE) if lang == "kkl" else p)
        pool[lang] = paras
    return pool


# ---------------------------------------------------------------------------------------------
# Matching

def run_kuzet_classify(kuzet, lexdir, text, files, work):
    out = work / "classify-out"
    shutil.rmtree(out, ignore_errors=True)
    wall, cpu, rss, _ = measure([kuzet, "classify", "--lexicons", lexdir, "--out", out, "--run-id", "bench", text],
                                ok=(0,), stderr=work / "classify.stderr")
    summary = json.loads((out / "summary.json").read_text())
    if summary.get("read") != files or summary.get("failed"):
        sys.exit(f"kuzet classify read {summary.get('read')} of {files} files, {summary.get('failed')} failed")
    return {"wall": wall, "cpu": cpu, "rss": rss, "count": summary.get("flagged", 0)}


def run_rg(terms, text, work):
    out = work / "rg.out"
    wall, cpu, rss, _ = measure(["rg", "--count", "-i", "-w", "-F", "-f", terms, text], ok=(0, 1),
                                stdout=out, stderr=work / "rg.stderr")
    count = sum(int(line.rsplit(":", 1)[1]) for line in out.read_text(encoding="utf-8", errors="replace").splitlines() if ":" in line)
    return {"wall": wall, "cpu": cpu, "rss": rss, "count": count}


def matching(kuzet, have_rg, runs, megabytes, work):
    say("\n== matching: kuzet classify vs rg ==")
    bundled = ROOT / "lexicons"
    entries, cues = read_lexicon(bundled)
    vocab = setup_text(entries)
    text = work / "text"
    files, total = generate_text(text, megabytes)
    base_terms = list(dict.fromkeys(rg_form(t) for t in [t for _, t in entries] + cues))
    synth = synthetic_entries(max(n for _, n in LEXICON_SIZES if n) - len(entries), base_terms, vocab)
    lexicons = []
    for name, size in LEXICON_SIZES:
        extra = synth[:size - len(entries)] if size else []
        lexdir = bundled
        if extra:
            lexdir = work / f"lexicon-{size}"
            write_lexicon(lexdir, bundled, extra)
        terms = list(dict.fromkeys(base_terms + [rg_form(t) for _, t in extra]))
        terms_file = work / f"terms-{size or 'bundled'}.txt"
        terms_file.write_text("\n".join(terms) + "\n", encoding="utf-8")
        lexicons.append({"name": name, "dir": lexdir, "entries": len(entries) + len(extra), "terms": len(terms), "file": terms_file})
        say(f"lexicon {name}: {len(entries) + len(extra):,} entries ({len(entries)} bundled + {len(extra):,} synthetic) "
            f"in {lexdir}; rg gets {len(terms):,} distinct terms (entries and {len(set(map(rg_form, cues)))} cue terms)")
    say(f"commands: kuzet classify --lexicons LEX --out OUT --run-id bench {text}\n"
        f"          rg --count -i -w -F -f TERMS {text}")
    if not have_rg:
        say("rg: SKIPPED (ripgrep is not installed); kuzet runs alone")
    results = {lex["name"]: {"kuzet": [], "rg": []} for lex in lexicons}
    for i in range(runs):
        for lex in lexicons:
            order = ["kuzet", "rg"] if i % 2 == 0 else ["rg", "kuzet"]
            for side in order:
                if side == "rg" and not have_rg:
                    continue
                if side == "kuzet":
                    r = run_kuzet_classify(kuzet, lex["dir"], text, files, work)
                    what = f"{r['count']} files flagged"
                else:
                    r = run_rg(lex["file"], text, work)
                    what = f"{r['count']:,} matching lines"
                results[lex["name"]][side].append(r)
                say(f"run {i + 1} lexicon {lex['name']:8} {side:5}: {r['wall']:6.2f} s = {total / 1e6 / r['wall']:6.1f} MB/s, "
                    f"CPU {r['cpu']:6.2f} s, peak RSS {r['rss']:5.0f} MiB, {what}")
    return {"files": files, "bytes": total, "lexicons": lexicons, "results": results}


# ---------------------------------------------------------------------------------------------
# Crawling

SPIDER = '''
import scrapy


class BenchSpider(scrapy.Spider):
    """Follows every link within the benchmark site; no items, no output."""
    name = "bench"

    def __init__(self, start=None, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]
        self.site = start
        self.pages = 0

    def parse(self, response):
        self.pages += 1
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if url.startswith(self.site):
                yield scrapy.Request(url, callback=self.parse)

    def closed(self, reason):
        stats = self.crawler.stats
        print(f"BENCH pages={self.pages} responses={stats.get_value('response_received_count', 0)} reason={reason}", flush=True)
'''


EVIDENCE = "flagged"  # --evidence: the crawl's [evidence] capture (issue 17: its cost is measured against "none")


def run_kuzet_crawl(kuzet, url, addr, pages, work):
    out = work / "crawl-out"
    shutil.rmtree(out, ignore_errors=True)
    seeds = work / "seeds.txt"
    seeds.write_text(f"{url}\n")
    config = work / "crawl.toml"
    config.write_text(f"max_pages_per_host = 1000000\npublish_every = 1000000\n\n[evidence]\ncapture = \"{EVIDENCE}\"\n")
    wall, cpu, rss, code = measure([kuzet, "crawl", "--seeds", seeds, "--out", out, "--config", config,
                                    "--lexicons", ROOT / "lexicons", "--allow-addr", addr, "--delay-ms", "0",
                                    "--max-depth", pages + 10], ok=(0, 1), stderr=work / "crawl.stderr")
    summary = json.loads((out / "summary.json").read_text())
    crawl = summary["crawl"]
    note = f"{crawl['requests']} requests, {summary.get('flagged', 0)} flagged, evidence {EVIDENCE}: {crawl.get('evidence_pages', 0)} pages"
    if code:
        note += f", exit {code}: statuses {crawl['statuses']}"
    return {"pages": crawl["pages_analysed"], "wall": wall, "cpu": cpu, "rss": rss, "note": note}


def run_wget(url, work):
    out = work / "wget-out"
    shutil.rmtree(out, ignore_errors=True)
    log = work / "wget.log"
    wall, cpu, rss, code = measure(["wget", "--recursive", "--level=inf", "--no-parent", "--delete-after", "-nv",
                                    "-o", log, "-P", out, url], ok=(0, 8))
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    pages = sum(1 for line in lines if "URL:" in line and ".html" in line)
    note = f"{sum(1 for line in lines if 'URL:' in line)} fetches logged" + (f", exit {code}" if code else "")
    return {"pages": pages, "wall": wall, "cpu": cpu, "rss": rss, "note": note}


def run_scrapy(url, concurrency, work):
    spider = work / "bench_spider.py"
    spider.write_text(SPIDER)
    out = work / "scrapy.out"
    settings = {"ROBOTSTXT_OBEY": "True", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": concurrency,
                "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "LOG_LEVEL": "WARNING",
                "TELNETCONSOLE_ENABLED": "False", "AUTOTHROTTLE_ENABLED": "False"}
    cmd = [sys.executable, "-m", "scrapy", "runspider", spider, "-a", f"start={url}"]
    for k, v in settings.items():
        cmd += ["-s", f"{k}={v}"]
    wall, cpu, rss, _ = measure(cmd, ok=(0,), stdout=out, stderr=work / "scrapy.stderr", cwd=work)
    found = re.search(r"BENCH pages=(\d+) responses=(\d+) reason=(\S+)", out.read_text(errors="replace"))
    if not found:
        sys.exit(f"scrapy printed no page count; stderr:\n{(work / 'scrapy.stderr').read_text(errors='replace')[-2000:]}")
    note = f"{found[2]} responses (robots.txt included), closed: {found[3]}"
    return {"pages": int(found[1]), "wall": wall, "cpu": cpu, "rss": rss, "note": note}


def crawling(kuzet, have_wget, have_scrapy, runs, pages, calib_pages, work):
    say("\n== crawling: kuzet crawl vs scrapy vs wget ==")
    root = work / "www"
    root.mkdir()
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    setup_text(read_lexicon(ROOT / "lexicons")[0])
    pool = site_pool(random.Random(SEED + 5))
    site_bytes = generate_site(root / "site", pages, seed=SEED, pool=pool, langs=SITE_LANGS, tag="compare-v2", prefix="/site")
    generate_site(root / "calib", calib_pages, seed=SEED + 1, pool=pool, langs=SITE_LANGS, tag="compare-v2", prefix="/calib")
    for name, ok in (("wget", have_wget), ("scrapy", have_scrapy)):
        if not ok:
            say(f"{name}: SKIPPED (not installed)")
    with kuzet_serve(kuzet, root, work) as addr:
        say(f"one `kuzet serve` on {addr} serves both sites\n"
            f"commands: kuzet crawl --seeds SEEDS --out OUT --config CFG --lexicons {ROOT / 'lexicons'} --allow-addr {addr} "
            f"--delay-ms 0 --max-depth {pages + 10}   (CFG: max_pages_per_host and publish_every 1000000)\n"
            f"          wget --recursive --level=inf --no-parent --delete-after -nv -o LOG -P DIR http://{addr}/site/\n"
            f"          {Path(sys.executable).name} -m scrapy runspider SPIDER.py -a start=http://{addr}/site/ -s ROBOTSTXT_OBEY=True "
            f"-s DOWNLOAD_DELAY=0 -s CONCURRENT_REQUESTS=N -s CONCURRENT_REQUESTS_PER_DOMAIN=N -s LOG_LEVEL=WARNING")
        base = f"http://{addr}"
        best = None
        if have_scrapy:
            say(f"calibration on {calib_pages} pages: scrapy CONCURRENT_REQUESTS (= _PER_DOMAIN) "
                f"{'/'.join(map(str, SCRAPY_CONCURRENCY))}; kuzet: default --concurrency (it keeps one "
                f"request per host at a time, so one host gets one connection whatever the setting); "
                f"wget: one connection")
            tried = []
            for c in SCRAPY_CONCURRENCY:
                r = run_scrapy(f"{base}/calib/", c, work)
                tried.append((r["pages"] / r["wall"], c))
                say(f"  scrapy CONCURRENT_REQUESTS={c:2}: {r['pages']} pages in {r['wall']:.2f} s = {r['pages'] / r['wall']:.0f} pages/s")
            best = max(tried)[1]
            say(f"  chosen: scrapy CONCURRENT_REQUESTS={best}")
        sides = [("kuzet", lambda: run_kuzet_crawl(kuzet, f"{base}/site/", addr, pages, work))]
        if have_scrapy:
            sides.append(("scrapy", lambda: run_scrapy(f"{base}/site/", best, work)))
        if have_wget:
            sides.append(("wget", lambda: run_wget(f"{base}/site/", work)))
        results = {name: [] for name, _ in sides}
        for i in range(runs):
            order = sides[i % len(sides):] + sides[:i % len(sides)]  # a different side first each run
            for name, fn in order:
                r = fn()
                results[name].append(r)
                say(f"run {i + 1} {name:6}: {r['pages']} pages in {r['wall']:6.2f} s = {r['pages'] / r['wall']:5.0f} pages/s, "
                    f"CPU {r['cpu']:6.2f} s, peak RSS {r['rss']:4.0f} MiB ({r['note']})")
    expected = pages + 1  # the pages and the index
    for name, rs in results.items():
        for r in rs:
            if abs(r["pages"] - expected) > max(1, expected // 100):
                say(f"WARNING: {name} fetched {r['pages']} pages, the site has {expected} (index included)")
    settings = {"kuzet": "default --concurrency, 1 per host", "scrapy": f"CONCURRENT_REQUESTS={best}", "wget": "1 connection"}
    return {"pages": pages, "bytes": site_bytes, "results": results, "settings": settings}


# ---------------------------------------------------------------------------------------------

def summarize(match, crawl, runs):
    say(f"\n== summary: medians of {runs} run(s); peak RSS is the highest seen; {os.cpu_count()} cores ==")
    if match:
        mb = match["bytes"] / 1e6
        say(f"\nmatching: {mb:.1f} MB of text in {match['files']} files")
        say(f"| lexicon | entries | rg terms | kuzet MB/s | rg MB/s | kuzet/rg | kuzet wall s | rg wall s | kuzet CPU s | rg CPU s | kuzet RSS MiB | rg RSS MiB |")
        say("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for lex in match["lexicons"]:
            res = match["results"][lex["name"]]
            k = res["kuzet"]
            kw = median(r["wall"] for r in k)
            row = [lex["name"], f"{lex['entries']:,}", f"{lex['terms']:,}", f"{mb / kw:.1f}"]
            if res["rg"]:
                g = res["rg"]
                gw = median(r["wall"] for r in g)
                row += [f"{mb / gw:.1f}", f"**{gw / kw:.2f}**", f"{kw:.2f}", f"{gw:.2f}",
                        f"{median(r['cpu'] for r in k):.2f}", f"{median(r['cpu'] for r in g):.2f}",
                        f"{max(r['rss'] for r in k):.0f}", f"{max(r['rss'] for r in g):.0f}"]
            else:
                row += ["skipped", "-", f"{kw:.2f}", "-", f"{median(r['cpu'] for r in k):.2f}", "-",
                        f"{max(r['rss'] for r in k):.0f}", "-"]
            say("| " + " | ".join(row) + " |")
        two = match["results"]["~2,000"]
        if two["rg"]:
            ratio = median(r["wall"] for r in two["rg"]) / median(r["wall"] for r in two["kuzet"])
            say(f"acceptance (kuzet >= 2x rg's throughput with ~2,000 terms): kuzet/rg = {ratio:.2f}: "
                f"{'MET' if ratio >= 2 else 'NOT MET'}")
    if crawl:
        say(f"\ncrawling: {crawl['pages']:,} pages + index, {crawl['bytes'] / 1e6:.0f} MB, one `kuzet serve` on 127.0.0.1")
        say("| side | setting | pages | wall s | pages/s | CPU s | peak RSS MiB |")
        say("|---|---|---|---|---|---|---|")
        rate = {}
        for name, rs in crawl["results"].items():
            p, w = median(r["pages"] for r in rs), median(r["wall"] for r in rs)
            rate[name] = median(r["pages"] / r["wall"] for r in rs)
            say(f"| {name} | {crawl['settings'][name]} | {p:,.0f} | {w:.2f} | {rate[name]:.0f} | "
                f"{median(r['cpu'] for r in rs):.2f} | {max(r['rss'] for r in rs):.0f} |")
        for other in ("scrapy", "wget"):
            if other in rate:
                say(f"ratio kuzet/{other} pages/s: **{rate['kuzet'] / rate[other]:.2f}**")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smoke test: 10 MB of text, 1,000 pages")
    ap.add_argument("--runs", type=int, default=3, help="runs of each comparison (default 3)")
    ap.add_argument("--kuzet", metavar="PATH", help="use this kuzet binary instead of building one")
    ap.add_argument("--only", choices=["matching", "crawling"], help="run one comparison only")
    ap.add_argument("--evidence", choices=["flagged", "all", "none"], default="flagged", help="the crawl's [evidence] capture (default flagged)")
    args = ap.parse_args()
    global EVIDENCE
    EVIDENCE = args.evidence
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    megabytes, pages = (10, 1_000) if args.quick else (100, 10_000)
    calib_pages = max(300, pages // 10)

    kuzet = kuzet_binary(args.kuzet)
    missing = ensure_debian_tools({"rg": "ripgrep", "wget": "wget"})
    have_scrapy = ensure_pip_module("scrapy", "scrapy") if args.only != "matching" else False
    for tool, flag in (("rg", "--version"), ("wget", "--version")):
        if tool not in missing:
            say(f"{tool}: {subprocess.run([tool, flag], capture_output=True, text=True).stdout.splitlines()[0]}")
    if have_scrapy:
        say("scrapy: " + subprocess.run([sys.executable, "-m", "scrapy", "version"], capture_output=True, text=True).stdout.strip())

    work = Path(tempfile.mkdtemp(prefix="kuzet-compare-"))
    say(f"work folder: {work} (removed at the end)")
    match = crawl = None
    try:
        if args.only != "crawling":
            match = matching(kuzet, "rg" not in missing, args.runs, megabytes, work)
        if args.only != "matching":
            crawl = crawling(kuzet, "wget" not in missing, have_scrapy, args.runs, pages, calib_pages, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summarize(match, crawl, args.runs)


if __name__ == "__main__":
    main()
