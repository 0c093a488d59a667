#!/usr/bin/env python3
"""A/B crawl bench on compare.py's crawl site: two or more kuzet binaries or evidence settings,
runs interleaved (the order flips every run), one `kuzet serve` on 127.0.0.1 for all of them.

    python3 benches/crawl_ab.py [--pages 10000] [--runs 5] NAME=BINARY[:CAPTURE] ...

CAPTURE, when given, is written as `[evidence] capture = "CAPTURE"` into the crawl config
(none, flagged, all); without it the config has no [evidence] table (binaries older than the
evidence issue). Each side prints its runs and then the medians of wall and CPU (user + system)
seconds. The site, the crawl command and its config are compare.py's own (`generate_site`,
seed, languages, `--delay-ms 0`), so the figures compare with its crawling phase.

Examples: `main=target/release/kuzet:none main-flagged=target/release/kuzet:flagged` (the cost
of evidence), `before=/tmp/kuzet-old after=target/release/kuzet:none` (a change's cost).
"""
import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare as c  # noqa: E402


def crawl(work, spec, url, addr, pages):
    binary, _, capture = spec.partition(":")
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    (work / "seeds.txt").write_text(f"{url}\n")
    config = "max_pages_per_host = 1000000\npublish_every = 1000000\n"
    if capture:
        config += f'\n[evidence]\ncapture = "{capture}"\n'
    (work / "crawl.toml").write_text(config)
    wall, cpu, rss, _ = c.measure(
        [binary, "crawl", "--seeds", work / "seeds.txt", "--out", out, "--config", work / "crawl.toml",
         "--lexicons", c.ROOT / "lexicons", "--allow-addr", addr, "--delay-ms", "0", "--max-depth", pages + 10],
        ok=(0, 1), stderr=work / "crawl.stderr")
    summary = json.loads((out / "summary.json").read_text())
    return {"wall": wall, "cpu": cpu, "rss": rss, "pages": summary["crawl"]["pages_analysed"], "flagged": summary.get("flagged")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("sides", nargs="+", help="NAME=BINARY[:CAPTURE]")
    args = ap.parse_args()
    sides = [s.split("=", 1) for s in args.sides]
    with tempfile.TemporaryDirectory(prefix="kuzet-crawl-ab-") as tmp:
        work = Path(tmp)
        root = work / "www"
        root.mkdir()
        (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
        c.setup_text(c.read_lexicon(c.ROOT / "lexicons")[0])
        pool = c.site_pool(random.Random(c.SEED + 5))
        c.generate_site(root / "site", args.pages, seed=c.SEED, pool=pool, langs=c.SITE_LANGS, tag="compare-v2", prefix="/site")
        results = {name: [] for name, _ in sides}
        with c.kuzet_serve(Path(sides[0][1].partition(":")[0]), root, work) as addr:
            url = f"http://{addr}/site/"
            for i in range(args.runs):
                for name, spec in (sides if i % 2 == 0 else sides[::-1]):
                    r = crawl(work, spec, url, addr, args.pages)
                    results[name].append(r)
                    print(f"run {i + 1} {name}: wall {r['wall']:.2f} s, CPU {r['cpu']:.2f} s, {r['pages']} pages, {r['flagged']} flagged", flush=True)
        for name, rs in results.items():
            wall = statistics.median(r["wall"] for r in rs)
            cpu = statistics.median(r["cpu"] for r in rs)
            print(f"{name}: median wall {wall:.2f} s ({rs[0]['pages'] / wall:.0f} pages/s), median CPU {cpu:.2f} s, {rs[0]['pages']} pages")


if __name__ == "__main__":
    main()
