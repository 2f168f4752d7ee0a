"""One test per scenario: averaged over replicates, it moves alignment the way its
seed article argues, relative to the baseline (same seed, same replicates)."""

import numpy as np
import pytest

import sim
from sim.schema import parameters

REPLICATES = 16
SEED = 99


def run(name, steps=40):
    return sim.run(name, replicates=REPLICATES, seed=SEED, steps=steps).trajectory


@pytest.fixture(scope="module")
def baseline():
    return run("baseline_2020")


def claimants(traj):
    """States with high South China Sea exposure (claimants), by index."""
    return [i for i, s in enumerate(traj.states) if parameters.defaults()[f"states.{s}.exposure"] >= 0.5]


def share(traj, partners, states=None, step=-1):
    """Mean alignment with ``partners`` (summed) over ``states`` and replicates at ``step``."""
    cols = [traj.partners.index(p) for p in partners]
    rows = list(range(len(traj.states))) if states is None else states
    return traj.alignment[:, step][:, rows][:, :, cols].sum(-1).mean()


def rows_of(traj, names):
    return [traj.states.index(n) for n in names]


def test_claimants_exist(baseline):
    assert {"Vietnam", "Philippines"} <= {baseline.states[i] for i in claimants(baseline)}


def test_korea_security_turn_raises_korea_alignment(baseline):
    """Seed 001: KASI and arms sales make Korea a more valued security partner."""
    turn = run("korea_security_turn")
    assert share(turn, ["KR"]) > share(baseline, ["KR"])
    philippines = rows_of(turn, ["Philippines"])
    assert share(turn, ["KR"], philippines) > share(baseline, ["KR"], philippines)


def test_japan_osa_raises_japan_alignment_in_recipients(baseline):
    """Seeds 000/001: coast-guard and OSA help is why the region values Japan."""
    osa = run("japan_osa_expansion")
    recipients = rows_of(osa, ["Philippines", "Malaysia", "Indonesia", "Vietnam"])
    assert share(osa, ["JP"], recipients) > share(baseline, ["JP"], recipients)


def test_china_assertive_pushes_claimants_toward_us_and_japan(baseline):
    """Seed 002/000: coercion pushes states under pressure at sea toward counterbalancers."""
    assertive = run("china_assertive")
    assert share(assertive, ["US", "JP"], claimants(assertive)) > share(baseline, ["US", "JP"], claimants(baseline))
    assert assertive.china_coercion[:, -1].mean() > baseline.china_coercion[:, -1].mean()


def test_china_assertive_barely_moves_china_dependent_mainland_states(baseline):
    """Seed 002: coercion punishes leaning away, so states tied to China's economy with no sea
    dispute move toward the US far less than claimants, and leaning toward the US costs them more."""
    assertive = run("china_assertive")
    mainland = rows_of(assertive, ["Cambodia", "Laos", "Myanmar"])
    gain = {name: share(assertive, ["US"], rows) - share(baseline, ["US"], rows)
            for name, rows in (("mainland", mainland), ("claimants", claimants(assertive)))}
    assert gain["claimants"] > 3 * gain["mainland"]
    risk, us = sim.core.equations.TERMS.index("risk"), assertive.partners.index("US")
    assert (assertive.terms[:, -1][:, mainland, us, risk].mean()
            < baseline.terms[:, -1][:, mainland, us, risk].mean() < 0)


def test_china_conciliatory_draws_region_toward_china(baseline):
    """Seed 002: in a conciliatory environment states downplay differences and seek economic gains."""
    conciliatory = run("china_conciliatory")
    assert share(conciliatory, ["CN"]) > share(baseline, ["CN"])
    us_japan = ["US", "JP"]
    assert share(conciliatory, us_japan, claimants(conciliatory)) < share(baseline, us_japan, claimants(baseline))


def test_us_retrenchment_lowers_us_alignment(baseline):
    """Seeds 002/003: a retreating US is a less attractive partner."""
    assert share(run("us_retrenchment"), ["US"]) < share(baseline, ["US"])


def test_peninsula_detente_lowers_korea_counterbalancing_and_security_value(baseline):
    """Seed 002: with the North Korean threat gone Korea drifts toward Beijing."""
    detente = run("peninsula_detente")
    assert detente.korea_posture[:, -1].mean() < baseline.korea_posture[:, -1].mean()
    security = sim.core.equations.TERMS.index("security")
    korea = detente.partners.index("KR")
    exposed = claimants(detente)
    assert (detente.terms[:, -1][:, exposed, korea, security].mean()
            < baseline.terms[:, -1][:, exposed, korea, security].mean())


def test_japan_korea_mekong_raises_their_alignment_in_mekong_states(baseline):
    """Seed 004: joint Mekong projects through ASEAN+3."""
    mekong = run("japan_korea_mekong")
    states = rows_of(mekong, ["Cambodia", "Laos", "Myanmar", "Thailand", "Vietnam"])
    assert share(mekong, ["JP", "KR"], states) > share(baseline, ["JP", "KR"], states)


def test_scs_crisis_pushes_claimants_toward_counterbalancers(baseline):
    """Seed 000: aggressive posturing at sea makes counterbalancing partners valuable."""
    crisis = run("scs_crisis")
    step = 11  # just after the crisis quarters (8-9)
    exposed = claimants(crisis)
    assert crisis.threat[:, step][:, exposed].mean() > baseline.threat[:, step][:, exposed].mean()
    assert share(crisis, ["US", "JP"], exposed, step) > share(baseline, ["US", "JP"], exposed, step)


def test_asean_unity_strong_and_fragmented_move_cohesion(baseline):
    """Seed 000: unity and resilience, the region's preferred answer, keeps states together."""
    strong = run("asean_unity_strong").cohesion()[:, -1].mean()
    weak = run("asean_fragmented").cohesion()[:, -1].mean()
    assert strong > baseline.cohesion()[:, -1].mean() > weak


def test_thaad_coercion_makes_target_lean_away_from_us(baseline):
    """Seed 002: THAAD-style sanctions make leaning toward China's rivals costly for the target."""
    thaad = run("thaad_coercion")
    philippines = rows_of(thaad, ["Philippines"])
    assert share(thaad, ["US"], philippines) < share(baseline, ["US"], philippines)
    assert np.isfinite(thaad.alignment).all()
