"""ASEAN alignment simulator: how Southeast Asian states divide their alignment
between the US, China, Japan and South Korea as assumptions change.

Start here::

    import sim
    result = sim.run("baseline_2020", steps=40)
    result.final                      # per-state alignment, hedging, leading partner, forced_us
    sim.explain("baseline_2020", state="Vietnam")
    sim.list_scenarios()

Experiments (docs/experiments.md)::

    sim.sweep("baseline_2020", vary=["world.us_commitment=0.5:1.5"], samples=100, out="results/sweep")
    sim.compare(["baseline_2020", "us_retrenchment"])
    sim.sensitivity("baseline_2020", vary=[...], outcome="asean_US")
    sim.discover("results/sweep", "led_CN >= 6")

Calibration (docs/validation.md)::

    sim.calibrate(year=2020)          # fit the weights to the ISEAS survey (docs/validation.md)
    sim.validate()                    # later survey years, out of sample
"""

__version__ = "0.1.0"

from sim.api import RunResult, explain, run, save  # noqa: E402
from sim.calibration import calibrate  # noqa: E402
from sim.calibration.validation import validate  # noqa: E402
from sim.errors import InputError  # noqa: E402
from sim.scenario import Scenario, list_scenarios, load  # noqa: E402
from sim.comparison import compare  # noqa: E402
from sim.discovery import discover  # noqa: E402
from sim.sensitivity_analysis import sensitivity  # noqa: E402
from sim.sweeps import load_sweep, sweep  # noqa: E402

__all__ = ["run", "explain", "save", "list_scenarios", "load", "Scenario", "RunResult", "InputError", "__version__",
           "sweep", "load_sweep", "compare", "sensitivity", "discover", "calibrate", "validate"]
