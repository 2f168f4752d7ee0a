"""One test per scenario and per mechanism: averaged over replicates, it moves alignment
the way its seed article argues, relative to the baseline (same seed, same replicates).

Issue 13's tests check the named partner in the named states, never pooled partners
(US and Japan together hid that Japan lost share when China turned assertive).
"""

from functools import lru_cache

import numpy as np
import pytest

import sim
from sim.calibration.questions import answers
from sim.core.equations import TERMS
from sim.schema import parameters

REPLICATES = 16
SEED = 99


@lru_cache(maxsize=None)
def _run(name, steps, overrides):
    return sim.run(name, replicates=REPLICATES, seed=SEED, steps=steps, overrides=dict(overrides)).trajectory


def run(name, steps=40, **overrides):
    """A scenario's trajectory (cached: several tests read the same runs)."""
    return _run(name, steps, tuple(sorted(overrides.items())))


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


def term(traj, name, partner, states, step=-1):
    """Mean weighted utility term ``name`` of ``partner`` over ``states`` and replicates."""
    return traj.terms[:, step][:, rows_of(traj, states), traj.partners.index(partner), TERMS.index(name)].mean()


def forced(traj, state):
    """The model's survey answer: % of the state's respondents choosing the US over China."""
    return 100 * traj.forced_us()[:, -1, traj.states.index(state)].mean()


CLAIMANTS_JAPAN_HELPS = ["Philippines", "Vietnam"]  # Japan's largest coast-guard programmes (assist.JP)


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


# --- issue 13: each seed's sign on the named partner and states ------------------------


def test_china_assertive_raises_japans_value_against_china(baseline):
    """Seed 000: 'Japan taking the lead in challenging China helps the region to maintain its own
    path': when China turns assertive Japan's security value rises where it builds coast guards and
    it gains against China there. The US's value rises more (deterrence as well as coast guards), so
    Japan's own share can fall as the claimants turn to the US (docs/model.md, the claims table)."""
    assertive = run("china_assertive")
    for state in CLAIMANTS_JAPAN_HELPS:
        rows = rows_of(assertive, [state])
        assert term(assertive, "security", "JP", [state]) > term(baseline, "security", "JP", [state])
        ratio = share(assertive, ["JP"], rows) / share(assertive, ["CN"], rows)
        assert ratio > share(baseline, ["JP"], rows) / share(baseline, ["CN"], rows)


def test_scs_crisis_raises_japan_where_it_builds_coast_guards(baseline):
    """Seed 000: Japan's coast-guard help 'improves Southeast Asian countries' ability to enforce
    maritime claims vis-a-vis China'; in a crisis at sea it is worth more, not less."""
    crisis, step = run("scs_crisis"), 11
    for state in CLAIMANTS_JAPAN_HELPS:
        rows = rows_of(crisis, [state])
        assert share(crisis, ["JP"], rows, step) > share(baseline, ["JP"], rows, step)


def test_osa_reaches_its_named_recipients_only(baseline):
    """Seed 001: OSA provides 'coast guard vessels and radars' to the Philippines, Indonesia,
    Vietnam and Malaysia; states that receive none (Cambodia, Laos) gain less than any recipient
    (they gain a little: Japan's aid budget follows its shortfalls, which move to them)."""
    osa = run("japan_osa_expansion")
    gain = {s: share(osa, ["JP"], rows_of(osa, [s])) - share(baseline, ["JP"], rows_of(baseline, [s]))
            for s in osa.states}
    recipients = ("Philippines", "Indonesia", "Vietnam", "Malaysia")
    assert min(gain[s] for s in recipients) > 0
    assert max(abs(gain[s]) for s in ("Cambodia", "Laos")) < min(gain[s] for s in recipients)


def test_north_korean_threat_ties_korea_to_the_us_and_caution_keeps_it_careful_with_china(baseline):
    """Seed 002: under North Korean threats Seoul seeks the security of its US alliance (China's
    displeasure with Korea rises: the risk term, and Korea counts for more at sea); seed 000: China's
    role on the peninsula 'limits South Korea's ability and willingness' to provoke China
    (world.korea_caution), so more caution lowers Korea's value as a counterbalancer."""
    tense = run("baseline_2020", **{"world.nk_threat": 0.9})
    exposed = ["Philippines", "Vietnam"]
    everyone = list(baseline.states)
    assert term(tense, "risk", "KR", everyone) < term(baseline, "risk", "KR", everyone) < 0
    assert term(tense, "security", "KR", exposed) > term(baseline, "security", "KR", exposed)
    careful = run("baseline_2020", **{"world.korea_caution": 0.9})
    assert term(careful, "security", "KR", exposed) < term(baseline, "security", "KR", exposed)


def test_peninsula_detente_lets_korea_drift_toward_beijing(baseline):
    """Seed 002: once the North Korean rationale dissipates, Seoul 'will drift in Beijing's
    direction': aligning with Korea stops provoking China, so the states most exposed to
    China's punishment lean a little more toward Korea."""
    detente = run("peninsula_detente")
    everyone = list(detente.states)
    assert term(detente, "risk", "KR", everyone) > term(baseline, "risk", "KR", everyone)
    china_tied = rows_of(detente, ["Cambodia", "Laos", "Myanmar"])
    assert share(detente, ["KR"], china_tied) > share(baseline, ["KR"], china_tied)


def outside_mix(traj):
    """[state, partner] each outside partner's share of a state's outside alignment (ASEAN option left out)."""
    outside = [i for i, p in enumerate(traj.partners) if p != "ASEAN"]
    final = traj.alignment[:, -1].mean(0)[:, outside]
    return final / final.sum(-1, keepdims=True)


def test_asean_unity_raises_autonomy_without_herding(baseline):
    """Seed 000: ASEAN 'should enhance its resilience and unity to fend of pressure from the two
    major powers': unity raises the ASEAN-centred option in every state and leaves how each
    state divides the rest between outside partners nearly as it was (no herding into a camp)."""
    strong, weak = run("asean_unity_strong"), run("asean_fragmented")
    asean = baseline.partners.index("ASEAN")
    final = {name: t.alignment[:, -1, :, asean].mean(0) for name, t in
             (("strong", strong), ("base", baseline), ("weak", weak))}
    assert (final["strong"] > final["base"]).all() and (final["base"] > final["weak"]).all()
    moved = np.abs(outside_mix(strong) - outside_mix(baseline))
    assert moved.mean() < 0.03 and moved.max() < 0.1  # before issue 13, Japan's 23% of the mix fell to 4%
    hedging = {name: t.hedging()[:, -1].mean() for name, t in (("strong", strong), ("base", baseline))}
    assert hedging["strong"] > hedging["base"] - 0.05  # before issue 13: 0.72 -> 0.32


def test_conciliatory_china_keeps_the_sea_dispute(baseline):
    """A conciliatory China still holds the features it occupies (world.scs_presence): claimants
    feel a floor of threat, and the Philippines and Vietnam still answer US."""
    conciliatory = run("china_conciliatory")
    presence = parameters.defaults()["world.scs_presence"]
    exposure = np.array([parameters.defaults()[f"states.{s}.exposure"] for s in conciliatory.states])
    assert (conciliatory.threat[:, -1] >= exposure * presence - 1e-12).all()
    for state in ("Philippines", "Vietnam"):
        assert forced(conciliatory, state) > 50


def test_thaad_coercion_costs_china_trust_in_its_target(baseline):
    """Seed 002: China's THAAD retaliation 'left a lingering negative impression' on the target's
    public: China's trust term falls in the Philippines, its share there does not rise, and the
    region does not tip toward China."""
    thaad = run("thaad_coercion")
    philippines = ["Philippines"]
    assert term(thaad, "trust", "CN", philippines) < term(baseline, "trust", "CN", philippines)
    rows = rows_of(thaad, philippines)
    assert share(thaad, ["CN"], rows) <= share(baseline, ["CN"], rows)
    assert forced(thaad, "Philippines") > 50


def test_thaad_backlash_lingers_after_the_sanctions_end(baseline):
    """Seed 002: the impression was 'lingering': two years after China lifts the sanctions (quarter 12)
    the Philippines still trusts China less than in the baseline, though more than under sanctions."""
    import dataclasses

    from sim.schema.scenario import Event, load

    thaad = load("thaad_coercion")
    lifted = dataclasses.replace(thaad, events=(*thaad.events,
                                                Event(12, "states.Philippines.sanction_exposure", "set", 1.0)))
    after = sim.run(lifted, replicates=REPLICATES, seed=SEED).trajectory
    during = run("thaad_coercion")
    philippines = ["Philippines"]
    base, late, sanctioned = (term(t, "trust", "CN", philippines, step=20) for t in (baseline, after, during))
    assert sanctioned < late < base


# The bound (docs/model.md 7.6): trust in the US rose 59% (34.9% -> 55.4%) from the 2020 to the
# 2021 survey while the ASEAN forced choice moved +7.9 pp; a 10% cut of US commitment scales US
# trust by a sixth of that change (and capacities and money by 10%), so it may move the answer by
# a few points: 5 pp at most.
BELIEVABLE_PP = 5.0


def test_us_commitment_10_percent_moves_the_forced_choice_by_a_few_points():
    result = answers("baseline_2020", [{}, {"world.us_commitment": 0.9}], replicates=REPLICATES)
    change = 100 * (result.forced_us[1] - result.forced_us[0])
    assert -BELIEVABLE_PP <= change < 0


def test_mainland_states_answer_within_their_survey_range():
    """Cambodia, Laos and Myanmar answered 20-54% US in 2020-2021; the model's 2020 answer is in that
    range give or take 10 pp, and 10% less US commitment costs each of them a few points, not half."""
    result = answers("survey_2020", [{}, {"world.us_commitment": 0.9}], replicates=REPLICATES)
    for state in ("Cambodia", "Laos", "Myanmar"):
        column = result.states.index(state)
        base, cut = 100 * result.forced_us_states[:, column]
        assert 10 <= base <= 64
        assert base - cut <= BELIEVABLE_PP


def world_moves():
    """Every real world parameter moved by +-10% of its range from its default, within bounds."""
    defaults = parameters.defaults()
    for spec in parameters.sweepable():
        if not spec.key.startswith("world.") or spec.kind != "real":
            continue
        for sign in (-1, 1):
            value = float(np.clip(defaults[spec.key] + sign * 0.1 * (spec.hi - spec.lo), spec.lo, spec.hi))
            if value != defaults[spec.key]:
                yield {spec.key: value}


def test_tripwires_hold_when_any_world_assumption_moves_10_percent():
    """The Philippines and Vietnam stay above 50% US and Laos and Brunei below it, whichever single
    world parameter moves by 10% of its range (issue 13)."""
    moves = list(world_moves())
    result = answers("baseline_2020", moves, replicates=8)
    table = 100 * result.forced_us_states
    for state, above in (("Philippines", True), ("Vietnam", True), ("Laos", False), ("Brunei", False)):
        column = table[:, result.states.index(state)]
        bad = [(m, round(v, 1)) for m, v in zip(moves, column) if (v > 50) != above]
        assert not bad, f"{state}: {bad}"


def test_asean_unity_strong_brings_states_together(baseline):
    """Seed 000: unity and resilience, the region's preferred answer, keeps states together.
    (A fragmented ASEAN is not the reverse: every state then looks outside, in similar mixes,
    so cohesion, the likeness of portfolios, does not measure unity there.)"""
    strong = run("asean_unity_strong").cohesion()[:, -1].mean()
    assert strong > baseline.cohesion()[:, -1].mean()


def test_thaad_coercion_costs_china_and_leaves_the_target_with_the_us(baseline):
    """Seed 002: the sanctions 'left a lingering negative impression' (China loses in the target) and
    the target's concession was cosmetic (the 'three no's': it kept THAAD), so its US share barely moves
    while China's falls by a larger fraction of itself."""
    thaad = run("thaad_coercion")
    philippines = rows_of(thaad, ["Philippines"])
    china_before, china_after = share(baseline, ["CN"], philippines), share(thaad, ["CN"], philippines)
    us_before, us_after = share(baseline, ["US"], philippines), share(thaad, ["US"], philippines)
    assert china_after < china_before
    assert abs(us_after / us_before - 1) < abs(china_after / china_before - 1)
    assert np.isfinite(thaad.alignment).all()
