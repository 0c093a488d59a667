#!/usr/bin/env python3
"""Moves the cases of lexicons/pending/<lang>/tests.csv that the lexicons now pass into
lexicons/<lang>/tests.csv (appended, as written), keeping the others pending:

    python3 lexicons/tools/promote_cases.py [path/to/kuzet]

It runs `kuzet lexicon test --cases lexicons/pending` and reads the failures it prints."""
import re
import subprocess
import sys

kuzet = sys.argv[1] if len(sys.argv) > 1 else "target/release/kuzet"
out = subprocess.run([kuzet, "lexicon", "test", "--cases", "lexicons/pending"], capture_output=True, text=True).stdout
failing = {}
for line in out.splitlines():
    m = re.match(r"FAIL (?:.*/)?pending/(\w+)/tests\.csv:(\d+):", line)
    if m:
        failing.setdefault(m.group(1), set()).add(int(m.group(2)))
for lang in ["en", "ru", "kk", "ar"]:
    path = f"lexicons/pending/{lang}/tests.csv"
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
        with open(f"lexicons/{lang}/tests.csv", "a", encoding="utf-8") as f:
            f.write("\n".join(promote) + "\n")
    open(path, "w", encoding="utf-8").write("\n".join(keep).rstrip("\n") + "\n")
    print(f"{lang}: {len(promote)} promoted, {len([l for l in keep if l.strip() and not l.startswith('#') and not l.startswith('expect,')])} still pending")
