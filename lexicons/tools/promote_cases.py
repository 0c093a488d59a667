#!/usr/bin/env python3
"""Moves the cases of lexicons/pending/<lang>/tests.csv that the lexicons now pass into
lexicons/<lang>/tests.csv (appended, as written), keeping the others pending:

    python3 lexicons/tools/promote_cases.py [path/to/kuzet] [--lang ar] [--lexicons DIR]

It runs `kuzet lexicon test --cases lexicons/pending` and reads the failures it prints; with
`--lang` only that language's cases move (the others stay pending even when they pass). It moves
nothing unless the run ended with its `lexicon tests:` summary (a lexicon that does not load
prints no failures, and would otherwise promote every case)."""
import argparse
import re
import subprocess

ap = argparse.ArgumentParser()
ap.add_argument("kuzet", nargs="?", default="target/release/kuzet")
ap.add_argument("--lang", action="append", help="only these languages (repeatable)")
ap.add_argument("--lexicons", default="lexicons")
args = ap.parse_args()
run = subprocess.run([args.kuzet, "lexicon", "test", "--lexicons", args.lexicons, "--cases", f"{args.lexicons}/pending"],
                     capture_output=True, text=True)
out = run.stdout + run.stderr
if not re.search(r"^lexicon tests: \d+ passed, \d+ failed", out, re.M):
    raise SystemExit("kuzet lexicon test printed no summary; nothing moved:\n" + out[-2000:])
failing = {}
for line in out.splitlines():
    m = re.match(r"FAIL (?:.*/)?pending/(\w+)/tests\.csv:(\d+):", line)
    if m:
        failing.setdefault(m.group(1), set()).add(int(m.group(2)))
for lang in args.lang or ["en", "ru", "kk", "ar"]:
    path = f"{args.lexicons}/pending/{lang}/tests.csv"
    lines = open(path, encoding="utf-8").read().split("\n")
    keep, promote = [], []
    header_seen = False
    for i, line in enumerate(lines, start=1):
        if not header_seen or not line.strip() or line.startswith("#"):
            keep.append(line)
            header_seen = header_seen or line.startswith("expect,")
            continue
        (keep if i in failing.get(lang, ()) else promote).append(line)
    if promote:
        with open(f"{args.lexicons}/{lang}/tests.csv", "a", encoding="utf-8") as f:
            f.write("\n".join(promote) + "\n")
    open(path, "w", encoding="utf-8").write("\n".join(keep).rstrip("\n") + "\n")
    print(f"{lang}: {len(promote)} promoted, {len([l for l in keep if l.strip() and not l.startswith('#') and not l.startswith('expect,')])} still pending")
