#!/usr/bin/env python3
"""`kuzet classify` on a WARC of >= 200 MB of pages against the same pages as plain files (issue 17).

The pages are generate_site()'s (15-60 KB of text each, the crawl benchmark's generator). The
WARC holds one `response` record per page (HTTP/1.1 200, Content-Type text/html, one gzip member
per record, as kuzet and wget write them); the plain side is the same bytes as `.html` files in a
folder. Both are classified with the bundled lexicons; the median wall time of `--runs` runs is
reported with the throughput in MB/s of page bytes. Nothing touches the network.

    python3 benches/warc.py [--megabytes 200] [--runs 3] [--kuzet target/release/kuzet]
"""
import argparse
import gzip
import io
import json
import tempfile
from pathlib import Path

from common import ROOT, generate_site, kuzet_binary, measure, median, say


def write_warc(site, path):
    """Every page of `site` as a response record of `path` (.warc.gz)."""
    with open(path, "wb") as out:
        for page in sorted(site.glob("p*.html")):
            body = page.read_bytes()
            http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body
            head = (f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{abs(hash(page.name)):032x}>\r\n"
                    f"WARC-Date: 2026-12-05T10:00:00Z\r\nWARC-Target-URI: http://bench.invalid/{page.name}\r\n"
                    f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n").encode()
            buf = io.BytesIO()
            with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=5) as gz:
                gz.write(head + http + b"\r\n\r\n")
            out.write(buf.getvalue())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--megabytes", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kuzet", metavar="PATH")
    args = ap.parse_args()
    kuzet = kuzet_binary(args.kuzet)
    work = Path(tempfile.mkdtemp(prefix="kuzet-warc-bench-"))
    pages = args.megabytes * 1_000_000 // 37_500  # 37.5 KB a page on average
    site = work / "site"
    total = generate_site(site, pages, seed=20261205, tag="warc-bench")
    for extra in ("index.html", "robots.txt"):
        (site / extra).unlink()
    warc = work / "site.warc.gz"
    write_warc(site, warc)
    say(f"{pages} pages, {total / 1e6:.0f} MB of HTML; the WARC is {warc.stat().st_size / 1e6:.0f} MB gzipped")
    sides = {"plain files": [site], "WARC": [warc]}
    results = {name: [] for name in sides}
    for i in range(args.runs):
        for name, inputs in sides.items():
            out = work / f"out-{i}-{name[0]}"
            wall, cpu, rss, _ = measure([kuzet, "classify", "--out", out, *inputs])
            read = json.loads((out / "summary.json").read_text())
            results[name].append(wall)
            say(f"run {i + 1} {name:11}: {read['read']} pages, {read['flagged']} flagged, {wall:6.2f} s = {total / 1e6 / wall:5.1f} MB/s, CPU {cpu:.1f} s, peak RSS {rss:.0f} MiB")
    plain, warc_wall = median(results["plain files"]), median(results["WARC"])
    say(f"median: plain {plain:.2f} s ({total / 1e6 / plain:.1f} MB/s), WARC {warc_wall:.2f} s ({total / 1e6 / warc_wall:.1f} MB/s): "
        f"WARC takes {100 * (warc_wall / plain - 1):+.0f}% of the plain files' time")


if __name__ == "__main__":
    main()
