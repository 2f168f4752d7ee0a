"""Each equation against values worked out by hand on a two-state, two-partner toy.

States A, B; partners X, Y (X and Y are each other's rivals). The numbers in
the comments are the hand calculation; the test compares the code to them.
"""

import numpy as np
import pytest
from scipy import stats

from sim.core import equations as eq
from sim.core import measures
from sim.core import opinion as op

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
    peer=np.array([[eq.peer_alignment(np.array([[0.7, 0.3], [0.4, 0.6]]), i, p) for p in range(2)] for i in range(2)]),
    weights=np.array([[1.0] * 6, [2.0, 1, 1, 1, 1, 1]]),  # B doubles security
)


def utility_terms(threat, crisis, security_capacity, counterbalance, assist, defense, ties, engagement, trust,
                  provocation, rivals, coercion, rivalry, sanction, history, peer, weights):
    """[state, partner, term]: the compiled equation (one state at a time) for every state of the toy."""
    out = np.empty((*ties.shape, len(eq.TERMS)))
    for i in range(ties.shape[0]):
        eq.utility_terms(out[i], threat[i], crisis, security_capacity, counterbalance, assist[i], defense[i], ties[i],
                         engagement[i], trust[i], provocation, rivals, coercion, rivalry, sanction[i], history[i],
                         peer[i], weights[i])
    return out


def term(name):
    return utility_terms(**TOY)[..., eq.TERMS.index(name)]


def rows(function, matrix, *args):
    """``function(row, *args)`` for every row of ``matrix`` (the compiled choice equations take one row)."""
    return np.array([function(np.asarray(row, float), *args) for row in np.atleast_2d(matrix)])


def nested(scores, autonomy, nest_scale):
    out = np.empty(len(scores))
    eq.nested_choice(np.asarray(scores, float), autonomy, nest_scale, out)
    return out


def softmax(scores):
    return nested(scores, -1, 1.0)


def choice(utility, rationality, autonomy, nest_scale):
    def one(row):
        out = np.empty(len(row))
        eq.choice_probabilities(row, rationality, autonomy, nest_scale, np.empty(0), 0.0, out)
        return out
    return rows(one, utility)


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
    security = utility_terms(**crisis)[..., eq.TERMS.index("security")]
    np.testing.assert_allclose(security, [[0.6, 0.4], [0.0, 0.2]])


def test_economy_term():
    # ties + engagement
    np.testing.assert_allclose(term("economy"), [[0.35, 0.1], [0.2, 0.5]])


def test_trust_term():
    np.testing.assert_allclose(term("trust"), [[0.6, 0.3], [0.6, 0.1]])


def test_grievance_is_held_toward_the_coercer_and_lowers_its_trust():
    # both X and Y coerce (0.2, 0.5); B (sanction 3, targeted 2) leans 0.8 toward X, Y's rival, and 0.2 toward Y
    # grievance toward Y = 0.5 * 2 * 0.8 = 0.8; toward X = 0.2 * 2 * 0.2 = 0.08; A (sanction 1) none
    leaning = np.full((2, 2), np.nan)  # written over, whatever it held
    eq.leaning_to_rivals(np.array([[0.5, 0.5], [0.8, 0.2]]), TOY["rivals"], -1, leaning)
    np.testing.assert_allclose(leaning, [[0.5, 0.5], [0.2, 0.8]])
    grievance = np.zeros((2, 2))
    eq.update_grievance(grievance, np.array([0.2, 0.5]), np.array([1.0, 3.0]), leaning, 0.1)
    np.testing.assert_allclose(grievance, [[0.0, 0.0], [0.08, 0.8]])
    # trust = reliability - backlash * grievance: B [0.6 - 0.2 * 0.08, 0.3 - 0.2 * 0.8]
    trust = eq.state_trust(np.array([0.6, 0.3]), grievance, 0.2)
    np.testing.assert_allclose(trust, [[0.6, 0.3], [0.584, 0.14]])


def test_leaning_counts_only_the_alignment_given_to_the_powers():
    # options X, Y, ASEAN: [0.3, 0.1, 0.6] gives the powers 0.4, of which 0.3 / 0.4 = 0.75 to X (Y's rival)
    rivals = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], float)
    leaning = np.full((1, 3), np.nan)
    eq.leaning_to_rivals(np.array([[0.3, 0.1, 0.6]]), rivals, 2, leaning)
    np.testing.assert_allclose(leaning, [[0.25, 0.75, 0.0]])
    assert eq.away_from(leaning, 1) == pytest.approx(0.75)


def test_grievance_lingers_after_the_punishment_ends():
    # sanctions lifted (exposure back to 1): 1.0 fades to 0.9, then 0.81, not to 0 at once
    grievance = np.array([[0.0, 1.0]])
    for expected in (0.9, 0.81):
        eq.update_grievance(grievance, np.array([0.0, 0.5]), np.array([1.0]), np.ones((1, 2)), 0.1)
        assert grievance[0, 1] == pytest.approx(expected)


def test_peer_term_uses_other_states_only():
    # A sees B's [0.4, 0.6], B sees A's [0.7, 0.3]
    np.testing.assert_allclose(term("peer"), [[0.4, 0.6], [0.7, 0.3]])


def test_utility_is_sum_of_terms():
    # U_A = [0.6+0.35+0.6-0.03+0.1+0.4, 0.2+0.1+0.3-0.015-0.2+0.6] = [2.02, 0.985]
    # U_B = [0+0.2+0.6-0.24+0+0.7, 0.2+0.5+0.1-0.02+0.3+0.3] = [1.26, 1.38]
    np.testing.assert_allclose(utility_terms(**TOY).sum(-1), [[2.02, 0.985], [1.26, 1.38]])


NO_NEST = -1


def test_choice_is_logit_of_utility():
    # softmax(1 * [1.82, 0.485]) = 1 / (1 + exp(-1.335)) = 0.79167
    target = choice(np.array([[1.82, 0.485]]), 1.0, NO_NEST, 0.5)
    np.testing.assert_allclose(target[0, 0], 1 / (1 + np.exp(-1.335)))


def test_nested_choice_by_hand():
    # options X, Y, ASEAN with scores [1, 0, 1]: among the powers X e/(e+1) = 0.7311, Y 0.2689;
    # inclusive value log(e + 1) = 1.3133; ASEAN = logistic(0.5 * (1 - 1.3133)) = 0.4609
    shares = nested(np.array([1.0, 0.0, 1.0]), 2, 0.5)
    asean = 1 / (1 + np.exp(-0.5 * (1 - np.log(np.e + 1))))
    np.testing.assert_allclose(shares, [(1 - asean) * np.e / (np.e + 1), (1 - asean) / (np.e + 1), asean])
    # nest scale 1 is the flat logit
    np.testing.assert_allclose(nested(np.array([1.0, 0.0, 1.0]), 2, 1.0), softmax(np.array([1.0, 0.0, 1.0])))


def test_a_new_power_takes_less_of_the_asean_share_in_the_nest_than_in_a_flat_logit():
    before, after = np.array([1.0, 0.5, 1.5]), np.array([1.0, 0.5, 0.8, 1.5])
    flat_loss = softmax(before)[-1] - softmax(after)[-1]
    nested_loss = nested(before, len(before) - 1, 0.5)[-1] - nested(after, len(after) - 1, 0.5)[-1]
    assert 0 < nested_loss < 0.6 * flat_loss


@pytest.mark.parametrize("rationality", [1e-3, 1e3, 1e6])
def test_softmax_extremes_finite_and_normalized(rationality):
    utility = np.array([[5.0, -3.0, 2.0, 2.0], [0.0, 0.0, 0.0, 1e-9]])
    with np.errstate(all="raise"):
        target = choice(utility, rationality, -1, 0.5)
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
    np.testing.assert_allclose(measures.hedging(np.array([[0.5, 0.5], [1.0, 0.0]])), [1.0, 0.0])
    # entropy of [0.7, 0.3] / ln 2 = 0.88129
    assert measures.hedging(np.array([0.7, 0.3])) == pytest.approx(0.881290899)
    assert measures.cohesion(np.array([[1.0, 0.0], [0.0, 1.0]])) == pytest.approx(0.0)
    assert measures.cohesion(np.array([[0.6, 0.4], [0.6, 0.4]])) == pytest.approx(1.0)
    # three states, TVs: (a,b)=0.5, (a,c)=0.5, (b,c)=0 -> mean 1/3 -> cohesion 2/3
    assert measures.cohesion(np.array([[1.0, 0.0], [0.5, 0.5], [0.5, 0.5]])) == pytest.approx(2 / 3)


def test_forced_choice_and_third_party():
    utility = np.array([[1.0, 0.0, 0.5, -0.5]])
    assert op.pairwise_choice(utility, 1.0, 0, 1)[0] == pytest.approx(np.e / (np.e + 1))
    third = op.restricted_choice(utility, 1.0, [2, 3])[0]
    np.testing.assert_allclose(third, [np.e / (np.e + 1), 1 / (np.e + 1)])


def test_threat_and_crisis():
    # threat = exposure * max(presence, coercion_CN) * (1 + crisis): [1, 0.3] * 0.5 * (1 + 0.4)
    np.testing.assert_allclose([eq.threat(x, 0.5, 0.4, 0.0, 0.0) for x in (1.0, 0.3)], [0.7, 0.21])
    # a conciliatory China (coercion 0.1) still holds its features: the floor 0.3 applies
    np.testing.assert_allclose([eq.threat(x, 0.1, 0.0, 0.3, 0.0) for x in (1.0, 0.3)], [0.3, 0.09])
    # crisis = 0.4 * 0.5 + 0.5 * 2 = 1.2
    assert eq.update_crisis(0.4, 0.5, 0.5, 2) == pytest.approx(1.2)


def test_poisson_from_uniform_matches_scipy():
    u = np.linspace(0.001, 0.999, 500)
    for rate in (0.0, 0.1, 1.0, 3.0):
        np.testing.assert_array_equal([eq.poisson_from_uniform(x, rate) for x in u], stats.poisson.ppf(u, rate).astype(int))


def test_china_coercion_modes():
    # assertive: 0.4 + 0.1 * (0.7 - 0.5) * (1 - 0.4) = 0.412; conciliatory: 0.4 - 0.1*0.4 = 0.36
    modes = np.array([eq.STEADY, eq.ASSERTIVE, eq.CONCILIATORY])
    out = [eq.update_china_coercion(0.4, 0.7, mode, 0.1, 0.5) for mode in modes]
    np.testing.assert_allclose(out, [0.4, 0.412, 0.36])
    # assertive but within tolerance: unchanged
    assert eq.update_china_coercion(0.4, 0.3, eq.ASSERTIVE, 0.1, 0.5) == pytest.approx(0.4)


def test_adapt_engagement_moves_budget_to_shortfalls():
    # partner X aims 0.5: shortfalls A 0, B 0.3 -> all of budget 0.1 * 2 states = 0.2 to B (cap 0.15)
    # partner Y aims 0.1: no shortfall -> keeps current engagement
    alignment = np.array([[0.6, 0.4], [0.2, 0.8]])
    engagement = np.array([[0.1, 0.05], [0.1, 0.05]])
    for partner, (aim, capacity) in enumerate([(0.5, 0.15), (0.1, 1.0)]):
        eq.adapt_engagement(engagement, alignment, partner, aim, 0.1, capacity, 0.5)
    # X: A -> 0.5*0.1 + 0.5*0 = 0.05; B -> 0.5*0.1 + 0.5*0.15 = 0.125
    np.testing.assert_allclose(engagement, [[0.05, 0.05], [0.125, 0.05]])


def effective(base: dict, columns: dict, *scalars, **named) -> dict:
    """`eq.effective_partners` on a {attribute: [partner]} base, partners' roles by column."""
    roles = np.array([columns.get(code, -1) for code in eq.ROLES])
    out = np.array([base[name] for name in eq.EFFECTIVE], float)
    eq.effective_partners(out, *scalars, *named.values(), roles)  # in place
    return dict(zip(eq.EFFECTIVE, out))


def test_korea_posture_and_effective_partners():
    assert eq.korea_posture_target(0.7, 0.0) == pytest.approx(0.7)
    assert eq.korea_posture_target(0.1, 1.0) == pytest.approx(1.0)
    base = {name: np.array([0.8, 0.5]) for name in
            ("reliability", "security_capacity", "economic_capacity", "engagement_budget", "counterbalance",
             "provocation")}
    base["downplay"] = np.array([0.0, 0.5])
    out = effective(base, {"US": 0, "KR": 1}, us_commitment=0.5, korea_posture=0.2, korea_caution=0.75,
                    asean_unity=0.4, china_warmth=0.0, china_charm=0.1)
    np.testing.assert_allclose(out["reliability"], [0.4, 0.5])
    # Korea: provocation 0.5 * posture 0.2 = 0.1; counterbalance 0.5 * 0.2 * (1 - 0.75) = 0.025
    np.testing.assert_allclose(out["provocation"], [0.8, 0.1])
    np.testing.assert_allclose(out["counterbalance"], [0.8, 0.025])
    # the ASEAN option's trust is its reliability times unity: 0.5 * 0.4 = 0.2
    asean = effective(base, {"ASEAN": 1}, 1.0, 1.0, 0.0, 0.4, 0.0, 0.1)
    np.testing.assert_allclose(asean["reliability"], [0.8, 0.2])


def test_a_charm_offensive_lifts_china_and_the_partners_downplay_differences():
    # partners CN, KR; warmth 0.6: China's reliability 0.8 + 0.1 * 0.6 = 0.86;
    # Korea (downplay 0.5, posture 1, caution 0) keeps 1 - 0.5 * 0.6 = 0.7 of counterbalance and provocation
    base = {name: np.array([0.8, 0.5]) for name in
            ("reliability", "security_capacity", "economic_capacity", "engagement_budget", "counterbalance",
             "provocation")}
    base["downplay"] = np.array([0.0, 0.5])
    out = effective(base, {"CN": 0, "KR": 1}, 1.0, 1.0, 0.0, 1.0, 0.6, 0.1)
    np.testing.assert_allclose(out["reliability"], [0.86, 0.5])
    np.testing.assert_allclose(out["counterbalance"], [0.8, 0.35])
    np.testing.assert_allclose(out["provocation"], [0.8, 0.35])
    # warmth: 0 -> 0.1 -> 0.19 while conciliatory (rate 0.1); fades while steady
    warmth = eq.update_china_warmth(eq.update_china_warmth(0.0, eq.CONCILIATORY, 0.1), eq.CONCILIATORY, 0.1)
    assert warmth == pytest.approx(0.19)
    assert eq.update_china_warmth(0.19, eq.STEADY, 0.1) == pytest.approx(0.171)


def test_korea_caution_is_set_aside_by_the_security_turn():
    assert eq.korea_caution(0.7, 0.0) == pytest.approx(0.7)
    assert eq.korea_caution(0.7, 1.0) == pytest.approx(0.0)
    assert eq.korea_caution(0.7, 0.5) == pytest.approx(0.35)


def test_opinion_adds_the_lean_and_the_trust_gap_to_the_answers_only():
    # partners US, CN, JP; lean 1 moves US +0.5, CN -0.5; w_trust 2 * gap 0.1 on JP
    terms = op.opinion_terms(np.array([1.0]), np.array([[0.0, 0.0, 0.1]]), np.array([2.0]), ("US", "CN", "JP"))
    np.testing.assert_allclose(terms, [[0.5, -0.5, 0.2]])
    # forced choice at scale 1 on U = 0: logistic(0.5 + 0.5) = 0.7311
    assert op.pairwise_choice(terms, 1.0, 0, 1)[0] == pytest.approx(1 / (1 + np.exp(-1.0)))


def test_unity_answer_is_the_nested_share_at_the_survey_scale():
    # scores [1, 0, 1] times survey scale 2 -> [2, 0, 2]: logistic(0.5 * (2 - log(e^2 + 1)))
    answer = op.unity_answer(np.array([[1.0, 0.0, 1.0]]), 2.0, [False, False, True], 0.5)
    assert answer[0] == pytest.approx(1 / (1 + np.exp(-0.5 * (2 - np.log(np.e ** 2 + 1)))))


def test_among_powers_renormalises_without_the_asean_option():
    shares = measures.among_powers(np.array([[0.3, 0.1, 0.6]]), ("US", "CN", "ASEAN"))
    np.testing.assert_allclose(shares, [[0.75, 0.25, 0.0]])


def test_the_leading_partner_is_an_outside_power_never_the_asean_option():
    alignment = np.array([[0.2, 0.1, 0.7], [0.5, 0.3, 0.2]])  # columns US, CN, ASEAN
    np.testing.assert_array_equal(measures.leading_partner(alignment, ("US", "CN", "ASEAN")), [0, 0])
    np.testing.assert_array_equal(measures.leading_partner(alignment, ("US", "CN", "JP")), [2, 0])


def test_hedging_counts_the_spread_among_the_powers_not_the_asean_share():
    partners = ("US", "CN", "ASEAN")
    # [0.3, 0.3, 0.4] and [0.05, 0.05, 0.9] spread their outside alignment evenly: hedging 1
    alignment = np.array([[0.3, 0.3, 0.4], [0.05, 0.05, 0.9], [0.6, 0.0, 0.4], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(measures.hedging_among_powers(alignment, partners), [1.0, 1.0, 0.0, 1.0])
    # without an ASEAN option it is plain hedging
    plain = np.array([[0.7, 0.3], [1.0, 0.0]])
    np.testing.assert_array_equal(measures.hedging_among_powers(plain, ("US", "CN")), measures.hedging(plain))
