#!/usr/bin/env python3
"""A/B matching bench on compare.py's matching corpus: two or more kuzet binaries, each with its
own revision's lexicons grown to ~2,000 entries, runs interleaved (the order flips every run).

    python3 benches/match_ab.py [--mb 100] [--runs 21] NAME=BINARY[:REV] ...

REV (a git revision of this repository, e.g. `0c30995`) gives the side that revision's
`lexicons/` (an older binary may not read today's lexicon format); without it the side reads
today's. Each side's lexicons get the synthetic entries compare.py adds for its `~2,000` phase
(`synthetic_entries`, words from today's lexicons, the same seed), and the text is compare.py's
(`generate_text`, seed 20261128). Each binary keeps its compiled lexicons in a cache folder of
its own (`KUZET_CACHE_DIR`), filled by a first run on a one-line file; then every run is
`kuzet classify --lexicons LEX --out OUT --run-id bench TEXT`, timed with wait4 (wall, and CPU
as user + system). Prints each side's runs, then the medians and their ratios to the first side.

Example (issue 14 point 9): `before=/tmp/kuzet-0c30995:0c30995 after=target/release/kuzet`,
where /tmp/kuzet-0c30995 was built from that revision (`git worktree add`, `cargo build
--release`).
"""
import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare as c  # noqa: E402


def lexicons_of(rev, work):
    """This repository's `lexicons/` at `rev`, unpacked under `work`."""
    dst = work / f"src-{rev}"
    shutil.rmtree(dst, ignore_errors=True)
    archive = subprocess.run(["git", "archive", rev, "lexicons"], cwd=c.ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dst, filter="data")
    return dst / "lexicons"


def grown(lexdir, vocab, out):
    """`lexdir` with compare.py's synthetic entries up to ~2,000, written to `out`."""
    entries, cues = c.read_lexicon(lexdir)
    taken = list(dict.fromkeys(c.rg_form(t) for t in [t for _, t in entries] + cues))
    synth = c.synthetic_entries(max(0, 2_000 - len(entries)), taken, vocab)
    shutil.rmtree(out, ignore_errors=True)
    c.write_lexicon(out, lexdir, synth)
    return len(entries), len(synth)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=100, help="megabytes of text (default 100, compare.py's)")
    ap.add_argument("--runs", type=int, default=21, help="runs of each side (default 21)")
    ap.add_argument("--work", help="folder for the text, lexicons and outputs (default: a temporary one)")
    ap.add_argument("sides", nargs="+", metavar="NAME=BINARY[:REV]")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    sides = []
    for spec in args.sides:
        name, eq, rest = spec.partition("=")
        binary, _, rev = rest.partition(":")
        if not eq or not name or not binary:
            ap.error(f"{spec}: NAME=BINARY[:REV]")
        sides.append((name, Path(binary).resolve(), rev or None))

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="kuzet-match-ab-"))
    work.mkdir(parents=True, exist_ok=True)
    entries, _ = c.read_lexicon(c.ROOT / "lexicons")
    vocab = c.setup_text(entries)
    text = work / "text"
    shutil.rmtree(text, ignore_errors=True)
    files, total = c.generate_text(text, args.mb)
    one = work / "one.txt"
    one.write_text("one line\n")

    runs = {}
    for name, binary, rev in sides:
        src = lexicons_of(rev, work) if rev else c.ROOT / "lexicons"
        lex = work / f"lexicons-{name}"
        have, added = grown(src, vocab, lex)
        cache = work / f"cache-{name}"
        env = dict(os.environ, KUZET_CACHE_DIR=str(cache))
        c.measure([binary, "classify", "--lexicons", lex, "--out", work / f"out-{name}", "--run-id", "warm", one], env=env)
        runs[name] = (binary, lex, env, [])
        c.say(f"{name}: {binary}, lexicons of {rev or 'this tree'}: {have} entries + {added} synthetic")

    for k in range(args.runs):
        order = sides if k % 2 == 0 else sides[::-1]
        for name, _, _ in order:
            binary, lex, env, seen = runs[name]
            out = work / f"out-{name}"
            shutil.rmtree(out, ignore_errors=True)
            wall, cpu, rss, _ = c.measure([binary, "classify", "--lexicons", lex, "--out", out, "--run-id", "bench", text], env=env)
            seen.append((wall, cpu, rss))
            c.say(f"run {k + 1} {name}: {wall:.3f} s wall, {cpu:.3f} s CPU, peak RSS {rss:.0f} MiB")

    c.say(f"\n== medians of {args.runs} runs: {total / 1e6:.1f} MB in {files} files, ~2,000 entries ==")
    c.say("| side | wall s | CPU s | wall / first | CPU / first | peak RSS MiB |")
    c.say("|---|---|---|---|---|---|")
    first = None
    for name, _, rev in sides:
        seen = runs[name][3]
        wall, cpu = statistics.median(s[0] for s in seen), statistics.median(s[1] for s in seen)
        first = first or (wall, cpu)
        c.say(f"| {name} | {wall:.3f} | {cpu:.3f} | {wall / first[0]:.3f} | {cpu / first[1]:.3f} | {max(s[2] for s in seen):.0f} |")


if __name__ == "__main__":
    main()
