"""Every claim a lesson (docs/lessons/*.md) makes about the model is checked here by running it.

A lesson marks each sentence under "What the model shows" with ``<!-- claim: ID -->``;
``CHECKS[ID]`` runs the scenarios and asserts the claim. The tests fail if a sentence has
no mark, a mark has no check, or a check belongs to no lesson. Claims are directions and
orderings, so they hold for the model's mechanisms rather than one set of weights (which
calibration will change); 8 replicates with seed 7, as the lessons' index says.
"""

from __future__ import annotations

import re
import shlex
from functools import lru_cache
from pathlib import Path

import pytest

import sim
from sim.cli import build_parser
from sim.core.equations import TERMS
from sim.schema import parameters
from sim.schema.scenario import load, parse_assignment

ROOT = Path(__file__).resolve().parent.parent
LESSON_DIR = ROOT / "docs" / "lessons"
LESSONS = sorted(LESSON_DIR.glob("[0-9][0-9]_*.md"))
CLAIM_MARK = re.compile(r"<!-- claim: ([a-z0-9_]+) -->")
SECTIONS = ("## Scenario", "## What to change", "## What to watch", "## What the model shows",
            "## Questions for discussion")
REPLICATES, SEED = 8, 7

CLAIMANTS = ["Brunei", "Malaysia", "Philippines", "Vietnam"]
MEKONG = ["Cambodia", "Laos", "Myanmar", "Thailand", "Vietnam"]
STATES = list(parameters.states())


# --- running the model --------------------------------------------------------


@lru_cache(maxsize=None)
def _run(scenario: str, overrides: tuple):
    return sim.run(scenario, replicates=REPLICATES, seed=SEED, overrides=dict(overrides)).trajectory


def run(scenario: str, overrides: dict | None = None):
    """The trajectory of ``scenario`` with ``overrides`` (cached: lessons share their baselines)."""
    return _run(scenario, tuple(sorted((overrides or {}).items())))


def share(traj, partners, states=None, step=-1) -> float:
    """Mean alignment with ``partners`` (summed) over ``states`` (default all) and replicates."""
    cols = [traj.partners.index(p) for p in partners]
    rows = [traj.states.index(s) for s in (states or traj.states)]
    return float(traj.alignment[:, step][:, rows][:, :, cols].sum(-1).mean())


def term(traj, states, partner, name, step=-1) -> float:
    """Mean weighted utility term ``name`` of ``partner`` over ``states`` and replicates."""
    rows = [traj.states.index(s) for s in states]
    return float(traj.terms[:, step][:, rows][:, :, traj.partners.index(partner), TERMS.index(name)].mean())


def others(states):
    return [s for s in STATES if s not in states]


# --- the claims -----------------------------------------------------------------

CHECKS = {}


def claim(name):
    def register(check):
        CHECKS[name] = check
        return check
    return register


# Lesson 1: Japan and Korea (seed 000)

@claim("japan_ahead_of_korea_everywhere")
def _():
    base = run("baseline_2020")
    for step in (0, -1):
        assert all(share(base, ["JP"], [s], step) > share(base, ["KR"], [s], step) for s in STATES)


@claim("japan_trusted_more_everywhere")
def _():
    base = run("baseline_2020")
    assert all(term(base, [s], "JP", "trust") > term(base, [s], "KR", "trust") for s in STATES)


@claim("japan_security_ahead_in_vietnam_malaysia_brunei")
def _():
    base = run("baseline_2020")
    assert all(term(base, [s], "JP", "security") > term(base, [s], "KR", "security")
               for s in ("Vietnam", "Malaysia", "Brunei"))


@claim("korea_security_highest_where_it_sells_jets")
def _():
    base = run("baseline_2020")
    jets = ("Philippines", "Thailand", "Indonesia")
    others = [s for s in STATES if s not in jets]
    assert min(term(base, [s], "KR", "security") for s in jets) > max(term(base, [s], "KR", "security") for s in others)
    assert term(base, ["Thailand"], "KR", "security") > term(base, ["Thailand"], "JP", "security")
    assert term(base, ["Philippines"], "JP", "security") > term(base, ["Philippines"], "KR", "security")


def korea_as_japan():
    return run("baseline_2020", {"partners.KR.counterbalance": parameters.spec("partners.JP.counterbalance").default})


@claim("korea_counterbalance_raises_share_most_in_claimants")
def _():
    base, bolder = run("baseline_2020"), korea_as_japan()
    assert share(bolder, ["KR"]) > share(base, ["KR"])
    gain_claimants = share(bolder, ["KR"], CLAIMANTS) - share(base, ["KR"], CLAIMANTS)
    gain_others = share(bolder, ["KR"], others(CLAIMANTS)) - share(base, ["KR"], others(CLAIMANTS))
    assert gain_claimants > gain_others


@claim("japan_still_ahead_with_equal_counterbalance")
def _():
    bolder = korea_as_japan()
    assert share(bolder, ["JP"]) > share(bolder, ["KR"])


# Lesson 2: THAAD (seed 002)

@claim("target_leans_less_to_us")
def _():
    base, thaad = run("baseline_2020"), run("thaad_coercion")
    assert abs(share(thaad, ["US"], ["Philippines"]) - share(base, ["US"], ["Philippines"])) < 0.04
    assert term(thaad, ["Philippines"], "US", "security") > term(base, ["Philippines"], "US", "security")


@claim("coercion_backfires_in_target")
def _():
    base, thaad = run("baseline_2020"), run("thaad_coercion")
    assert share(thaad, ["CN"], ["Philippines"]) < share(base, ["CN"], ["Philippines"])
    assert term(thaad, ["Philippines"], "CN", "trust") < term(base, ["Philippines"], "CN", "trust")


@claim("target_moves_most")
def _():
    base, thaad = run("baseline_2020"), run("thaad_coercion")
    change = {s: term(thaad, [s], "US", "security") - term(base, [s], "US", "security") for s in STATES}
    assert max(change, key=change.get) == "Philippines"


@claim("risk_bar_grows")
def _():
    manila = ["Philippines"]
    assert term(run("thaad_coercion"), manila, "US", "risk") < term(run("baseline_2020"), manila, "US", "risk")


@claim("rivalry_amplifies_coercion")
def _():
    high = run("thaad_coercion", {"world.rivalry": 1.0})
    low = run("thaad_coercion", {"world.rivalry": 0.4})
    assert share(high, ["US"], ["Philippines"]) < share(low, ["US"], ["Philippines"])


# Lesson 3: a peaceful peninsula (seeds 002, 003)

@claim("korea_security_value_falls")
def _():
    detente = term(run("peninsula_detente"), CLAIMANTS, "KR", "security")
    assert detente < term(run("baseline_2020"), CLAIMANTS, "KR", "security")


@claim("korea_less_provocative")
def _():
    detente, base = run("peninsula_detente"), run("baseline_2020")
    assert all(term(detente, [s], "KR", "risk") > term(base, [s], "KR", "risk") for s in STATES)


@claim("security_turn_is_the_opposite")
def _():
    turn, base = run("korea_security_turn"), run("baseline_2020")
    assert term(turn, CLAIMANTS, "KR", "security") > term(base, CLAIMANTS, "KR", "security")
    assert share(turn, ["KR"]) > share(base, ["KR"])


# Lesson 4: US retrenchment (seeds 002, 003)

@claim("us_share_falls")
def _():
    assert share(run("us_retrenchment"), ["US"]) < share(run("baseline_2020"), ["US"])


@claim("us_trusted_less_everywhere")
def _():
    retreat, base = run("us_retrenchment"), run("baseline_2020")
    assert all(term(retreat, [s], "US", "trust") < term(base, [s], "US", "trust") for s in STATES)


@claim("less_commitment_less_alignment")
def _():
    us = [share(run("baseline_2020", {"world.us_commitment": c}), ["US"]) for c in (0.5, 0.75, 1.0)]
    assert us[0] < us[1] < us[2]


# Lesson 5: Japan-Korea cooperation in the Mekong (seed 004)

@claim("japan_korea_gain_in_mekong")
def _():
    assert share(run("japan_korea_mekong"), ["JP", "KR"], MEKONG) > share(run("baseline_2020"), ["JP", "KR"], MEKONG)


@claim("gain_larger_in_mekong_than_maritime")
def _():
    coop, base = run("japan_korea_mekong"), run("baseline_2020")
    maritime = others(MEKONG)
    gain_mekong = share(coop, ["JP", "KR"], MEKONG) - share(base, ["JP", "KR"], MEKONG)
    assert gain_mekong > share(coop, ["JP", "KR"], maritime) - share(base, ["JP", "KR"], maritime)


@claim("china_loses_in_mekong")
def _():
    assert share(run("japan_korea_mekong"), ["CN"], MEKONG) < share(run("baseline_2020"), ["CN"], MEKONG)


@claim("economy_bars_grow")
def _():
    coop, base = run("japan_korea_mekong"), run("baseline_2020")
    for partner in ("JP", "KR"):
        assert term(coop, MEKONG, partner, "economy") > term(base, MEKONG, partner, "economy")


# Lesson 6: ASEAN unity under pressure (seed 000)

@claim("claimants_move_most_under_pressure")
def _():
    pressed, base = run("china_assertive"), run("baseline_2020")
    move = {group: share(pressed, ["US", "JP"], group) - share(base, ["US", "JP"], group)
            for group in (tuple(CLAIMANTS), tuple(others(CLAIMANTS)))}
    assert move[tuple(CLAIMANTS)] > move[tuple(others(CLAIMANTS))]
    assert move[tuple(CLAIMANTS)] > 0


def final_shares(traj):
    """[state, partner] the final alignment, mean over replicates."""
    return traj.alignment[:, -1].mean(0)


def unity_runs():
    return (run("china_assertive", {"world.asean_unity": 0.9}), run("china_assertive", {"world.asean_unity": 0.1}))


@claim("unity_raises_the_asean_option_everywhere")
def _():
    strong, weak = unity_runs()
    asean = strong.partners.index("ASEAN")
    assert (final_shares(strong)[:, asean] > final_shares(weak)[:, asean]).all()


@claim("unity_keeps_china_coercion_down")
def _():
    strong, weak = unity_runs()
    assert strong.china_coercion[:, -1].mean() < weak.china_coercion[:, -1].mean()


# --- the lessons and their claims ---------------------------------------------


def marked_claims():
    return [(path.name, name) for path in LESSONS for name in CLAIM_MARK.findall(path.read_text())]


def section(text: str, heading: str) -> str:
    start = text.index(heading) + len(heading)
    following = text.find("\n## ", start)
    return text[start:following if following >= 0 else None]


@pytest.mark.parametrize("lesson, name", marked_claims(), ids=lambda v: str(v).removesuffix(".md"))
def test_lesson_claim_holds(lesson, name):
    assert name in CHECKS, f"{lesson} claims {name!r} but no check in this file asserts it"
    CHECKS[name]()


def test_there_are_five_or_six_lessons_and_an_index_linking_each():
    assert 5 <= len(LESSONS) <= 6
    index = (LESSON_DIR / "README.md").read_text()
    assert all(f"]({path.name})" in index for path in LESSONS)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_has_every_section_and_every_statement_of_results_is_a_checked_claim(path):
    text = path.read_text()
    for heading in SECTIONS:
        assert heading in text, f"{path.name} lacks {heading!r}"
    shown = section(text, "## What the model shows")
    bullets = [line for line in shown.splitlines() if line.startswith("- ")]
    assert bullets, f"{path.name} states nothing under 'What the model shows'"
    unmarked = [line for line in bullets if not CLAIM_MARK.search(line)]
    assert not unmarked, f"{path.name}: claims without a check: {unmarked}"


def test_every_check_belongs_to_a_lesson_and_no_claim_is_marked_twice():
    names = [name for _, name in marked_claims()]
    assert len(names) == len(set(names))
    assert set(CHECKS) == set(names)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_commands_and_scenarios_are_valid(path):
    """Each `python3 run.py ...` line parses, names a real scenario and sets valid parameters."""
    text = path.read_text()
    commands = re.findall(r"python3 run\.py ([^`\n]+)", text)
    assert commands
    parser = build_parser()
    for command in commands:
        args = parser.parse_args(shlex.split(command))
        load(args.scenario)
        for assignment in getattr(args, "sets", []):
            key, value = parse_assignment(assignment)
            parameters.check(key, value, path.name)
    for name in re.findall(r"`([a-z0-9_]+)`", section(text, "## Scenario")):
        if (ROOT / "scenarios" / f"{name}.toml").exists():
            load(name)


def test_lesson_one_quotes_the_counterbalance_values_of_the_current_table():
    """Lesson 1 quotes Korea's and Japan's counterbalance 'in today's table'; check them loosely."""
    text = (LESSON_DIR / "01_japan_vs_korea.md").read_text()
    korea, japan = (parameters.spec(f"partners.{p}.counterbalance").default for p in ("KR", "JP"))
    assert korea < japan
    assert f"({korea:g} in today's table;" in text and f"Japan's is {japan:g})" in text
    assert f"partners.KR.counterbalance={japan:g}" in text
