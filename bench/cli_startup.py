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

``--phases`` also splits one replay, in a fresh process, into where its time goes (best of
``--repeat`` for each phase): the interpreter, the CLI, the imports the replay adds (both apps,
Faker, the case model), reading the case, building both apps (their routes and SQLite
databases), the fresh world (both apps reset), the set-up, the timeline, reading back what
support looks at, and writing the report.

The ratios travel between machines; the seconds do not.
"""

from __future__ import annotations

import argparse
import json
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


#: One replay, as ``harness repro`` runs it, with a clock read between its phases (printed as
#: JSON: phase name, seconds). Mirrors harness.case_world.start to time the apps apart from
#: the world built on them.
PHASES = r"""
import json, sys, time
started = time.perf_counter()
marks = []
def mark(name):
    marks.append((name, time.perf_counter()))
import harness.cli
mark("the CLI (click, harness.cli)")
from pathlib import Path
from harness.case import load_case
import harness.repro as repro
from harness import case_world
from harness.actions import run_step
from harness.drivers.stage import Stage, Target
mark("the replay's imports (both apps, Faker, the case model)")
case = load_case(Path(sys.argv[1]))
mark("reading and checking the case file")
clock, ids = case_world.CaseClock(), case_world.CaseIds(case.seed)
stage = Stage(Target("in-process"), clock=clock, ids=ids)
mark("building both apps (routes, SQLite databases)")
run = case_world.CaseRun(stage.world(), clock)
mark("a fresh world (both apps reset)")
case_world.set_up(run, case)
mark("the set-up")
for step in case.timeline:
    run_step(run, step)
mark("the timeline")
result = repro.Replay(case, run)
for user in case.onelogin.users:
    result.facts[user.email] = case_world.user_facts(run, user.email)
    result.diagnoses[user.email] = repro.diagnose(result.facts[user.email])
result.failures = repro.check_expectations(result)
mark("reading back the facts, the diagnosis, the expectations")
result.lines, result.lines_with_scim = repro._report(result)
result.document = repro._document(result)
"\n".join(repro.report(result))
run.close()
mark("the report")
previous, out = started, []
for name, at in marks:
    out.append((name, at - previous))
    previous = at
print(json.dumps(out))
"""


def phases(case: str, repeat: int) -> list[tuple[str, float]]:
    """The best time of each phase of one replay over ``repeat`` fresh processes."""
    best: dict[str, float] = {}
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", PHASES, case],
            cwd=ROOT,
            env=ENV,
            check=True,
            capture_output=True,
            text=True,
        )
        for name, seconds in json.loads(done.stdout.splitlines()[-1]):
            best[name] = min(best.get(name, float("inf")), seconds)
    return list(best.items())


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
    parser.add_argument(
        "--phases",
        action="store_true",
        help="also split one replay into its phases (imports, apps, set-up, run, report)",
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
    if options.phases:
        start = min(once(["-c", "pass"]) for _ in range(options.repeat))
        print(f"one replay of {options.case}, by phase (best of {options.repeat} each):")
        print(f"  {'the interpreter (python -c pass)':<60} {start * 1000:6.0f} ms")
        for name, seconds in phases(options.case, options.repeat):
            print(f"  {name:<60} {seconds * 1000:6.0f} ms")
    cache.cleanup()


if __name__ == "__main__":
    main()
