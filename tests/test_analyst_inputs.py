"""The analyst's small stumbles (issue 26): near-miss suggestions, --set without '=', inline
variants and identical worlds, dotted names in discover's condition, Ctrl-C's resume hint, a
closed pipe, and worker processes started from a script without a __main__ guard."""

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest

import sim
from sim.experiments.comparison import IdenticalWorldsWarning
from sim.experiments.discovery import evaluate

ROOT = Path(__file__).resolve().parents[1]
VARIANT = "baseline_2020@world.us_commitment=0.75"


@pytest.mark.parametrize("argv, suggested", [
    (["run", "us_retrenchmnt"], "us_retrenchment"),
    (["run", "baseline_2020", "--set", "world.us_comitment=0.7"], "world.us_commitment"),
    (["explain", "baseline_2020", "--state", "Phillipines", "--steps", "1"], "Philippines"),
])
def test_a_near_miss_is_suggested(run_cli, argv, suggested):
    code, err = run_cli(*argv)
    assert code == 2 and err.count("\n") == 1
    assert f"(did you mean {suggested!r}?)" in err


def test_a_name_far_from_every_known_one_gets_no_suggestion(run_cli):
    code, err = run_cli("run", "zzzz")
    assert code == 2 and "did you mean" not in err


def test_set_with_a_space_for_the_equals_sign_says_so(run_cli):
    code, err = run_cli("run", "baseline_2020", "--set", "world.us_commitment", "0.75")
    assert code == 2
    assert err == ("error: --set = 'world.us_commitment': expected KEY=VALUE with '=' "
                   "(for example --set world.us_commitment=VALUE)\n")


def test_an_inline_variant_is_its_scenario_with_the_change():
    base, variant = sim.load("baseline_2020"), sim.load(VARIANT)
    assert variant.name == VARIANT and variant.events == base.events
    assert variant.parameters() == base.parameters() | {"world.us_commitment": 0.75}
    assert variant.digest() != base.digest()


@pytest.mark.parametrize("text", ["baseline_2020@", "@world.rivalry=0.5", "baseline_2020@world.rivalry=7",
                                  "baseline_2020@world.rivalr=0.5"])
def test_a_bad_variant_is_one_input_error(text):
    with pytest.raises(sim.InputError):
        sim.load(text)


def test_compare_sets_a_variant_beside_its_scenario_under_labels():
    with warnings.catch_warnings():
        warnings.simplefilter("error", IdenticalWorldsWarning)
        result = sim.compare(["baseline_2020", VARIANT], replicates=4, steps=8, labels=["today", "weaker"])
    assert result.labels == ["today", "weaker"]
    us = result.differences.query("measure == 'US'")["difference"].item()
    assert us < 0  # less US commitment, less alignment with the US
    assert result.manifest["warnings"] == []


def test_comparing_a_world_with_itself_warns(run_cli):
    with pytest.warns(IdenticalWorldsWarning, match="same world"):
        result = sim.compare(["baseline_2020", "baseline_2020"], replicates=2, steps=2,
                             overrides={"world.us_commitment": 0.75})
    assert (result.differences["difference"] == 0).all()
    assert len(result.manifest["warnings"]) == 1


def test_the_cli_prints_the_warning_as_one_line(run_cli, tmp_path):
    code, err = run_cli("compare", "baseline_2020", "baseline_2020", "--replicates", "2", "--steps", "2",
                        "--out", str(tmp_path / "c"))
    assert code == 0
    assert err.startswith("warning: baseline_2020 (2) is the same world as baseline_2020") and err.count("\n") == 1


def test_labels_must_be_one_per_scenario(run_cli, tmp_path):
    code, err = run_cli("compare", "baseline_2020", VARIANT, "--label", "a", "--out", str(tmp_path / "c"))
    assert code == 2 and "--label" in err


def test_a_condition_may_name_a_varied_key_without_backticks():
    runs = pd.DataFrame({"world.rivalry": [0.2, 0.6, 0.9], "asean_US": [0.1, 0.2, 0.3]})
    assert evaluate(runs, "world.rivalry > 0.5").tolist() == [False, True, True]
    assert evaluate(runs, "`world.rivalry` > 0.5 and asean_US < 0.25").tolist() == [False, True, False]


def test_ctrl_c_in_a_sweep_says_the_same_command_resumes(run_cli, tmp_path):
    with mock.patch("sim.experiments.sweeps.run_plan", side_effect=KeyboardInterrupt):
        code, err = run_cli("sweep", "baseline_2020", "--vary", "world.rivalry=0.3:1", "--out", str(tmp_path / "s"))
    assert code == 130 and "run the same command again to resume" in err


def test_a_closed_pipe_ends_quietly():
    reader = subprocess.Popen([sys.executable, "run.py", "explain", "baseline_2020", "--state", "Vietnam",
                               "--steps", "2", "--json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.close()  # the reader goes away before the first line, as `| head -0` would
    err = reader.stderr.read().decode()
    reader.wait(timeout=60)
    assert "Traceback" not in err and reader.returncode == 141


def test_workers_start_from_a_script_without_a_main_guard(tmp_path):
    script = tmp_path / "no_guard.py"
    script.write_text(textwrap.dedent("""
        import sim
        result = sim.sweep("baseline_2020", vary=["world.rivalry=0.3:1"], samples=4, steps=2, workers=2,
                           chunk_runs=2)
        print(len(result.runs))
    """))
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["4"]
