"""Each equation against values worked out by hand on a two-state, two-partner toy.

States A, B; partners X, Y (X and Y are each other's rivals). The numbers in
the comments are the hand calculation; the test compares the code to them.
"""

import numpy as np
import pytest
from scipy import stats

from sim.core import equations as eq

TOY = dict(
    threat=np.array([0.5, 0.0]),
    crisis=0.0,
    security_capacity=np.array([0.8, 0.4]),
    counterbalance=np.array([1.0, 0.0]),
    assist=np.array([[0.0, 0.4], [0.0, 0.0]]),  # Y builds A's coast guard
    defense=np.array([[0.2, 0.0], [0.0, 0.1]]),
    ties=np.array([[0.3, 0.1], [0.2, 0.4]]),
    engagement=np.array([[0.05, 0.0], [0.0, 0.1]]),
    trust=np.array([[0.6, 0.3], [0.6, 0.1]]),  # B trusts Y less than the region does
    provocation=np.array([1.0, 0.5]),
    rivals=np.array([[0.0, 1.0], [1.0, 0.0]]),
    coercion=np.array([0.2, 0.6]),
    rivalry=0.5,
    sanction=np.array([1.0, 2.0]),
    history=np.array([[0.1, -0.2], [0.0, 0.3]]),
    peer=eq.peer_alignment(np.array([[0.7, 0.3], [0.4, 0.6]])),
    weights=np.array([[1.0] * 6, [2.0, 1, 1, 1, 1, 1]]),  # B doubles security
)


def term(name):
    return eq.utility_terms(**TOY)[..., eq.TERMS.index(name)]


def test_security_term():
    # threat * (capacity * counterbalance + assist) + defense
    # A,X: 0.5*(0.8*1 + 0) + 0.2 = 0.6;  A,Y: 0.5*(0.4*0 + 0.4) + 0 = 0.2
    # B,X: 2*(0 + 0) = 0;                B,Y: 2*(0 + 0.1) = 0.2
    np.testing.assert_allclose(term("security"), [[0.6, 0.2], [0.0, 0.2]])


def test_crises_raise_the_value_of_coast_guard_help_not_of_deterrence():
    # crisis 1 doubles A's threat (0.5 -> 1.0, standing threat 0.5):
    # A,X: 0.5*0.8*1 + 1.0*0 + 0.2 = 0.6 (deterrence answers the standing threat only)
    # A,Y: 0.5*0 + 1.0*0.4 + 0 = 0.4 (coast-guard help answers the crisis too)
    crisis = {**TOY, "threat": np.array([1.0, 0.0]), "crisis": 1.0}
    security = eq.utility_terms(**crisis)[..., eq.TERMS.index("security")]
    np.testing.assert_allclose(security, [[0.6, 0.4], [0.0, 0.2]])


def test_economy_term():
    # ties + engagement
    np.testing.assert_allclose(term("economy"), [[0.35, 0.1], [0.2, 0.5]])


def test_trust_term():
    np.testing.assert_allclose(term("trust"), [[0.6, 0.3], [0.6, 0.1]])


def test_state_trust_gap_and_backlash():
    # grievance: A (sanction 1) none; B (sanction 3) 0.5 * 2 = 1.0 toward Y
    grievance = eq.update_grievance(np.zeros((2, 2)), np.array([0.0, 0.5]), np.array([1.0, 3.0]), 0.1)
    np.testing.assert_allclose(grievance, [[0.0, 0.0], [0.0, 1.0]])
    # trust = reliability + gap - backlash * grievance: A [0.6, 0.3] + [0, 0.2]; B [0.6, 0.3 - 0.2 * 1.0]
    trust = eq.state_trust(np.array([0.6, 0.3]), np.array([[0.0, 0.2], [0.0, 0.0]]), grievance, backlash=0.2)
    np.testing.assert_allclose(trust, [[0.6, 0.5], [0.6, 0.1]])


def test_grievance_lingers_after_the_punishment_ends():
    # sanctions lifted (exposure back to 1): 1.0 fades to 0.9, then 0.81, not to 0 at once
    grievance = np.array([[0.0, 1.0]])
    for expected in (0.9, 0.81):
        grievance = eq.update_grievance(grievance, np.array([0.0, 0.5]), np.array([1.0]), 0.1)
        assert grievance[0, 1] == pytest.approx(expected)


def test_peer_term_uses_other_states_only():
    # A sees B's [0.4, 0.6], B sees A's [0.7, 0.3]
    np.testing.assert_allclose(term("peer"), [[0.4, 0.6], [0.7, 0.3]])


def test_utility_is_sum_of_terms():
    # U_A = [0.6+0.35+0.6-0.03+0.1+0.4, 0.2+0.1+0.3-0.015-0.2+0.6] = [2.02, 0.985]
    # U_B = [0+0.2+0.6-0.24+0+0.7, 0.2+0.5+0.1-0.02+0.3+0.3] = [1.26, 1.38]
    np.testing.assert_allclose(eq.utility_terms(**TOY).sum(-1), [[2.02, 0.985], [1.26, 1.38]])


def test_terms_broadcast_over_a_batch_axis():
    batched = {k: np.stack([v, v]) if isinstance(v, np.ndarray) else np.array([v, v]) for k, v in TOY.items()}
    np.testing.assert_allclose(eq.utility_terms(**batched)[1], eq.utility_terms(**TOY))


def test_choice_is_logit_of_utility():
    # softmax(1 * [1.82, 0.485]) = 1 / (1 + exp(-1.335)) = 0.79167
    target = eq.choice_probabilities(np.array([[1.82, 0.485]]), 1.0)
    np.testing.assert_allclose(target[0, 0], 1 / (1 + np.exp(-1.335)))


@pytest.mark.parametrize("rationality", [1e-3, 1e3, 1e6])
def test_softmax_extremes_finite_and_normalized(rationality):
    utility = np.array([[5.0, -3.0, 2.0, 2.0], [0.0, 0.0, 0.0, 1e-9]])
    with np.errstate(all="raise"):
        target = eq.choice_probabilities(utility, rationality)
    assert np.isfinite(target).all()
    np.testing.assert_allclose(target.sum(-1), 1.0)
    if rationality <= 1e-3:
        np.testing.assert_allclose(target, 0.25, atol=2e-3)
    else:
        assert target[0, 0] == pytest.approx(1.0)


def test_partial_adjustment():
    # 0.75*[0.7, 0.3] + 0.25*[1, 0] = [0.775, 0.225]
    np.testing.assert_allclose(eq.partial_adjustment(np.array([[0.7, 0.3]]), np.array([[1.0, 0.0]]), 0.25),
                               [[0.775, 0.225]])


def test_hedging_and_cohesion():
    np.testing.assert_allclose(eq.hedging(np.array([[0.5, 0.5], [1.0, 0.0]])), [1.0, 0.0])
    # entropy of [0.7, 0.3] / ln 2 = 0.88129
    assert eq.hedging(np.array([0.7, 0.3])) == pytest.approx(0.881290899)
    assert eq.cohesion(np.array([[1.0, 0.0], [0.0, 1.0]])) == pytest.approx(0.0)
    assert eq.cohesion(np.array([[0.6, 0.4], [0.6, 0.4]])) == pytest.approx(1.0)
    # three states, TVs: (a,b)=0.5, (a,c)=0.5, (b,c)=0 -> mean 1/3 -> cohesion 2/3
    assert eq.cohesion(np.array([[1.0, 0.0], [0.5, 0.5], [0.5, 0.5]])) == pytest.approx(2 / 3)


def test_forced_choice_and_third_party():
    utility = np.array([[1.0, 0.0, 0.5, -0.5]])
    assert eq.pairwise_choice(utility, 1.0, 0, 1)[0] == pytest.approx(np.e / (np.e + 1))
    third = eq.restricted_choice(utility, 1.0, [2, 3])[0]
    np.testing.assert_allclose(third, [np.e / (np.e + 1), 1 / (np.e + 1)])


def test_threat_and_crisis():
    # threat = exposure * max(presence, coercion_CN) * (1 + crisis): [1, 0.3] * 0.5 * (1 + 0.4)
    np.testing.assert_allclose(eq.threat(np.array([1.0, 0.3]), 0.5, 0.4), [0.7, 0.21])
    # a conciliatory China (coercion 0.1) still holds its features: the floor 0.3 applies
    np.testing.assert_allclose(eq.threat(np.array([1.0, 0.3]), 0.1, 0.0, presence=0.3), [0.3, 0.09])
    # crisis = 0.4 * 0.5 + 0.5 * 2 = 1.2
    assert eq.update_crisis(0.4, 0.5, 0.5, 2) == pytest.approx(1.2)


def test_poisson_from_uniform_matches_scipy():
    u = np.linspace(0.001, 0.999, 500)
    for rate in (0.0, 0.1, 1.0, 3.0):
        np.testing.assert_array_equal(eq.poisson_from_uniform(u, rate), stats.poisson.ppf(u, rate).astype(int))


def test_china_coercion_modes():
    # assertive: 0.4 + 0.1 * (0.7 - 0.5) * (1 - 0.4) = 0.412; conciliatory: 0.4 - 0.1*0.4 = 0.36
    modes = np.array([eq.STEADY, eq.ASSERTIVE, eq.CONCILIATORY])
    out = eq.update_china_coercion(np.full(3, 0.4), np.full(3, 0.7), modes, 0.1, 0.5)
    np.testing.assert_allclose(out, [0.4, 0.412, 0.36])
    # assertive but within tolerance: unchanged
    assert eq.update_china_coercion(0.4, 0.3, eq.ASSERTIVE, 0.1, 0.5) == pytest.approx(0.4)


def test_adapt_engagement_moves_budget_to_shortfalls():
    # partner X aims 0.5: shortfalls A 0, B 0.3 -> all of budget 0.1 * 2 states = 0.2 to B (cap 0.15)
    # partner Y aims 0.1: no shortfall -> keeps current engagement
    alignment = np.array([[0.6, 0.4], [0.2, 0.8]])
    engagement = np.array([[0.1, 0.05], [0.1, 0.05]])
    out = eq.adapt_engagement(engagement, alignment, aim=np.array([0.5, 0.1]), budget=np.array([0.1, 0.1]),
                              capacity=np.array([0.15, 1.0]), rate=0.5)
    # X: A -> 0.5*0.1 + 0.5*0 = 0.05; B -> 0.5*0.1 + 0.5*0.15 = 0.125
    np.testing.assert_allclose(out, [[0.05, 0.05], [0.125, 0.05]])


def test_korea_posture_and_effective_partners():
    assert eq.korea_posture_target(0.7, 0.0) == pytest.approx(0.7)
    assert eq.korea_posture_target(0.1, 1.0) == pytest.approx(1.0)
    base = {name: np.array([0.8, 0.5]) for name in
            ("reliability", "security_capacity", "economic_capacity", "engagement_budget", "counterbalance",
             "provocation")}
    out = eq.effective_partners(base, us_commitment=0.5, korea_posture=0.2, korea_caution=0.75, asean_unity=0.4,
                                is_us=np.array([True, False]), is_kr=np.array([False, True]),
                                is_asean=np.array([False, False]))
    np.testing.assert_allclose(out["reliability"], [0.4, 0.5])
    # Korea: provocation 0.5 * posture 0.2 = 0.1; counterbalance 0.5 * 0.2 * (1 - 0.75) = 0.025
    np.testing.assert_allclose(out["provocation"], [0.8, 0.1])
    np.testing.assert_allclose(out["counterbalance"], [0.8, 0.025])
    # the ASEAN option's trust is its reliability times unity: 0.5 * 0.4 = 0.2
    asean = eq.effective_partners(base, 1.0, 1.0, 0.0, 0.4, np.array([False, False]), np.array([False, False]),
                                  np.array([False, True]))
    np.testing.assert_allclose(asean["reliability"], [0.8, 0.2])


def test_korea_caution_rises_with_the_threat_and_yields_to_the_security_turn():
    assert eq.korea_caution(0.7, 0.0) == pytest.approx(0.7)
    assert eq.korea_caution(0.7, 1.0) == pytest.approx(0.0)
    assert eq.korea_caution(0.9, 0.0) > eq.korea_caution(0.5, 0.0)


def test_the_leading_partner_is_an_outside_power_never_the_asean_option():
    alignment = np.array([[0.2, 0.1, 0.7], [0.5, 0.3, 0.2]])  # columns US, CN, ASEAN
    np.testing.assert_array_equal(eq.leading_partner(alignment, ("US", "CN", "ASEAN")), [0, 0])
    np.testing.assert_array_equal(eq.leading_partner(alignment, ("US", "CN", "JP")), [2, 0])


def test_hedging_counts_the_spread_among_the_powers_not_the_asean_share():
    partners = ("US", "CN", "ASEAN")
    # [0.3, 0.3, 0.4] and [0.05, 0.05, 0.9] spread their outside alignment evenly: hedging 1
    alignment = np.array([[0.3, 0.3, 0.4], [0.05, 0.05, 0.9], [0.6, 0.0, 0.4], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(eq.hedging_among_powers(alignment, partners), [1.0, 1.0, 0.0, 1.0])
    # without an ASEAN option it is plain hedging
    plain = np.array([[0.7, 0.3], [1.0, 0.0]])
    np.testing.assert_array_equal(eq.hedging_among_powers(plain, ("US", "CN")), eq.hedging(plain))
