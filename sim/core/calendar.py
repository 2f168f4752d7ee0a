"""The model's calendar: step 0 is the start of 2020 and one step is one quarter.

Every time axis (plots, the comparison figure, the web app) and every quarter
label reads the calendar here.
"""

from __future__ import annotations

import numpy as np

START_YEAR = 2020  # step 0 is the start of 2020; one step is one quarter


def year_of(step):
    """Calendar time of a step (step 0 = the start of 2020), for time axes."""
    return START_YEAR + np.asarray(step) / 4


def quarter_label(step: int) -> str:
    """'2021 Q3' for step 6: the quarter a step has just simulated (step 0 is the starting point)."""
    if step == 0:
        return f"start of {START_YEAR}"
    year, quarter = divmod(step - 1, 4)
    return f"{START_YEAR + year} Q{quarter + 1}"
