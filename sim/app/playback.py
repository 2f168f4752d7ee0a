"""The web app's timeline, without Solara: which slider values are in force at the quarter on
screen, where the run's events fall (the markers on the quarter scrubber and the chart), and the
run a change made at an earlier quarter continues from.

The page keeps the run computed so far (the model and its trajectory) and shows one quarter of
it; going back needs no new run. A slider moved at quarter ``q`` acts from ``q + 1``: if the run
had gone past ``q``, what came after is replaced (`branch`), as a reader rewinding a recording
and taking another turn would expect.
"""

from __future__ import annotations

import numpy as np

from sim.app.session import CONTROL_LABELS, user_events
from sim.core.calendar import quarter_label
from sim.model import AlignmentModel
from sim.schema import parameters
from sim.schema.scenario import Event

# Words for the parameter fields scenario events change (the keys' last-but-one part), so a
# marker reads "Philippines: defence ties with JP" rather than "states.Philippines.defense.JP".
FIELD_WORDS = {
    "defense": "defence ties with", "assist": "aid from", "ties": "economic ties with", "history": "history with",
    "trust_gap": "trust gap with", "lean": "lean", "sanction_exposure": "exposure to sanctions",
    "reliability": "reliability", "engagement_budget": "engagement budget", "coercion": "coercion",
}


def key_label(key: str) -> str:
    """A parameter key in words: the slider's label if it has one, else its parts."""
    if key in CONTROL_LABELS:
        return CONTROL_LABELS[key]
    parts = key.split(".")
    if parts[0] == "states" and len(parts) >= 3:
        field = FIELD_WORDS.get(parts[2], parts[2].replace("_", " "))
        return f"{parts[1]}: {field}" + (f" {parts[3]}" if len(parts) > 3 else "")
    if parts[0] == "partners" and len(parts) == 3:
        return f"{parameters.PARTNER_NAMES.get(parts[1], parts[1])}: {FIELD_WORDS.get(parts[2], parts[2])}"
    return parts[-1].replace("_", " ")


def applied(key: str, value, event: Event):
    """``value`` of ``key`` after ``event``: set, or shifted within the key's bounds (as the model does)."""
    if event.op == "set":
        return event.value
    spec = parameters.spec(key)
    return float(np.clip(float(value) + float(event.value), spec.lo, spec.hi))


def values_in_force(model, start: dict, step: int) -> dict:
    """The slider values in force at quarter ``step``: the starting ``start`` values, then every
    event up to that quarter in the model's order (the scenario's own first, then the page's),
    then a change the page made at this quarter, which acts from the next."""
    values = dict(start)
    mine = set(user_events(model))
    for event in model.events:
        due = event.step <= step or (event.step == step + 1 and event in mine)
        if due and event.key in values:
            values[event.key] = applied(event.key, values[event.key], event)
    return values


def event_text(event: Event) -> str:
    """One event in words: 'US commitment = 0.5' or 'Philippines: defence ties with JP +0.2'."""
    if event.op == "set":
        shown = event.value if isinstance(event.value, str) else format(event.value, "g")
        return f"{key_label(event.key)} = {shown}"
    return f"{key_label(event.key)} {float(event.value):+g}"


def timeline_markers(model) -> list[dict]:
    """One marker per quarter with events, in order: ``{"step", "kind", "label"}``, kind "scenario"
    (the scenario's own events) or "yours" (the page's changes; both if the quarter has both)."""
    mine = set(user_events(model))
    by_step: dict[int, list[Event]] = {}
    for event in model.events:
        by_step.setdefault(event.step, []).append(event)
    markers = []
    for step in sorted(by_step):
        events = by_step[step]
        kinds = {"yours" if e in mine else "scenario" for e in events}
        kind = kinds.pop() if len(kinds) == 1 else "both"
        text = "; ".join(("your change: " if e in mine else "") + event_text(e) for e in events)
        markers.append({"step": step, "kind": kind, "label": f"{quarter_label(step)} (quarter {step}): {text}"})
    return markers


def branch(model, step: int) -> AlignmentModel:
    """The run replayed to quarter ``step`` with the page's changes made up to it (those due at
    ``step + 1`` included): what a change made at that quarter continues from. The same model if
    it is at ``step`` already."""
    if model.steps == step:
        return model
    kept = tuple(e for e in user_events(model) if e.step <= step + 1)
    fresh = AlignmentModel(model.scenario)
    fresh.events = tuple(fresh.events) + kept
    for _ in range(step):
        fresh.step()
    return fresh
