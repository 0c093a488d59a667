#!/usr/bin/env python3
"""How many of the lexicons' own positive test wordings are still found once obfuscated:

    python3 lexicons/tools/obfuscation_probe.py [path/to/kuzet] [--lexicons DIR] [--all]

Takes the positive cases of lexicons/<lang>/tests.csv whose note begins "own wording" (with
--all: every positive case), makes six variants of each by disguising its longest word the way
evasion does (leet digits and signs, letters spaced out, dotted, joined by zero-width spaces,
mixed with look-alike letters of the other script, one letter masked by `*`), writes them to a
temporary cases folder and runs `kuzet lexicon test --cases` on it. Prints the share found per
variant and language, and the misses. A variant must be found in the case's own categories (its
priority is not asked). Deterministic: no randomness."""
import argparse
import collections
import csv
import re
import subprocess
import tempfile
from pathlib import Path

LEET_LATIN = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
LEET_CYRILLIC = {"о": "0", "з": "3", "а": "@", "е": "3", "ч": "4", "б": "6"}
LOOK_ALIKE = {"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "a": "а", "e": "е", "o": "о",
              "p": "р", "c": "с", "y": "у", "x": "х", "і": "i", "i": "і"}


def variants(text):
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    if not words:
        return {}
    core = "".join(c for c in max(words, key=len) if c.isalpha())
    if len(core) < 3:
        return {}
    leet = LEET_LATIN if core.isascii() else LEET_CYRILLIC
    half = len(core) // 2
    forms = {
        "leet": "".join(leet.get(c, c) if i % 2 else c for i, c in enumerate(core)),
        "spaced": " ".join(core),
        "dots": ".".join(core),
        "zero-width": "\u200b".join(core),
        "look-alike": "".join(c if i % 2 else LOOK_ALIKE.get(c, c) for i, c in enumerate(core)),
        "mask": core[:half] + "*" + core[half + 1:],
    }
    return {kind: text.replace(core, form, 1) for kind, form in forms.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kuzet", nargs="?", default="target/release/kuzet")
    ap.add_argument("--lexicons", default="lexicons")
    ap.add_argument("--all", action="store_true", help="every positive case, not only 'own wording' ones")
    args = ap.parse_args()
    made = {}
    with tempfile.TemporaryDirectory() as tmp:
        for lang in ["en", "ru", "kk", "ar"]:
            rows = [r for r in csv.reader(open(Path(args.lexicons) / lang / "tests.csv", encoding="utf-8"))
                    if len(r) >= 2 and not r[0].startswith("#") and r[0] not in ("expect", "none")]
            rows = [r for r in rows if args.all or (len(r) > 2 and r[2].startswith("own wording"))]
            out = []
            for r in rows:
                for kind, text in variants(r[1]).items():
                    out.append([r[0].split(":")[0], text, kind])
            (Path(tmp) / lang).mkdir()
            with open(Path(tmp) / lang / "tests.csv", "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(["expect", "text", "note"])
                w.writerows(out)
            made[lang] = out
        run = subprocess.run([args.kuzet, "lexicon", "test", "--lexicons", args.lexicons, "--cases", tmp],
                             capture_output=True, text=True)
        report = run.stdout + run.stderr
        if "lexicon tests:" not in report:
            raise SystemExit(f"kuzet lexicon test did not finish:\n{report}")
        missed = collections.Counter()
        for m in re.finditer(r"FAIL \S*/(\w\w)/tests\.csv:(\d+): .*", report):
            lang, line = m.group(1), int(m.group(2))
            kind = made[lang][line - 2][2]
            missed[(lang, kind)] += 1
            print(m.group(0))
        total = collections.Counter((lang, r[2]) for lang, rows in made.items() for r in rows)
        for lang in made:
            kinds = sorted({k for (l, k) in total if l == lang})
            cells = [f"{k} {total[(lang, k)] - missed[(lang, k)]}/{total[(lang, k)]}" for k in kinds]
            print(f"{lang}: " + ", ".join(cells))
        found, all_ = sum(total.values()) - sum(missed.values()), sum(total.values())
        print(f"found {found} of {all_} obfuscated variants ({found / max(all_, 1):.1%})")


if __name__ == "__main__":
    main()
