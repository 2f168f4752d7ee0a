"""Calibration against the ISEAS State of Southeast Asia survey, validation, and forecasts of held-out editions.

- `targets`: which survey figures the model answers (`load`), and why it cannot answer the rest.
- `questions`: the model's answers to the survey's questions for many parameter sets at once.
- `least_squares`: the optimizer core both fits share (coordinates, bounds, batched Jacobian).
- `objective`: the year fit's loss and one optimizer run.
- `result`: what a year fit produced (`FitResult`), below the report that reads it.
- `report`: the year fit's report (tables, text, Markdown, PNG, JSON).
- `fitting`: `calibrate()` (starts, bootstrap, profile).
- `panel`: the survey panel fit (`fit_panel`): per-country figures, leans, event sizes.
- `panel_scores`: the panel's answers scored against the survey and persistence.
- `write_back`: a fit stored as the shipped defaults (`write_defaults`, `write_panel_defaults`).
- `validation`: later survey years against scenarios built from events; per-state answers.

The survey panel itself (its figures and errors) is data: `sim.schema.survey_panel`.
"""

from sim.calibration.fitting import CalibrationResult, calibrate
from sim.calibration.objective import DEFAULT_FREE
from sim.calibration.questions import SURVEY_SCENARIOS, Answers, answers, survey_scenario
from sim.calibration.write_back import write_defaults

__all__ = ["calibrate", "write_defaults", "CalibrationResult", "answers", "Answers", "survey_scenario",
           "SURVEY_SCENARIOS", "DEFAULT_FREE"]
