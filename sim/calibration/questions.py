"""The model's answers to the survey's questions, for many parameter sets at once.

MODEL.md, "What the survey measures": both questions read the scores of the
last step without noise, averaged over replicates, and the ASEAN figure is
the mean over states weighted by their share of the survey's pooled
respondents (`sim.schema.survey_pool.pooling_weights`):

- forced US-or-China choice: `Trajectory.forced_us` (the survey layer);
- preferred third partner: `Trajectory.third_party`, the softmax over the
  scenario's non-US/China partners.

Each survey year is asked of its own world (`SURVEY_SCENARIOS`): survey_2020
is baseline_2020 with all seven partners (the third-party question listed
seven options, five of them partners in the model); the later years are
outlook scenarios built from events.

Common random numbers: replicate r of every parameter set uses the random
streams of run ``block * replicates + r`` (`sim.core.randomness`), so two
parameter sets differ only by their parameters and the answers are a smooth,
deterministic function of them. ``block`` picks another set of streams (the
bootstrap draws new model replicates that way).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.base.errors import InputError
from sim.core.inputs import Inputs
from sim.engines.ensemble import simulate_final
from sim.engines.memory import DEFAULT_MEMORY_MB, chunk_size
from sim.schema.scenario import Scenario, load, parameter_changes, scenario_of, sized_events
from sim.schema.survey_panel import SURVEY_SCENARIOS
from sim.schema.survey_pool import pooling_weights

REPLICATES = 32  # Monte Carlo error of the ASEAN forced choice about 0.7 pp (3.6 pp per replicate, crises at sea)


@dataclass
class Answers:
    """Answers for K parameter sets: ASEAN means and per-state values.

    forced_us [K] and forced_us_states [K, state]: P(US) in the forced choice;
    third_party [K, option] and third_party_states [K, state, option];
    asean_first_states [K, state]: P(the ASEAN-centred option first among all options).
    """

    states: tuple[str, ...]
    options: tuple[str, ...]
    forced_us_states: np.ndarray
    third_party_states: np.ndarray
    asean_first_states: np.ndarray

    @property
    def pooling(self) -> np.ndarray:
        """[state] each state's weight in the survey's ASEAN-wide figure."""
        return pooling_weights(self.states)

    @property
    def forced_us(self) -> np.ndarray:
        return self.forced_us_states @ self.pooling

    @property
    def third_party(self) -> np.ndarray:
        return np.einsum("...so,s->...o", self.third_party_states, self.pooling)

    def share(self, code: str) -> np.ndarray:
        """[K] the model's ASEAN share for one survey option (a partner code)."""
        if code == "US":
            return self.forced_us
        if code == "CN":
            return 1.0 - self.forced_us
        return self.third_party[:, self.options.index(code)]

    def table(self, k: int = 0) -> pd.DataFrame:
        """Per-state answers of parameter set ``k``: forced_us and the third-party shares."""
        frame = pd.DataFrame(self.third_party_states[k], index=list(self.states), columns=list(self.options))
        frame.insert(0, "forced_us", self.forced_us_states[k])
        frame.loc["ASEAN"] = self.pooling @ frame.to_numpy()
        return frame


def survey_scenario(year: int) -> Scenario:
    """The world a survey year's questions are asked of."""
    if year not in SURVEY_SCENARIOS:
        raise InputError("--year", "year", year, "one of " + ", ".join(map(str, SURVEY_SCENARIOS)))
    return load(SURVEY_SCENARIOS[year])


def answers(scenario: Scenario | str, variations: list[dict] | None = None, replicates: int = REPLICATES,
            block: int = 0, memory_mb: float = DEFAULT_MEMORY_MB) -> Answers:
    """The survey answers of each parameter set in ``variations`` (a dict of changes each; a key
    ``event:KEY`` sizes the scenario's shift event on KEY, `sim.schema.scenario.sized_events`)."""
    scenario = scenario_of(scenario)
    variations = list(variations) if variations else [{}]
    for index, variation in enumerate(parameter_changes(variations)):
        scenario.with_overrides(variation, where=f"variation {index}")  # validates every value
    runs = np.tile(np.arange(replicates), len(variations)) + block * replicates
    sets = np.repeat(np.arange(len(variations)), replicates)
    size = chunk_size(len(scenario.states), len(scenario.partners), scenario.steps, memory_mb)
    forced, third, first = [], [], []
    for start in range(0, len(runs), size):
        chunk = slice(start, start + size)
        events, changes = sized_events(scenario.events, [variations[k] for k in sets[chunk]])
        final = simulate_final(Inputs.build(scenario, changes), events, scenario.steps, scenario.seed, runs[chunk])
        forced.append(final.forced_us()[:, -1])
        third.append(final.third_party()[:, -1])
        first.append(final.asean_first()[:, -1])
        options = tuple(final.third_party_names())
    per_set = (len(variations), replicates)
    return Answers(
        states=scenario.states,
        options=options,
        forced_us_states=np.concatenate(forced).reshape(*per_set, -1).mean(1),
        third_party_states=np.concatenate(third).reshape(*per_set, len(scenario.states), -1).mean(1),
        asean_first_states=np.concatenate(first).reshape(*per_set, -1).mean(1),
    )
