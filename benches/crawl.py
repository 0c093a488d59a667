#!/usr/bin/env python3
"""Crawl benchmark: kuzet against wget on the same local site, on loopback.

    python3 benches/crawl.py [--pages 10000] [--runs 3]

Builds kuzet in release mode, generates a deterministic static site (default 10,000 interlinked
pages of 15-60 KB, Russian, Kazakh, English and Arabic text, every tenth Russian page in
windows-1251), serves it with `kuzet serve` on 127.0.0.1, then runs each side `--runs` times,
alternating which goes first, and prints the median wall time, pages/s, CPU seconds and peak RSS
of each, and the ratio. kuzet crawls with classification on, delay 0 and its one-request-per-host
politeness; wget runs `--recursive --level=inf` (also one request at a time). Nothing leaves
127.0.0.1. wget comes from Debian's package (`apt-get install wget` if missing).
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = {
    "ru": "и в не на что это как он по но они все его для так уже был была город район жители "
          "сегодня вчера новости погода дорога школа больница рынок цены работа семья дети "
          "праздник концерт футбол команда матч тренер зима лето весна осень снег дождь солнце "
          "администрация проект строительство мост улица парк музей библиотека студенты "
          "экономика бизнес магазин автобус поезд аэропорт туристы горы озеро река".split(),
    "kk": "және мен бұл осы үшін емес болып деп бар жоқ қала аудан тұрғындар бүгін кеше "
          "жаңалықтар ауа райы жол мектеп аурухана базар баға жұмыс отбасы балалар мереке "
          "концерт футбол команда ойын жаттықтырушы қыс жаз көктем күз қар жаңбыр күн әкімдік "
          "жоба құрылыс көпір көше саябақ мұражай кітапхана студенттер экономика дүкен".split(),
    "en": "the and to of is in that it for are with this they will city district residents "
          "today yesterday news weather road school hospital market prices work family children "
          "holiday concert football team match coach winter summer spring autumn snow rain sun "
          "council project construction bridge street park museum library students economy".split(),
    "ar": "في من على إلى أن هذا مع كان المدينة الحي السكان اليوم أمس الأخبار الطقس الطريق "
          "المدرسة المستشفى السوق الأسعار العمل العائلة الأطفال العيد الحفل كرة القدم الفريق "
          "المباراة المدرب الشتاء الصيف الربيع الخريف المطر الشمس البلدية المشروع الجسر".split(),
}
HITS = {
    "ru": ["убивайте неверных", "надо взорвать", "присоединяйтесь к джихаду"],
    "kk": ["бәрін өлтіріңдер", "жарып жіберу керек"],
    "en": ["kill them all", "we will blow up the station", "join the caliphate"],
    "ar": ["اقتلوا الكفار"],
}


def paragraphs(rng, lang, n):
    """`n` paragraphs of Zipf-distributed words, about 1 in 40 with a lexicon hit."""
    words = WORDS[lang]
    weights = [1 / (rank + 1) for rank in range(len(words))]
    out = []
    for _ in range(n):
        sentences = []
        for _ in range(rng.randint(3, 8)):
            s = rng.choices(words, weights, k=rng.randint(5, 18))
            if rng.random() < 0.025:
                s.insert(rng.randint(0, len(s)), rng.choice(HITS[lang]))
            sentences.append(" ".join(s).capitalize() + ".")
        out.append(" ".join(sentences))
    return out


def generate(site, pages, seed=42):
    marker = site / ".generated"
    if marker.exists() and marker.read_text() == f"{pages} {seed}":
        return
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    rng = random.Random(seed)
    pool = {lang: paragraphs(rng, lang, 400) for lang in WORDS}
    langs = ["ru"] * 4 + ["kk"] * 3 + ["en"] * 2 + ["ar"]
    total = 0
    for i in range(pages):
        lang = langs[i % len(langs)]
        target = rng.randint(15_000, 60_000)
        links = {(i + 1) % pages} | {rng.randrange(pages) for _ in range(8)}
        nav = " ".join(f'<a href="/p{j}.html">page {j}</a>' for j in sorted(links))
        legacy = lang == "ru" and i % 10 == 0
        head = '<meta charset="windows-1251">' if legacy and i % 20 == 0 else ("" if legacy else '<meta charset="utf-8">')
        parts = [f"<!doctype html><html><head>{head}<title>Page {i}</title></head><body><nav>{nav}</nav>"]
        size = len(parts[0])
        while size < target:
            p = f'<div class="comment"><p>{rng.choice(pool[lang])}</p></div>\n'
            parts.append(p)
            size += len(p.encode("utf-8")) if not legacy else len(p)
        parts.append("</body></html>")
        html = "".join(parts)
        data = html.encode("cp1251") if legacy else html.encode("utf-8")
        (site / f"p{i}.html").write_bytes(data)
        total += len(data)
    (site / "index.html").write_text('<html><body><a href="/p0.html">start</a></body></html>')
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    marker.write_text(f"{pages} {seed}")
    print(f"generated {pages} pages, {total / 1e6:.0f} MB in {site}", flush=True)


def measure(cmd):
    """Runs `cmd`; returns (wall seconds, CPU seconds, peak RSS MiB) of the child alone."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1, 8):
        sys.exit(f"{cmd[0]} failed with {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def run_kuzet(kuzet, addr, work):
    out = work / "kuzet-out"
    shutil.rmtree(out, ignore_errors=True)
    seeds = work / "seeds.txt"
    seeds.write_text(f"http://{addr}/\n")
    config = work / "bench.toml"
    config.write_text("max_depth = 100000\nmax_pages_per_host = 1000000\npublish_every = 1000000\n")
    wall, cpu, rss = measure([str(kuzet), "crawl", "--seeds", str(seeds), "--out", str(out), "--config", str(config),
                              "--allow-addr", addr, "--delay-ms", "0"])
    pages = sum(1 for line in open(out / "crawl.csv", encoding="utf-8-sig") if ",200," in line)
    return pages, wall, cpu, rss


def run_wget(addr, work):
    out = work / "wget-out"
    shutil.rmtree(out, ignore_errors=True)
    log = work / "wget.log"
    wall, cpu, rss = measure(["wget", "--recursive", "--level=inf", "--no-parent", "--delete-after", "-nv",
                              "-o", str(log), "-P", str(out), f"http://{addr}/"])
    pages = sum(1 for line in open(log, encoding="utf-8", errors="replace") if "URL:" in line and ".html" in line)
    return pages, wall, cpu, rss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if shutil.which("wget") is None:
        print("wget not found: installing it from Debian's packages (apt-get install -y wget)")
        subprocess.run(["apt-get", "install", "-y", "wget"], check=True)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    kuzet = ROOT / "target" / "release" / "kuzet"
    site = ROOT / "target" / "bench-site"
    generate(site, args.pages)
    work = Path(tempfile.mkdtemp(prefix="kuzet-bench-"))
    addr_file = work / "addr"
    server = subprocess.Popen([str(kuzet), "serve", str(site), "--addr-file", str(addr_file)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if addr_file.exists() and addr_file.read_text():
                break
            time.sleep(0.05)
        addr = addr_file.read_text().strip()
        results = {"kuzet": [], "wget": []}
        for i in range(args.runs):
            order = ["kuzet", "wget"] if i % 2 == 0 else ["wget", "kuzet"]
            for side in order:
                r = run_kuzet(kuzet, addr, work) if side == "kuzet" else run_wget(addr, work)
                results[side].append(r)
                print(f"run {i + 1} {side:5}: {r[0]} pages in {r[1]:.1f} s = {r[0] / r[1]:.0f} pages/s, "
                      f"CPU {r[2]:.1f} s, peak RSS {r[3]:.0f} MiB", flush=True)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nmachine: {os.cpu_count()} cores; site: {args.pages} pages served on loopback by `kuzet serve`")
    med = {}
    for side, rs in results.items():
        pages = statistics.median(r[0] for r in rs)
        wall = statistics.median(r[1] for r in rs)
        med[side] = pages / wall
        print(f"{side:5}: median {pages:.0f} pages, {wall:.1f} s, {pages / wall:.0f} pages/s, "
              f"CPU {statistics.median(r[2] for r in rs):.1f} s, peak RSS {max(r[3] for r in rs):.0f} MiB")
    print(f"ratio kuzet/wget pages/s: {med['kuzet'] / med['wget']:.2f}")


if __name__ == "__main__":
    main()
