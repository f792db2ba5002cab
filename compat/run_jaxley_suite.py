"""Jaxley's own test suite, run with real Jaxley and with ``import ranvier as jx``; passes per file.

    build/venv/bin/python compat/run_jaxley_suite.py [--jaxley-src DIR] [--files test_api_equivalence.py ...]

The suite (``tests/`` of a Jaxley checkout, default ``build/jaxley-src`` from
``scripts/fetch_jaxley_src.sh``) is copied twice into ``build/jaxley-suite/<package>/``, the second copy
with every ``jaxley`` module name replaced by ``ranvier`` (compat/convert.py), and run with pytest
(``-m "not regression and not additional_neuron_tests"``, as Jaxley's default run). A test counts for
Ranvier when it passes there; the score is the share of the tests that pass with Jaxley that also pass
with Ranvier. Jaxley's results are reused unless ``--rerun-jaxley``. Report: ``build/jaxley-suite/REPORT.md``.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from convert import substitute_package  # noqa: E402

MARKERS = """[pytest]
markers =
    slow: marks tests as slow
    regression: marks regression tests
    additional_neuron_tests: not run by default
"""


def _copy_suite(src: Path, dest: Path, package: str) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest / "tests")
    for py in (dest / "tests").rglob("*.py"):
        py.write_text(substitute_package(py.read_text(), package))
    (dest / "pytest.ini").write_text(MARKERS)


def _run_suite(dest: Path, python: str, files, timeout: float) -> Path:
    junit = dest / "junit.xml"
    targets = [f"tests/{f}" for f in files] if files else ["tests"]
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(dest))
    with open(dest / "pytest.log", "w") as log:
        subprocess.run([python, "-m", "pytest", *targets, "-q", "-p", "no:cacheprovider", "--continue-on-collection-errors", f"--timeout={timeout:g}",
                        "-m", "not regression and not additional_neuron_tests", f"--junitxml={junit}"],
                       cwd=dest, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    return junit


def _outcomes(junit: Path) -> dict:
    """{test id: "passed" | "failed" | "skipped"} from pytest's junit XML."""
    out = {}
    if not junit.exists():
        return out
    for case in ET.parse(junit).getroot().iter("testcase"):
        # A module that fails to collect is one case named after the module, with no class name.
        tid = f"{case.get('classname')}::{case.get('name')}" if case.get("classname") else f"{case.get('name')}::<collect>"
        kinds = {child.tag for child in case}
        out[tid] = "failed" if kinds & {"failure", "error"} else "skipped" if "skipped" in kinds else "passed"
    return out


def _file_of(test_id: str) -> str:
    return test_id.split("::")[0].replace("tests.", "", 1).replace(".", "/") + ".py"


def _report(jaxley: dict, ranvier: dict) -> list:
    per_file = defaultdict(lambda: [0, 0, 0])  # tests, pass with Jaxley, pass with both
    for tid, outcome in jaxley.items():
        row = per_file[_file_of(tid)]
        row[0] += 1
        if outcome == "passed":
            row[1] += 1
            row[2] += ranvier.get(tid) == "passed"
    lines = ["| file | tests | pass with Jaxley | also pass with Ranvier |", "|---|---|---|---|"]
    for name in sorted(per_file):
        n, pj, pr = per_file[name]
        lines.append(f"| {name} | {n} | {pj} | {pr} |")
    n, pj, pr = (sum(r[i] for r in per_file.values()) for i in range(3))
    share = 100.0 * pr / pj if pj else 0.0
    lines += [f"| **all** | {n} | {pj} | {pr} ({share:.0f}%) |", ""]
    return lines


def main(argv=None) -> int:
    root = HERE.parent
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jaxley-src", type=Path, default=Path(os.environ.get("JAXLEY_SRC", root / "build/jaxley-src")))
    p.add_argument("--out", type=Path, default=root / "build/jaxley-suite")
    p.add_argument("--files", nargs="*", default=None, help="test files relative to tests/")
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per test")
    p.add_argument("--rerun-jaxley", action="store_true")
    p.add_argument("--only", choices=("jaxley", "ranvier"), default=None)
    args = p.parse_args(argv)
    src = args.jaxley_src / "tests"
    if not src.is_dir():
        print(f"no Jaxley test suite at {src}: run scripts/fetch_jaxley_src.sh or pass --jaxley-src", file=sys.stderr)
        return 2
    results = {}
    for package in ("jaxley", "ranvier"):
        dest = args.out / package
        if args.only and args.only != package:
            results[package] = _outcomes(dest / "junit.xml")
            continue
        if package == "jaxley" and (dest / "junit.xml").exists() and not args.rerun_jaxley:
            results[package] = _outcomes(dest / "junit.xml")
            continue
        _copy_suite(src, dest, package)
        results[package] = _outcomes(_run_suite(dest, args.python, args.files, args.timeout))
        print(f"{package}: {sum(v == 'passed' for v in results[package].values())} of {len(results[package])} passed",
              flush=True)
    lines = _report(results["jaxley"], results["ranvier"])
    (args.out / "REPORT.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
