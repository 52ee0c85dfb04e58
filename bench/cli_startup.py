"""How quickly the support CLI starts, as ratios against importing Flask and requests.

Not a test. Run it from the repository root:

    .venv/bin/python bench/cli_startup.py [--repeat 7] [--case fixtures/cases/wrong_token.yaml]

Each figure is the best of ``--repeat`` fresh processes (``python -m harness.cli ...``, the
same interpreter and this checkout), interleaved with the baseline so a busy machine slows
both alike, all in one sitting:

* the baseline, ``python -c "import flask, requests"``: what any Flask app with an HTTP
  client pays before doing anything;
* ``harness --help`` (the aim: within 1.5x the baseline; it imports neither app);
* ``harness repro CASE`` (a whole replay: both apps built in-process, the case set up, its
  timeline run, the report printed).

Our modules' bytecode is cached as an installed package's is (in a temporary
``PYTHONPYCACHEPREFIX``, warmed by one run of each, even where ``PYTHONDONTWRITEBYTECODE`` is
set); ``--no-bytecode`` measures with every module of the checkout compiled afresh.

The ratios travel between machines; the seconds do not.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def once(args: list[str]) -> float:
    env = ENV
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="fresh processes per figure")
    parser.add_argument(
        "--case", default="fixtures/cases/wrong_token.yaml", help="the case file to replay"
    )
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="compile the checkout's modules afresh in every process",
    )
    options = parser.parse_args()
    cache = tempfile.TemporaryDirectory(prefix="cli-startup-pycache-")
    if not options.no_bytecode:
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        ENV["PYTHONPYCACHEPREFIX"] = cache.name
    runs = {
        "import flask, requests": ["-c", "import flask, requests"],
        "harness --help": ["-m", "harness.cli", "--help"],
        f"harness repro {options.case}": ["-m", "harness.cli", "repro", options.case],
    }
    best = {name: float("inf") for name in runs}
    for args in runs.values():  # warm the file cache and the bytecode
        once(args)
    for _ in range(options.repeat):
        for name, args in runs.items():
            best[name] = min(best[name], once(args))
    base = best["import flask, requests"]
    cached = "compiled afresh" if options.no_bytecode else "cached"
    print(f"best of {options.repeat} fresh processes ({sys.executable}; bytecode {cached})")
    for name, seconds in best.items():
        print(f"  {name:<52} {seconds:6.3f} s  {seconds / base:5.2f}x the baseline")
    cache.cleanup()


if __name__ == "__main__":
    main()
