"""Provenance: what a result depends on, recorded in every manifest (runs, sweeps, comparisons)."""

from __future__ import annotations

import platform

import numpy as np

from sim.base.version import __version__
from sim.schema.scenario import Scenario


def make_manifest(scenario: Scenario, **extra) -> dict:
    """What a result depends on: scenario (and its hash), parameters, seed, version."""
    return {
        "scenario": scenario.name,
        "scenario_path": scenario.path,
        "scenario_digest": scenario.digest(),
        "title": scenario.title,
        **extra,
        "partners": list(scenario.partners),
        "states": list(scenario.states),
        "overrides": {k: list(v) if isinstance(v, tuple) else v for k, v in scenario.overrides.items()},
        "events": [vars(e) | {"value": list(e.value) if isinstance(e.value, tuple) else e.value}
                   for e in scenario.events],
        "version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
