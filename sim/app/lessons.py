"""The lessons of docs/lessons as the app shows them: title, scenario, what to change, what to
watch, what the model shows and the questions, read from the lesson files (no Solara); and each
lesson's claims block (a fenced ```toml claims block): its claims as lines of
`sim.running.lesson_claims`, the worlds and groups they name, the slider settings to try."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sim.running import lesson_claims
from sim.running.run import run
from sim.schema.scenario import SCENARIO_DIR

LESSON_DIR = Path(__file__).resolve().parents[2] / "docs" / "lessons"
CLAIM_MARK = re.compile(r"\s*<!-- claim: ([a-z0-9_]+) -->")
CLAIMS_BLOCK = re.compile(r"^```toml claims\n(.*?)^```", flags=re.M | re.S)
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
    claims: dict = field(default_factory=dict)  # claim name -> its lines (sim.running.lesson_claims)
    sentences: dict = field(default_factory=dict)  # claim name -> the sentence under "What the model shows"
    worlds: dict = field(default_factory=dict)  # world name -> "SCENARIO KEY=VALUE ..."
    groups: dict = field(default_factory=dict)  # group name -> states
    tries: tuple = ()  # (scenario, {slider key: value}) the lesson asks the reader to try


@dataclass(frozen=True)
class ClaimsBlock:
    """What a lesson's claims block says (empty if it has none)."""

    claims: dict
    worlds: dict
    groups: dict
    tries: tuple


def section(text: str, heading: str) -> str:
    """The Markdown under ``## heading`` up to the next ``## ``; empty if the lesson lacks it."""
    match = re.search(rf"^## {re.escape(heading)}\s*$", text, flags=re.M)
    if match is None:
        return ""
    following = text.find("\n## ", match.end())
    return text[match.end():following if following >= 0 else None].strip()


def claims_block(text: str, scenario: str) -> ClaimsBlock:
    """The lesson's ```toml claims block: [claims] name = [lines], [worlds], [groups], [[try]]
    (``scenario``, default the lesson's, and ``set``, slider key -> value). A line may span
    several lines of the file; it is read as one."""
    match = CLAIMS_BLOCK.search(text)
    data = tomllib.loads(match.group(1)) if match else {}
    claims = {name: [" ".join(line.split()) for line in lines] for name, lines in data.get("claims", {}).items()}
    tries = tuple((t.get("scenario", scenario), dict(t.get("set", {}))) for t in data.get("try", []))
    return ClaimsBlock(claims, data.get("worlds", {}), data.get("groups", {}), tries)


def claim_sentences(text: str) -> dict:
    """{claim name: its sentence} from the marked bullets under "What the model shows"."""
    sentences = {}
    for line in section(text, "What the model shows").splitlines():
        mark = CLAIM_MARK.search(line)
        if line.startswith("- ") and mark:
            sentences[mark.group(1)] = CLAIM_MARK.sub("", line)[2:].strip()
    return sentences


def parse(name: str, text: str) -> Lesson:
    """A lesson from its Markdown: the scenario is the first `name` under "## Scenario" that is
    a scenario file; the claim marks (HTML comments) are dropped from what the student reads."""
    title = re.search(r"^# (.+)$", text, flags=re.M).group(1).strip()
    named = re.findall(r"`([a-z0-9_]+)`", section(text, "Scenario"))
    scenario = next((n for n in named if (SCENARIO_DIR / f"{n}.toml").exists()), "baseline_2020")
    shown_text = CLAIMS_BLOCK.sub("", text)  # the block is for the checks, not for reading beside the charts
    sections = {shown: CLAIM_MARK.sub("", section(shown_text, heading)).strip() for heading, shown in SECTIONS.items()}
    block = claims_block(text, scenario)
    return Lesson(name, title, scenario, {k: v for k, v in sections.items() if v}, block.claims,
                  claim_sentences(text), block.worlds, block.groups, block.tries)


@lru_cache(maxsize=1)
def lessons() -> tuple[Lesson, ...]:
    """Every lesson in docs/lessons, in order (read once: the files do not change while serving)."""
    paths = sorted(LESSON_DIR.glob("[0-9][0-9]_*.md"))
    return tuple(parse(p.stem, p.read_text(encoding="utf-8")) for p in paths)


def try_label(lesson: Lesson, scenario: str, settings: dict, labels: dict, titles: dict) -> str:
    """A try button's words: 'US commitment 0.5', with the scenario's title if not the lesson's."""
    values = ", ".join(f"{labels.get(k, k)} {v:g}" if isinstance(v, (int, float)) else f"{labels.get(k, k)} {v}"
                       for k, v in settings.items())
    return values if scenario == lesson.scenario else f"{values} in {titles.get(scenario, scenario)}"


def check_run(lesson: Lesson, scenario, replicates: int, sliders: dict | None = None) -> list:
    """The lesson's claims checked on ``scenario`` (the page's run: its scenario, sliders and changes
    during the run) over its whole horizon, ``replicates`` runs of each world on the scenario's seed;
    ``sliders``: its starting slider changes, which the worlds marked ``+sliders`` take too."""
    this = run(scenario, replicates=replicates).trajectory
    return lesson_claims.check_claims(lesson.claims, this, lesson.worlds, lesson.groups, replicates, scenario.seed,
                                      where=f"docs/lessons/{lesson.name}.md", sliders=sliders)
