"""Explaining a difference between two worlds (issue 26): the attribution sums exactly to the total,
its end worlds are the two scenarios themselves, and the Shapley arithmetic is right on known games.
No model figure is written down here: expected values come from the model or from relations."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import sim
import sim.experiments.brief
from sim.cli import main as cli
from sim.experiments import attribution as attr
from sim.experiments.difference import ASEAN_ROW, FORCED, explain_difference

FAST = {"replicates": 6, "steps": 10}  # the events of the scenarios used here fall at step 4


def _sums(found):
    """(sum of the inputs' contributions, the total change) per state and measure."""
    summed = found.inputs.groupby(["state", "measure"])["contribution"].sum()
    total = found.total.set_index(["state", "measure"])["difference"]
    return summed, total.loc[summed.index]


def test_the_inputs_contributions_sum_exactly_to_the_total_change():
    found = explain_difference("baseline_2020", "korea_security_turn", **FAST)
    assert len(found.changes) == 3  # two defence-tie events and Korea's security turn, each its own input
    summed, total = _sums(found)
    assert len(summed) == 11 * 6  # ten states and ASEAN x (five shares and forced_us)
    np.testing.assert_allclose(summed.to_numpy(), total.to_numpy(), rtol=0, atol=1e-12)
    assert (total.abs() > 0).any()  # a real change was shared out, not zeros


def test_the_end_worlds_are_the_two_scenarios_run_on_the_same_random_numbers():
    found = explain_difference("baseline_2020", "us_retrenchment", **FAST)
    for name, column in (("baseline_2020", "a"), ("us_retrenchment", "b")):
        direct = sim.run(name, steps=FAST["steps"], replicates=FAST["replicates"]).trajectory
        expected = direct.forced_us()[:, -1].mean(0)
        rows = found.total[(found.total["measure"] == FORCED) & (found.total["state"] != ASEAN_ROW)]
        np.testing.assert_allclose(rows[column].to_numpy(), expected, rtol=0, atol=1e-12)


def test_a_weaker_us_lowers_the_us_answer_and_trust_and_security_carry_it():
    found = explain_difference("baseline_2020", "us_retrenchment", **FAST)
    asean = found.total.set_index(["state", "measure"]).loc[(ASEAN_ROW, FORCED)]
    assert asean["difference"] < 0 and asean["clear"]
    assert set(found.drivers["input"]) == {"world.us_commitment (events)"}
    us = found.terms[(found.terms["partner"] == "US") & (found.terms["state"] == "Philippines")].set_index("term")
    assert us.loc["utility", "difference"] < 0
    assert us.loc["utility", "difference"] == pytest.approx(us.loc[list(attr_terms()), "difference"].sum(), abs=1e-12)


def attr_terms():
    from sim.core.equations import TERMS
    return TERMS


def test_one_state_keeps_only_its_rows_and_its_intervals_contain_the_mean():
    found = explain_difference("baseline_2020", "baseline_2020@world.us_commitment=0.75", state="Vietnam", **FAST)
    assert set(found.total["state"]) == {"Vietnam"} and set(found.terms["state"]) == {"Vietnam"}
    assert ((found.total["lo"] <= found.total["difference"] + 1e-12)
            & (found.total["difference"] <= found.total["hi"] + 1e-12)).all()
    assert list(found.changes["kind"]) == ["start value"]


def test_two_identical_worlds_warn_and_have_nothing_to_attribute():
    with pytest.warns(attr.IdenticalWorldsWarning, match="same world"):
        found = explain_difference("baseline_2020", "baseline_2020", **FAST)
    assert found.changes.empty and found.inputs.empty
    assert (found.total["difference"] == 0).all()


def test_many_inputs_are_estimated_from_orderings_that_still_sum_exactly():
    keys = ["world.rivalry", "world.nk_threat", "world.asean_unity", "world.scs_presence", "weights.peer",
            "weights.trust", "weights.economy", "weights.security"]
    base = sim.load("baseline_2020")
    params = base.parameters()
    changed = base.with_overrides({key: params[key] * 0.9 for key in keys})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = explain_difference(base, changed, replicates=3, steps=4, group_by="input")
    assert len(found.changes) == len(keys) > attr.MAX_EXACT
    assert "orders" in found.manifest["method"]
    summed, total = _sums(found)
    np.testing.assert_allclose(summed.to_numpy(), total.to_numpy(), rtol=0, atol=1e-12)


def test_mixed_worlds_switch_only_the_groups_asked_for():
    a, b = sim.load("baseline_2020"), sim.load("korea_security_turn")
    groups = attr.input_groups(a, b)
    assert attr.mixed_world(a, b, groups, set()) is a and attr.mixed_world(a, b, groups, {0, 1, 2}) is b
    one = attr.mixed_world(a, b, groups, {2})
    assert len(one.events) == len(a.events) + len(groups[2].b_events)
    assert {e.key for e in one.events} - {e.key for e in a.events} == set(groups[2].keys)
    by_step = attr.input_groups(a, b, group_by="step")
    assert len(by_step) == 1 and by_step[0].kind == "events"  # all three events fall at one step


def test_shapley_values_on_known_games():
    additive = {mask: np.array(float((mask & 1) * 2 + (mask >> 1 & 1) * 5)) for mask in range(4)}
    assert attr.shapley(additive, 2).tolist() == [2.0, 5.0]
    together = {mask: np.array(1.0 if mask == 3 else 0.0) for mask in range(4)}  # only both together count
    assert attr.shapley(together, 2).tolist() == [0.5, 0.5]
    rng = np.random.default_rng(3)
    game = {mask: rng.normal(size=2) for mask in range(2 ** 5)}
    estimated = attr.shapley(game, 5, attr.orderings(5, seed=1))
    np.testing.assert_allclose(estimated.sum(0), game[31] - game[0], atol=1e-12)
    np.testing.assert_allclose(attr.shapley(game, 5).sum(0), game[31] - game[0], atol=1e-12)


def test_explain_a_b_on_the_command_line(tmp_path, capsys):
    out = tmp_path / "why"
    code = cli(["explain", "baseline_2020", "us_retrenchment", "--replicates", "4", "--steps", "8",
                "--state", "Philippines", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0 and "Philippines: the share answering US" in printed and "Shapley" in printed
    inputs, total = pd.read_csv(out / "inputs.csv"), pd.read_csv(out / "total.csv")
    assert set(inputs["state"]) == set(total["state"]) == {"Philippines"}
    assert not re.search(r"-0\.0+(?![0-9])", printed)  # no negative zero anywhere


@pytest.mark.parametrize("argv, says", [
    (["explain", "baseline_2020"], "--state"),
    (["explain", "baseline_2020", "us_retrenchment", "--step", "3"], "--step"),
    (["explain", "baseline_2020", "us_retrenchment", "--label", "x"], "--label"),
    (["explain", "baseline_2020", "us_retrenchment", "--state", "Phillipines"], "did you mean 'Philippines'"),
    (["explain", "baseline_2020", "--replicates", "3", "--state", "Vietnam"], "second scenario"),
])
def test_explain_refuses_what_does_not_apply_in_one_line(argv, says, capsys):
    assert cli(argv) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1


def test_compare_names_a_main_driver_per_state():
    result = sim.compare(["baseline_2020", "us_retrenchment"], replicates=4, steps=8)
    drivers = result.drivers
    assert list(drivers["state"]) == [*sim.load("baseline_2020").states, ASEAN_ROW]
    assert set(drivers["input"]) <= {"world.us_commitment (events)"}
    forced = result.differences.set_index("measure").loc[FORCED, "difference"]
    assert drivers.set_index("state").loc[ASEAN_ROW, "difference"] == pytest.approx(forced, abs=1e-12)


def test_the_comparison_report_has_no_bold_no_negative_zero_and_a_legend_under_every_interval_table(tmp_path):
    result = sim.compare(["baseline_2020", "korea_security_turn"], replicates=4, steps=8)
    text = sim.experiments.brief.report(result)
    assert "**" not in text and not re.search(r"-0\.0(?![0-9])", text)
    tables = [block for block in text.split("\n## ") if "[" in block and "|" in block]
    assert tables and all("95% bootstrap interval of the mean" in block for block in tables)
    assert "Forced choice per state" in text and "main input" in text
    assert "What each scenario changed" in text and "world.korea_security_turn (events): none ->" in text
