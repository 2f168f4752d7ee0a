"""Fault injection for sweeps: kills, damaged chunk files, full disks, unwritable or locked directories.

Every crash is a real SIGKILL of a subprocess (no clean-up runs), at a point
chosen with the SIM_SWEEP_FAULT hook or at a moment the test picks from the
outside; the resumed sweep must equal an uninterrupted one byte for byte.
"""

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.experiments.store import FAULT_ENV, FAULT_POINTS, SweepDir, read_runs

from test_sweep import digests

ROOT = Path(__file__).resolve().parent.parent
VARY = ["world.rivalry=0.2:0.9:6"]
ARGS = ["baseline_2020", "--vary", VARY[0], "--sampler", "grid", "--replicates", "5", "--steps", "5",
        "--seed", "3", "--chunk-runs", "7"]  # 30 runs in 5 chunk files
KWARGS = dict(vary=VARY, sampler="grid", replicates=5, steps=5, seed=3, chunk_runs=7)


def sweep_process(out: Path, *extra, fault: str | None = None, wait: bool = True):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(FAULT_ENV, None)
    if fault:
        env[FAULT_ENV] = fault
    command = [sys.executable, "run.py", "sweep", *ARGS, *extra, "--out", str(out)]
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted sweep: its file digests and rows."""
    out = tmp_path_factory.mktemp("reference") / "sweep"
    result = sim.sweep("baseline_2020", **KWARGS, out=out)
    return digests(out), result.runs


def assert_same_as_reference(out: Path, reference):
    expected_digests, expected_runs = reference
    assert digests(out) == expected_digests
    pd.testing.assert_frame_equal(read_runs(out), expected_runs, check_exact=True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and len(manifest["chunks"]) == 5
    assert not list(out.rglob("*.tmp"))


@pytest.mark.slow
@pytest.mark.parametrize("fault", [f"{point}:{chunk}" for point in FAULT_POINTS for chunk in (0, 3)])
def test_killed_sweep_resumes_to_the_uninterrupted_dataset(tmp_path, reference, fault):
    out = tmp_path / "sweep"
    killed = sweep_process(out, fault=fault)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    point, chunk = fault.split(":")
    finished = json.loads((out / "manifest.json").read_text())["chunks"]
    assert sorted(finished) == [f"chunk-0000{i}.parquet" for i in range(int(chunk))]  # nothing past the kill
    resumed = sweep_process(out)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_as_reference(out, reference)
    if point == "renamed":  # the file was complete but unrecorded: computed again, not trusted
        assert f"recomputed chunk-0000{chunk}.parquet: not in the manifest" in resumed.stdout


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_sweep_killed_from_outside_at_a_random_moment_resumes_exactly(tmp_path, reference, seed):
    """SIGKILL after a seeded-random number of chunks plus a random fraction of the next one."""
    chooser = random.Random(seed)
    wait_for, extra = chooser.randint(1, 3), chooser.uniform(0, 0.05)
    out = tmp_path / "sweep"
    process = sweep_process(out, "--workers", "2", fault="slow:0.05", wait=False)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        manifest = out / "manifest.json"
        if manifest.exists() and len(json.loads(manifest.read_text())["chunks"]) >= wait_for:
            break
        time.sleep(0.005)
    time.sleep(extra)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    resumed = sweep_process(out, "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert_same_as_reference(out, reference)


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
def test_damaged_chunk_is_detected_and_recomputed(tmp_path, capsys, reference, damage):
    out = tmp_path / "sweep"
    assert main(["sweep", *ARGS, "--out", str(out)]) == 0
    chunk = out / "runs" / "chunk-00002.parquet"
    data = chunk.read_bytes()
    if damage == "truncate":
        chunk.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        chunk.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    else:
        chunk.unlink()
    capsys.readouterr()
    assert main(["sweep", *ARGS, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "recomputed chunk-00002.parquet" in printed
    assert ("missing" if damage == "delete" else "checksum mismatch") in printed
    assert "resumed: 4 chunk file(s)" in printed
    assert_same_as_reference(out, reference)


def test_full_disk_is_a_one_line_error_that_keeps_finished_chunks(tmp_path, capsys, monkeypatch, reference):
    import pyarrow.parquet as pq

    real_write = pq.write_table

    def disk_fills_at_chunk_3(table, where, **kwargs):
        if ".chunk-00003" in str(where):
            Path(where).write_bytes(b"PAR1 half a file")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(where))
        return real_write(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", disk_fills_at_chunk_3)
    out = tmp_path / "sweep"
    assert main(["sweep", *ARGS, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "No space left on device" in err and "3 of 5 chunk files are finished and kept" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["chunks"]) == [f"chunk-0000{i}.parquet" for i in range(3)]
    assert not list(out.rglob("*.tmp")) and not (out / "runs" / "chunk-00003.parquet").exists()
    monkeypatch.setattr(pq, "write_table", real_write)
    assert main(["sweep", *ARGS, "--out", str(out)]) == 0
    assert_same_as_reference(out, reference)


@pytest.mark.parametrize("make", ["a file", "under a file"])
def test_unwritable_directory_is_a_one_line_error(tmp_path, capsys, make):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    out = blocker if make == "a file" else blocker / "sweep"
    assert main(["sweep", *ARGS, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(out) in err and "cannot use as a sweep directory" in err
    assert blocker.read_text() == "not a directory"


def test_second_sweep_on_a_locked_directory_is_refused(tmp_path, capsys):
    out = tmp_path / "sweep"
    with SweepDir(out):
        assert main(["sweep", *ARGS, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"another sweep (pid {os.getpid()})" in err
    assert not (out / "manifest.json").exists()
    assert main(["sweep", *ARGS, "--out", str(out)]) == 0  # released with the first


def test_lock_of_a_killed_process_is_released_by_the_os(tmp_path, capsys):
    out = tmp_path / "sweep"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from sim.experiments.store import SweepDir\n"
         f"with SweepDir({str(out)!r}):\n    print('locked', flush=True); time.sleep(60)"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert main(["sweep", *ARGS, "--out", str(out)]) == 2
        assert f"pid {holder.pid}" in capsys.readouterr().err
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    assert main(["sweep", *ARGS, "--out", str(out)]) == 0


@pytest.mark.parametrize("change, fragment", [
    (["--seed", "4"], "seed 3 -> 4"),
    (["--replicates", "2"], "replicates 5 -> 2"),
    (["--steps", "6"], "steps 5 -> 6"),
    (["--set", "world.nk_threat=0.2"], "scenario_digest"),
    (["--chunk-runs", "4"], "chunk_runs 7 -> 4"),
])
def test_changed_command_is_refused_unless_forced(tmp_path, capsys, change, fragment):
    out = tmp_path / "sweep"
    assert main(["sweep", *ARGS, "--out", str(out)]) == 0
    before = digests(out)
    changed = ARGS + change
    assert main(["sweep", *changed, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err and "--force" in err
    assert digests(out) == before
    assert main(["sweep", *changed, "--out", str(out), "--force"]) == 0
    forced = sim.load_sweep(out)
    assert forced.manifest["complete"] and digests(out) != before
    assert len(list((out / "runs").glob("chunk-*.parquet"))) == forced.manifest["n_chunks"]


def test_changed_vary_and_sampler_are_named(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", *ARGS, "--out", str(out)]) == 0
    other = ["baseline_2020", "--vary", "world.rivalry=0.2:0.8", "--sampler", "lhs", "--samples", "4",
             "--replicates", "5", "--steps", "5", "--seed", "3", "--chunk-runs", "7"]
    assert main(["sweep", *other, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "vary" in err and "sampler 'grid' -> 'lhs'" in err


def test_unfinished_sweep_is_refused_by_analysis(tmp_path, capsys):
    out = tmp_path / "sweep"
    killed = sweep_process(out, fault="renamed:1")
    assert killed.returncode == -signal.SIGKILL
    assert main(["discover", str(out), "--outcome", "led_CN >= 6"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "a finished sweep (1 of 5 chunk files done" in err
