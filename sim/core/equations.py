"""The model's equations (MODEL.md), as pure functions over numpy arrays.

This is the only place the maths lives. The Mesa model (`sim.model`, via the
agents in `sim.agents`) and the vectorized ensemble engine (`sim.engines.ensemble`)
both call these functions; neither carries a copy.

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
            + w_history  * (history[i,p] + lean[i] * (1/2 if p is US, -1/2 if p is China, else 0))
            + w_peer     *  mean_{j != i} alignment[j,p]

    trust[i,p] = reliability[p] + trust_gap[i,p] - backlash * grievance[i,p]
    grievance[i,p] <- max(coercion[p] * max(sanction[i] - 1, 0), (1 - grievance_decay) * grievance[i,p])
    standing[i] = threat[i] / (1 + crisis): the threat without this quarter's crises at sea

The options p are the outside partners plus ``ASEAN``, the ASEAN-centred
(autonomy) option: no security offer, no risk, and trust equal to
``partners.ASEAN.reliability * asean_unity`` (docs/model.md 7.2).
"""

from __future__ import annotations

import numpy as np

TERMS = ("security", "economy", "trust", "risk", "history", "peer")
# Arrays of at least this many elements take the vectorized fast paths below (same numbers,
# less time per element, more per call). Judgement from timing a Mesa agent's row (40 elements)
# against an ensemble batch (10^5); anything in between works either way.
LARGE = 4096
CHINA_MODES = ("steady", "assertive", "conciliatory")
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


def threat(exposure: np.ndarray, china_coercion, crisis, presence=0.0) -> np.ndarray:
    """threat[i] = exposure[i] * max(presence, coercion[China]) * (1 + crisis).

    ``presence`` (world.scs_presence) is the floor of pressure that China's occupied and
    militarised features keep up whatever its mode: a conciliatory China still holds them.
    """
    pressure = np.maximum(np.asarray(china_coercion), np.asarray(presence))[..., None]
    crisis = np.asarray(crisis)[..., None]
    return exposure * pressure * (1.0 + crisis)


# --- 2. Partners adapt ------------------------------------------------------


def korea_posture_target(nk_threat, security_turn):
    """Korea's tie to its US alliance in [0, 1]: tracks the North Korean threat (seed 002:
    under North Korean threats Seoul seeks 'the security that comes with their relationship
    with the United States') and rises toward 1 with the KASI security turn (seed 001)."""
    return nk_threat + security_turn * (1.0 - nk_threat)


def korea_caution(nk_threat, security_turn):
    """Korea's caution toward China in [0, 1]: its need for China on the peninsula (seed 000:
    China's role in managing the Korean conflict 'limits South Korea's ability and willingness'
    to cooperate in ways that could provoke China). The KASI security turn sets it aside."""
    return np.asarray(nk_threat) * (1.0 - np.asarray(security_turn))


def lean_toward_us(lean, is_us, is_cn) -> np.ndarray:
    """[..., state, partner] the national lean's place in the history term.

    ``lean[..., state]`` is a state's affinity for the US over China that the
    structural data do not explain (fitted to the survey panel, docs/model.md 7.3):
    half of it is added to the US's history and half taken from China's, so the
    US-China score gap moves by ``w_history * lean`` and no other partner moves.
    """
    direction = 0.5 * np.asarray(is_us, float) - 0.5 * np.asarray(is_cn, float)
    return np.asarray(lean)[..., :, None] * direction


def relax(current, target, rate):
    """Partial adjustment of a slow variable toward its target."""
    return (1.0 - rate) * current + rate * target


def update_china_coercion(coercion, away_share, mode, rate, tolerance):
    """China's coercion after one step of its mode (seed 002).

    assertive: rises in proportion to how far the region's mean alignment
    with China's rivals (``away_share``) exceeds its tolerance, saturating at 1;
    conciliatory: decays toward 0; steady: unchanged.
    """
    rise = rate * np.maximum(away_share - tolerance, 0.0) * (1.0 - coercion)
    fall = rate * coercion
    change = np.where(mode == ASSERTIVE, rise, np.where(mode == CONCILIATORY, -fall, 0.0))
    return np.clip(coercion + change, 0.0, 1.0)


def away_from(alignment: np.ndarray, rivals_row: np.ndarray) -> np.ndarray:
    """Mean over states of the alignment given to a partner's rivals.

    alignment: [..., state, partner]; rivals_row: [..., partner] (1 = rival).
    """
    return (alignment * rivals_row[..., None, :]).sum(-1).mean(-1)


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


def effective_partners(base: dict, us_commitment, korea_posture, korea_caution, asean_unity,
                       is_us, is_kr, is_asean) -> dict:
    """Partner attributes after this step's US commitment, Korea's posture and ASEAN's unity.

    US reliability, capacities and engagement budget scale with ``us_commitment``
    (MODEL.md step 2). Korea's provocation scales with its US tie (``korea_posture``:
    China punished the THAAD deployment, seed 002) and its counterbalance with its US tie
    times ``1 - korea_caution`` (seed 000: careful with China while it needs China on the
    peninsula); so a fading North Korean threat loosens both and Korea drifts toward
    Beijing (seed 002). The ASEAN option's trust scales with ``asean_unity``: a united
    ASEAN is a shield worth staying with (seed 000). ``base`` maps attribute -> [..., partner].
    """
    posture = np.asarray(korea_posture)[..., None]
    out = dict(base)
    us_scale = np.where(is_us, np.asarray(us_commitment)[..., None], 1.0)
    for name in ("reliability", "security_capacity", "economic_capacity", "engagement_budget"):
        out[name] = base[name] * us_scale
    out["provocation"] = base["provocation"] * np.where(is_kr, posture, 1.0)
    careful = posture * (1.0 - np.asarray(korea_caution)[..., None])
    out["counterbalance"] = base["counterbalance"] * np.where(is_kr, careful, 1.0)
    out["reliability"] = out["reliability"] * np.where(is_asean, np.asarray(asean_unity)[..., None], 1.0)
    return out


def update_grievance(grievance, coercion, sanction, decay) -> np.ndarray:
    """grievance[i,p] <- max(coercion[p] * max(sanction[i] - 1, 0), (1 - decay) * grievance[i,p]).

    What a state remembers of a partner's punishment beyond the common level (sanction
    exposure above 1): it takes the punishment at once and fades slowly after it ends
    (seed 002: China's THAAD retaliation 'left a lingering negative impression in the South
    Korean public's mind' three years on). coercion [..., partner]; sanction [..., state];
    grievance [..., state, partner]; decay [...].
    """
    targeted = np.maximum(np.asarray(sanction) - 1.0, 0.0)[..., :, None]
    now = coercion[..., None, :] * targeted
    return np.maximum(now, (1.0 - np.asarray(decay)[..., None, None]) * grievance)


def state_trust(reliability, trust_gap, grievance, backlash) -> np.ndarray:
    """trust[i,p] = reliability[p] + trust_gap[i,p] - backlash * grievance[i,p].

    ``trust_gap`` is where the survey measured a state's trust apart from the region's; the
    last term is the backlash of coercion (`update_grievance`): a partner loses trust where it
    punished. reliability [..., partner]; trust_gap, grievance [..., state, partner].
    """
    return reliability[..., None, :] + trust_gap - np.asarray(backlash)[..., None, None] * grievance


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


def choice_probabilities(utility, rationality, gumbel=None, noise_scale=0.0):
    """Logit (quantal-response) target: softmax(rationality * (U + noise * Gumbel))."""
    r = np.asarray(rationality)[..., None, None]
    if gumbel is not None:
        utility = utility + np.asarray(noise_scale)[..., None, None] * gumbel
    return softmax(r * utility)


def partial_adjustment(alignment, target, speed):
    """alignment <- (1 - speed) * alignment + speed * target."""
    return relax(alignment, target, np.asarray(speed)[..., None, None])


# --- 5. Record -------------------------------------------------------------


def hedging(alignment: np.ndarray) -> np.ndarray:
    """Normalized entropy of alignment: 0 = all-in with one partner, 1 = even spread."""
    n_partners = alignment.shape[-1]
    if n_partners < 2:
        return np.zeros(alignment.shape[:-1])
    plogp = np.where(alignment > 0, alignment * np.log(np.where(alignment > 0, alignment, 1.0)), 0.0)
    return np.clip(-plogp.sum(-1) / np.log(n_partners), 0.0, 1.0)


AUTONOMY = "ASEAN"  # the ASEAN-centred option: a strategy, not a power a state can be led by


def powers(partners) -> np.ndarray:
    """[partner] True for the outside powers, False for the ASEAN-centred option."""
    return np.array([p != AUTONOMY for p in partners])


def power_codes(partners) -> list[str]:
    """The outside powers among ``partners``, in order (the ASEAN-centred option left out)."""
    return [p for p in partners if p != AUTONOMY]


def leading_partner(alignment: np.ndarray, partners) -> np.ndarray:
    """Index of the outside power with the largest share of each state's alignment: the
    ASEAN-centred share is shown beside the powers, but it is not a power to lean toward."""
    return np.where(powers(partners), alignment, -np.inf).argmax(-1)


def hedging_among_powers(alignment: np.ndarray, partners) -> np.ndarray:
    """`hedging` of the alignment a state gives the outside powers, renormalized: how evenly it
    spreads its bets among them. The ASEAN-centred share is autonomy, reported in its own column,
    so a state moving into it while keeping its outside mix hedges as much as before."""
    outside = alignment[..., powers(partners)]
    total = outside.sum(-1, keepdims=True)
    even = np.full_like(outside, 1.0 / max(outside.shape[-1], 1))
    return hedging(np.divide(outside, total, out=even, where=total > 0))


def cohesion(alignment: np.ndarray) -> np.ndarray:
    """1 - mean pairwise total-variation distance between states' alignments."""
    n_states = alignment.shape[-2]
    if n_states < 2:
        return np.ones(alignment.shape[:-2])
    diff = np.abs(alignment[..., :, None, :] - alignment[..., None, :, :]).sum(-1) * 0.5
    mean_tv = diff.sum((-1, -2)) / (n_states * (n_states - 1))
    return np.clip(1.0 - mean_tv, 0.0, 1.0)


def pairwise_choice(utility, rationality, first: int, second: int) -> np.ndarray:
    """P(first) when forced to choose between two partners (the survey's US-or-China question).

    ``rationality`` broadcasts against ``utility[..., 0]``. The survey layer passes
    ``model.survey_scale`` here: the share of a state's respondents who answer ``first``
    when each respondent's scores are the state's plus logistic noise of scale 1/survey_scale.
    """
    r = np.asarray(rationality)
    return softmax(np.stack([r * utility[..., first], r * utility[..., second]], -1))[..., 0]


def restricted_choice(utility, rationality, options) -> np.ndarray:
    """Softmax over a subset of partners (the survey's 'preferred third party' question): the
    share of respondents choosing each option, as in `pairwise_choice`.

    ``rationality`` broadcasts against ``utility``.
    """
    return softmax(np.asarray(rationality) * utility[..., list(options)])
