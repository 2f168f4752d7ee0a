"""The opinion layer: what a state's policy elites answer the survey's questions (docs/model.md 7.5).

It reads the behaviour layer's utilities ``U[i,p]`` (`sim.core.equations`) and adds
what only opinion has; nothing here feeds back into what states do:

    V[i,p] = U[i,p] + lean[i] * d[p] + w_trust[i] * trust_gap[i,p]

- ``lean`` (``states.S.lean``): a state's elite affinity for the US over China that the
  structural data do not explain, half on the US and half off China (``d`` = +1/2, -1/2);
- ``trust_gap`` (``states.S.trust_gap.P``): where the survey measured a state's trust in a
  partner apart from the region's.

The answers, each the share of a state's respondents when each respondent scores the
options as the state does plus logistic noise (scale ``1 / survey_scale``):

    forced_us[i]      = logistic(survey_scale * (V[i,US] - V[i,CN]))
    third_party[i,p]  = softmax over p not US, China or ASEAN of
                        third_party_scale * (V[i,p] + strategic_weight * strategic[p])
    unity[i]          = the ASEAN-centred share of nested_choice(survey_scale * V[i])

``strategic[p]`` = security_capacity[p] * counterbalance[p]: what a partner would do at
sea. The question asks for a 'strategic partner', so a partner careful with China scores
low on it (seed 000: Korea 'avoids confronting' China) whatever its trade.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.core import equations
from sim.core.equations import AUTONOMY

# The survey's third-party question offers neither power nor ASEAN itself.
NOT_THIRD_PARTIES = ("US", "CN", AUTONOMY)


# --- the choice rule over many rows (whole trajectories) ---------------------


@njit(cache=True)
def _nested_rows(scores, autonomy, nest_scale):
    out = np.empty_like(scores)
    for row in range(scores.shape[0]):
        equations.nested_choice(scores[row], autonomy, nest_scale[row], out[row])
    return out


def nested_choices(scores: np.ndarray, autonomy: int, nest_scale) -> np.ndarray:
    """`nested_choice` over every row of ``scores`` [..., option]; ``nest_scale`` broadcasts
    against ``scores[..., 0]``. The survey layer's answers over whole trajectories."""
    scores = np.asarray(scores, float)
    rows = np.ascontiguousarray(scores.reshape(-1, scores.shape[-1]))
    scale = np.ascontiguousarray(np.broadcast_to(np.asarray(nest_scale, float), scores.shape[:-1]).reshape(-1))
    return _nested_rows(rows, int(autonomy), scale).reshape(scores.shape)


def softmaxes(scores: np.ndarray) -> np.ndarray:
    """`softmax` over every row of ``scores`` [..., option]."""
    return nested_choices(scores, -1, 1.0)


def lean_direction(partners) -> np.ndarray:
    """[partner] +1/2 for the US, -1/2 for China, 0 elsewhere: a lean moves the US-China gap by itself."""
    return np.array([0.5 if p == "US" else -0.5 if p == "CN" else 0.0 for p in partners])


def opinion_terms(lean, trust_gap, trust_weight, partners) -> np.ndarray:
    """[..., state, partner] what opinion adds to U: ``lean * d + w_trust * trust_gap``.

    lean, trust_weight [..., state]; trust_gap [..., state, partner]."""
    return (np.asarray(lean)[..., None] * lean_direction(partners)
            + np.asarray(trust_weight)[..., None] * trust_gap)


def strategic_value(security_capacity, counterbalance, is_third_party) -> np.ndarray:
    """[..., partner] security_capacity * counterbalance for the third-party options, 0 elsewhere."""
    return security_capacity * counterbalance * np.asarray(is_third_party, float)


def third_party_options(partners) -> list[int]:
    """Indices of the options of the survey's 'preferred third party' question."""
    return [i for i, p in enumerate(partners) if p not in NOT_THIRD_PARTIES]


def unity_answer(opinion_utility, survey_scale, is_autonomy, nest_scale) -> np.ndarray:
    """[..., state] share of respondents whose first choice is the ASEAN-centred option (the
    survey's 'enhance ASEAN resilience and unity'): the nested choice at the survey's scale."""
    autonomy = int(np.flatnonzero(np.asarray(is_autonomy, bool))[0])
    scores = np.asarray(survey_scale)[..., None] * opinion_utility
    return nested_choices(scores, autonomy, np.broadcast_to(np.asarray(nest_scale), scores.shape[:-1]))[..., autonomy]


def pairwise_choice(utility, rationality, first: int, second: int) -> np.ndarray:
    """P(first) when forced to choose between two partners (the survey's US-or-China question).

    ``rationality`` broadcasts against ``utility[..., 0]``. The opinion layer passes
    ``model.survey_scale`` here: the share of a state's respondents who answer ``first``
    when each respondent's scores are the state's plus logistic noise of scale 1/survey_scale.
    """
    r = np.asarray(rationality)
    return softmaxes(np.stack([r * utility[..., first], r * utility[..., second]], -1))[..., 0]


def restricted_choice(utility, rationality, options) -> np.ndarray:
    """Softmax over a subset of partners (the survey's 'preferred third party' question): the
    share of respondents choosing each option, as in `pairwise_choice`.

    ``rationality`` broadcasts against ``utility``.
    """
    return softmaxes(np.asarray(rationality) * utility[..., list(options)])
