#!/usr/bin/env python
"""Write Jaxley read_swc references for Ranvier's SWC reader (tests/cpp/test_swc.cpp).

For every case (SWC file x read_swc options) this runs Jaxley's own
`jx.read_swc(...)` with float64 enabled and writes one CSV per case into this folder:

    branch,comp,parent_branch,length,radius,area,volume,resistive_load_in,
    resistive_load_out,x,y,z,groups

one row per compartment in Jaxley's order (`cell.nodes`), floats as %.17g, groups
';'-joined (the boolean group columns of cell.nodes that are True). Cases that Jaxley
rejects are recorded in manifest.json with the exception type and message instead of
a CSV. manifest.json lists every case with its options.

Usage:
    python make_swc_refs.py [MORPHOLOGY_DIR]

MORPHOLOGY_DIR defaults to <repo>/../shared/data/morphologies. Small synthetic SWC files
in extra/ (corner cases of Jaxley's reader) are processed too; their manifest entries carry
"dir": "extra".
"""
import json
import sys
import warnings
from pathlib import Path

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")

import jaxley as jx  # noqa: E402
import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]

# Files on which the more expensive / more verbose settings are skipped to keep the
# references small (the ncomp=1 setting still covers them).
LARGE = {"morph_l5pc_with_axon.swc", "morph_retina_20161028_1.swc"}
NM_UNITS = {"morph_flywire_t4_720575940626407426.swc"}  # coordinates in nanometres
# Files with radius-0 samples: Jaxley needs min_radius for most settings.
ZERO_RADII = {"morph_retina_20161028_1.swc", "morph_flywire_t4_720575940626407426.swc"}


def settings_for_extra(fname):
    """Settings for the synthetic files in extra/."""
    s = [("n1", dict(ncomp=1)), ("n3", dict(ncomp=3)),
         ("maxlen", dict(ncomp=2, max_branch_len=10.0)),
         ("minr", dict(ncomp=2, min_radius=0.9)),
         ("interrupt", dict(ncomp=2, ignore_swc_tracing_interruptions=False))]
    if fname == "type_changes.swc":
        s.append(("types", dict(ncomp=1, relevant_type_ids=[1, 2, 3, 4, 7])))
    return s


def settings_for(fname):
    """Return a list of (tag, options) for one file."""
    s = [("n1", dict(ncomp=1))]
    if fname not in LARGE:
        s.append(("n3", dict(ncomp=3)))
    max_len = 20000.0 if fname in NM_UNITS else 100.0
    s.append(("maxlen", dict(ncomp=2, max_branch_len=max_len)))
    if fname not in NM_UNITS:
        s.append(("minr", dict(ncomp=2, min_radius=1.0)))
    s.append(("interrupt", dict(ncomp=1, ignore_swc_tracing_interruptions=False)))
    if fname in NM_UNITS:
        s.append(("types", dict(ncomp=1, relevant_type_ids=[1, 2, 3, 4, 5, 6])))
    if fname in ZERO_RADII:  # keep n1 without min_radius (records Jaxley's error, if any)
        s = [(tag, dict(opts, min_radius=opts.get("min_radius", 1.0)) if tag != "n1" else opts)
             for tag, opts in s]
    if fname == "morph_variable_radiuses_multi_branch.swc":
        s.append(("types", dict(ncomp=2, relevant_type_ids=[0, 1])))
    if fname in ("morph_3_types.swc", "morph_minimal.swc"):
        s.append(("nogroups", dict(ncomp=2, assign_groups=False)))
    return s


def fmt(v):
    return "%.17g" % float(v)


def write_csv(cell, path):
    nodes = cell.nodes
    parents = np.asarray(cell.comb_parents)
    groups = [g for g in cell.group_names if g in nodes.columns]
    branch = nodes["global_branch_index"].to_numpy()
    comp_local = nodes["local_comp_index"].to_numpy()
    cols = ["length", "radius", "area", "volume", "resistive_load_in",
            "resistive_load_out", "x", "y", "z"]
    vals = {c: nodes[c].to_numpy(dtype=float) for c in cols}
    gvals = {g: nodes[g].to_numpy() for g in groups}
    lines = ["branch,comp,parent_branch," + ",".join(cols) + ",groups"]
    for k in range(len(nodes)):
        b = int(branch[k])
        row = [str(b), str(int(comp_local[k])), str(int(parents[b]))]
        row += [fmt(vals[c][k]) for c in cols]
        row.append(";".join(g for g in groups if bool(gvals[g][k])))
        lines.append(",".join(row))
    path.write_text("\n".join(lines) + "\n")


def main():
    morph_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data" / "morphologies"
    files = [(morph_dir, p.name, None) for p in sorted(morph_dir.glob("*.swc"))]
    if not files:
        sys.exit(f"no .swc files in {morph_dir}")
    files += [(HERE / "extra", p.name, "extra") for p in sorted((HERE / "extra").glob("*.swc"))]
    for old in HERE.glob("*.csv"):
        old.unlink()
    cases = []
    for folder, fname, sub in files:
        settings = settings_for_extra(fname) if sub else settings_for(fname)
        for tag, opts in settings:
            name = f"{'extra_' if sub else ''}{Path(fname).stem}__{tag}"
            full = dict(ncomp=opts["ncomp"], max_branch_len=opts.get("max_branch_len"),
                        min_radius=opts.get("min_radius"),
                        assign_groups=opts.get("assign_groups", True),
                        ignore_swc_tracing_interruptions=opts.get(
                            "ignore_swc_tracing_interruptions", True),
                        relevant_type_ids=opts.get("relevant_type_ids"))
            case = dict(name=name, file=fname, options=full)
            if sub:
                case["dir"] = sub
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    cell = jx.read_swc(str(folder / fname), **opts)
                write_csv(cell, HERE / f"{name}.csv")
                case["csv"] = f"{name}.csv"
                case["nbranches"] = int(cell.total_nbranches)
                print(f"{name}: {cell.total_nbranches} branches", flush=True)
            except Exception as e:  # Jaxley rejects the file with these options.
                case["error"] = dict(type=type(e).__name__, message=str(e)[:300])
                print(f"{name}: ERROR {type(e).__name__}: {str(e)[:120]}", flush=True)
            cases.append(case)
    manifest = dict(jaxley_version=jx.__version__ if hasattr(jx, "__version__") else "unknown",
                    generator="make_swc_refs.py", cases=cases)
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main()
