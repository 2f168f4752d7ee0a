"""Tables as text: what the commands print and the fit report quotes."""

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


def interval_cell(value: float, lo: float, hi: float, scale: float = 1.0, bold: bool | None = None) -> str:
    """``value [lo, hi]`` times ``scale``, one decimal; in Markdown bold (``**...**``) when ``bold``."""
    text = f"{value * scale:.1f} [{lo * scale:.1f}, {hi * scale:.1f}]"
    return f"**{text}**" if bold else text
