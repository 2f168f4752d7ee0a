"""The lessons' claims language (sim/running/lesson_claims.py): what a line measures, when a
per-state comparison holds, and that nothing but the language is evaluated."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.base.errors import InputError
from sim.running import lesson_claims as lc

REPLICATES, SEED = 2, 3


@pytest.fixture(scope="module")
def this():
    return sim.run("baseline_2020", replicates=REPLICATES, seed=SEED).trajectory


def check(line, this, worlds=None, groups=None):
    lookup = lc.world_runs(this, worlds or {}, REPLICATES, SEED)
    return lc.check_line(line, lookup, worlds or {}, groups)


def us_shares(traj):
    return 100 * traj.alignment[:, -1, :, traj.partners.index("US")].mean(0)


def test_a_per_state_comparison_holds_only_in_every_state_and_names_the_states_it_fails_in(this):
    shares = us_shares(this)
    middle = float(np.median(shares))
    below = [s for s, v in zip(this.states, shares) if not v > middle]
    result = check(f"share(this, US) > {middle}", this)
    assert not result.holds
    assert f"{len(this.states) - len(below)} of {len(this.states)} states" in result.measured
    assert all(state in result.measured for state in below)
    assert check(f"share(this, US) > {shares.min() - 1}", this).holds


def test_mean_of_a_group_and_a_world_with_changes_match_the_model_run_directly(this):
    half = sim.run("baseline_2020", replicates=REPLICATES, seed=SEED, overrides={"world.us_commitment": 0.5})
    expected = float(us_shares(half.trajectory)[[half.trajectory.states.index(s) for s in lc.GROUPS["claimants"]]].mean())
    worlds = {"half": "baseline_2020 world.us_commitment=0.5"}
    assert check(f"mean(share(half, US, claimants)) < {expected + 1e-9}", this, worlds).holds
    assert not check(f"mean(share(half, US, claimants)) < {expected - 1e-9}", this, worlds).holds


def test_names_join_and_subtract_and_top_names_the_largest_state(this):
    shares = dict(zip(this.states, us_shares(this)))
    leader = max(shares, key=shares.get)
    assert check(f"top(share(this, US)) == {leader}", this).holds
    assert not check(f"top(share(this, US, all - {leader})) == {leader}", this).holds
    both = check("mean(share(this, US + CN, Vietnam)) > mean(share(this, US, Vietnam))", this)
    assert both.holds and " > " in both.measured


def test_a_chained_comparison_checks_each_pair(this):
    assert check("0 < mean(share(this, US)) < 100", this).holds
    assert not check("0 < mean(share(this, US)) < 1", this).holds


@pytest.mark.parametrize("line", [
    "__import__('os').system('true') == 0",
    "share.__class__ == 1",
    "[x for x in (1,)] == 1",
    "mean(share(this, US))",  # not a comparison
    "share(US, this) > 0",  # world first
    "share(this, Usa) > 0",  # no such name
    "share(this, US > 0",  # not the language
])
def test_anything_but_the_language_is_a_one_line_input_error(line, this):
    with pytest.raises(InputError) as raised:
        check(line, this)
    assert "\n" not in str(raised.value)


def test_a_mistyped_name_gets_a_suggestion_and_a_bad_world_names_its_key(this):
    with pytest.raises(InputError, match="did you mean 'Vietnam'"):
        check("share(this, US, Vietnum) > 0", this)
    with pytest.raises(InputError, match="worlds.w"):
        check("mean(share(w, US)) > 0", this, {"w": "baseline_2020 world.no_such_key=1"})


def test_a_world_marked_sliders_takes_the_checked_runs_slider_changes_and_its_own_win(this):
    scenario, overrides = lc.world_of("baseline_2020 +sliders world.rivalry=1.0", "w",
                                      {"world.rivalry": 0.4, "world.asean_unity": 0.9})
    assert (scenario, overrides) == ("baseline_2020", {"world.rivalry": 1.0, "world.asean_unity": 0.9})
    assert lc.world_of("baseline_2020", "w", {"world.rivalry": 0.4}) == ("baseline_2020", {})
    run_at = sim.run("baseline_2020", replicates=REPLICATES, seed=SEED, overrides={"world.us_commitment": 0.5})
    lookup = lc.world_runs(run_at.trajectory, {"same": "baseline_2020 +sliders"}, REPLICATES, SEED,
                           sliders={"world.us_commitment": 0.5})
    np.testing.assert_array_equal(lookup("same").alignment, run_at.trajectory.alignment)
