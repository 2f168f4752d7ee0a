"""One focused test per bug the fuzzing found (tests/test_fuzz_inputs.py), each a crash or a
silent acceptance before its fix. Errors must be one line, exit code 2, naming what was wrong."""

import os
import re
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.base import files
from sim.cli import main
from sim.running import run as running

BASE = 'title = "t"\ndescription = "d"\nbase = "baseline_2020"\n'


def assert_one_error_line(code, err, *fragments):
    assert code == 2 and err.endswith("\n") and err.count("\n") == 1 and err.startswith("error: "), err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def scenario(tmp_path, text: str | bytes) -> str:
    path = tmp_path / "case.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


@pytest.mark.parametrize("text, fragments", [
    # was: NaN alignments, then a pandas error; inf was clipped silently
    (BASE + '[[events]]\nstep = 2\nkey = "world.rivalry"\nshift = nan\n', ["events.0.shift", "finite"]),
    (BASE + '[[events]]\nstep = 2\nkey = "world.rivalry"\nshift = inf\n', ["events.0.shift", "finite"]),
    # was: ValueError (an integer of more than 4300 digits)
    (BASE + "[world]\nrivalry = " + "9" * 5000 + "\n", ["file", "valid TOML"]),
    # was: OverflowError converting to float
    (BASE + "[world]\nrivalry = " + "9" * 400 + "\n", ["world.rivalry", "number in [0, 1]"]),
    # was: TypeError (unhashable list)
    (BASE + '[partners.CN]\nrivals = [["US"]]\n', ["partners.CN.rivals", "partner codes"]),
    # was: accepted, a partner punishing alignment with itself; a rival counted twice
    (BASE + '[partners.CN]\nrivals = ["CN"]\n', ["partners.CN.rivals", "not CN itself"]),
    (BASE + '[partners.CN]\nrivals = ["US", "US"]\n', ["partners.CN.rivals", "at most once"]),
    # was: an error message over two lines
    (BASE + '[world]\n"riv\\nalry" = 1\n', ["'world.riv\\nalry'", "known parameter"]),
    # was: "events.0.set.float = True: expected a valid number" (a pydantic branch name, not the key)
    (BASE + '[[events]]\nstep = 2\nkey = "world.rivalry"\nset = true\n', ["world.rivalry = True"]),
])
def test_scenario_file_bugs(tmp_path, run_cli, text, fragments):
    code, err = run_cli("run", scenario(tmp_path, text), "--steps", "2", "--no-files")
    assert_one_error_line(code, err, *fragments)


def test_a_byte_order_mark_is_accepted(tmp_path, run_cli):
    """Was: "expected valid TOML (Invalid statement)" for a file some editors save."""
    code, err = run_cli("run", scenario(tmp_path, "\ufeff".encode() + BASE.encode()), "--steps", "2",
                        "--no-files")
    assert (code, err) == (0, "")


def test_a_base_chain_of_any_length_loads(tmp_path):
    """Was: RecursionError beyond a few hundred files."""
    (tmp_path / "c0.toml").write_text(BASE)
    for i in range(1, 1200):
        (tmp_path / f"c{i}.toml").write_text(f'title = "c{i}"\ndescription = "d"\nbase = "c{i - 1}"\n')
    assert sim.load(tmp_path / "c1199.toml").title == "c1199"


@pytest.mark.parametrize("name", ["x" * 5000, ""])
def test_unusable_scenario_names_are_not_found(run_cli, name):
    """Was: OSError (file name too long); and '' was reported as "a directory"."""
    code, err = run_cli("run", name, "--no-files")
    assert_one_error_line(code, err, "scenario = ", "expected a scenario name")


def test_an_unusable_base_name_is_not_found(tmp_path, run_cli):
    code, err = run_cli("run", scenario(tmp_path, BASE.replace("baseline_2020", "b" * 5000)), "--no-files")
    assert_one_error_line(code, err, "base = ", "existing scenario")


@pytest.mark.parametrize("value, fragments", [
    ("9" * 5000, ["--set: world.rivalry = '999"]),  # was: ValueError (more than 4300 digits); kept as text
    ("9" * 400, ["--set: world.rivalry = 999"]),  # was: OverflowError
    ('["CN"]', ["--set: partners.CN.rivals", "not CN itself"]),
], ids=["5000 digits", "400 digits", "own rival"])
def test_set_bugs(run_cli, value, fragments):
    key = "partners.CN.rivals" if "CN" in value else "world.rivalry"
    code, err = run_cli("run", "baseline_2020", "--set", f"{key}={value}", "--no-files")
    assert_one_error_line(code, err, *fragments)


@pytest.mark.parametrize("argv, fragments", [
    (["run", "baseline_2020", "--steps", "abc"], ["--steps = 'abc': expected a whole number"]),
    (["run", "baseline_2020", "--engine", "turbo"], ["--engine = 'turbo': expected one of ensemble, mesa"]),
    (["run"], ["SCENARIO: expected a value"]),
    (["run", "baseline_2020", "--stepz", "3"], ["--stepz 3: expected a known option"]),
    (["frobnicate"], ["command = 'frobnicate'"]),
])
def test_usage_errors_are_one_line(run_cli, argv, fragments):
    """Was: argparse's usage block and a second line."""
    code, err = run_cli(*argv)
    assert_one_error_line(code, err, *fragments)


def test_help_is_intact(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "usage: run.py run" in out and "--replicates" in out


@pytest.mark.parametrize("argv, fragments", [
    (["bench", "--memory-mb", "inf"], ["--memory-mb = inf"]),  # was: ValueError deep in chunk sizing
    (["run", "baseline_2020", "--steps", "10000", "--replicates", "10000", "--no-files"],  # was: MemoryError
     ["replicates x steps", "fits in memory"]),
])
def test_option_bugs(run_cli, argv, fragments):
    code, err = run_cli(*argv)
    assert_one_error_line(code, err, *fragments)


@pytest.mark.parametrize("where, fragments", [("afile", ["is a file"]), ("afile/under", ["under a file"])])
def test_out_that_cannot_be_a_directory_is_refused_before_running(tmp_path, run_cli, where, fragments):
    """Was: a traceback (FileExistsError, NotADirectoryError), after the whole simulation."""
    (tmp_path / "afile").write_text("keep me")
    for command in (["run", "baseline_2020"], ["explain", "baseline_2020", "--state", "Vietnam"]):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(running, "simulate", lambda *a, **k: pytest.fail("ran before checking --out"))
            code, err = run_cli(*command, "--out", str(tmp_path / where))
        assert_one_error_line(code, err, "--out = ", *fragments)
    assert (tmp_path / "afile").read_text() == "keep me"


def test_the_api_takes_numpy_numbers():
    """Was: "world.rivalry = np.float32(0.5): expected a number" (samplers give numpy scalars)."""
    result = sim.run("baseline_2020", steps=2, overrides={"world.rivalry": np.float32(0.5),
                                                        "weights.peer": np.int64(2)})
    assert result.scenario.overrides["weights.peer"] == 2.0


def test_written_files_follow_the_umask(tmp_path):
    """Was: 0600 (mkstemp's mode) for every result file."""
    umask = os.umask(0o022)
    try:
        path = files.write_json({"a": 1}, tmp_path / "a.json")
    finally:
        os.umask(umask)
    assert Path(path).stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("value, low, high, expected", [
    (True, 0, None, "a whole number of at least 0"), (2.0, 1, 5, "a whole number from 1 to 5"),
    (0, 1, 5, "a whole number from 1 to 5"), (6, 1, 5, "a whole number from 1 to 5"),
    (2**63, 0, 2**63 - 1, "a whole number from 0 to 2**63 - 1"),
])
def test_the_one_whole_number_check_refuses_bools_floats_and_out_of_range(value, low, high, expected):
    from sim.base.errors import InputError, check_whole

    with pytest.raises(InputError, match=re.escape(expected)):
        check_whole("n", value, low, high)
    assert check_whole("n", np.int64(low), low, high) == low and type(check_whole("n", low, low, high)) is int


@pytest.mark.parametrize("value", ["[" * 500 + "]" * 500, "{a = " * 400 + "1" + "}" * 400, "[" * 150 + "]" * 150],
                         ids=["arrays 500 deep", "inline tables 400 deep", "arrays 150 deep"])
def test_values_nested_too_deep_are_one_line(tmp_path, run_cli, value):
    """Was: a RecursionError traceback of some 3,000 lines, exit 1 (issue 16)."""
    path = scenario(tmp_path, BASE + f"x = {value}\n")
    code, err = run_cli("run", path, "--steps", "2", "--no-files")
    assert_one_error_line(code, err, path, "nested at most 100 deep")


def test_tables_nested_too_deep_name_where(tmp_path, run_cli):
    """Was: RecursionError while flattening the parameter tables (tomllib reads headers of any depth)."""
    path = scenario(tmp_path, BASE + "[world" + ".a" * 3000 + "]\nb = 1\n")
    code, err = run_cli("run", path, "--steps", "2", "--no-files")
    assert_one_error_line(code, err, path, "world.a.a.a.a.a...", "nested 3002 deep")


def test_a_deep_file_in_a_base_chain_is_named(tmp_path, run_cli):
    (tmp_path / "deep.toml").write_text(BASE + "x = " + "[" * 1000 + "]" * 1000 + "\n")
    code, err = run_cli("run", scenario(tmp_path, BASE.replace("baseline_2020", "deep")), "--no-files")
    assert_one_error_line(code, err, str(tmp_path / "deep.toml"), "nested at most 100 deep")


def test_a_set_value_nested_too_deep_is_refused_as_text(run_cli):
    """Was: RecursionError in tomllib (600 deep)."""
    code, err = run_cli("run", "baseline_2020", "--set", "world.rivalry=" + "[" * 600 + "]" * 600, "--no-files")
    assert_one_error_line(code, err, "--set: world.rivalry = '[[[", "expected a number in [0, 1]")


def test_an_api_value_too_deep_to_show_is_named():
    """Was: RecursionError from repr() while writing the error line."""
    deep = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(sim.InputError, match=r"world.rivalry = <a list nested too deep to show>: expected a number"):
        sim.run("baseline_2020", steps=2, overrides={"world.rivalry": deep})


@pytest.mark.parametrize("content, fragments", [
    ("[" * 100_000 + "]" * 100_000, ["manifest.json: unreadable (maximum recursion depth"]),  # was: RecursionError
    ("[1]", ["manifest.json: unreadable (not a JSON object)"]),  # was: AttributeError
    ('{"format": "sim-sweep/1", "complete": true, "chunks": 5, "varied": []}',  # was: TypeError
     ["sw: manifest.json: expected a manifest as `run.py sweep` writes it"]),
], ids=["nested too deep", "a list", "chunks a number"])
def test_a_bad_manifest_is_one_line(tmp_path, run_cli, content, fragments):
    (tmp_path / "sw").mkdir()
    (tmp_path / "sw" / "manifest.json").write_text(content)
    code, err = run_cli("discover", str(tmp_path / "sw"), "--outcome", "led_CN >= 6")
    assert_one_error_line(code, err, *fragments)


@pytest.mark.parametrize("prefix, closest", [
    ("nosuchprefix", "keys start with model., partners., states., weights., world."),
    ("wrld.", "closest: world."),
    ("world.rivlry", "closest: world.rivalry"),
    ("states.Vietnam.weights", "take the ranges of weights.TERM"),
])
def test_params_with_a_prefix_that_matches_nothing_says_so(run_cli, capsys, prefix, closest):
    """Was: an empty table and exit 0: a typo looked like an empty schema."""
    for output in ([], ["--json"], ["--markdown"]):
        code, err = run_cli("params", prefix, *output)
        assert_one_error_line(code, err, f"prefix = '{prefix}': expected the start of a parameter key", closest)
    assert main(["params", "world.riv"]) == 0  # a prefix of some key still lists them
    assert "world.rivalry" in capsys.readouterr().out
