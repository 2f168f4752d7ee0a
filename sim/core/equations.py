"""The behaviour layer's equations (docs/model.md), compiled with numba: the only copy.

This is the only place the maths of what states do lives. Each function works on one
run: scalars, a state's row ``[partner]``, a partner's column or a run's ``[state,
partner]`` arrays. `sim.core.dynamics` composes them into one step of one run and loops
over runs in compiled code (the ensemble engine, sweeps, calibration); the Mesa agents
call the same compiled functions for their own row or column (`sim.agents`), so the two
engines run the same machine code. What the survey's respondents answer is the opinion
layer (`sim.core.opinion`), which reads these utilities and adds what only opinion has
(national leans, per-state trust gaps); it never feeds back into behaviour.

The utility terms, in the order of ``TERMS``:

    U[i,p] =  w_security * (standing[i] * security_capacity[p] * counterbalance[p]
                            + threat[i] * assist[i,p] + defense[i,p])
            + w_economy  * (ties[i,p] + engagement[i,p])
            + w_trust    *  trust[i,p]
            - w_risk     *  provocation[p] * rivalry * sanction[i] * sum_q rivals[p,q] coercion[q] ties[i,q]
            + w_history  *  history[i,p]
            + w_peer     *  mean_{j != i} alignment[j,p]

    trust[i,p] = reliability[p] - backlash * grievance[i,p]
    grievance[i,p] <- max(coercion[p] * max(sanction[i] - 1, 0) * leaning[i,p], (1 - decay) * grievance[i,p])
    standing[i] = threat[i] / (1 + crisis): the threat without this quarter's crises at sea

The options p are the outside powers plus ``ASEAN``, the ASEAN-centred (autonomy)
option: no security offer, no risk, trust ``partners.ASEAN.reliability * asean_unity``.
A state's choice is a nested logit (`nested_choice`): among the powers a softmax of
``r * U``; between staying ASEAN-centred and turning to the powers a logistic of
``nest_scale * (r * U[ASEAN] - log sum_p exp(r * U[p]))``, so adding or removing a
power moves the ASEAN-centred share by ``nest_scale`` times what a flat logit would.

Partners are passed by index where an equation singles one out (``roles``: the column of
the US, China, Japan, South Korea and the ASEAN-centred option, -1 when absent).
Compiled on first use and cached on disk (``cache=True``); ``fastmath`` stays off so every
sum is added in the order written and the engines agree bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

TERMS = ("security", "economy", "trust", "risk", "history", "peer")
N_TERMS = len(TERMS)
CHINA_MODES = ("steady", "assertive", "conciliatory")
AUTONOMY = "ASEAN"  # the ASEAN-centred option: a strategy of its own, not a power (its own nest)
STEADY, ASSERTIVE, CONCILIATORY = range(3)
ROLES = ("US", "CN", "JP", "KR", AUTONOMY)  # the partners an equation singles out, in `roles` order
US, CN, JP, KR, ASEAN = range(len(ROLES))
# Effective partner attributes (`effective_partners`), rows of its [attribute, partner] output.
EFFECTIVE = ("security_capacity", "economic_capacity", "reliability", "counterbalance",
             "provocation", "engagement_budget", "downplay")
SECURITY, ECONOMIC, RELIABILITY, COUNTERBALANCE, PROVOCATION, BUDGET, DOWNPLAY = range(len(EFFECTIVE))
FLOOR = -700.0  # exp(-700) ~ 1e-304: nothing for any purpose, and no underflow

jit = njit(cache=True)
# Small functions of the inner loops are inlined where they are called (numba's own inliner):
# the call overhead and the reference counts of the arrays passed would cost more than the sums.
# They keep their loop variables to themselves (numba's inliner can mix up a callee's loop
# variable with the caller's: measured, `for q` in both changed the results).
leaf = njit(cache=True, inline="always")
# Functions that allocate nothing compile without numba's runtime (NRT): then no array passed
# to them is reference-counted, an atomic increment and decrement on memory that every thread
# shares (measured: the step 1.7x faster on one thread). They write into arrays they are given.
no_alloc = njit(cache=True, _nrt=False)


def roles_of(partners) -> np.ndarray:
    """[role] the column of each of `ROLES` among ``partners`` (-1 when absent)."""
    return np.array([partners.index(code) if code in partners else -1 for code in ROLES], dtype=np.int64)


# --- 1. World ---------------------------------------------------------------


@no_alloc
def poisson_from_uniform(u, rate, max_count=64):
    """A Poisson(rate) draw by inverting the CDF at the uniform ``u``.

    Inverting a uniform (rather than calling a Poisson sampler) keeps the
    random stream independent of the rate, so an event that changes
    ``shock_rate`` mid-run does not shift later draws.
    """
    pmf = math.exp(-rate)
    cdf = pmf
    count = 0
    for k in range(1, max_count + 1):
        if not u > cdf:
            break
        count += 1
        pmf = pmf * rate / k
        cdf = cdf + pmf
    return count


@leaf
def update_crisis(crisis, decay, shock_size, n_crises):
    """Crisis level at sea: last quarter's level decays, new crises add to it."""
    return crisis * decay + shock_size * n_crises


@leaf
def threat(exposure, china_coercion, crisis, presence, resentment):
    """threat[i] = exposure[i] * max(presence, coercion[China]) * (1 + crisis) + resentment[i].

    ``presence`` (world.scs_presence) is the floor of pressure that China's occupied and
    militarised features keep up whatever its mode: a conciliatory China still holds them.
    ``resentment`` is what a state punished by China feels of it (backlash x grievance toward
    China): seed 002, 'in times made uncertain by North Korean threats or Chinese coercive
    behavior, both seek to maximize the security that comes with their relationship with the
    United States'; so coercion does not simply push its target away from the US.
    Scalars, for one state.
    """
    return exposure * max(china_coercion, presence) * (1.0 + crisis) + resentment


# --- 2. Partners adapt ------------------------------------------------------


@leaf
def korea_posture_target(nk_threat, security_turn):
    """Korea's tie to its US alliance in [0, 1]: tracks the North Korean threat (seed 002:
    under North Korean threats Seoul seeks 'the security that comes with their relationship
    with the United States') and rises toward 1 with the KASI security turn (seed 001)."""
    return nk_threat + security_turn * (1.0 - nk_threat)


@leaf
def korea_caution(caution, security_turn):
    """Korea's caution toward China in [0, 1] (``world.korea_caution``): its need for China
    on the peninsula and in trade (seed 000: China's role in managing the Korean conflict
    'limits South Korea's ability and willingness' to cooperate in ways that could provoke
    China). The KASI security turn (seed 001) sets it aside."""
    return caution * (1.0 - security_turn)


@leaf
def relax(current, target, rate):
    """Partial adjustment of a slow variable toward its target."""
    return (1.0 - rate) * current + rate * target


@leaf
def update_china_coercion(coercion, away_share, mode, rate, tolerance):
    """China's coercion after one step of its mode (seed 002).

    assertive: rises in proportion to how far the region's lean toward China's
    rivals (``away_share``, `away_from`) exceeds its tolerance, saturating at 1;
    conciliatory: decays toward 0; steady: unchanged.
    """
    if mode == ASSERTIVE:
        coercion = coercion + rate * max(away_share - tolerance, 0.0) * (1.0 - coercion)
    elif mode == CONCILIATORY:
        coercion = coercion - rate * coercion
    return min(max(coercion, 0.0), 1.0)


@leaf
def update_china_warmth(warmth, mode, rate):
    """How far China's charm offensive has gone, in [0, 1]: rises toward 1 while China is
    conciliatory, fades toward 0 otherwise, at the pace of its coercion (seed 002: the
    2017-18 thaw after the 'three no's', Abe's 2018 visit)."""
    return relax(warmth, 1.0 if mode == CONCILIATORY else 0.0, rate)


@no_alloc
def leaning_to_rivals(alignment, rivals, autonomy, out):
    """Into ``out`` [state, partner]: the share of each state's alignment with the outside powers that
    goes to each partner's rivals: ``sum_q rivals[p,q] a[i,q] / sum_powers a[i,.]``.

    Among the powers only (``autonomy`` is the ASEAN-centred option's column, -1 if none):
    a state that stays ASEAN-centred has not tilted toward anyone, and China judges the
    balance of what a state gives the powers (seed 002: it punished Seoul for the THAAD
    deployment, not for its trade). rivals [partner, partner].
    """
    n_states, n_partners = alignment.shape
    for i in range(n_states):
        for p in range(n_partners):
            out[i, p] = 0.0
        total = 0.0
        for q in range(n_partners):
            if q != autonomy:
                total += alignment[i, q]
        if not total > 0:
            continue
        for p in range(n_partners):
            for q in range(n_partners):
                if q != autonomy:
                    out[i, p] += alignment[i, q] / total * rivals[p, q]


@no_alloc
def away_from(leaning, partner):
    """Mean over states of the lean toward ``partner``'s rivals (`leaning_to_rivals`)."""
    total = 0.0
    for i in range(leaning.shape[0]):
        total += leaning[i, partner]
    return total / leaning.shape[0]


@no_alloc
def adapt_engagement(engagement, alignment, partner, aim, budget, capacity, rate):
    """Partner ``partner`` moves its engagement toward states where alignment is below aim (in place).

    A partner spreads ``budget`` (mean engagement per state) over states in proportion to
    its shortfall ``max(aim - alignment, 0)``, no state receiving more than ``capacity``;
    with no shortfall anywhere it keeps its current engagement. engagement, alignment
    [state, partner]; aim, budget, capacity this partner's scalars.
    """
    n_states = alignment.shape[0]
    total_gap = 0.0
    for i in range(n_states):
        total_gap += max(aim - alignment[i, partner], 0.0)
    if not total_gap > 0:
        return
    for i in range(n_states):
        share = max(aim - alignment[i, partner], 0.0) / total_gap
        desired = min(budget * n_states * share, capacity)
        engagement[i, partner] = relax(engagement[i, partner], desired, rate)


@leaf
def unity_factor(asean_unity, response):
    """What ASEAN's unity does to the ASEAN-centred option's trust: ``1 + response * (unity - 0.5)``,
    1 at the 2020 level (0.5). Bounded on purpose: the survey's 'enhance ASEAN resilience and
    unity' answer stayed near half through editions that followed a failed communique and a
    muted response to the arbitral award (world.unity_response's source)."""
    return 1.0 + response * (asean_unity - 0.5)


@no_alloc
def effective_partners(out, us_commitment, korea_posture, korea_caution, asean_unity, china_warmth,
                       china_charm, roles):
    """In place: ``out`` [attribute, partner] holds the partners' base attributes (rows in
    `EFFECTIVE` order) and becomes this step's, after its US commitment, Korea's posture,
    China's charm and ASEAN's unity (already `unity_factor`).

    - US reliability, capacities and engagement budget scale with ``us_commitment``
      (MODEL.md step 2; seed 003: the US may retrench).
    - Korea's provocation scales with its US tie (``korea_posture``: China punished the
      THAAD deployment, seed 002) and its counterbalance with its US tie times
      ``1 - korea_caution`` (seed 000: careful with China); a fading North Korean threat
      loosens both and Korea drifts toward Beijing (seed 002).
    - A charm offensive (``china_warmth`` in [0, 1]) adds ``china_charm`` to China's
      reliability, and each partner cuts its counterbalance and provocation by its
      ``downplay`` share (seed 002: 'Japan and especially South Korea would downplay
      differences with China').
    - The ASEAN option's trust scales with ``asean_unity``: a united ASEAN is a shield worth
      staying with (seed 000).
    """
    for p in range(out.shape[1]):
        if p == roles[US]:
            for row in (RELIABILITY, SECURITY, ECONOMIC, BUDGET):
                out[row, p] = out[row, p] * us_commitment
        thaw = 1.0 - out[DOWNPLAY, p] * china_warmth
        if p == roles[KR]:
            out[PROVOCATION, p] = out[PROVOCATION, p] * korea_posture * thaw
            out[COUNTERBALANCE, p] = out[COUNTERBALANCE, p] * (korea_posture * (1.0 - korea_caution)) * thaw
        else:
            out[PROVOCATION, p] = out[PROVOCATION, p] * thaw
            out[COUNTERBALANCE, p] = out[COUNTERBALANCE, p] * thaw
        if p == roles[CN]:
            out[RELIABILITY, p] = out[RELIABILITY, p] + china_charm * china_warmth
        if p == roles[ASEAN]:
            out[RELIABILITY, p] = out[RELIABILITY, p] * asean_unity


@no_alloc
def update_grievance(grievance, coercion, sanction, leaning, decay):
    """grievance[i,p] <- max(coercion[p] * max(sanction[i] - 1, 0) * leaning[i,p], (1 - decay) * grievance[i,p]).

    What a state remembers of a partner's punishment beyond the common level (sanction
    exposure above 1). A partner punishes a state for leaning toward its rivals
    (``leaning``, `leaning_to_rivals`), so the grievance is held toward the coercer: under
    THAAD-style sanctions the Philippines resents China, not the US it leans to. It takes
    the punishment at once and fades slowly after it ends (seed 002: China's THAAD
    retaliation 'left a lingering negative impression in the South Korean public's mind'
    three years on). coercion [partner]; sanction [state]; grievance, leaning [state,
    partner]; decay a scalar. In place.
    """
    for i in range(grievance.shape[0]):
        targeted = max(sanction[i] - 1.0, 0.0)
        for p in range(grievance.shape[1]):
            grievance[i, p] = max(coercion[p] * targeted * leaning[i, p], (1.0 - decay) * grievance[i, p])


@leaf
def state_trust(reliability, grievance, backlash):
    """trust[p] = reliability[p] - backlash * grievance[p]: a partner loses trust where it
    punished (`update_grievance`). Scalars, one state and partner."""
    return reliability - backlash * grievance


# --- 3. States score partners -----------------------------------------------


@leaf
def peer_alignment(alignment, state, partner):
    """mean_{j != state} alignment[j, partner]: what the other states do."""
    n_states = alignment.shape[0]
    if n_states < 2:
        return 0.0
    total = 0.0
    for other in range(n_states):
        total += alignment[other, partner]
    return (total - alignment[state, partner]) / (n_states - 1)


@leaf
def rival_pressure(ties, rivals, coercion, partner):
    """sum_q rivals[p,q] * coercion[q] * ties[q]: how hard partner p's rivals can punish a state
    with ``ties`` [partner]. rivals [partner, partner]; coercion [partner]."""
    total = 0.0
    for rival in range(ties.shape[0]):
        total += ties[rival] * (rivals[partner, rival] * coercion[rival])
    return total


@leaf
def utility_cell(out, weights, threat, standing, security_capacity, counterbalance, assist, defense, ties,
                 engagement, trust, provocation, rivalry, sanction, pressure, history, peer):
    """One state's six weighted utility terms for one partner into ``out`` [term] (scalars in;
    ``weights`` [term]; ``standing`` is threat / (1 + crisis), ``pressure`` `rival_pressure`)."""
    out[0] = weights[0] * (standing * (security_capacity * counterbalance) + threat * assist + defense)
    out[1] = weights[1] * (ties + engagement)
    out[2] = weights[2] * trust
    out[3] = weights[3] * (-provocation * rivalry * sanction * pressure)
    out[4] = weights[4] * history
    out[5] = weights[5] * peer


@jit
def utility_terms(out, threat, crisis, security_capacity, counterbalance, assist, defense, ties, engagement, trust,
                  provocation, rivals, coercion, rivalry, sanction, history, peer, weights):
    """One state's six weighted utility terms into ``out`` [partner, term], in ``TERMS`` order
    (`utility_cell` for each partner).

    threat, sanction, crisis, rivalry: scalars for this state; partner attributes and this
    state's assist, defense, ties, engagement, trust, history, peer: [partner]; rivals
    [partner, partner]; weights [term].

    A partner's deterrence (capacity x counterbalance) answers the standing threat,
    ``threat / (1 + crisis)``; its help building coast guards (``assist``) answers the
    whole threat, crises included: crises at sea are grey-zone stand-offs that coast
    guards face (seed 000: Japan's coast-guard help 'improves Southeast Asian countries'
    ability to enforce maritime claims vis-a-vis China'), where no power's navy stepped in
    (Scarborough Shoal 2012). The risk term is already negative, so a row's sum is U.
    """
    standing = threat / (1.0 + crisis)
    for p in range(ties.shape[0]):
        utility_cell(out[p], weights, threat, standing, security_capacity[p], counterbalance[p], assist[p],
                     defense[p], ties[p], engagement[p], trust[p], provocation[p], rivalry, sanction,
                     rival_pressure(ties, rivals, coercion, p), history[p], peer[p])


# --- 4. States choose --------------------------------------------------------


@no_alloc
def softmax(x, out):
    """Numerically stable softmax of ``x`` [option] into ``out`` (may be ``x``): subtract the max
    before exponentiating."""
    top = -np.inf
    for k in range(x.shape[0]):
        top = max(top, x[k])
    total = 0.0
    for k in range(x.shape[0]):
        out[k] = math.exp(max(x[k] - top, FLOOR))
        total += out[k]
    for k in range(x.shape[0]):
        out[k] = out[k] / total


@leaf
def logistic(x):
    """1 / (1 + exp(-x)); exp overflows to inf for very negative x, which gives 0, as it should."""
    return 1.0 / (1.0 + math.exp(-x))


@no_alloc
def nested_choice(scores, autonomy, nest_scale, out):
    """Shares of a two-level choice over ``scores`` [option] (already times rationality), into
    ``out`` (may be ``scores``).

    The outside powers share a nest: among them a softmax of the scores. Between staying
    ASEAN-centred (option ``autonomy``; -1 if there is none) and turning to the powers, a
    logistic of ``nest_scale * (score[ASEAN] - inclusive value of the powers)``.
    ``nest_scale`` = 1 is the flat logit; below 1 the ASEAN-centred share answers less to
    what the powers offer, so a new power takes its share mostly from the other powers
    (seed 000: 'enhance ASEAN resilience and unity' is a stance of its own, not one partner
    among eight). Without an autonomy option this is the softmax.
    """
    if autonomy < 0:
        softmax(scores, out)
        return
    n = scores.shape[0]
    own_score = scores[autonomy]
    top = -np.inf
    for k in range(n):
        if k != autonomy and scores[k] > top:
            top = scores[k]
    total = 0.0
    for k in range(n):
        if k != autonomy:
            out[k] = math.exp(max(scores[k] - top, FLOOR))
            total += out[k]
    own = logistic(nest_scale * (own_score - (top + math.log(total))))
    for k in range(n):
        out[k] = own if k == autonomy else (1.0 - own) * (out[k] / total)


@no_alloc
def choice_probabilities(utility, rationality, autonomy, nest_scale, gumbel, noise_scale, out):
    """A state's target into ``out`` [partner]: `nested_choice` of rationality * (U + noise * Gumbel).
    Noise-free runs pass a ``gumbel`` of length 0."""
    for k in range(utility.shape[0]):
        out[k] = rationality * (utility[k] if gumbel.shape[0] == 0 else utility[k] + noise_scale * gumbel[k])
    nested_choice(out, autonomy, nest_scale, out)


@leaf
def partial_adjustment(alignment, target, speed):
    """alignment <- (1 - speed) * alignment + speed * target."""
    return (1.0 - speed) * alignment + speed * target
