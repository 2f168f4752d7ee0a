"""A sweep's summary: per parameter set and outcome, the mean over replicates and its interval."""

from __future__ import annotations

import pandas as pd

ID_COLUMNS = ("run", "variation", "replicate")


def summarize(runs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per parameter set and numeric outcome: n, mean and the 95% t-interval of the mean over replicates.

    Tidy (one row per set and outcome). NaN outcomes (a run that never tipped)
    are left out of that outcome's n and mean; with one replicate the interval is NaN.
    """
    from scipy import stats  # scipy loads only when a sweep is summarized

    outcomes = [c for c in runs.columns if c not in (*ID_COLUMNS, *keys) and pd.api.types.is_numeric_dtype(runs[c])]
    groups = runs.groupby("variation", sort=True)[outcomes]
    mean, sem, n = groups.mean(), groups.sem(), groups.count()
    half = stats.t.ppf(0.975, (n - 1).where(n > 1)) * sem
    long = {name: frame.reset_index().melt(id_vars="variation", var_name="outcome", value_name=name)
            for name, frame in {"n": n, "mean": mean, "lo": mean - half, "hi": mean + half}.items()}
    tidy = pd.concat([long["n"], *(long[name][[name]] for name in ("mean", "lo", "hi"))], axis=1)
    tidy = tidy.sort_values("variation", kind="stable").reset_index(drop=True)  # set by set, outcomes in order
    values = runs.drop_duplicates("variation").set_index("variation")[keys]
    tidy = pd.concat([tidy[["variation"]], values.loc[tidy["variation"]].reset_index(drop=True),
                      tidy.drop(columns="variation")], axis=1)
    tidy["n"] = tidy["n"].astype("int64")
    return tidy
