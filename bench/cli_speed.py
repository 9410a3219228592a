"""Command-line speed: start-up, one prediction and a batch of 10,000, beside ``python -c pass``.

Run: HEARTBREAK_DATA_DIR=../shared/data python bench/cli_speed.py [--runs 5] [--fixtures 10000]
     [--db PATH] [--seed 0] [--no-compile]

Each command is run ``--runs`` times in a child process, in turns (so that a machine busy with
something else slows them alike); reported: the median wall time, the median CPU time (user +
system) of the child (``os.wait4``), its median peak memory (RSS, from ``/usr/bin/time`` when
there is one), and the wall time as a multiple of ``python -c pass`` measured in the same run:

- ``python -c pass``: the interpreter's own start-up;
- importing the libraries one prediction cannot do without (:data:`PREDICT_LIBRARIES`), the
  floor under ``predict``: what it costs beyond that is Heartbreak's own;
- ``heartbreak --help``;
- ``heartbreak predict Brazil Argentina --date 2026-12-01``;
- ``heartbreak predict --batch FILE.csv`` of ``--fixtures`` fixtures (pairs of the rated teams'
  names, dates from 1900 on, both flags), written to a temporary file, its output checked.

The store is ``--db``, else ``$HEARTBREAK_DB`` or the default one (built by a first, untimed
prediction when missing).

Bytecode: ``pip install`` compiles the package's modules, and an editable install writes their
``__pycache__`` on its first run, so a user's runs load bytecode. Where that did not happen (a
source tree only ever run with ``PYTHONDONTWRITEBYTECODE`` set) each run compiles every module
it imports anew, a few tenths of a second more; so the bench first compiles the heartbreak
package's stale or missing bytecode, as pip does, and says so (``--no-compile``: measure the
tree as it is). The load average before and after is printed: the figures of a busy
machine are slower than a quiet one's, the ratios less so.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import datetime as dt
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def heartbreak_command() -> list[str]:
    """The installed console script (next to this interpreter, else on PATH)."""
    script = Path(sys.executable).with_name("heartbreak")
    if script.is_file():
        return [str(script)]
    found = shutil.which("heartbreak")
    if found is None:
        raise SystemExit("the `heartbreak` console script is not installed")
    return [found]


#: GNU time reports a command's own peak memory; a child forked from this process also counts
#: what it was forked with (this interpreter's pages), more than ``python -c pass`` uses.
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() else None


#: What ``heartbreak predict`` imports of other projects: typer (whose ``_adapters`` read the
#: parameters with pydantic, in the typers that have it), the model's numpy, pandas and
#: scipy.special, the store's DuckDB, the table's rich.
PREDICT_LIBRARIES = (
    "typer.main",
    "typer._adapters",
    "numpy",
    "pandas",
    "scipy.special",
    "duckdb",
    "rich.table",
)
IMPORT_LIBRARIES = f"""
import importlib, importlib.util
for name in {PREDICT_LIBRARIES!r}:
    if importlib.util.find_spec(name) is not None:
        importlib.import_module(name)
"""


def run_once(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """One run of ``command``: wall seconds, CPU seconds and peak RSS (MiB) of the child; its
    output is thrown away, a failure stops the bench."""
    with tempfile.NamedTemporaryFile() as err, tempfile.NamedTemporaryFile("r") as peak:
        if GNU_TIME is not None:
            command = [GNU_TIME, "-f", "%M", "-o", peak.name, *command]
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)  # the child's usage with its children's
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{err.read().decode()[-2000:]}")
        kib = int(peak.read().split()[-1]) if GNU_TIME is not None else usage.ru_maxrss
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": kib / 1024.0}


def write_fixtures(path: Path, heartbreak: list[str], env: dict[str, str], count: int, seed: int):
    """``count`` fixtures: pairs of the rated teams' names (from ``heartbreak ratings``) on days
    from 1900 to 2026."""
    ratings = [
        *heartbreak,
        "ratings",
        "--date",
        "2100-01-01",
        "--top",
        "100000",
        "--format",
        "json",
    ]
    done = subprocess.run(ratings, env=env, check=True, capture_output=True, text=True)
    names = sorted(row["team"] for row in json.loads(done.stdout))
    rng = random.Random(seed)
    first, days = dt.date(1900, 1, 1), (dt.date(2026, 12, 31) - dt.date(1900, 1, 1)).days
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["home", "away", "date", "neutral", "knockout"])
        for _ in range(count):
            home, away = rng.sample(names, 2)
            day = first + dt.timedelta(days=rng.randrange(days + 1))
            writer.writerow(
                [home, away, day.isoformat(), rng.choice(["true", "false"]), rng.choice("01")]
            )


def stale_bytecode(package: Path) -> list[Path]:
    """The package's modules whose bytecode is missing or older than their source."""
    stale = []
    for source in sorted(package.rglob("*.py")):
        cached = Path(importlib.util.cache_from_source(str(source)))
        if not cached.is_file() or cached.stat().st_mtime < source.stat().st_mtime:
            stale.append(source)
    return stale


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fixtures", type=int, default=10_000)
    parser.add_argument("--db", default=None, help="Store (default: $HEARTBREAK_DB or default).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-compile", action="store_true", help="Do not compile stale bytecode first."
    )
    args = parser.parse_args()

    import heartbreak
    from heartbreak import config

    package = Path(heartbreak.__file__).parent
    stale = stale_bytecode(package)
    dont_write = " (PYTHONDONTWRITEBYTECODE is set)" if sys.dont_write_bytecode else ""
    if stale and not args.no_compile:
        compileall.compile_dir(package, quiet=1)
        bytecode = f"compiled the bytecode of {len(stale)} stale modules first, as pip does"
    elif stale:
        bytecode = f"{len(stale)} modules without up-to-date bytecode: compiled on every run"
    else:
        bytecode = "up to date"
    print(f"heartbreak at {package}; bytecode: {bytecode}{dont_write}")

    db = config.db_path(args.db)
    env = {**os.environ, "HEARTBREAK_DB": str(db)}
    heartbreak = heartbreak_command()
    single = [*heartbreak, "predict", "Brazil", "Argentina", "--date", "2026-12-01"]
    before = load()
    subprocess.run(single, env=env, check=True, capture_output=True)  # builds a missing store
    with tempfile.TemporaryDirectory() as tmp:
        fixtures = Path(tmp) / "fixtures.csv"
        write_fixtures(fixtures, heartbreak, env, args.fixtures, args.seed)
        batch = [*heartbreak, "predict", "--batch", str(fixtures)]
        batch_name = f"predict --batch ({args.fixtures:,})"
        done = subprocess.run(batch, env=env, check=True, capture_output=True, text=True)
        if len(done.stdout.splitlines()) != args.fixtures:
            raise SystemExit(f"--batch printed {len(done.stdout.splitlines())} lines")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import predict's libraries": [sys.executable, "-c", IMPORT_LIBRARIES],
            "heartbreak --help": [*heartbreak, "--help"],
            "predict (one fixture)": single,
            batch_name: batch,
        }
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                runs[name].append(run_once(command, env))
    after = load()

    medians = {
        name: {k: statistics.median(r[k] for r in results) for k in ("wall", "cpu", "rss")}
        for name, results in runs.items()
    }
    base = medians["python -c pass"]["wall"]
    print(f"store {db}; medians of {args.runs} runs")
    print(f"before: {before}; after: {after}")
    print(f"{'command':<28}{'wall s':>9}{'cpu s':>9}{'peak MiB':>10}{'x pass':>9}")
    for name, m in medians.items():
        print(f"{name:<28}{m['wall']:9.3f}{m['cpu']:9.3f}{m['rss']:10.1f}{m['wall'] / base:9.1f}")
    extra = medians[batch_name]["wall"] - medians["predict (one fixture)"]["wall"]
    print(f"the batch beyond one prediction: {extra / args.fixtures * 1e6:.0f} µs per fixture")


if __name__ == "__main__":
    main()
