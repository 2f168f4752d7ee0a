"""Shared test settings: Hypothesis profiles, a count of generated cases printed at the end,
and the `run_cli` fixture.

Profiles (choose with the environment variable HYPOTHESIS_PROFILE):
  ci        (default) derandomized, so every run of the suite tries the same examples; no
            deadline (timings on a shared 2-core machine are noise); no example database.
  thorough  ten times the examples, random, with the database: for a deliberate hunt.

Tests that generate cases (property tests, fuzzing) record how many they tried with
``record_property("hypothesis examples" | "fuzz cases", n)``; the totals are printed in
the terminal summary (also under pytest-xdist, whose reports carry the properties).
"""

import os
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

# Health checks off: a scenario drawn from the whole schema is some 460 values however small
# (large_base_example, data_too_large), and runs take what they take (too_slow).
settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                 HealthCheck.large_base_example])
settings.register_profile("thorough", settings.get_profile("ci"), derandomize=False,
                          database=settings.default.database, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Every call signature of the compiled step, compiled once into numba's cache before the
# workers start: on a fresh clone each worker, and each command or app server a test starts,
# would otherwise compile the same functions at once (about a minute each on 2 cores).
WARM_UP = ("import sim; sim.run('baseline_2020', steps=2, replicates=2); "
           "sim.run('baseline_2020', steps=2, engine='mesa')")


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist), not a worker
        # not checked: if the model cannot run, the tests that run it say why, one by one
        subprocess.run([sys.executable, "-c", WARM_UP], check=False, capture_output=True)


COUNTED = ("hypothesis examples", "fuzz cases")
_totals = Counter()


def pytest_runtest_logreport(report):
    if report.when == "teardown":  # properties recorded by fixtures arrive after the call
        for name, value in report.user_properties:
            if name in COUNTED:
                _totals[name] += value


def pytest_terminal_summary(terminalreporter):
    if _totals:
        counts = ", ".join(f"{_totals[name]} {name}" for name in COUNTED)
        terminalreporter.write_line(f"generated cases tried: {counts}")


@pytest.fixture
def run_cli(capsys):
    """``run_cli(*argv)`` runs the command line in this process and returns (exit code, stderr);
    argparse's exits (usage errors) count by their code."""
    from sim.cli import main

    def run(*argv):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
        return code, capsys.readouterr().err

    return run
