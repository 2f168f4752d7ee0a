"""ASEAN alignment simulator: how Southeast Asian states divide their alignment
between the US, China, Japan and South Korea as assumptions change.

Start here::

    import sim
    result = sim.run("baseline_2020", steps=40)
    result.final                      # per-state alignment, hedging, leading partner, forced_us
    sim.explain("baseline_2020", state="Vietnam")
    sim.parameter_intervals("survey_2020")   # intervals over the panel fit's bootstrap draws
    sim.list_scenarios()

Experiments (docs/experiments.md)::

    sim.sweep("baseline_2020", vary=["world.us_commitment=0.5:1.5"], samples=100, out="results/sweep")
    sim.compare(["baseline_2020", "us_retrenchment"])
    sim.explain_difference("baseline_2020", "us_retrenchment")   # who moved, and which input and term did it
    sim.sensitivity("baseline_2020", vary=[...], outcome="asean_US")
    sim.discover("results/sweep", "led_CN >= 6")

Calibration (docs/validation.md)::

    sim.calibrate(year=2020)          # fit the weights to the ISEAS survey (docs/validation.md)
    sim.validate()                    # every survey year beside the model; held-out forecasts

This file only gathers the public names; each lives in the layer that does its work
(docs/architecture.md): base, schema, core, engines, reports, running, experiments, calibration.
"""

from sim.base.errors import InputError
from sim.base.version import __version__
from sim.calibration.fitting import calibrate
from sim.calibration.validation import validate
from sim.experiments.comparison import compare
from sim.experiments.difference import explain_difference
from sim.experiments.discovery import discover
from sim.experiments.sensitivity_analysis import sensitivity
from sim.experiments.sweeps import load_sweep, sweep
from sim.running.claims import claim_table
from sim.running.explain import explain
from sim.running.run import RunResult, run, save
from sim.running.uncertainty import parameter_intervals
from sim.schema.scenario import Scenario, list_scenarios, load

__all__ = ["run", "explain", "save", "list_scenarios", "load", "Scenario", "RunResult", "InputError", "__version__",
           "sweep", "load_sweep", "compare", "explain_difference", "sensitivity", "discover", "calibrate", "validate",
           "parameter_intervals", "claim_table"]
