"""Calibration against the ISEAS State of Southeast Asia survey, validation, and forecasts of held-out editions.

- `targets`: which survey figures the model answers (`load`), and why it cannot answer the rest.
- `questions`: the model's answers to the survey's questions for many parameter sets at once.
- `objective`: the loss and one optimizer run;
- `fitting`: `calibrate()` (starts, bootstrap, profile) and `write_defaults()`.
- `report`: the fit report (tables, text, Markdown, PNG, JSON).
- `validation`: later survey years against scenarios built from events; per-state answers.
"""

from sim.calibration.fitting import CalibrationResult, calibrate, write_defaults
from sim.calibration.objective import DEFAULT_FREE
from sim.calibration.questions import SURVEY_SCENARIOS, Answers, answers, survey_scenario

__all__ = ["calibrate", "write_defaults", "CalibrationResult", "answers", "Answers", "survey_scenario",
           "SURVEY_SCENARIOS", "DEFAULT_FREE"]
