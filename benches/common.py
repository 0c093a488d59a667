"""Shared parts of the Python benchmarks (`crawl.py`, `compare.py`): tool installs, the kuzet
build, the deterministic static site, `kuzet serve`, and measuring a child process.

Nothing here talks to any address but 127.0.0.1 (the package installs aside, which use Debian's
and PyPI's registries through apt-get and pip).
"""

import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The small vocabulary of `crawl.py`'s site (kept as it was, so its figures stay comparable).
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


def say(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
# Tools

def ensure_debian_tools(tools):
    """`tools` maps a command to its Debian package. Installs the missing ones with
    `apt-get install -y` (running `apt-get update` first only when the install cannot find a
    package), saying so. Returns the set of commands still missing afterwards."""
    missing = {cmd: pkg for cmd, pkg in tools.items() if shutil.which(cmd) is None}
    if not missing:
        return set()
    pkgs = sorted(set(missing.values()))
    if shutil.which("apt-get") is None:
        say(f"MISSING: {', '.join(missing)} not found and there is no apt-get to install {' '.join(pkgs)}")
        return set(missing)
    say(f"installing {', '.join(missing)} (missing) from Debian's packages: apt-get install -y {' '.join(pkgs)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "env": env, "text": True}
    r = subprocess.run(["apt-get", "install", "-y", *pkgs], **quiet)
    if r.returncode != 0:
        say("  apt-get install failed (package lists missing or stale?): running apt-get update, then again")
        subprocess.run(["apt-get", "update"], **quiet)
        r = subprocess.run(["apt-get", "install", "-y", *pkgs], **quiet)
    still = {cmd for cmd in missing if shutil.which(cmd) is None}
    if still:
        why = r.stderr.strip()[-500:] if r.returncode else "apt-get succeeded, but the command is not on PATH"
        say(f"  COULD NOT INSTALL {', '.join(sorted(still))}: {why}")
    else:
        say(f"  installed {' '.join(pkgs)}")
    return still


def ensure_pip_module(module, package):
    """Installs `package` with this interpreter's pip when `import module` fails, saying so.
    Returns True when the module can be imported afterwards."""
    probe = [sys.executable, "-c", f"import {module}"]
    if subprocess.run(probe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        return True
    say(f"installing {package} (`import {module}` failed): {Path(sys.executable).name} -m pip install {package}")
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", package],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode == 0 and subprocess.run(probe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        say(f"  installed {package}")
        return True
    say(f"  COULD NOT INSTALL {package} (pip exit {r.returncode}): {r.stdout.strip()[-500:]}")
    return False


def kuzet_binary(path=None):
    """The kuzet binary: `path` as given, or a fresh `cargo build --release --locked`."""
    if path:
        kuzet = Path(path).resolve()
        if not os.access(kuzet, os.X_OK):
            sys.exit(f"--kuzet {path}: not an executable file")
        say(f"kuzet: {kuzet} (given with --kuzet; not building)")
        return kuzet
    say("building kuzet: cargo build --release --locked")
    subprocess.run(["cargo", "build", "--release", "--locked"], cwd=ROOT, check=True)
    return ROOT / "target" / "release" / "kuzet"


# ---------------------------------------------------------------------------------------------
# Measuring

def measure(cmd, ok=(0,), stdout=None, stderr=None, cwd=None, env=None):
    """Runs `cmd` and waits for it with wait4. Returns (wall s, CPU s, peak RSS MiB, exit code):
    CPU is user+sys of the child and every descendant it waited for; peak RSS is the child's
    own high-water mark. Exits with the command's stderr tail when the exit code is not in `ok`
    (pass ok=None to accept any)."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    err = open(stderr, "wb") if stderr else subprocess.DEVNULL
    try:
        start = time.monotonic()
        proc = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - start
    finally:
        for f in (out, err):
            if f is not subprocess.DEVNULL:
                f.close()
    code = proc.returncode
    if ok is not None and code not in ok:
        tail = Path(stderr).read_text(errors="replace")[-2000:] if stderr else ""
        sys.exit(f"{Path(str(cmd[0])).name} {cmd[1] if len(cmd) > 1 else ''} failed with exit code {code}\n{tail}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def median(values):
    return statistics.median(list(values))


# ---------------------------------------------------------------------------------------------
# The static site

def paragraphs(rng, lang, n):
    """`n` paragraphs of Zipf-distributed words from `WORDS`, about 1 in 40 sentences with a hit."""
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


def generate_site(site, pages, seed=42, pool=None, langs=None, tag="words-v1", prefix=""):
    """A deterministic static site under `site`: `pages` interlinked pages `p<i>.html` of
    15-60 KB (each links to the next and to 8 random others, so every page is reachable from
    `index.html`), `robots.txt` allowing everything. Text paragraphs come from `pool`
    (lang -> list of paragraphs; default: `paragraphs()` over `WORDS`), languages cycle through
    `langs`; every tenth Russian page is windows-1251, half of those with no charset declared.
    Links are absolute paths under `prefix` (the URL path the folder is served at). Skips the
    work when `site` already holds the same generation. Returns the total bytes of the pages."""
    marker = site / ".generated"
    stamp = f"{pages} {seed} {tag} {prefix}"
    if marker.exists() and marker.read_text().split("\n")[0] == stamp:
        return int(marker.read_text().split("\n")[1])
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    rng = random.Random(seed)
    if pool is None:
        pool = {lang: paragraphs(rng, lang, 400) for lang in WORDS}
    langs = langs or ["ru"] * 4 + ["kk"] * 3 + ["en"] * 2 + ["ar"]
    total = 0
    for i in range(pages):
        lang = langs[i % len(langs)]
        target = rng.randint(15_000, 60_000)
        links = {(i + 1) % pages} | {rng.randrange(pages) for _ in range(8)}
        nav = " ".join(f'<a href="{prefix}/p{j}.html">page {j}</a>' for j in sorted(links))
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
    (site / "index.html").write_text(f'<html><body><a href="{prefix}/p0.html">start</a></body></html>')
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    marker.write_text(f"{stamp}\n{total}")
    say(f"generated {pages} pages, {total / 1e6:.0f} MB in {site}")
    return total


@contextmanager
def kuzet_serve(kuzet, root, work):
    """`kuzet serve root` on 127.0.0.1 (a port it picks); yields its `127.0.0.1:PORT`."""
    addr_file = work / "serve.addr"
    addr_file.unlink(missing_ok=True)
    server = subprocess.Popen([str(kuzet), "serve", str(root), "--addr-file", str(addr_file)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if addr_file.exists() and addr_file.read_text().strip():
                break
            if server.poll() is not None:
                sys.exit(f"kuzet serve exited with {server.returncode}")
            time.sleep(0.05)
        addr = addr_file.read_text().strip()
        if not addr.startswith("127.0.0.1:"):
            sys.exit(f"kuzet serve is not on 127.0.0.1: {addr!r}")
        yield addr
    finally:
        server.terminate()
        server.wait()
