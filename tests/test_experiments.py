"""compare, sensitivity and discover: intervals, indices and boxes that could come out wrong."""

import json

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.experiments import comparison
from sim.reports.tables import markdown_table
from sim.experiments.comparison import bootstrap_interval

# --- compare ---------------------------------------------------------------------------


def test_bootstrap_interval_of_a_known_mean_has_the_textbook_width():
    rng = np.random.default_rng(0)
    samples = rng.normal([0.0, 5.0], [1.0, 2.0], size=(400, 2))
    lo, hi = bootstrap_interval(samples, seed=1)
    normal_half = 1.96 * samples.std(0, ddof=1) / np.sqrt(400)
    np.testing.assert_allclose((hi - lo) / 2, normal_half, rtol=0.15)
    assert (lo < samples.mean(0)).all() and (samples.mean(0) < hi).all()
    assert bootstrap_interval(np.full((50, 1), 0.3), seed=1) == (pytest.approx([0.3]), pytest.approx([0.3]))


def test_identical_scenarios_differ_by_exactly_zero_on_common_random_numbers():
    with pytest.warns(UserWarning, match="same world"):  # IdenticalWorldsWarning: the user is told
        result = sim.compare(["scs_crisis", "scs_crisis"], replicates=30, steps=8)  # crises and noise on
    assert (result.differences["difference"] == 0).all() and (result.states["difference"] == 0).all()
    assert (result.differences["lo"] <= 0).all() and (result.differences["hi"] >= 0).all()
    assert not result.differences["clear"].any() and not result.states["clear"].any()
    spread = result.alignment.query("measure == 'US'")
    assert (spread["hi"] > spread["lo"]).all()  # the runs themselves vary: zero comes from the pairing


def test_us_retrenchment_lowers_us_alignment_clear_of_zero():
    result = sim.compare(["baseline_2020", "us_retrenchment"], replicates=40, steps=20)
    us = result.differences.set_index("measure").loc["US"]
    assert us["clear"] and us["hi"] < 0 and us["lo"] <= us["difference"] <= us["hi"]
    philippines = result.states.query("state == 'Philippines' and partner == 'US'").iloc[0]
    assert philippines["clear"] and philippines["difference"] < 0
    row = result.alignment.query("scenario == 'baseline_2020' and measure == 'US'").iloc[0]
    assert row["lo"] <= row["mean"] <= row["hi"]


def test_compare_command_writes_tables_figure_and_report(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "baseline_2020", "us_retrenchment", "--replicates", "20", "--steps", "8",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Difference from baseline_2020" in printed and "*" in printed
    report = (out / "report.md").read_text()
    assert "| us_retrenchment |" in report and "**" not in report and " *" in report  # a star, not bold
    assert "](alignment_over_time.png)" in report
    assert (out / "alignment_over_time.png").read_bytes()[:4] == b"\x89PNG"
    states = pd.read_csv(out / "states.csv")
    assert len(states) == 10 * 5 and set(states.columns) >= {"state", "partner", "difference", "lo", "hi", "clear"}
    assert json.loads((out / "manifest.json").read_text())["scenarios"][1]["scenario"] == "us_retrenchment"


@pytest.mark.parametrize("argv, fragment", [
    (["compare", "baseline_2020"], "at least two scenarios"),
    (["compare", "baseline_2020", "nowhere"], "nowhere"),
    (["compare", "baseline_2020", "us_retrenchment", "--replicates", "0"], "replicates"),
])
def test_bad_compare_input_exits_2(capsys, argv, fragment):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err


def test_compare_to_an_unwritable_out_is_refused_before_any_run(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    monkeypatch.setattr(comparison, "simulate", lambda *a, **k: pytest.fail("simulated before checking --out"))
    assert main(["compare", "baseline_2020", "us_retrenchment", "--out", str(blocker / "cmp")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--out" in err and "under a file" in err


def test_markdown_table_has_a_header_rule_and_one_row_per_line():
    frame = pd.DataFrame({"US": ["1.0 [0.5, 1.5]", None]}, index=pd.Index(["a", "b"], name="scenario"))
    header, rule, *rows = markdown_table(frame).splitlines()
    assert header.replace(" ", "") == "|scenario|US|"
    assert set(rule) <= set("|:-") and rule.count("|") == header.count("|")
    assert [row.replace(" ", "") for row in rows] == ["|a|1.0[0.5,1.5]|", "|b||"]  # a missing cell is blank


# --- sensitivity --------------------------------------------------------------------------

VARY = ["world.us_commitment=0.5:1.5", "states.Vietnam.ties.EU=0:1", "weights.peer=0:0.5"]


@pytest.mark.parametrize("method, index", [("sobol", "ST"), ("morris", "mu_star")])
def test_unused_parameter_has_no_effect_and_an_influential_one_does(method, index):
    """EU is not in baseline_2020's partner set, so Vietnam's EU ties change nothing."""
    result = sim.sensitivity("baseline_2020", VARY, method=method, outcome="asean_US", samples=16, steps=8)
    indices = result.indices[index]
    assert abs(indices["states.Vietnam.ties.EU"]) < 0.01
    assert indices["world.us_commitment"] > 0.1 and indices["world.us_commitment"] > indices["weights.peer"]
    if method == "sobol":
        assert abs(result.indices.loc["states.Vietnam.ties.EU", "S1"]) < 0.01
        assert result.indices.loc["world.us_commitment", "S1"] > 0.1


def test_sensitivity_command_prints_indices_and_writes_table_and_chart(tmp_path, capsys):
    out = tmp_path / "sens"
    argv = ["sensitivity", "baseline_2020", "--vary", VARY[0], "--vary", VARY[1], "--method", "morris",
            "--outcome", "led_US", "--samples", "4", "--steps", "6", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "no effect in baseline_2020" in printed and "mu_star" in printed
    table = pd.read_csv(out / "sensitivity_morris_led_US.csv", index_col="parameter")
    assert list(table.index) == ["world.us_commitment", "states.Vietnam.ties.EU"]
    assert (out / "sensitivity_morris_led_US.png").exists() and (out / "manifest.json").exists()
    assert main(argv) == 0 and "resumed" in capsys.readouterr().out  # a second outcome reuses the runs


@pytest.mark.parametrize("argv, fragment", [
    (["--outcome", "asean_XX"], "--outcome"),
    (["--outcome", "tipping_step"], "--outcome"),
    (["--method", "fast"], "--method = 'fast': expected one of sobol, morris"),
    (["--samples", "6"], "power of two"),
])
def test_bad_sensitivity_input_exits_2(tmp_path, capsys, argv, fragment):
    code = None
    try:
        code = main(["sensitivity", "baseline_2020", "--vary", VARY[0], "--steps", "2",
                     "--out", str(tmp_path / "s"), *argv])
    except SystemExit as exit:  # argparse's own choices check
        code = exit.code
    assert code == 2 and fragment in capsys.readouterr().err


# --- discover -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    """us_commitment and peer weight varied; EU ties do nothing (a decoy for PRIM)."""
    out = tmp_path_factory.mktemp("discover") / "sweep"
    sim.sweep("baseline_2020", vary=VARY, samples=300, steps=10, seed=4, out=out)
    return out


@pytest.mark.parametrize("threshold", [0.98, 0.8])
def test_prim_finds_the_box_of_a_condition_set_by_one_parameter(sweep_dir, threshold):
    """us_commitment is uniform on [0.5, 1.5]; the condition holds below 0.8, so a box [0.5, m]
    has density 0.3 / (m - 0.5): the widest box at the threshold ends near 0.5 + 0.3 / threshold."""
    found = sim.discover(sweep_dir, "`world.us_commitment` < 0.8", threshold=threshold)
    box = found.boxes[found.boxes["box"] == 1]
    assert list(box["parameter"]) == ["world.us_commitment"]  # the decoys are left unrestricted
    assert box["max"].iloc[0] == pytest.approx(0.5 + 0.3 / threshold, abs=0.02)
    assert box["coverage"].iloc[0] > 0.95 and box["density"].iloc[0] >= threshold
    assert found.cases == int((sim.load_sweep(sweep_dir).runs["world.us_commitment"] < 0.8).sum())


def low_us(sweep_dir) -> str:
    """A condition true in the sweep's lowest 30% of ASEAN-wide US shares (whatever the calibrated level)."""
    summary = pd.read_parquet(sweep_dir / "summary.parquet")
    return f"asean_US < {summary.loc[summary['outcome'] == 'asean_US', 'mean'].quantile(0.3):.4f}"


def test_prim_box_for_low_us_alignment_restricts_us_commitment(sweep_dir):
    found = sim.discover(sweep_dir, low_us(sweep_dir))
    first = found.boxes[found.boxes["box"] == 1].set_index("parameter")
    assert "world.us_commitment" in first.index and "states.Vietnam.ties.EU" not in first.index
    assert first.loc["world.us_commitment", "max"] < 1.2 and first["density"].iloc[0] >= 0.8


def test_discover_command_prints_boxes_and_writes_the_tradeoff_plot(sweep_dir, tmp_path, capsys):
    out = tmp_path / "disc"
    assert main(["discover", str(sweep_dir), "--outcome", low_us(sweep_dir), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Box 1: coverage" in printed and "world.us_commitment" in printed
    assert (out / "tradeoff.png").read_bytes()[:4] == b"\x89PNG"
    assert pd.read_csv(out / "boxes.csv")["box"].min() == 1


@pytest.mark.parametrize("condition, fragment", [
    ("led_CN >>= 6", "--outcome"),
    ("no_such_column > 1", "no_such_column"),
    ("led_CN + 1", "true or false"),
    ("led_CN >= 0", "true in some runs and false in others"),
])
def test_bad_condition_is_a_one_line_error(sweep_dir, capsys, condition, fragment):
    assert main(["discover", str(sweep_dir), "--outcome", condition]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err


@pytest.mark.parametrize("option, value", [("--boxes", "0"), ("--threshold", "1.5")])
def test_bad_discover_option_is_a_one_line_error(sweep_dir, capsys, option, value):
    assert main(["discover", str(sweep_dir), "--outcome", "asean_US < 0.14", option, value]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{option.lstrip('-')} = {value}" in err


def test_discover_to_an_unwritable_out_is_a_one_line_error(sweep_dir, tmp_path, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    assert main(["discover", str(sweep_dir), "--outcome", "asean_US < 0.14", "--out", str(blocker / "d")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--out" in err and blocker.read_text() == "not a directory"


def test_discover_on_a_directory_that_is_no_sweep_exits_2(tmp_path, capsys):
    assert main(["discover", str(tmp_path), "--outcome", "led_CN >= 6"]) == 2
    assert "a sweep directory" in capsys.readouterr().err


def test_compare_too_big_for_memory_is_refused_before_simulating(capsys):
    code = main(["compare", "baseline_2020", "us_retrenchment", "--replicates", "10000", "--steps", "10000"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "fits in memory" in err
