"""Tables as text: what the commands print, and every Markdown table of the reports (`markdown_table`)."""

from __future__ import annotations

import pandas as pd


def format_table(table: pd.DataFrame, percent_columns=(), digits=2) -> str:
    """A DataFrame as text, shares shown as percentages."""
    shown = table.copy()
    for column in shown.columns:
        if column in percent_columns:
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:6.1%}")
        elif pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.{digits}f}")
    return shown.to_string()


def markdown_table(frame: pd.DataFrame, missing: str | None = "", **options) -> str:
    """``frame`` as a GitHub Markdown table (pandas' ``to_markdown``; ``options`` such as ``index``,
    ``floatfmt`` go to it), missing values shown as ``missing`` (None: as pandas prints them, "nan")."""
    if missing is None:
        return frame.to_markdown(**options)
    return frame.astype(object).where(frame.notna(), None).to_markdown(missingval=missing, **options)


def interval_cell(value: float, lo: float, hi: float, scale: float = 1.0, bold: bool | None = None) -> str:
    """``value [lo, hi]`` times ``scale``, one decimal; in Markdown bold (``**...**``) when ``bold``."""
    text = f"{value * scale:.1f} [{lo * scale:.1f}, {hi * scale:.1f}]"
    return f"**{text}**" if bold else text
