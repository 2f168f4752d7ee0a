"""The web app's survey table: for a scenario that stands for an ISEAS survey year, each
state's survey answer beside the model's, the persistence forecast and the interval over the
calibration's refits."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from sim.running.run import RunResult
from sim.running.uncertainty import parameter_intervals
from sim.schema.survey_panel import SURVEY_SCENARIOS, latest_figures, load_panel
from sim.schema.survey_pool import FORCED


def survey_year(scenario_name: str) -> int | None:
    """The ISEAS survey year a scenario stands for (`SURVEY_SCENARIOS`), else None."""
    return next((year for year, name in SURVEY_SCENARIOS.items() if name == scenario_name), None)


def survey_beside_model(scenario_name: str, result: RunResult, replicates: RunResult | None = None):
    """Per state: the model's forced-choice answer (percent US, `forced_us` at the run's last
    step), the mean over replicates where given, and the survey's figure where there is one
    (blank otherwise). None for a scenario that stands for no survey year."""
    year = survey_year(scenario_name)
    if year is None:
        return None
    panel = load_panel(years=(year,), asean_wide_years=(year,))
    forced = panel[(panel["question"] == FORCED) & (panel["code"] == "US")]
    survey = forced.drop_duplicates("state").set_index("state")["percent"].rename({"ASEAN": ASEAN_ROW})
    states = list(result.trajectory.states)
    rows = pd.Index([*states, ASEAN_ROW], name="state")
    table = pd.DataFrame(index=rows)
    table["model, this run"] = answers_with_pool(result, states)
    if replicates is not None:
        table[f"model, mean of {replicates.manifest['replicates']} runs"] = answers_with_pool(replicates, states)
    table[INTERVAL_COLUMN] = forced_interval(scenario_name).reindex(rows)
    table["survey"] = survey.reindex(rows)
    table["model - survey"] = table["model, this run"] - table["survey"]
    table[LAST_SURVEY_COLUMN] = last_earlier_survey(year).rename({"ASEAN": ASEAN_ROW}).reindex(rows)
    table.attrs["year"] = year
    return table


# The ASEAN-wide row: states pooled as the survey pools its respondents (`sim.schema.survey_pool`)
ASEAN_ROW = "ASEAN-wide (pooled)"


def answers_with_pool(result: RunResult, states: list[str]) -> list[float]:
    """Each state's forced choice (percent US) and, last, their survey-pooled mean (`RunResult.forced_us_pooled`)."""
    per_state = 100 * result.final.loc[states, "forced_us"].astype(float)
    return [*per_state, 100 * result.forced_us_pooled()]


LAST_SURVEY_COLUMN = "last earlier survey"


def last_earlier_survey(year: int) -> pd.Series:
    """Per state (and ASEAN), "percent (year)" of its latest in-sample forced-choice figure before
    ``year``: the persistence forecast the model has to beat (the held-out editions' own figures are
    not held)."""
    forced = load_panel()
    last = latest_figures(forced[forced["question"] == FORCED], year)
    return pd.Series([f"{p:.1f} ({y})" for p, y in zip(last["percent"], last["year"])], index=last.index,
                     dtype=object)


INTERVAL_COLUMN = "model, 90% with parameter uncertainty"


@lru_cache(maxsize=16)
def forced_interval(scenario_name: str) -> pd.Series:
    """Per state, "lo-hi" (percent US) of the scenario's forced-choice answer over the panel fit's
    bootstrap draws and their replicates (`sim.running.uncertainty`): the scenario as shipped,
    not the sliders; about 0.4 s the first time a scenario is shown, cached after."""
    frame = parameter_intervals(scenario_name)
    forced = frame[frame["measure"] == "forced_us"].set_index("state")
    low, high = ((100 * forced[end]).round().astype(int).astype(str) for end in ("lo", "hi"))
    return low + "-" + high
