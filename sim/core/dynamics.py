"""One step of the model (MODEL.md, "One step"), phase by phase, over a batch.

Each phase reads the parameter arrays (`sim.core.inputs.Inputs`) and the dynamic
variables (`Dynamic`) and calls the equations in `sim.core.equations`. The
ensemble engine calls each phase once for all runs, states and partners; the
Mesa agents call the same phases for their own row (a state) or column (a
partner). ``rows`` selects states, ``cols`` partners.

Dynamic variables, run axis first:
  alignment [run, state, partner]   engagement [run, state, partner]
  coercion  [run, partner]          korea_posture [run]
  crisis    [run]                   threat [run, state]
  china_warmth [run]                how far China's charm offensive has gone (0-1)
  grievance [run, state, partner]   what each state remembers of each partner's punishment
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.core import equations as eq
from sim.core.inputs import Inputs

EFFECTIVE = ("security_capacity", "economic_capacity", "reliability", "counterbalance",
             "provocation", "engagement_budget", "downplay")


@dataclass
class Dynamic:
    """The model's state variables for a batch of runs."""

    alignment: np.ndarray
    engagement: np.ndarray
    coercion: np.ndarray
    korea_posture: np.ndarray
    crisis: np.ndarray
    threat: np.ndarray
    grievance: np.ndarray
    china_warmth: np.ndarray

    def copy(self) -> "Dynamic":
        return Dynamic(**{f.name: getattr(self, f.name).copy() for f in fields(self)})


def china_coercion(inputs: Inputs, coercion: np.ndarray) -> np.ndarray:
    """[run] China's current coercion (0 when China is not in the scenario)."""
    china = inputs.index("CN")
    return coercion[:, china] if china is not None else np.zeros(inputs.n_runs)


def start(inputs: Inputs) -> Dynamic:
    """Step 0: engagement and coercion as given; alignment = the nested choice of the
    starting scores (peer term left out: with no history every partner's peer share is
    equal). China's charm starts at 1 in a conciliatory scenario (it is already courting)."""
    n_runs = inputs.n_runs
    n_partners = len(inputs.partners)
    posture = eq.korea_posture_target(inputs["nk_threat"], inputs["korea_security_turn"])
    crisis = np.zeros(n_runs)
    coercion = inputs["coercion"].copy()
    dyn = Dynamic(
        alignment=np.full(inputs["ties"].shape, 1.0 / n_partners),
        engagement=inputs["engagement"].copy(),
        coercion=coercion,
        korea_posture=posture,
        crisis=crisis,
        threat=np.zeros(inputs["exposure"].shape),
        grievance=np.zeros(inputs["ties"].shape),
        china_warmth=(inputs["china_mode"] == eq.CONCILIATORY).astype(float),
    )
    dyn.grievance = grievance(inputs, dyn, decay=1.0)
    dyn.threat = threat(inputs, coercion, crisis, dyn.grievance)
    terms = scores(inputs, effective_partners(inputs, dyn), dyn, peer=np.zeros_like(dyn.alignment))
    dyn.alignment = choose(inputs, terms, dyn.alignment, speed=1.0)
    return dyn


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


def world(inputs: Inputs, dyn: Dynamic, uniform: np.ndarray) -> None:
    """Phase 1: crises at sea (Poisson, by inverting ``uniform`` [run]), threat, and what states
    remember of last quarter's punishment."""
    n_crises = eq.poisson_from_uniform(uniform, inputs["shock_rate"])
    dyn.crisis = eq.update_crisis(dyn.crisis, inputs["crisis_decay"], inputs["shock_size"], n_crises)
    dyn.grievance = grievance(inputs, dyn, inputs["grievance_decay"])
    dyn.threat = threat(inputs, dyn.coercion, dyn.crisis, dyn.grievance)


def leaning(inputs: Inputs, alignment: np.ndarray) -> np.ndarray:
    """[run, state, partner] each state's lean toward each partner's rivals, among the powers."""
    return eq.leaning_to_rivals(alignment, inputs["rivals"], ~inputs.mask(eq.AUTONOMY))


def grievance(inputs: Inputs, dyn: Dynamic, decay) -> np.ndarray:
    """[run, state, partner] what each state remembers of the punishment of the partner it leaned away from."""
    return eq.update_grievance(dyn.grievance, dyn.coercion, inputs["sanction_exposure"],
                               leaning(inputs, dyn.alignment), decay)


def threat(inputs: Inputs, coercion: np.ndarray, crisis: np.ndarray, grievance: np.ndarray) -> np.ndarray:
    """[run, state] the threat each state feels from China: its pressure at sea (floored by its
    presence) and the resentment of its punishment (backlash x grievance toward China)."""
    china = inputs.index("CN")
    resentment = 0.0 if china is None else inputs["coercion_backlash"][:, None] * grievance[:, :, china]
    return eq.threat(inputs["exposure"], china_coercion(inputs, coercion), crisis, inputs["scs_presence"],
                     resentment)


def partner_engagement(inputs: Inputs, dyn: Dynamic, cols=slice(None)) -> np.ndarray:
    """Phase 2a: partners ``cols`` move engagement toward states below their aim."""
    budget = effective_partners(inputs, dyn)["engagement_budget"]
    return eq.adapt_engagement(
        dyn.engagement[:, :, cols],
        dyn.alignment[:, :, cols],
        inputs["aim"][:, cols],
        budget[:, cols],
        inputs["economic_capacity"][:, cols],
        inputs["adapt_rate"][:, None, None],
    )


def china_step(inputs: Inputs, dyn: Dynamic) -> np.ndarray:
    """Phase 2b: China's coercion after one step of its mode ([run])."""
    china = inputs.index("CN")
    away = eq.away_from(leaning(inputs, dyn.alignment), china)
    return eq.update_china_coercion(
        dyn.coercion[:, china], away, inputs["china_mode"], inputs["coercion_rate"], inputs["china_tolerance"]
    )


def charm_step(inputs: Inputs, dyn: Dynamic) -> np.ndarray:
    """Phase 2b': how far China's charm offensive has gone ([run]): up while conciliatory."""
    return eq.update_china_warmth(dyn.china_warmth, inputs["china_mode"], inputs["coercion_rate"])


def korea_step(inputs: Inputs, dyn: Dynamic) -> np.ndarray:
    """Phase 2c: Korea's posture drifts toward what the peninsula and its policy dictate ([run])."""
    target = eq.korea_posture_target(inputs["nk_threat"], inputs["korea_security_turn"])
    return eq.relax(dyn.korea_posture, target, inputs["adapt_rate"])


def effective_partners(inputs: Inputs, dyn: Dynamic) -> dict:
    """Partner attributes this step, after US commitment, Korea's posture and caution, China's charm
    and ASEAN's unity."""
    base = {name: inputs[name] for name in EFFECTIVE}
    caution = eq.korea_caution(inputs["korea_caution"], inputs["korea_security_turn"])
    return eq.effective_partners(base, inputs["us_commitment"], dyn.korea_posture, caution,
                                 eq.unity_factor(inputs["asean_unity"], inputs["unity_response"]), dyn.china_warmth, inputs["china_charm"],
                                 inputs.mask("US"), inputs.mask("KR"), inputs.mask("CN"),
                                 inputs.mask(eq.AUTONOMY))


def coordinated(inputs: Inputs, engagement: np.ndarray, rows=slice(None)) -> np.ndarray:
    """[run, state, partner] engagement of states ``rows`` as they feel it (seed 004, no new money).

    When Japan and Korea coordinate in the Mekong, their engagement there is worth
    ``1 + mekong_cooperation`` times as much, and the same gain, run through ASEAN+3 and the
    Mekong frameworks rather than bilaterally, counts toward the ASEAN-centred option: it
    helps the Mekong states 'avoid the obligation to take sides' (seed 004)."""
    japan_korea = inputs.mask("JP") | inputs.mask("KR")
    gain = inputs["mekong_cooperation"][:, None] * inputs["mekong"][:, rows]
    felt = engagement[:, rows] * (1.0 + gain[..., None] * japan_korea)
    asean = inputs.mask(eq.AUTONOMY)
    if asean.any():
        through_asean = gain * (engagement[:, rows] * japan_korea).sum(-1)
        felt = felt + through_asean[..., None] * asean
    return felt


def trust(inputs: Inputs, partners: dict, dyn: Dynamic, rows=slice(None)) -> np.ndarray:
    """[run, state, partner] trust of states ``rows`` in each partner (coercion's backlash included)."""
    return eq.state_trust(partners["reliability"], dyn.grievance[:, rows], inputs["coercion_backlash"])


def scores(inputs: Inputs, partners: dict, dyn: Dynamic, rows=slice(None), peer=None) -> np.ndarray:
    """Phase 3: weighted utility terms of states ``rows``: [run, state, partner, term]."""
    if peer is None:
        peer = eq.peer_alignment(dyn.alignment)
    return eq.utility_terms(
        threat=dyn.threat[:, rows],
        crisis=dyn.crisis,
        security_capacity=partners["security_capacity"],
        counterbalance=partners["counterbalance"],
        assist=inputs["assist"][:, rows],
        defense=inputs["defense"][:, rows],
        ties=inputs["ties"][:, rows],
        engagement=coordinated(inputs, dyn.engagement, rows),
        trust=trust(inputs, partners, dyn, rows),
        provocation=partners["provocation"],
        rivals=inputs["rivals"],
        coercion=dyn.coercion,
        rivalry=inputs["rivalry"],
        sanction=inputs["sanction_exposure"][:, rows],
        history=inputs["history"][:, rows],
        peer=peer[:, rows],
        weights=inputs["weights"][:, rows],
    )


def choose(inputs: Inputs, terms: np.ndarray, alignment: np.ndarray, gumbel=None, speed=None) -> np.ndarray:
    """Phase 4: nested-logit target with optional Gumbel noise, then partial adjustment
    (``speed`` 1 jumps to the target, as at step 0)."""
    target = eq.choice_probabilities(terms.sum(-1), inputs["rationality"], inputs.mask(eq.AUTONOMY),
                                     inputs["nest_scale"], gumbel, inputs["noise"])
    return eq.partial_adjustment(alignment, target, inputs["speed"] if speed is None else speed)
