"""Reproducibility of plain runs: the same seed gives byte-identical files.

Across separate processes (each with its own hash seed, so nothing may depend on set or
dict order) and across the two engines, which agree bit for bit (tests/test_properties.py).
Only manifest.json may differ, and only in the engine's name. (Sweeps: docs/experiments.md.)
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = ("alignment.parquet", "states.parquet", "asean.parquet", "world.parquet", "final.csv")
# scs_crisis: noise and crises at sea on, so both random streams are used.
ARGS = ["run", "scs_crisis", "--steps", "12", "--replicates", "3"]


def run_process(out: Path, hash_seed: str, *extra) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": hash_seed}
    proc = subprocess.run([sys.executable, "run.py", *ARGS, *extra, "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def contents(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in DATA_FILES}


@pytest.mark.slow
def test_same_seed_same_bytes_across_processes_and_engines(tmp_path, capsys):
    run_process(tmp_path / "first", "1", "--seed", "7")
    run_process(tmp_path / "second", "2", "--seed", "7")
    assert main([*ARGS, "--seed", "7", "--engine", "mesa", "--out", str(tmp_path / "mesa")]) == 0
    first = contents(tmp_path / "first")
    assert contents(tmp_path / "second") == first
    assert contents(tmp_path / "mesa") == first
    manifests = [json.loads((tmp_path / run / "manifest.json").read_text()) for run in ("first", "mesa")]
    assert [m.pop("engine") for m in manifests] == ["ensemble", "mesa"]
    assert manifests[0] == manifests[1]


def test_another_seed_other_bytes(tmp_path, capsys):
    for seed in ("7", "8"):
        assert main([*ARGS, "--seed", seed, "--out", str(tmp_path / seed)]) == 0
    seven, eight = contents(tmp_path / "7"), contents(tmp_path / "8")
    assert all(seven[name] != eight[name] for name in ("alignment.parquet", "world.parquet"))
