"""Every claim a lesson (docs/lessons/*.md) makes about the model is checked here by running it.

A lesson marks each sentence under "What the model shows" with ``<!-- claim: ID -->`` and
gives the claim's lines in its ```toml claims block, which the web app's "Check the claims"
button evaluates too (`sim.running.lesson_claims`). The tests fail if a sentence has no mark, a
mark has no lines or lines no mark, or a line does not hold. Claims are directions and
orderings, so they hold for the model's mechanisms rather than one set of weights (which
calibration will change); 8 replicates with seed 7, as the lessons' index says.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

import sim
from sim.app import lessons as app_lessons
from sim.app.session import CONTROL_LABELS
from sim.cli import build_parser
from sim.running import lesson_claims
from sim.schema import parameters
from sim.schema.scenario import load, parse_assignment

ROOT = Path(__file__).resolve().parent.parent
LESSON_DIR = ROOT / "docs" / "lessons"
LESSONS = sorted(LESSON_DIR.glob("[0-9][0-9]_*.md"))
CLAIM_MARK = re.compile(r"<!-- claim: ([a-z0-9_]+) -->")
SECTIONS = ("## Scenario", "## What to change", "## What to watch", "## What the model shows",
            "## Questions for discussion")
REPLICATES, SEED = 8, 7


def lesson_of(path: Path) -> app_lessons.Lesson:
    return app_lessons.parse(path.stem, path.read_text())


def checked(lesson: app_lessons.Lesson) -> dict:
    """{claim name: ClaimCheck} of the lesson's block, ``this`` being its scenario."""
    this = sim.run(lesson.scenario, replicates=REPLICATES, seed=SEED).trajectory
    results = lesson_claims.check_claims(lesson.claims, this, lesson.worlds, lesson.groups, REPLICATES, SEED,
                                         where=lesson.name)
    return {result.name: result for result in results}


# --- the lessons and their claims ---------------------------------------------


def marked_claims():
    return [(path.name, name) for path in LESSONS for name in CLAIM_MARK.findall(path.read_text())]


def section(text: str, heading: str) -> str:
    start = text.index(heading) + len(heading)
    following = text.find("\n## ", start)
    return text[start:following if following >= 0 else None]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_claim_of_the_lesson_holds_and_each_marked_sentence_has_lines(path):
    lesson = lesson_of(path)
    assert set(lesson.sentences) == set(lesson.claims), f"{path.name}: marks and block differ"
    for name, result in checked(lesson).items():
        failing = [f"{c.line} (measured {c.measured})" for c in result.checks if not c.holds]
        assert not failing, f"{path.name}: {name} does not hold: {failing}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_the_settings_a_lesson_asks_to_try_are_sliders_of_a_real_scenario(path):
    for scenario, settings in lesson_of(path).tries:
        load(scenario)
        assert settings and set(settings) <= set(CONTROL_LABELS), f"{path.name}: {settings} names no slider"
        for key, value in settings.items():
            parameters.check(key, value, path.name)


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


def test_no_claim_is_marked_twice():
    names = [name for _, name in marked_claims()]
    assert len(names) == len(set(names))


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
