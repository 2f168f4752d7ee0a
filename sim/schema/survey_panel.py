"""The ISEAS survey panel as data: every published figure per edition and state the model answers.

`load_panel` reads sim/data/survey_panel.csv (the per-country and ASEAN-wide
forced choice and third-party shares), adds the ASEAN-wide figures that only
survey_targets.csv holds, and gives each figure its respondents and its error
(binomial sampling error, the variation between editions, the wording);
`latest_figures` is each state's latest figure before a year, the persistence
forecast. `SURVEY_SCENARIOS` names the world each edition is asked of. The panel
fit (`sim.calibration.panel`) and the web app both read the panel from here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.schema.survey_pool import FORCED, read_data

SURVEY_SCENARIOS = {2020: "survey_2020", 2021: "outlook_2021", 2022: "outlook_2022",
                    2023: "outlook_2023", 2024: "outlook_2024", 2025: "outlook_2025", 2026: "outlook_2026"}
PANEL_FILE = "survey_panel.csv"  # in sim/data/
PANEL_YEARS = (2020, 2021, 2022, 2023)  # per-country figures in-sample: from 2024 on they are held out
# ASEAN-wide figures are in-sample one edition longer (held out from 2025 on): 2024's joins the fit
ASEAN_WIDE_YEARS = (2024,)
FIT_YEARS = PANEL_YEARS + ASEAN_WIDE_YEARS
# 1,308 respondents in 2020 over ten states, "about 100-200 per state" (sim/data/survey_panel.csv's
# source notes); used for every per-country figure since later editions do not publish the split.
RESPONDENTS_PER_STATE = 130
# Published: 1,308 (2020); 1,677 (2022: the report's "About the survey", fieldwork 11 Nov - 31 Dec 2021);
# "about 2,000" (2024, survey_targets.csv). Other years: 1,000, below the smallest of these.
RESPONDENTS_ASEAN = {2020: 1308, 2022: 1677, 2024: 2000}
DEFAULT_RESPONDENTS_ASEAN = 1000
# New Zealand (4.7%) and Russia (6.1%) were options of the 2020 third-party question but are not
# partners in the model: the model's five options are compared with the survey's shares of the
# other 89.2% (the same split assumed in every state and year, a judgement).
THIRD_PARTY_MODELLED = 1.0 - (4.7 + 6.1) / 100
# A country's figure varies between editions beyond sampling error (the respondent pool changes):
# 2020->2021 the ten countries' changes spread by 7.2 pp about their mean where sampling alone gives
# 6.0 pp (two draws of ~130), leaving sqrt(7.2^2 - 6.0^2) / sqrt(2) = 2.8 pp per edition.
YEAR_TO_YEAR_PP = 2.8
# 'Nearly half' chose 'enhance ASEAN resilience and unity' in 2020, the most common of the answers
# (survey_targets.csv; no exact figure): read as 45%, with 7.5 pp for the vague wording and for the
# question's other options (neutrality, a side) that the model's options only approximate.
UNITY_QUESTION = "response_to_us_china_rivalry"
UNITY_PERCENT = 45.0
UNITY_ERROR_PP = 7.5


def sampling_variance(percent, respondents):
    """The binomial variance of a survey share (as a fraction) given its respondents."""
    p = np.asarray(percent, float) / 100
    return p * (1 - p) / respondents


def load_panel(years=PANEL_YEARS, asean_wide_years=ASEAN_WIDE_YEARS) -> pd.DataFrame:
    """The survey figures the panel fit targets: year, state, question, code, percent, respondents, error_pp.

    ``state`` is a state's name or ``ASEAN``; third-party shares are rescaled to the
    model's options (`THIRD_PARTY_MODELLED`). ``asean_wide_years`` add only their
    ASEAN-wide figures (their per-country figures are held out).
    """
    raw = read_data(PANEL_FILE)
    in_sample = raw["year"].isin(years) | (raw["year"].isin(asean_wide_years) & (raw["country"] == "ASEAN"))
    rows = raw[in_sample & raw["question"].isin(["forced_choice_us_china", "preferred_third_party"])]
    codes = {"US": "US", "Japan": "JP", "South Korea": "KR", "EU": "EU", "Australia": "AU", "India": "IN"}
    rows = rows[rows["option"].isin(codes)].copy()
    rows["code"] = rows["option"].map(codes)
    third = rows["question"] == "preferred_third_party"
    rows.loc[third, "percent"] = rows.loc[third, "percent"] / THIRD_PARTY_MODELLED
    rows = pd.concat([rows, _later_japan_shares(years), _asean_unity_answer(years)], ignore_index=True)
    rows["respondents"] = [_respondents(year, state) for year, state in zip(rows["year"], rows["country"])]
    between_editions = np.where(rows["country"] == "ASEAN", 0.0, YEAR_TO_YEAR_PP)
    sampling_pp = 100 * np.sqrt(sampling_variance(rows["percent"], rows["respondents"]))
    wording = np.where(rows["question"] == UNITY_QUESTION, UNITY_ERROR_PP, 0.0)
    rows["error_pp"] = np.sqrt(sampling_pp ** 2 + between_editions ** 2 + wording ** 2)
    rows = rows.rename(columns={"country": "state"})
    return rows[["year", "state", "question", "code", "percent", "respondents", "error_pp", "source"]]


def _later_japan_shares(years) -> pd.DataFrame:
    """Japan's ASEAN-wide third-party share in 2021 and 2022 (survey_targets.csv), rescaled as above."""
    targets = read_data("survey_targets.csv")
    rows = targets[(targets["question"] == "preferred_third_party") & (targets["option"] == "Japan")
                   & targets["percent"].notna() & targets["year"].isin(years) & (targets["year"] > 2020)]
    return pd.DataFrame({"year": rows["year"], "question": rows["question"], "country": "ASEAN",
                         "option": "Japan", "code": "JP", "percent": rows["percent"] / THIRD_PARTY_MODELLED,
                         "source": rows["source"]})


def _asean_unity_answer(years) -> pd.DataFrame:
    """2020's 'enhance ASEAN resilience and unity' answer (survey_targets.csv: 'nearly half',
    no exact figure): the ASEAN-centred option's share, taken as `UNITY_PERCENT`."""
    if 2020 not in years:
        return pd.DataFrame()
    return pd.DataFrame({"year": [2020], "question": [UNITY_QUESTION], "country": ["ASEAN"],
                         "option": ["enhance ASEAN resilience and unity"], "code": ["ASEAN"],
                         "percent": [UNITY_PERCENT],
                         "source": ["ISEAS 2020 via seed 000 and thailandtribune.com: 'nearly half', the most "
                                    "common answer (survey_targets.csv)"]})


def _respondents(year: int, state: str) -> int:
    if state == "ASEAN":
        return RESPONDENTS_ASEAN.get(year, DEFAULT_RESPONDENTS_ASEAN)
    return RESPONDENTS_PER_STATE


def latest_figures(forced: pd.DataFrame, before: int) -> pd.DataFrame:
    """Per state of ``forced`` (panel rows of one question): ``percent`` and ``year`` of its latest
    figure before the year ``before``: the persistence forecast a forecaster had then."""
    return forced[forced["year"] < before].sort_values("year").groupby("state")[["percent", "year"]].last()


def country_forced(table: pd.DataFrame) -> pd.DataFrame:
    """The per-country forced-choice rows of a panel table (the ASEAN-wide figures left out)."""
    return table[(table["question"] == FORCED) & (table["state"] != "ASEAN")]
