#!/usr/bin/env python3
"""Crawl benchmark: kuzet against wget on the same local site, on loopback.

    python3 benches/crawl.py [--pages 10000] [--runs 3] [--kuzet PATH]

Builds kuzet in release mode (or uses `--kuzet PATH`), generates a deterministic static site (default 10,000 interlinked
pages of 15-60 KB, Russian, Kazakh, English and Arabic text, every tenth Russian page in
windows-1251), serves it with `kuzet serve` on 127.0.0.1, then runs each side `--runs` times,
alternating which goes first, and prints the median wall time, pages/s, CPU seconds and peak RSS
of each, and the ratio. kuzet crawls with classification on, delay 0 and its one-request-per-host
politeness; wget runs `--recursive --level=inf` (also one request at a time). Nothing leaves
127.0.0.1. wget comes from Debian's package (`apt-get install wget` if missing).
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in benches/
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, ensure_debian_tools, generate_site, kuzet_binary, kuzet_serve, measure  # noqa: E402


def run_kuzet(kuzet, addr, work):
    out = work / "kuzet-out"
    shutil.rmtree(out, ignore_errors=True)
    seeds = work / "seeds.txt"
    seeds.write_text(f"http://{addr}/\n")
    config = work / "bench.toml"
    config.write_text("max_depth = 100000\nmax_pages_per_host = 1000000\npublish_every = 1000000\n")
    wall, cpu, rss, _ = measure([str(kuzet), "crawl", "--seeds", str(seeds), "--out", str(out), "--config", str(config),
                                 "--lexicons", ROOT / "lexicons", "--allow-addr", addr, "--delay-ms", "0"], ok=(0, 1))
    pages = sum(1 for line in open(out / "crawl.csv", encoding="utf-8-sig") if ",200," in line)
    return pages, wall, cpu, rss


def run_wget(addr, work):
    out = work / "wget-out"
    shutil.rmtree(out, ignore_errors=True)
    log = work / "wget.log"
    wall, cpu, rss, _ = measure(["wget", "--recursive", "--level=inf", "--no-parent", "--delete-after", "-nv",
                                 "-o", str(log), "-P", str(out), f"http://{addr}/"], ok=(0, 8))
    pages = sum(1 for line in open(log, encoding="utf-8", errors="replace") if "URL:" in line and ".html" in line)
    return pages, wall, cpu, rss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kuzet", metavar="PATH", help="use this kuzet binary instead of building one")
    args = ap.parse_args()
    if ensure_debian_tools({"wget": "wget"}):
        sys.exit("wget is needed")
    kuzet = kuzet_binary(args.kuzet)
    site = ROOT / "target" / "bench-site"
    generate_site(site, args.pages)
    work = Path(tempfile.mkdtemp(prefix="kuzet-bench-"))
    try:
        with kuzet_serve(kuzet, site, work) as addr:
            results = {"kuzet": [], "wget": []}
            for i in range(args.runs):
                order = ["kuzet", "wget"] if i % 2 == 0 else ["wget", "kuzet"]
                for side in order:
                    r = run_kuzet(kuzet, addr, work) if side == "kuzet" else run_wget(addr, work)
                    results[side].append(r)
                    print(f"run {i + 1} {side:5}: {r[0]} pages in {r[1]:.1f} s = {r[0] / r[1]:.0f} pages/s, "
                          f"CPU {r[2]:.1f} s, peak RSS {r[3]:.0f} MiB", flush=True)
    finally:
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
