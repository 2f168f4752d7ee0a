"""The lesson panel of the Run tab: pick one of the lessons in docs/lessons; the page loads its
scenario (from quarter 0, the scenario's own settings) and shows its steps, the slider settings
it asks for (one click loads each), what to watch, its claims and its questions beside the
charts, and "Check the claims", which checks each claim on the page's run."""

from __future__ import annotations

import html
import re
import time

import solara

from sim.app import lessons, session

NO_LESSON = "(no lesson: free play)"
CHECK_REPLICATES = session.BAND_REPLICATES  # the runs each world of a claim gets: as many as the band's


@solara.component
def TryButtons(state, lesson):
    """One button per slider setting the lesson asks to try: it loads the scenario and the sliders
    from quarter 0."""
    if not lesson.tries:
        return
    titles = {name: title for title, name in session.scenario_titles().items()}
    with solara.Row(classes=["lesson-tries"], style={"flex-wrap": "wrap", "gap": "6px"}):
        solara.Text("Load a setting the lesson asks for:", classes=["help"])
        for scenario, settings in lesson.tries:
            label = lessons.try_label(lesson, scenario, settings, session.CONTROL_LABELS, titles)
            solara.Button(label, small=True, outlined=True,
                          on_click=lambda s=scenario, v=settings: state.load_settings(s, v))


def inline_markdown(text: str) -> str:
    """A lesson's sentence as HTML: escaped, with its **bold** and `code` kept."""
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text))
    return re.sub(r"`(.+?)`", r"<code>\1</code>", text)


def checks_html(lesson, results) -> str:
    """Each claim as ✓ or ✗, its sentence, and each of its lines with what was measured."""
    items = []
    for result in results:
        mark, kind = ("✓", "holds") if result.holds else ("✗", "fails")
        lines = "".join(f"<li>{'✓' if c.holds else '✗'} measured <b>{html.escape(c.measured)}</b> for "
                        f"<code>{html.escape(c.line)}</code></li>" for c in result.checks)
        sentence = inline_markdown(lesson.sentences.get(result.name, result.name))
        items.append(f'<li class="claim-check {kind}"><span class="claim-mark">{mark}</span> {sentence}'
                     f'<ul class="claim-lines">{lines}</ul></li>')
    return f'<ul class="claim-checks">{"".join(items)}</ul>'


@solara.component
def ClaimChecks(state, lesson):
    """The "Check the claims" button and, once pressed, each claim checked on the page's run (marked
    out of date when the run changes after the check)."""
    checked = solara.use_reactive(None)  # (lesson name, revision, results, seconds)
    revision = state.revision.value

    def check() -> None:
        started = time.perf_counter()
        scenario = session.run_scenario(state.model.value)
        results = lessons.check_run(lesson, scenario, CHECK_REPLICATES, session.changed_from_file(scenario))
        checked.set((lesson.name, state.revision.value, results, time.perf_counter() - started))

    solara.Button("Check the claims", on_click=check, color="primary", outlined=True, classes=["check-claims"])
    if checked.value is None or checked.value[0] != lesson.name:
        solara.Text("Checks each claim below on this run's settings (the whole run, "
                    f"{CHECK_REPLICATES} runs of each), against the worlds the claim names.", classes=["help"])
        return
    _, at_revision, results, seconds = checked.value
    held = sum(r.holds for r in results)
    stale = " Out of date: the run has changed since; check again." if at_revision != revision else ""
    solara.Text(f"{held} of {len(results)} claims hold on this run's settings (checked in {seconds:.1f} s, "
                f"{CHECK_REPLICATES} runs of each world).{stale}",
                classes=["help", "claims-summary"] + (["stale"] if stale else []))
    solara.HTML(unsafe_innerHTML=checks_html(lesson, results))


@solara.component
def LessonPanel(state):
    """A lesson picker; with a lesson picked, its sections under it (each one a fold)."""
    by_title = {lesson.title: lesson for lesson in lessons.lessons()}
    picked = next((lesson for lesson in by_title.values() if lesson.name == state.lesson.value), None)

    def pick(title: str) -> None:
        lesson = by_title.get(title)
        state.lesson.value = lesson.name if lesson else ""
        if lesson is not None:
            state.reset(lesson.scenario)

    with solara.Card(margin=0, classes=["lesson-panel"], style={"margin-bottom": "8px"}):
        solara.Select("Lesson", values=[NO_LESSON, *by_title], value=picked.title if picked else NO_LESSON,
                      on_value=pick)
        if picked is None:
            return
        solara.Text(f"Loaded its scenario ({picked.scenario}) from quarter 0. Follow the steps, then press Play.",
                    classes=["help"])
        for heading, text in picked.sections.items():
            with solara.Details(heading, expand=heading.startswith("Steps")):
                solara.Markdown(text)
            if heading.startswith("Steps"):
                TryButtons(state, picked)
        ClaimChecks(state, picked)
