"""`kuzet review import` at scale (issue 19, case 5): time and peak RSS of importing saved
queue files of N rows, to check that 10x the rows costs at most 12x the time.

    python3 benches/review_import.py [--rows 100000 1000000] [--items 100] [--kuzet target/release/kuzet]

Each file has the twelve contract columns, random decisions (a tenth left undecided) over
`--items` findings inserted into a fresh store; every run is timed with
`/usr/bin/time -f "%e s %M KB"`. Local files only.
"""

import argparse
import random
import sqlite3
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = "item_id,priority,score,category,lang,ref,title,matched_terms,snippet,decision,reviewer,notes"


def make_store(path: Path, kuzet: str, items: list[str], work: Path) -> None:
    """A migrated store holding `items` as queued findings."""
    sqlite3.connect(path).close()
    empty = work / "empty.csv"
    empty.write_text(HEADER + "\n")
    subprocess.run([kuzet, "review", "import", "--store", str(path), str(empty)], check=True, capture_output=True)
    db = sqlite3.connect(path)
    db.executemany(
        "INSERT INTO finding (item_id, url_key, status, category, priority, score, lang, ref, url, title, matched_terms, snippet, "
        "reasons, lexicon_version, first_run, last_run, first_seen, last_seen) "
        "VALUES (?1, ?1, 'queued', 'violence', 2, 12, 'ru', 'r', 'u', 't', 'm', 's', 'x', 'lex', 'r1', 'r1', 0, 0)",
        [(i,) for i in items],
    )
    db.commit()
    db.close()


def make_file(path: Path, rows: int, items: list[str], rng: random.Random) -> None:
    decisions = ["confirmed", "dismissed", "escalated", ""]
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        for n in range(rows):
            item = rng.choice(items)
            decision = decisions[rng.randrange(4)] if rng.random() < 0.4 else decisions[rng.randrange(3)]
            f.write(f"{item},2,12,violence,ru,https://example.org/p{n % 997}.html,Заголовок {n},убива* x2; rule:call,"
                    f"\"…жители, ⟦убивайте⟧ их…\",{decision},Айгерім,\"проверено; {n}\"\n")


def measure(kuzet: str, store: Path, file: Path) -> tuple[float, int, str]:
    out = subprocess.run(["/usr/bin/time", "-f", "%e s %M KB", kuzet, "review", "import", "--store", str(store), str(file)],
                         capture_output=True, text=True)
    last = out.stderr.strip().splitlines()[-1]
    secs, _, kb, _ = last.split()
    return float(secs), int(kb), out.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--kuzet", default=str(ROOT / "target/release/kuzet"))
    args = ap.parse_args()
    rng = random.Random(19)
    items = [f"k{n:016x}" for n in range(args.items)]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for rows in args.rows:
            store = work / f"store-{rows}.sqlite"
            make_store(store, args.kuzet, items, work)
            file = work / f"reviewed-{rows}.csv"
            make_file(file, rows, items, rng)
            secs, kb, said = measure(args.kuzet, store, file)
            mb = file.stat().st_size / 1e6
            results.append((rows, secs, kb))
            print(f"{rows:>9} rows ({mb:.1f} MB, {args.items} items): {secs:.2f} s, peak RSS {kb / 1024:.0f} MiB\n    {said}")
    for (r0, s0, _), (r1, s1, _) in zip(results, results[1:]):
        print(f"{r1 / r0:.0f}x the rows: {s1 / max(s0, 0.01):.2f}x the time")


if __name__ == "__main__":
    main()
