"""The survey targets: which figures the model can answer, and how.

`load(path, year)` reads a targets table (by default the ISEAS figures copied
in ``sim/data/survey_targets.csv``: ``year, question, option, percent,
confidence, source``) and returns one row per figure with what calibration
needs: the partner code of the option, the kind of target and the survey's
number of respondents.

Kinds of target:
- ``share``: a percentage the model answers (MODEL.md, "What the survey
  measures"): the forced US-or-China choice, or one partner's share of the
  preferred third partner question.
- ``rank``: a ranking fact without a share ("Japan the most preferred, South
  Korea the least"): ``rank`` is ``most`` or ``least``, from an optional
  ``rank`` column or, failing that, the words "least" or "most" in the source.
- ``not answered``: a question the model cannot answer honestly; ``reason``
  says why (`NOT_ANSWERED`).

`sampling_error_pp` and `sampling_variance`: a survey share's binomial sampling
error (the report's error bars, the validation's threshold for a change).
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from sim.base.errors import InputError
from sim.schema.survey_panel import sampling_variance
from sim.schema.survey_pool import FORCED
THIRD_PARTY = "preferred_third_party"
ANSWERED = (FORCED, THIRD_PARTY)
NOT_ANSWERED = {
    "trust_do_right_thing": "an input, not an output: partners.P.reliability is read from this figure "
    "(nearest year), and a model cannot be tested against its own input",
    "trust_us_reported": "an input question (US reliability), low confidence: the 2020 figure is the "
    "baseline's US trust and outlook_2021 sets the 2021 one (docs/validation.md)",
    "response_to_us_china_rivalry": "not by the ASEAN-wide fit: 'enhance ASEAN resilience and unity' is a "
    "target of the panel fit (run.py calibrate --panel, the ASEAN-centred option); the other options "
    "(neutrality, a side, third parties) are strategies the model's options only approximate",
    "most_influential_political_strategic": "perceived influence is not a model quantity: states score "
    "partners by what they offer, not by the sway they hold",
    "most_influential_economic": "perceived influence is not a model quantity: states score partners by "
    "what they offer, not by the sway they hold",
}
QUESTIONS = ANSWERED + tuple(NOT_ANSWERED)
# The China row of the forced choice is 100 - US: shown, but counted once (through the US row).
COMPLEMENT = {FORCED: "CN"}
OPTION_CODES = {
    "US": "US", "United States": "US", "China": "CN", "CN": "CN", "Japan": "JP", "JP": "JP",
    "South Korea": "KR", "Korea": "KR", "KR": "KR", "EU": "EU", "European Union": "EU",
    "Australia": "AU", "AU": "AU", "India": "IN", "IN": "IN",
}
REQUIRED = ("year", "question", "option", "percent", "source")
RANKS = ("most", "least")
# Respondents when the source does not say: the smallest edition's size (about 1,000;
# sim/data/README of the survey), so such figures get the widest sampling error.
DEFAULT_RESPONDENTS = 1000
Z95_PP = 196  # 1.96 standard errors of a share, in percentage points: a 95% sampling error


def sampling_error_pp(percent, respondents):
    """The survey's 95% sampling error of a share, in percentage points."""
    return Z95_PP * np.sqrt(sampling_variance(percent, respondents))


def resampled_percent(percent, respondents, rng: np.random.Generator) -> np.ndarray:
    """Survey shares (percent) redrawn as their sampling error allows: binomial(n, p) / n."""
    n = np.asarray(respondents, int)
    return rng.binomial(n, np.clip(np.asarray(percent, float) / 100, 0, 1)) / n * 100


def default_path() -> Path:
    return Path(str(resources.files("sim") / "data" / "survey_targets.csv"))


def read(path: Path | str | None = None) -> pd.DataFrame:
    """Every row of a targets file, checked and annotated (kind, code, rank, respondents)."""
    path = default_path() if path is None else Path(path)
    where = str(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError("--targets", "file", where, "an existing CSV file") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(where, "file", None, f"a readable CSV file ({type(exc).__name__})") from None
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise InputError(where, "columns", list(raw.columns), "the columns " + ", ".join(REQUIRED))
    rows = [_annotate(where, number, row) for number, row in enumerate(_resolve_same(raw).to_dict("records"), 2)]
    return pd.DataFrame(rows)


def load(path: Path | str | None = None, year: int = 2020) -> pd.DataFrame:
    """The rows of ``year`` (all kinds); an error if the model can answer none of them."""
    table = read(path)
    rows = table[table["year"] == year]
    if not (rows["kind"] != "not answered").any():
        years = sorted(table.loc[table["kind"] != "not answered", "year"].unique())
        raise InputError("--year", "year", year, "a year with a target the model answers: "
                         + ", ".join(str(y) for y in years))
    return rows.reset_index(drop=True)


def _resolve_same(raw: pd.DataFrame) -> pd.DataFrame:
    """A source of "same" repeats the source of the row above."""
    sources, last = [], ""
    for text in raw["source"]:
        last = last if text.strip().lower() == "same" else text
        sources.append(last)
    return raw.assign(source=sources)


def _annotate(where: str, line: int, row: dict) -> dict:
    at = f"{where}, line {line}"
    year = _year(at, row["year"])
    question = row["question"].strip()
    if question not in QUESTIONS:
        raise InputError(at, "question", question, "one of " + ", ".join(QUESTIONS))
    percent = _percent(at, row["percent"])
    out = {"year": year, "question": question, "option": row["option"].strip(), "percent": percent,
           "source": row["source"], "respondents": _respondents(at, row), "code": None, "rank": None,
           "kind": "not answered", "reason": NOT_ANSWERED.get(question, "")}
    if question not in ANSWERED:
        return out
    out["code"] = _code(at, question, out["option"])
    if not np.isnan(percent):
        return out | {"kind": "share", "reason": ""}
    rank = _rank(at, row)
    if question == FORCED or rank is None:
        return out | {"reason": "no figure and no ranking fact"}
    return out | {"kind": "rank", "rank": rank, "reason": ""}


def _year(at, text) -> int:
    try:
        return int(text)
    except ValueError:
        raise InputError(at, "year", text, "a whole number") from None


def _percent(at, text) -> float:
    if not text.strip():
        return float("nan")
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value <= 100:
        raise InputError(at, "percent", text, "a number from 0 to 100, or empty")
    return value


def _code(at, question, option) -> str:
    code = OPTION_CODES.get(option)
    allowed = ("US", "CN") if question == FORCED else ("JP", "KR", "EU", "AU", "IN")
    if code not in allowed:
        names = [name for name, c in OPTION_CODES.items() if c in allowed and len(name) > 2]
        raise InputError(at, "option", option, f"for {question}, one of " + ", ".join(names))
    return code


def _rank(at, row) -> str | None:
    """``most``/``least`` from a ``rank`` column, else from the source's wording."""
    explicit = str(row.get("rank", "") or "").strip().lower()
    if explicit:
        if explicit not in RANKS:
            raise InputError(at, "rank", explicit, "most, least or empty")
        return explicit
    text = row["source"].lower()
    return "least" if "least" in text else "most" if "most" in text else None


def _respondents(at, row) -> int:
    """The survey's respondents: an ``n`` column, else "1,308 respondents" in the source, else the default."""
    explicit = str(row.get("n", "") or "").strip()
    if explicit:
        if not explicit.isdigit() or int(explicit) < 1:
            raise InputError(at, "n", explicit, "a whole number of respondents")
        return int(explicit)
    found = re.search(r"(\d[\d,]*)\s+respondents", row["source"])
    return int(found.group(1).replace(",", "")) if found else DEFAULT_RESPONDENTS
