"""Malformed scenario files and options: one line naming file, key and value; exit code 2."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BASE = 'title = "t"\ndescription = "d"\nbase = "baseline_2020"\n'

CASES = {
    "unknown top-level key": (BASE + "colour = 3\n", ["colour", "known key"]),
    "unknown world key": (BASE + "[world]\nrivalyr = 0.5\n", ["world.rivalyr", "known parameter"]),
    "wrong type": (BASE + '[world]\nrivalry = "high"\n', ["world.rivalry", "'high'", "number in [0, 1]"]),
    "out of range": (BASE + "[world]\nrivalry = 7\n", ["world.rivalry", "7", "number in [0, 1]"]),
    "unknown state": (BASE + "[states.Atlantis]\nexposure = 0.5\n", ["Atlantis", "ASEAN state"]),
    "unknown partner": (BASE + "[partners.RU]\ncoercion = 0.5\n", ["RU", "a partner"]),
    "unknown partner in ties": (BASE + "[states.Vietnam.ties]\nXX = 0.5\n", ["XX", "a partner"]),
    "negative weight": (BASE + "[weights]\nsecurity = -1\n", ["weights.security", "-1"]),
    "negative state weight": (BASE + "[states.Vietnam.weights]\nrisk = -0.5\n", ["states.Vietnam.weights.risk"]),
    "event past horizon": (BASE + '[[events]]\nstep = 99\nkey = "world.rivalry"\nset = 0.5\n',
                           ["events.step", "99", "horizon"]),
    "event with both set and shift": (BASE + '[[events]]\nstep = 2\nkey = "world.rivalry"\nset = 0.5\nshift = 0.1\n',
                                      ["events.0", "exactly one"]),
    "event on unknown key": (BASE + '[[events]]\nstep = 2\nkey = "world.nope"\nset = 0.5\n', ["world.nope"]),
    "shift a choice": (BASE + '[[events]]\nstep = 2\nkey = "world.china_mode"\nshift = 1\n', ["shift"]),
    "bad choice": (BASE + '[world]\nchina_mode = "angry"\n', ["world.china_mode", "assertive"]),
    "missing title": ('description = "d"\n', ["title", "required"]),
    "steps not an integer": (BASE + "steps = 4.5\n", ["steps", "4.5"]),
    "bad toml": ("title = \n", ["file", "valid TOML"]),
    "unknown partner in partner_set": (BASE + 'partner_set = ["US", "XX"]\n', ["partner_set", "XX"]),
    "missing base": ('title = "t"\ndescription = "d"\nbase = "nowhere"\n', ["base", "nowhere"]),
    "nan": (BASE + "[world]\nrivalry = nan\n", ["world.rivalry", "nan"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenario_file_exits_2_with_one_line(tmp_path, run_cli, case):
    text, expected = CASES[case]
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    code, err = run_cli("run", str(path), "--out", str(out))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(path) in lines[0] or "scenario" in lines[0]
    for fragment in expected:
        assert fragment in lines[0], (fragment, lines[0])
    assert not out.exists()


def test_cycle_in_base(tmp_path, run_cli):
    (tmp_path / "a.toml").write_text('title = "a"\ndescription = "d"\nbase = "b"\n')
    (tmp_path / "b.toml").write_text('title = "b"\ndescription = "d"\nbase = "a"\n')
    code, err = run_cli("run", str(tmp_path / "a.toml"), "--no-files")
    assert code == 2
    assert "cycle" in err and "a -> b -> a" in err


def test_non_utf8_and_directory(tmp_path, run_cli):
    path = tmp_path / "bytes.toml"
    path.write_bytes(b'title = "\xff\xfe"\n')
    code, err = run_cli("run", str(path), "--no-files")
    assert code == 2 and "UTF-8" in err
    code, err = run_cli("run", str(tmp_path), "--no-files")
    assert code == 2 and "not a directory" in err


@pytest.mark.parametrize("argv, fragment", [
    (["run", "baseline_2020", "--set", "world.rivalry=2"], "world.rivalry = 2"),
    (["run", "baseline_2020", "--set", "nonsense"], "KEY=VALUE"),
    (["run", "baseline_2020", "--set", "partners.CN.rivals=[\"XX\"]"], "partners.CN.rivals"),
    (["run", "baseline_2020", "--steps", "0"], "steps = 0"),
    (["run", "no_such_scenario"], "no_such_scenario"),
    (["explain", "baseline_2020", "--state", "Narnia"], "Narnia"),
    (["explain", "baseline_2020", "--state", "Vietnam", "--step", "500"], "step = 500"),
])
def test_bad_options_exit_2(run_cli, argv, fragment):
    code, err = run_cli(*argv, *(["--no-files"] if argv[0] == "run" else []))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert fragment in err


def test_real_process_prints_no_traceback(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BASE + "[world]\nrivalry = 7\n")
    proc = subprocess.run([sys.executable, "run.py", "run", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"error: {path}: world.rivalry = 7: expected a number in [0, 1]"
