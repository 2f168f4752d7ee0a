"""The lesson panel of the Run tab: pick one of the lessons in docs/lessons; the page loads its
scenario (from quarter 0, the scenario's own settings) and shows its steps, what to watch, its
claims and its questions beside the charts."""

from __future__ import annotations

import solara

from sim.app import lessons

NO_LESSON = "(no lesson: free play)"


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
