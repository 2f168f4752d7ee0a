"""One step of the model (MODEL.md, "One step"), phase by phase, compiled.

Each phase works on one run ``r`` of a batch: it reads the parameter arrays (`Params`,
packed from `sim.core.inputs.Inputs`) and updates the dynamic variables (`Dynamic`) in
place, calling the equations in `sim.core.equations`. The ensemble engine calls
`advance_batch`, which runs every phase for every run in one compiled loop over runs
(``prange``: runs are independent, so the numbers do not depend on the thread count);
the Mesa agents call the same phases for their own row (`state_chooses`) or column
(`partner_acts`) of a batch of one run. Scheduled events change the parameter arrays
between steps, in Python (`apply_events`).

Dynamic variables, run axis first:
  alignment [run, state, partner]   engagement [run, state, partner]
  coercion  [run, partner]          korea_posture [run]
  crisis    [run]                   threat [run, state]
  china_warmth [run]                how far China's charm offensive has gone (0-1)
  grievance [run, state, partner]   what each state remembers of each partner's punishment
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from sim.core import equations as eq
from sim.core.inputs import BLOCKS, Inputs

EFFECTIVE = eq.EFFECTIVE
jit = njit(cache=True)
no_alloc = eq.no_alloc  # the phases of a step allocate nothing: their scratch is passed in


class Blocks(NamedTuple):
    """What the compiled step updates: `Dynamic`'s blocks."""

    pairs: np.ndarray
    scalars: np.ndarray
    coercion: np.ndarray
    threat: np.ndarray


class Dynamic:
    """The model's state variables for a batch of runs: four blocks the compiled step updates in
    place (``pairs`` [run, 3, state, partner], ``scalars`` [run, 3], ``coercion`` [run, partner],
    ``threat`` [run, state]) and a named view for each variable."""

    PAIRS = ("alignment", "engagement", "grievance")
    SCALARS = ("korea_posture", "crisis", "china_warmth")

    def __init__(self, pairs: np.ndarray, scalars: np.ndarray, coercion: np.ndarray, threat: np.ndarray):
        self.pairs, self.scalars, self.coercion, self.threat = pairs, scalars, coercion, threat

    def blocks(self) -> "Blocks":
        return Blocks(self.pairs, self.scalars, self.coercion, self.threat)

    def copy(self) -> "Dynamic":
        return Dynamic(*(a.copy() for a in self.blocks()))

    alignment = property(lambda self: self.pairs[:, 0])
    engagement = property(lambda self: self.pairs[:, 1])
    grievance = property(lambda self: self.pairs[:, 2])
    korea_posture = property(lambda self: self.scalars[:, 0])
    crisis = property(lambda self: self.scalars[:, 1])
    china_warmth = property(lambda self: self.scalars[:, 2])


# Where the step finds each parameter in its block (`sim.core.inputs.BLOCKS`); numba reads
# these module constants as literals.
_WORLD, _PARTNER, _STATE, _PAIR = ({name: k for k, name in enumerate(BLOCKS[kind])}
                                   for kind in ("world", "partner", "state", "pair"))
(RIVALRY, NK_THREAT, US_COMMITMENT, ASEAN_UNITY, SHOCK_RATE, SHOCK_SIZE, CRISIS_DECAY, CHINA_MODE,
 COERCION_RATE, CHINA_TOLERANCE, SECURITY_TURN, MEKONG_COOPERATION, SCS_PRESENCE, BACKLASH, GRIEVANCE_DECAY,
 KOREA_CAUTION, CHINA_CHARM, UNITY_RESPONSE, RATIONALITY, SPEED, NOISE, ADAPT_RATE, NEST_SCALE) = (
    _WORLD[name] for name in (
        "rivalry", "nk_threat", "us_commitment", "asean_unity", "shock_rate", "shock_size", "crisis_decay",
        "china_mode", "coercion_rate", "china_tolerance", "korea_security_turn", "mekong_cooperation",
        "scs_presence", "coercion_backlash", "grievance_decay", "korea_caution", "china_charm", "unity_response",
        "rationality", "speed", "noise", "adapt_rate", "nest_scale"))
P_ECONOMIC, P_BUDGET, P_AIM = (_PARTNER[name] for name in ("economic_capacity", "engagement_budget", "aim"))
P_BASE = np.array([_PARTNER[name] for name in EFFECTIVE])  # the partner rows `effective_partners` starts from
EXPOSURE, MEKONG, SANCTION = (_STATE[name] for name in ("exposure", "mekong", "sanction_exposure"))
TIES, DEFENSE, HISTORY, ASSIST = (_PAIR[name] for name in ("ties", "defense", "history", "assist"))
ALIGNMENT, ENGAGEMENT, GRIEVANCE = range(3)
POSTURE, CRISIS, WARMTH = range(3)


class Params(NamedTuple):
    """What the compiled step reads of `Inputs`: its blocks (the same arrays, not copies) and the
    partners' roles (`sim.core.equations.roles_of`)."""

    roles: np.ndarray
    world: np.ndarray
    partner: np.ndarray
    state: np.ndarray
    pair: np.ndarray
    rivals: np.ndarray
    weights: np.ndarray


def pack(inputs: Inputs) -> Params:
    """`Params` on ``inputs``' own blocks: an event that writes to ``inputs`` is seen by the next step."""
    return Params(eq.roles_of(inputs.partners), *(inputs.blocks[kind] for kind in Params._fields[1:]))


def china_coercion(inputs: Inputs, coercion: np.ndarray) -> np.ndarray:
    """[run] China's current coercion (0 when China is not in the scenario)."""
    china = inputs.index("CN")
    return coercion[:, china] if china is not None else np.zeros(inputs.n_runs)


# --- the phases of one run ----------------------------------------------------
# ``p`` is a `Params`, ``d`` a `Blocks` (`Dynamic.blocks`), ``r`` the run.


@no_alloc
def remember_and_feel(r, p, d, decay, leaning):
    """What each state remembers of last quarter's punishment, then the threat it feels from
    China: its pressure at sea (floored by its presence) and the resentment of its punishment
    (backlash x grievance toward China)."""
    china = p.roles[eq.CN]
    grievance = d.pairs[r, GRIEVANCE]
    eq.leaning_to_rivals(d.pairs[r, ALIGNMENT], p.rivals[r], p.roles[eq.ASEAN], leaning)
    eq.update_grievance(grievance, d.coercion[r], p.state[r, SANCTION], leaning, decay)
    coercion = d.coercion[r, china] if china >= 0 else 0.0
    for i in range(d.threat.shape[1]):
        resentment = p.world[r, BACKLASH] * grievance[i, china] if china >= 0 else 0.0
        d.threat[r, i] = eq.threat(p.state[r, EXPOSURE, i], coercion, d.scalars[r, CRISIS],
                                   p.world[r, SCS_PRESENCE], resentment)


@no_alloc
def world(r, p, d, uniform, leaning):
    """Phase 1: crises at sea (Poisson, by inverting ``uniform``), then `remember_and_feel`
    (``leaning`` [state, partner] is scratch)."""
    w = p.world[r]
    n_crises = eq.poisson_from_uniform(uniform, w[SHOCK_RATE])
    d.scalars[r, CRISIS] = eq.update_crisis(d.scalars[r, CRISIS], w[CRISIS_DECAY], w[SHOCK_SIZE], n_crises)
    remember_and_feel(r, p, d, w[GRIEVANCE_DECAY], leaning)


@no_alloc
def partner_acts(r, partner, p, d, leaning):
    """Phase 2, one partner: it moves engagement toward states below its aim; China raises or
    lowers its coercion and courts the region by its mode; Korea's posture drifts toward what the
    peninsula and its policy dictate. ``leaning`` [state, partner] is the states' lean toward
    each partner's rivals as `world` left it this step (alignment has not moved since)."""
    w, attributes = p.world[r], p.partner[r]
    budget = attributes[P_BUDGET, partner] * (w[US_COMMITMENT] if partner == p.roles[eq.US] else 1.0)
    alignment = d.pairs[r, ALIGNMENT]
    eq.adapt_engagement(d.pairs[r, ENGAGEMENT], alignment, partner, attributes[P_AIM, partner], budget,
                        attributes[P_ECONOMIC, partner], w[ADAPT_RATE])
    mode = int(w[CHINA_MODE])
    if partner == p.roles[eq.CN]:
        away = eq.away_from(leaning, partner)
        d.coercion[r, partner] = eq.update_china_coercion(d.coercion[r, partner], away, mode, w[COERCION_RATE],
                                                          w[CHINA_TOLERANCE])
        d.scalars[r, WARMTH] = eq.update_china_warmth(d.scalars[r, WARMTH], mode, w[COERCION_RATE])
    if partner == p.roles[eq.KR]:
        target = eq.korea_posture_target(w[NK_THREAT], w[SECURITY_TURN])
        d.scalars[r, POSTURE] = eq.relax(d.scalars[r, POSTURE], target, w[ADAPT_RATE])


@no_alloc
def effective_partners(r, p, d, out):
    """Into ``out`` [attribute, partner]: the partner attributes this step
    (`sim.core.equations.effective_partners`)."""
    w = p.world[r]
    for k in range(P_BASE.shape[0]):
        for q in range(out.shape[1]):
            out[k, q] = p.partner[r, P_BASE[k], q]
    caution = eq.korea_caution(w[KOREA_CAUTION], w[SECURITY_TURN])
    unity = eq.unity_factor(w[ASEAN_UNITY], w[UNITY_RESPONSE])
    eq.effective_partners(out, w[US_COMMITMENT], d.scalars[r, POSTURE], caution, unity,
                          d.scalars[r, WARMTH], w[CHINA_CHARM], p.roles)


@no_alloc
def felt_engagement(r, state, p, d, out):
    """Engagement as state ``state`` feels it, into ``out`` [partner] (seed 004, no new money).

    When Japan and Korea coordinate in the Mekong, their engagement there is worth
    ``1 + mekong_cooperation`` times as much, and the same gain, run through ASEAN+3 and the
    Mekong frameworks rather than bilaterally, counts toward the ASEAN-centred option: it
    helps the Mekong states 'avoid the obligation to take sides' (seed 004)."""
    gain = p.world[r, MEKONG_COOPERATION] * p.state[r, MEKONG, state]
    own = d.pairs[r, ENGAGEMENT, state]
    for k in range(own.shape[0]):
        out[k] = own[k]
    through_asean = 0.0
    for role in (eq.JP, eq.KR):
        q = p.roles[role]
        if q >= 0:
            out[q] = own[q] * (1.0 + gain)
            through_asean += own[q]
    asean = p.roles[eq.ASEAN]
    if asean >= 0:
        out[asean] = own[asean] + gain * through_asean


WORK_ROWS = ("felt", "utility")
FELT, UTILITY = range(len(WORK_ROWS))


@jit
def workspace(n_states, n_partners):
    """A run's scratch [row, partner], reused every step (the phases allocate nothing): rows
    ``[0, n)`` the states' lean toward each partner's rivals, ``[n, 2n)`` their chosen
    alignment, then `WORK_ROWS` (a state's choice; `scratch_views` names the parts)."""
    return np.empty((2 * n_states + len(WORK_ROWS), n_partners))


def scratch_views(scratch: np.ndarray, n_states: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(leaning, chosen, work) views of a `workspace`."""
    return scratch[:n_states], scratch[n_states:2 * n_states], scratch[2 * n_states:]


@no_alloc
def scores(r, state, p, d, partners, with_peer, work, out):
    """Phase 3: state ``state``'s weighted utility terms into ``out`` [partner, term] (no peer term
    at step 0: with no history every partner's peer share is equal). ``work`` is scratch (`workspace`).
    Reads the batch's arrays element by element: a view per partner would cost more than the sums."""
    felt = work[FELT]
    felt_engagement(r, state, p, d, felt)
    threat, crisis, rivalry = d.threat[r, state], d.scalars[r, CRISIS], p.world[r, RIVALRY]
    standing = threat / (1.0 + crisis)
    backlash, sanction = p.world[r, BACKLASH], p.state[r, SANCTION, state]
    ties, alignment, weights = p.pair[r, TIES, state], d.pairs[r, ALIGNMENT], p.weights[r, state]
    for q in range(felt.shape[0]):
        eq.utility_cell(
            out[q], weights, threat, standing, partners[eq.SECURITY, q], partners[eq.COUNTERBALANCE, q],
            p.pair[r, ASSIST, state, q], p.pair[r, DEFENSE, state, q], ties[q], felt[q],
            eq.state_trust(partners[eq.RELIABILITY, q], d.pairs[r, GRIEVANCE, state, q], backlash),
            partners[eq.PROVOCATION, q], rivalry, sanction, eq.rival_pressure(ties, p.rivals[r], d.coercion[r], q),
            p.pair[r, HISTORY, state, q], eq.peer_alignment(alignment, state, q) if with_peer else 0.0)


@no_alloc
def target(r, terms, p, gumbel, work, out):
    """The nested-logit target of a state's ``terms`` [partner, term] into ``out`` [partner], with
    Gumbel noise ``gumbel`` [partner] (length 0: none)."""
    w = p.world[r]
    utility = work[UTILITY]
    for q in range(terms.shape[0]):
        utility[q] = 0.0
        for k in range(terms.shape[1]):
            utility[q] += terms[q, k]
    eq.choice_probabilities(utility, w[RATIONALITY], p.roles[eq.ASEAN], w[NEST_SCALE], gumbel, w[NOISE], out)


@no_alloc
def state_chooses(r, state, p, d, partners, gumbel, terms, chosen, work):
    """Phases 3-4, one state: its terms into ``terms`` [partner, term], its new alignment (`target`,
    then partial adjustment) into ``chosen`` [partner]; every state chooses before any alignment
    changes. ``work`` is scratch (`workspace`)."""
    scores(r, state, p, d, partners, True, work, terms)
    target(r, terms, p, gumbel, work, chosen)
    speed, alignment = p.world[r, SPEED], d.pairs[r, ALIGNMENT, state]
    for q in range(chosen.shape[0]):
        chosen[q] = eq.partial_adjustment(alignment[q], chosen[q], speed)


@jit
def start_run(r, p, d, terms, partners):
    """Step 0 of run ``r``: alignment = the nested choice of the starting scores, from an even
    split; grievance and threat from the starting coercion. China's charm starts at 1 in a
    conciliatory scenario (it is already courting). Leaves the terms with the peer term of the
    new alignment in ``terms`` [state, partner, term], the effective partners in ``partners``."""
    w = p.world[r]
    d.scalars[r, POSTURE] = eq.korea_posture_target(w[NK_THREAT], w[SECURITY_TURN])
    d.scalars[r, WARMTH] = 1.0 if int(w[CHINA_MODE]) == eq.CONCILIATORY else 0.0
    d.pairs[r, ALIGNMENT] = 1.0 / d.pairs.shape[3]
    n_states = d.pairs.shape[2]
    scratch = workspace(n_states, d.pairs.shape[3])
    leaning, chosen, work = scratch[:n_states], scratch[n_states:2 * n_states], scratch[2 * n_states:]
    remember_and_feel(r, p, d, 1.0, leaning)
    effective_partners(r, p, d, partners)
    no_noise = np.empty(0)
    for i in range(chosen.shape[0]):
        scores(r, i, p, d, partners, False, work, terms[i])
        target(r, terms[i], p, no_noise, work, chosen[i])
    d.pairs[r, ALIGNMENT] = chosen
    for i in range(chosen.shape[0]):
        scores(r, i, p, d, partners, True, work, terms[i])


@no_alloc
def advance_run(r, p, d, uniform, gumbel, terms, partners, scratch):
    """One step of run ``r``: world, partners act, states score and choose (simultaneously).
    Writes the step's terms [state, partner, term] and effective partners [attribute, partner];
    ``scratch`` is the run's `workspace`."""
    n_states, n_partners = d.pairs.shape[2], d.pairs.shape[3]
    leaning, chosen, work = scratch[:n_states], scratch[n_states:2 * n_states], scratch[2 * n_states:]
    world(r, p, d, uniform, leaning)
    for partner in range(n_partners):
        partner_acts(r, partner, p, d, leaning)
    effective_partners(r, p, d, partners)
    for i in range(n_states):
        state_chooses(r, i, p, d, partners, gumbel[i], terms[i], chosen[i], work)
    for i in range(n_states):
        for q in range(n_partners):
            d.pairs[r, ALIGNMENT, i, q] = chosen[i, q]


# --- a batch of runs ------------------------------------------------------------


@njit(cache=True, parallel=True)
def _start_batch(p, d, terms, partners):
    for r in prange(d.pairs.shape[0]):
        run = np.int64(r)  # the loop index is unsigned inside numba's gufunc: one signature, not two
        start_run(run, p, d, terms[run], partners[run])


@njit(cache=True, parallel=True)
def _advance_batch(p, d, uniform, gumbel, t, terms, partners, scratch):
    for r in prange(d.pairs.shape[0]):
        run = np.int64(r)
        advance_run(run, p, d, uniform[run, t], gumbel[run, t], terms[run], partners[run], scratch[run])


def allocate(inputs: Inputs) -> Dynamic:
    """Dynamic variables for every run of ``inputs``, before step 0."""
    n_runs, n_states, n_partners = inputs["ties"].shape
    pairs = np.zeros((n_runs, len(Dynamic.PAIRS), n_states, n_partners))
    pairs[:, ENGAGEMENT] = inputs["engagement"]
    return Dynamic(pairs, np.zeros((n_runs, len(Dynamic.SCALARS))), inputs["coercion"].copy(),
                   np.zeros((n_runs, n_states)))


def buffers(inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """(terms [run, state, partner, term], partners [run, attribute, partner]) a step writes into."""
    n_runs, n_states, n_partners = inputs["ties"].shape
    return np.zeros((n_runs, n_states, n_partners, eq.N_TERMS)), np.zeros((n_runs, len(EFFECTIVE), n_partners))


def scratch_of(terms: np.ndarray) -> np.ndarray:
    """[run, row, partner] every run's `workspace`, for the ``terms`` buffer's runs and shape."""
    n_runs, n_states, n_partners = terms.shape[:3]
    return np.empty((n_runs, 2 * n_states + len(WORK_ROWS), n_partners))


def start(inputs: Inputs, params: Params | None = None) -> tuple[Dynamic, np.ndarray, np.ndarray]:
    """Step 0 of every run: (dynamic variables, terms, effective partners) as `advance` leaves them."""
    dyn = allocate(inputs)
    terms, partners = buffers(inputs)
    _start_batch(params or pack(inputs), dyn.blocks(), terms, partners)
    return dyn, terms, partners


def advance(params: Params, dyn: Dynamic, step: int, uniform: np.ndarray, gumbel: np.ndarray | None,
            terms: np.ndarray, partners: np.ndarray, scratch: np.ndarray | None = None) -> None:
    """Step ``step`` (1-based) of every run, in place, with the draws of the whole run
    (`sim.core.randomness.draw_batch`; index ``step - 1`` is read, nothing is copied):
    ``uniform`` [run, step] the crisis draws, ``gumbel`` [run, step, state, partner] the noise
    (None for noise-free runs). The step's terms and effective partners go into ``terms`` and
    ``partners`` (`buffers`). ``scratch`` (`scratch_of`) is made if not given: pass one to
    reuse it step after step."""
    if gumbel is None:  # noise-free: each state's draws have length 0
        gumbel = np.empty((*uniform.shape, terms.shape[1], 0))
    scratch = scratch_of(terms) if scratch is None else scratch
    _advance_batch(params, dyn.blocks(), uniform, gumbel, step - 1, terms, partners, scratch)


def current_partners(inputs: Inputs, dyn: Dynamic) -> dict:
    """{attribute: [run, partner]} the effective partner attributes of ``dyn``'s world now."""
    params, blocks = pack(inputs), dyn.blocks()
    partners = buffers(inputs)[1]
    for r in range(inputs.n_runs):
        effective_partners(r, params, blocks, partners[r])
    return partner_table(partners)


def partner_table(partners: np.ndarray) -> dict:
    """{attribute: [run, partner]} views of an effective-partners array [run, attribute, partner]."""
    return {name: partners[:, k] for k, name in enumerate(EFFECTIVE)}


def apply_events(inputs: Inputs, dyn: Dynamic, events, step: int) -> None:
    """Scheduled changes at ``step``; setting a partner's coercion also sets its current coercion."""
    for event in events:
        if event.step != step:
            continue
        if event.op == "set":
            inputs.assign(event.key, event.value)
        else:
            inputs.shift(event.key, event.value)
        located = inputs.locate(event.key)
        if located and located[0] == "coercion":
            dyn.coercion[:, located[1][0]] = inputs["coercion"][:, located[1][0]]
