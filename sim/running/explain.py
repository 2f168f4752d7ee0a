"""Explaining a run: why a state leans as it does.

    >>> import sim
    >>> sim.explain("baseline_2020", state="Vietnam")   # each partner's utility split into its terms

`terms_table` and `why_sentence` (the explain table and its plain sentence) are
shared with the web app, which builds the table from a running Mesa model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.base.errors import InputError, near_miss
from sim.core.equations import TERMS
from sim.running.run import run
from sim.schema.parameters import partner_name
from sim.schema.scenario import Scenario


def explain(scenario: Scenario | str = "baseline_2020", state: str = "Vietnam", step: int | None = None,
            steps: int | None = None, seed: int | None = None, overrides: dict | None = None) -> pd.DataFrame:
    """Why a state leans as it does: each partner's utility split into its terms.

    Returns one row per partner with the weighted terms (security, economy,
    trust, risk, history, peer), their sum ``utility`` and the state's
    ``alignment`` after that step. ``step`` defaults to the last step.
    """
    result = run(scenario, steps=steps, seed=seed, overrides=overrides)
    traj = result.trajectory
    if state not in traj.states:
        raise InputError("", "state", state, "one of " + ", ".join(traj.states) + near_miss(state, traj.states))
    step = traj.n_steps if step is None else step
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step <= traj.n_steps:
        raise InputError("", "step", step, f"a whole number from 0 to {traj.n_steps}")
    row = traj.states.index(state)
    table = terms_table(traj.terms[:, step, row].mean(0), traj.alignment[:, step, row].mean(0), traj.partners)
    table.attrs.update(scenario=result.scenario.name, state=state, step=int(step))
    return table


def terms_table(terms: np.ndarray, alignment: np.ndarray, partners) -> pd.DataFrame:
    """One state's weighted utility terms [partner, term] and alignment [partner] as the
    `explain` table: a row per partner, a column per term, then utility and alignment."""
    table = pd.DataFrame(terms, index=list(partners), columns=list(TERMS))
    table["utility"] = table[list(TERMS)].sum(axis=1)
    table["alignment"] = alignment
    table.index.name = "partner"
    return table


# Plain words for each utility term, as a reason a state prefers one partner to another.
TERM_REASONS = {
    "security": "security", "economy": "economic ties", "trust": "trust",
    "risk": "lower risk of punishment", "history": "history", "peer": "what its neighbours do",
}


def why_sentence(table: pd.DataFrame, state: str) -> str:
    """One plain sentence on an `explain` table: which partner the state leans to, over
    which runner-up, and the terms that make the difference.

    The reasons are the terms where the leading partner outscores the runner-up most
    (a contrast, because alignment follows differences in utility, not levels).
    """
    ranked = table["alignment"].sort_values(ascending=False)
    lead, runner = ranked.index[0], ranked.index[1]
    terms = list(TERM_REASONS)
    advantage = (table.loc[lead, terms] - table.loc[runner, terms]).sort_values(ascending=False)
    reasons = [TERM_REASONS[t] for t, gap in advantage.items() if gap > 0][:2]
    because = " and ".join(reasons) if reasons else "a mix of small differences"
    first, second = partner_name(lead, in_sentence=True), partner_name(runner, in_sentence=True)
    return (f"{state} leans to {first} ({ranked.iloc[0]:.0%}) rather than {second} "
            f"({ranked.iloc[1]:.0%}) mostly because of {because}.")
