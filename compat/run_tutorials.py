"""Jaxley's own tutorials, run with real Jaxley and with ``import ranvier as jx``; a report of
how many run to the end and how their traces compare.

    build/venv/bin/python compat/run_tutorials.py [--jaxley-src DIR] [--only 04 07] [--require 12]

``--jaxley-src`` is a checkout of github.com/jaxleyverse/jaxley (default ``build/jaxley-src``, made by
``scripts/fetch_jaxley_src.sh``); its ``docs/tutorials/*.ipynb`` are converted (compat/convert.py),
each run in its own process (compat/driver.py) once per package, in a scratch directory that holds
the tutorials' ``data/``. Jaxley's runs are kept in ``build/tutorials/jaxley`` and reused unless
``--rerun-jaxley``. Every ``integrate`` call with concrete results is compared in call order:
relative error = max|ranvier - jaxley| / max|jaxley| per call; a tutorial agrees when every
call that both made agrees to ``--rtol`` (1e-8). The report goes to ``build/tutorials/REPORT.md``.
Exit status 1 when fewer than ``--require`` tutorials run to the end or any trace disagrees.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from convert import convert  # noqa: E402


def _run(package: str, notebook: Path, work: Path, out: Path, python: str, timeout: float) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    data = notebook.parent / "data"
    if data.is_dir() and not (work / "data").exists():
        shutil.copytree(data, work / "data")
    script = work / (notebook.stem + ".py")
    script.write_text(convert(notebook, package))
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    with open((out / "run.log"), "w") as log:
        try:
            subprocess.run([python, str(HERE / "driver.py"), package, str(script), str(out)], stdout=log,
                           stderr=subprocess.STDOUT, env=env, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return {"ran_to_end": False, "error": f"timed out after {timeout:g} s", "line": None, "n_traces": 0}
    result = out / "result.json"
    if not result.exists():
        tail = (out / "run.log").read_text().strip().splitlines()[-1:] or ["(no output)"]
        return {"ran_to_end": False, "error": f"process died: {tail[0][:300]}", "line": None, "n_traces": 0}
    return json.loads(result.read_text())


def _compare(jaxley_dir: Path, ranvier_dir: Path, rtol: float) -> dict:
    """Call-by-call relative error of the traces both runs recorded."""
    try:
        ref, got = np.load(jaxley_dir / "traces.npz"), np.load(ranvier_dir / "traces.npz")
    except FileNotFoundError:
        return {"compared": 0}
    worst, compared, shape_mismatch = 0.0, 0, 0
    for key in sorted(set(ref.files) & set(got.files)):
        a, b = got[key], ref[key]
        if a.shape != b.shape:
            shape_mismatch += 1
            continue
        scale = np.max(np.abs(b)) if b.size else 0.0
        err = float(np.max(np.abs(a - b)) / scale) if scale > 0 else float(np.max(np.abs(a - b), initial=0.0))
        worst = max(worst, err if np.isfinite(err) else np.inf)
        compared += 1
    return {"compared": compared, "worst_rel": worst, "shape_mismatch": shape_mismatch,
            "agree": shape_mismatch == 0 and worst <= rtol}


def _report_lines(rows, rtol) -> list:
    lines = ["| tutorial | Jaxley | Ranvier | integrate calls compared | worst relative error | first Ranvier error |",
             "|---|---|---|---|---|---|"]
    for name, jx_res, rv_res, cmp in rows:
        err = "" if rv_res["ran_to_end"] else f"line {rv_res.get('line')}: {rv_res.get('error', '')}"
        worst = f"{cmp['worst_rel']:.1e}" if cmp.get("compared") else "-"
        if cmp.get("shape_mismatch"):
            worst += f" ({cmp['shape_mismatch']} calls differ in shape)"
        lines.append(f"| {name} | {'ran' if jx_res['ran_to_end'] else 'failed'} | "
                     f"{'ran' if rv_res['ran_to_end'] else 'failed'} | {cmp.get('compared', 0)} | {worst} | "
                     f"{err.replace('|', '/')} |")
    ran = sum(r[2]["ran_to_end"] for r in rows)
    lines.append("")
    lines.append(f"{ran} of {len(rows)} tutorials run to the end with Ranvier (tolerance {rtol:g} relative).")
    return lines


def main(argv=None) -> int:
    root = HERE.parent
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jaxley-src", type=Path, default=Path(os.environ.get("JAXLEY_SRC", root / "build/jaxley-src")))
    p.add_argument("--out", type=Path, default=root / "build/tutorials")
    p.add_argument("--only", nargs="*", default=None, help="tutorial number prefixes, e.g. 04 07")
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--timeout", type=float, default=900.0)
    p.add_argument("--rtol", type=float, default=1e-8)
    p.add_argument("--require", type=int, default=0, help="fail unless at least this many run to the end")
    p.add_argument("--rerun-jaxley", action="store_true")
    args = p.parse_args(argv)
    tutorials = args.jaxley_src / "docs" / "tutorials"
    if not tutorials.is_dir():
        print(f"no Jaxley tutorials at {tutorials}: run scripts/fetch_jaxley_src.sh or pass --jaxley-src", file=sys.stderr)
        return 2
    notebooks = sorted(tutorials.glob("[0-9]*.ipynb"))
    if args.only:
        notebooks = [n for n in notebooks if n.name.startswith(tuple(args.only))]
    rows = []
    for nb in notebooks:
        runs = {}
        for package in ("jaxley", "ranvier"):
            out = args.out / package / nb.stem
            cached = out / "result.json"
            if package == "jaxley" and cached.exists() and not args.rerun_jaxley:
                runs[package] = json.loads(cached.read_text())
                continue
            if out.exists():
                shutil.rmtree(out)
            runs[package] = _run(package, nb, args.out / "work" / package, out, args.python, args.timeout)
            print(f"{nb.stem:40s} {package:8s} {'ran' if runs[package]['ran_to_end'] else 'FAILED: ' + str(runs[package].get('error'))}",
                  flush=True)
        cmp = _compare(args.out / "jaxley" / nb.stem, args.out / "ranvier" / nb.stem, args.rtol)
        rows.append((nb.stem, runs["jaxley"], runs["ranvier"], cmp))
    lines = _report_lines(rows, args.rtol)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "REPORT.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    ran = sum(r[2]["ran_to_end"] for r in rows)
    disagree = [r[0] for r in rows if r[3].get("compared") and not r[3]["agree"]]
    if disagree:
        print(f"traces disagree beyond {args.rtol:g}: {', '.join(disagree)}", file=sys.stderr)
    return 1 if ran < args.require or disagree else 0


if __name__ == "__main__":
    sys.exit(main())
