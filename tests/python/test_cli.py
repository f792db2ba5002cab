"""The `ranvier` command line (build/ranvier, from scripts/build.sh): every bad option is an error
naming the option and the text given, before any work; a job too large for memory is refused
with the memory it needs; RANVIER_DUMP into an unwritable folder warns and never fails."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "build" / "ranvier"

pytestmark = pytest.mark.skipif(not CLI.exists(), reason="build/ranvier is built by scripts/build.sh")


def ranvier(*args, cwd=None, env=None):
    p = subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                       env=None if env is None else dict(os.environ, **env))
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize("args, needles", [
    (["run", "--t-max", "5x"], ["--t-max", "'5x'", "not a number"]),
    (["run", "--t-max", "-5"], ["--t-max", "-5", "positive"]),
    (["run", "--dt", "nan"], ["--dt", "'nan'", "finite"]),
    (["run", "--bogus", "1"], ["unknown option '--bogus'"]),
    (["run", "--t-max", "5", "junk"], ["unexpected argument 'junk'"]),
    (["run", "--t-max"], ["--t-max needs a value"]),
    (["run", "--t-max", "1", "--t-max", "2"], ["--t-max is given twice"]),
    (["run", "--ncomp", "2"], ["--ncomp applies to --swc"]),
    (["run", "--swc", "/"], ["--swc", "'/'", "not a regular file"]),
    (["run", "--out", "/nonexistent_dir/x.csv"], ["--out", "'/nonexistent_dir'", "does not exist"]),
    (["bench", "--model", "tree127", "--budget-s", "nan"], ["--budget-s", "'nan'", "finite"]),
    (["bench", "--model", "tree127", "--threads", "-1"], ["--threads", "-1", "at least 0"]),
    (["bench", "--model", "tree127", "--batch", "2.5"], ["--batch", "'2.5'", "not an integer"]),
    (["bench", "--model", "tree127", "--trace", "/nonexistent_dir/t.npy"], ["--trace", "does not exist"]),
    (["inspect", "--stage"], ["--stage needs a value"]),
])
def test_bad_options_are_errors_naming_the_option(args, needles):
    rc, out, err = ranvier(*args, cwd=ROOT)
    assert rc == 1, (out, err)
    assert err.startswith("ranvier: error:"), err
    for n in needles:
        assert n in err, (n, err)


def test_huge_t_max_is_refused_up_front():
    rc, out, err = ranvier("run", "--t-max", "1e9", "--out", "/tmp/ranvier_cli_never.csv")
    assert rc == 1
    assert "t_max=1000000000" in err and "GB" in err and "RANVIER_MEMORY_LIMIT" in err, err


def test_model_file_errors_name_the_file_not_the_json_library(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text('{"kind": "tree", "parents": [-1], "nseg": "two"}')
    rc, out, err = ranvier("bench", "--model", "x", "--model-file", str(bad))
    assert rc == 1 and str(bad) in err and "[json.exception" not in err, err


def test_dump_into_a_read_only_folder_warns_and_the_run_succeeds(tmp_path):
    if os.geteuid() == 0:
        # root ignores permissions: a file where the folder should be makes it unwritable instead.
        (tmp_path / "ranvier_dump").write_text("not a folder")
    else:
        tmp_path.chmod(0o500)
    try:
        rc, out, err = ranvier("run", "--t-max", "1", "--out", str(tmp_path.parent / "dump_run.csv"), cwd=tmp_path,
                               env={"RANVIER_DUMP": "model"})
    finally:
        tmp_path.chmod(0o700)
    assert rc == 0, err
    assert "RANVIER_DUMP" in err and "warning" in err, err


def test_dump_writes_whole_files(tmp_path):
    rc, out, err = ranvier("run", "--t-max", "1", "--out", str(tmp_path / "t.csv"), cwd=tmp_path, env={"RANVIER_DUMP": "model"})
    assert rc == 0, err
    files = list((tmp_path / "ranvier_dump").glob("*.model.txt"))
    assert files and all(f.stat().st_size > 0 for f in files)


def test_a_run_that_produces_nan_or_inf_says_where(tmp_path):
    # Forward Euler at 0.5 ms is unstable for the example cell: the voltage overflows.
    rc, out, err = ranvier("run", "--t-max", "50", "--dt", "0.5", "--solver", "fwd_euler", "--out", str(tmp_path / "t.csv"))
    assert rc == 0, err
    assert "warning: the simulation produced" in err and "probe 'soma'" in err and " ms (sample " in err, err
