"""The behaviour layer's equations (docs/model.md), as pure functions over numpy arrays.

This is the only place the maths of what states do lives. The Mesa model
(`sim.model`, via the agents in `sim.agents`) and the vectorized ensemble engine
(`sim.engines.ensemble`) both call these functions; neither carries a copy. What
the survey's respondents answer is the opinion layer (`sim.core.opinion`), which
reads these utilities and adds what only opinion has (national leans, per-state
trust gaps); it never feeds back into behaviour.

Axis convention, kept everywhere: ``[..., state, partner]``. Leading axes are
a batch of runs (the ensemble engine) or absent/length one (a Mesa agent's
own row or column). Scalars per run have shape ``[...]`` and are broadcast
with ``[..., None, None]`` where needed.

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
"""

from __future__ import annotations

import numpy as np

TERMS = ("security", "economy", "trust", "risk", "history", "peer")
# Arrays of at least this many elements take the vectorized fast paths below (same numbers,
# less time per element, more per call). Judgement from timing a Mesa agent's row (40 elements)
# against an ensemble batch (10^5); anything in between works either way.
LARGE = 4096
CHINA_MODES = ("steady", "assertive", "conciliatory")
AUTONOMY = "ASEAN"  # the ASEAN-centred option: a strategy of its own, not a power (its own nest)
STEADY, ASSERTIVE, CONCILIATORY = range(3)


# --- 1. World ---------------------------------------------------------------


def poisson_from_uniform(u: np.ndarray, rate: np.ndarray, max_count: int = 64) -> np.ndarray:
    """Poisson(rate) draws by inverting the CDF at uniforms ``u``.

    Inverting a uniform (rather than calling a Poisson sampler) keeps the
    random stream independent of the rate, so an event that changes
    ``shock_rate`` mid-run does not shift later draws.
    """
    u, rate = np.broadcast_arrays(np.asarray(u, float), np.asarray(rate, float))
    pmf = np.exp(-rate)
    cdf = pmf.copy()
    count = np.zeros(u.shape, dtype=np.int64)
    for k in range(1, max_count + 1):
        above = u > cdf
        if not above.any():
            break
        count += above
        pmf = pmf * rate / k
        cdf = cdf + pmf
    return count


def update_crisis(crisis: np.ndarray, decay, shock_size, n_crises) -> np.ndarray:
    """Crisis level at sea: last quarter's level decays, new crises add to it."""
    return crisis * decay + shock_size * n_crises


def threat(exposure: np.ndarray, china_coercion, crisis, presence=0.0, resentment=0.0) -> np.ndarray:
    """threat[i] = exposure[i] * max(presence, coercion[China]) * (1 + crisis) + resentment[i].

    ``presence`` (world.scs_presence) is the floor of pressure that China's occupied and
    militarised features keep up whatever its mode: a conciliatory China still holds them.
    ``resentment`` is what a state punished by China feels of it (backlash x grievance toward
    China): seed 002, 'in times made uncertain by North Korean threats or Chinese coercive
    behavior, both seek to maximize the security that comes with their relationship with the
    United States'; so coercion does not simply push its target away from the US.
    """
    pressure = np.maximum(np.asarray(china_coercion), np.asarray(presence))[..., None]
    crisis = np.asarray(crisis)[..., None]
    return exposure * pressure * (1.0 + crisis) + resentment


# --- 2. Partners adapt ------------------------------------------------------


def korea_posture_target(nk_threat, security_turn):
    """Korea's tie to its US alliance in [0, 1]: tracks the North Korean threat (seed 002:
    under North Korean threats Seoul seeks 'the security that comes with their relationship
    with the United States') and rises toward 1 with the KASI security turn (seed 001)."""
    return nk_threat + security_turn * (1.0 - nk_threat)


def korea_caution(caution, security_turn):
    """Korea's caution toward China in [0, 1] (``world.korea_caution``): its need for China
    on the peninsula and in trade (seed 000: China's role in managing the Korean conflict
    'limits South Korea's ability and willingness' to cooperate in ways that could provoke
    China). The KASI security turn (seed 001) sets it aside."""
    return np.asarray(caution) * (1.0 - np.asarray(security_turn))


def relax(current, target, rate):
    """Partial adjustment of a slow variable toward its target."""
    return (1.0 - rate) * current + rate * target


def update_china_coercion(coercion, away_share, mode, rate, tolerance):
    """China's coercion after one step of its mode (seed 002).

    assertive: rises in proportion to how far the region's lean toward China's
    rivals (``away_share``, `away_from`) exceeds its tolerance, saturating at 1;
    conciliatory: decays toward 0; steady: unchanged.
    """
    rise = rate * np.maximum(away_share - tolerance, 0.0) * (1.0 - coercion)
    fall = rate * coercion
    change = np.where(mode == ASSERTIVE, rise, np.where(mode == CONCILIATORY, -fall, 0.0))
    return np.clip(coercion + change, 0.0, 1.0)


def update_china_warmth(warmth, mode, rate):
    """How far China's charm offensive has gone, in [0, 1]: rises toward 1 while China is
    conciliatory, fades toward 0 otherwise, at the pace of its coercion (seed 002: the
    2017-18 thaw after the 'three no's', Abe's 2018 visit)."""
    return relax(warmth, np.where(mode == CONCILIATORY, 1.0, 0.0), rate)


def leaning_to_rivals(alignment, rivals, is_power) -> np.ndarray:
    """[..., state, partner] the share of each state's alignment with the outside powers that
    goes to each partner's rivals: ``sum_q rivals[p,q] a[i,q] / sum_powers a[i,.]``.

    Among the powers only: a state that stays ASEAN-centred has not tilted toward anyone,
    and China judges the balance of what a state gives the powers (seed 002: it punished
    Seoul for the THAAD deployment, not for its trade). rivals [..., partner, partner].
    """
    outside = alignment * np.asarray(is_power, float)
    total = outside.sum(-1, keepdims=True)
    share = np.divide(outside, total, out=np.zeros_like(outside), where=total > 0)
    return np.einsum("...iq,...pq->...ip", share, rivals)


def away_from(leaning: np.ndarray, partner: int) -> np.ndarray:
    """Mean over states of the lean toward ``partner``'s rivals (`leaning_to_rivals`): [...]."""
    return leaning[..., partner].mean(-1)


def adapt_engagement(engagement, alignment, aim, budget, capacity, rate):
    """Partners move engagement toward states where alignment is below aim.

    All arrays ``[..., state, partner]`` except aim, budget and capacity
    ``[..., partner]``. A partner spreads ``budget`` (mean engagement per state)
    over states in proportion to its shortfall ``max(aim - alignment, 0)``,
    no state receiving more than ``capacity``; with no shortfall anywhere it
    keeps its current engagement.
    """
    gap = aim[..., None, :] - alignment
    np.maximum(gap, 0.0, out=gap)
    total_gap = _sum_states(gap)
    has_gap = total_gap > 0
    n_states = alignment.shape[-2]
    share = np.divide(gap, total_gap, out=np.zeros_like(gap), where=has_gap)
    desired = budget[..., None, :] * n_states * share
    np.minimum(desired, capacity[..., None, :], out=desired)
    desired = np.where(has_gap, desired, engagement)
    return relax(engagement, desired, rate)


def _sum_states(x: np.ndarray) -> np.ndarray:
    """``x.sum(-2, keepdims=True)``, adding the states one by one in order.

    numpy's own sum groups the terms by memory layout (pairwise for one partner's column,
    in order for a whole batch), which differs in the last bit; this is the same numbers
    for a Mesa partner's column and the ensemble's batch, so the engines agree exactly.
    """
    total = x[..., :1, :].copy()
    for row in range(1, x.shape[-2]):
        total += x[..., row:row + 1, :]
    return total


def unity_factor(asean_unity, response):
    """What ASEAN's unity does to the ASEAN-centred option's trust: ``1 + response * (unity - 0.5)``,
    1 at the 2020 level (0.5). Bounded on purpose: the survey's 'enhance ASEAN resilience and
    unity' answer stayed near half through editions that followed a failed communique and a
    muted response to the arbitral award (world.unity_response's source)."""
    return 1.0 + np.asarray(response) * (np.asarray(asean_unity) - 0.5)


def effective_partners(base: dict, us_commitment, korea_posture, korea_caution, asean_unity,
                       china_warmth, china_charm, is_us, is_kr, is_cn, is_asean) -> dict:
    """Partner attributes after this step's US commitment, Korea's posture, China's charm and
    ASEAN's unity. ``base`` maps attribute -> [..., partner]; the scalars are [...].

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
    - The ASEAN option's trust scales with ``asean_unity`` (already `unity_factor`): a united
      ASEAN is a shield worth staying with (seed 000).
    """
    posture = np.asarray(korea_posture)[..., None]
    warmth = np.asarray(china_warmth)[..., None]
    out = dict(base)
    us_scale = np.where(is_us, np.asarray(us_commitment)[..., None], 1.0)
    for name in ("reliability", "security_capacity", "economic_capacity", "engagement_budget"):
        out[name] = base[name] * us_scale
    thaw = 1.0 - base["downplay"] * warmth
    out["provocation"] = base["provocation"] * np.where(is_kr, posture, 1.0) * thaw
    careful = posture * (1.0 - np.asarray(korea_caution)[..., None])
    out["counterbalance"] = base["counterbalance"] * np.where(is_kr, careful, 1.0) * thaw
    charm = np.where(is_cn, np.asarray(china_charm)[..., None] * warmth, 0.0)
    unity = np.where(is_asean, np.asarray(asean_unity)[..., None], 1.0)
    out["reliability"] = (out["reliability"] + charm) * unity
    return out


def update_grievance(grievance, coercion, sanction, leaning, decay) -> np.ndarray:
    """grievance[i,p] <- max(coercion[p] * max(sanction[i] - 1, 0) * leaning[i,p], (1 - decay) * grievance[i,p]).

    What a state remembers of a partner's punishment beyond the common level (sanction
    exposure above 1). A partner punishes a state for leaning toward its rivals
    (``leaning``, `leaning_to_rivals`), so the grievance is held toward the coercer: under
    THAAD-style sanctions the Philippines resents China, not the US it leans to. It takes
    the punishment at once and fades slowly after it ends (seed 002: China's THAAD
    retaliation 'left a lingering negative impression in the South Korean public's mind'
    three years on). coercion [..., partner]; sanction [..., state]; grievance, leaning
    [..., state, partner]; decay [...].
    """
    targeted = np.maximum(np.asarray(sanction) - 1.0, 0.0)[..., :, None]
    now = coercion[..., None, :] * targeted * leaning
    return np.maximum(now, (1.0 - np.asarray(decay)[..., None, None]) * grievance)


def state_trust(reliability, grievance, backlash) -> np.ndarray:
    """trust[i,p] = reliability[p] - backlash * grievance[i,p]: a partner loses trust where it
    punished (`update_grievance`). reliability [..., partner]; grievance [..., state, partner]."""
    return reliability[..., None, :] - np.asarray(backlash)[..., None, None] * grievance


# --- 3. States score partners -----------------------------------------------


def peer_alignment(alignment: np.ndarray) -> np.ndarray:
    """mean_{j != i} alignment[j, p], for every state i: [..., state, partner]."""
    n_states = alignment.shape[-2]
    if n_states < 2:
        return np.zeros_like(alignment)
    total = alignment.sum(-2, keepdims=True)
    return (total - alignment) / (n_states - 1)


def rival_pressure(ties, rivals, coercion):
    """sum_q rivals[p,q] * coercion[q] * ties[i,q]: how hard p's rivals can punish i.

    ties [..., state, partner]; rivals [..., partner, partner]; coercion [..., partner].
    """
    punish = rivals * coercion[..., None, :]
    return np.einsum("...iq,...pq->...ip", ties, punish)


def utility_terms(
    *,
    threat,
    crisis,
    security_capacity,
    counterbalance,
    assist,
    defense,
    ties,
    engagement,
    trust,
    provocation,
    rivals,
    coercion,
    rivalry,
    sanction,
    history,
    peer,
    weights,
):
    """The six weighted utility terms, stacked on a last axis in ``TERMS`` order.

    Shapes: threat, sanction [..., state]; partner attributes [..., partner];
    assist, defense, ties, engagement, trust, history, peer [..., state, partner];
    rivals [..., partner, partner]; crisis, rivalry [...].

    A partner's deterrence (capacity x counterbalance) answers the standing threat,
    ``threat / (1 + crisis)``; its help building coast guards (``assist``) answers the
    whole threat, crises included: crises at sea are grey-zone stand-offs that coast
    guards face (seed 000: Japan's coast-guard help 'improves Southeast Asian countries'
    ability to enforce maritime claims vis-a-vis China'), where no power's navy stepped in
    (Scarborough Shoal 2012).
    weights [..., state, term]. Returns [..., state, partner, term]; the risk
    term is already negative, so ``terms.sum(-1)`` is U.
    """
    rivalry = np.asarray(rivalry)[..., None, None]

    def raw_terms():
        standing = threat / (1.0 + np.asarray(crisis)[..., None])
        yield (standing[..., :, None] * (security_capacity * counterbalance)[..., None, :]
               + threat[..., :, None] * assist + defense)
        yield ties + engagement
        yield trust
        yield -provocation[..., None, :] * rivalry * sanction[..., :, None] * rival_pressure(ties, rivals, coercion)
        yield history
        yield peer

    return _weighted_stack(raw_terms(), weights[..., :, None, :], ties.size >= LARGE)


def _weighted_stack(terms, weights, term_major: bool) -> np.ndarray:
    """``np.stack(terms, axis=-1) * weights``, built term-major when ``term_major``.

    Term-major (for big batches): each term is weighted straight into its slot
    of a ``[term, ...]`` buffer, returned as a ``[..., term]`` view, so no stack
    copy is made and sums over terms run over contiguous blocks, adding the
    terms in the same order: the numbers are bit-identical either way. Small
    arrays (a Mesa agent's row) stack, which has less per-call overhead.
    """
    if not term_major:
        return np.stack(tuple(terms), axis=-1) * weights
    out = None
    for k, term in enumerate(terms):
        if out is None:
            out = np.empty((weights.shape[-1], *np.broadcast_shapes(term.shape, weights.shape[:-1])))
        np.multiply(term, weights[..., k], out=out[k])
    return np.moveaxis(out, 0, -1)


# --- 4. States choose --------------------------------------------------------


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax: subtract the max before exponentiating."""
    # Floor the exponent: exp(-700) ~ 1e-304 is zero for any purpose and never underflows.
    z = x - _max_along(x, axis)
    np.maximum(z, -700.0, out=z)
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z


def _max_along(x: np.ndarray, axis: int) -> np.ndarray:
    """``x.max(axis, keepdims=True)``, faster for a big array with a short axis (a handful
    of partners): numpy's reduce over a short axis costs more per element than
    elementwise maxima. Maxima are exact, so the result is the same."""
    if x.size < LARGE or not 2 <= x.shape[axis] <= 16:
        return x.max(axis=axis, keepdims=True)
    sections = np.moveaxis(x, axis, 0)
    top = np.maximum(sections[0], sections[1])
    for section in sections[2:]:
        np.maximum(top, section, out=top)
    return np.expand_dims(top, axis)


def logistic(x):
    """1 / (1 + exp(-x)), without overflow warnings for large |x|."""
    with np.errstate(over="ignore", under="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(x, float)))


def log_sum_exp(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log sum exp(x) along ``axis`` (dropped), shifted by the max for stability."""
    top = _max_along(x, axis)
    shifted = np.maximum(x - top, -700.0)  # exp(-700) ~ 1e-304: nothing, and no underflow
    return np.squeeze(top, axis) + np.log(np.exp(shifted).sum(axis))


def nested_choice(scores: np.ndarray, is_autonomy, nest_scale) -> np.ndarray:
    """Shares of a two-level choice over ``scores`` [..., option] (already times rationality).

    The outside powers share a nest: among them a softmax of the scores. Between staying
    ASEAN-centred and turning to the powers, a logistic of ``nest_scale * (score[ASEAN] -
    inclusive value of the powers)``. ``nest_scale`` = 1 is the flat logit; below 1 the
    ASEAN-centred share answers less to what the powers offer, so a new power takes its
    share mostly from the other powers (seed 000: 'enhance ASEAN resilience and unity' is a
    stance of its own, not one partner among eight). ``nest_scale`` broadcasts as [..., 1].
    Without an autonomy option this is the softmax.
    """
    is_autonomy = np.asarray(is_autonomy, bool)
    if not is_autonomy.any():
        return softmax(scores)
    powers = softmax(np.where(is_autonomy, -np.inf, scores))
    inclusive = log_sum_exp(scores[..., ~is_autonomy])[..., None]
    own = scores[..., is_autonomy]
    autonomy = logistic(np.asarray(nest_scale) * (own - inclusive))
    with np.errstate(under="ignore"):  # a vanishing share times a vanishing share is 0, as it should be
        return np.where(is_autonomy, autonomy, (1.0 - autonomy) * powers)


def choice_probabilities(utility, rationality, is_autonomy, nest_scale, gumbel=None, noise_scale=0.0):
    """The behaviour layer's target: `nested_choice` of rationality * (U + noise * Gumbel)."""
    r = np.asarray(rationality)[..., None, None]
    if gumbel is not None:
        utility = utility + np.asarray(noise_scale)[..., None, None] * gumbel
    return nested_choice(r * utility, is_autonomy, np.asarray(nest_scale)[..., None, None])


def partial_adjustment(alignment, target, speed):
    """alignment <- (1 - speed) * alignment + speed * target."""
    return relax(alignment, target, np.asarray(speed)[..., None, None])
