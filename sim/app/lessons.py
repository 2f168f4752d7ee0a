"""The lessons of docs/lessons as the app shows them: title, scenario, what to change, what to
watch, what the model shows and the questions, read from the lesson files (no Solara)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sim.schema.scenario import SCENARIO_DIR

LESSON_DIR = Path(__file__).resolve().parents[2] / "docs" / "lessons"
CLAIM_MARK = re.compile(r"\s*<!-- claim: [a-z0-9_]+ -->")
# The sections a student follows, in the lesson's order, with the heading the app gives each.
SECTIONS = {"What to change": "Steps: what to change", "What to watch": "What to watch",
            "What the model shows": "What the model shows (the lesson's claims)",
            "Questions for discussion": "Questions for discussion"}


@dataclass(frozen=True)
class Lesson:
    """One lesson: its file's stem, title, scenario and the sections above as Markdown."""

    name: str
    title: str
    scenario: str
    sections: dict


def section(text: str, heading: str) -> str:
    """The Markdown under ``## heading`` up to the next ``## ``; empty if the lesson lacks it."""
    match = re.search(rf"^## {re.escape(heading)}\s*$", text, flags=re.M)
    if match is None:
        return ""
    following = text.find("\n## ", match.end())
    return text[match.end():following if following >= 0 else None].strip()


def parse(name: str, text: str) -> Lesson:
    """A lesson from its Markdown: the scenario is the first `name` under "## Scenario" that is
    a scenario file; the claim marks (HTML comments) are dropped from what the student reads."""
    title = re.search(r"^# (.+)$", text, flags=re.M).group(1).strip()
    named = re.findall(r"`([a-z0-9_]+)`", section(text, "Scenario"))
    scenario = next((n for n in named if (SCENARIO_DIR / f"{n}.toml").exists()), "baseline_2020")
    sections = {shown: CLAIM_MARK.sub("", section(text, heading)) for heading, shown in SECTIONS.items()}
    return Lesson(name, title, scenario, {k: v for k, v in sections.items() if v})


@lru_cache(maxsize=1)
def lessons() -> tuple[Lesson, ...]:
    """Every lesson in docs/lessons, in order (read once: the files do not change while serving)."""
    paths = sorted(LESSON_DIR.glob("[0-9][0-9]_*.md"))
    return tuple(parse(p.stem, p.read_text(encoding="utf-8")) for p in paths)
