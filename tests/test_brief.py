"""The comparison report for a brief: negligible told apart from clear of zero, findings from the tables."""

from __future__ import annotations

import html
import re
import struct

import numpy as np
import pytest

import sim
from sim.experiments import brief
from sim.experiments.comparison import marked_cell, state_table
from sim.experiments.intervals import CLEAR, NEGLIGIBLE, NEGLIGIBLE_WORD, UNCLEAR, negligible_note, reading
from sim.reports.html import image_names, markdown_to_html


@pytest.mark.parametrize("lo, hi, expected", [
    (-0.004, 0.004, NEGLIGIBLE_WORD),  # straddles zero, all within the threshold
    (0.001, 0.003, NEGLIGIBLE_WORD),  # excludes zero but tiny: negligible wins
    (-NEGLIGIBLE, NEGLIGIBLE, NEGLIGIBLE_WORD),  # the edges count as within
    (0.001, 0.006, CLEAR),  # excludes zero, reaches past the threshold
    (-0.09, -0.02, CLEAR),
    (-0.002, 0.006, UNCLEAR),  # straddles zero and reaches past the threshold
    (-0.03, 0.02, UNCLEAR),
])
def test_reading_tells_negligible_from_clear_and_not_clear(lo, hi, expected):
    assert reading(lo, hi).item() == expected
    assert list(reading([lo, lo], [hi, hi])) == [expected, expected]  # arrays too


def test_a_wider_threshold_makes_a_clear_difference_negligible():
    assert reading(0.001, 0.006).item() == CLEAR and reading(0.001, 0.006, threshold=0.01).item() == NEGLIGIBLE_WORD


def test_cells_carry_the_mark_of_their_reading():
    assert marked_cell(-0.1, -0.12, -0.08) == "-10.0 [-12.0, -8.0] *"
    assert marked_cell(0.001, -0.002, 0.004) == "0.1 [-0.2, 0.4] ~"
    assert marked_cell(0.01, -0.01, 0.03) == "1.0 [-1.0, 3.0]"


@pytest.fixture(scope="module")
def comparison():
    return sim.compare(["baseline_2020", "us_retrenchment"], replicates=6, steps=8)


def test_comparison_tables_hold_the_reading_of_every_difference(comparison):
    for frame in (comparison.differences, comparison.states):
        assert list(frame["reading"]) == list(reading(frame["lo"], frame["hi"]))


def test_findings_quote_the_largest_move_and_forced_choice_as_the_tables_show_them(comparison):
    first, second, third = brief.findings(comparison, "us_retrenchment")
    states = comparison.states.query("scenario == 'us_retrenchment'")
    top = states.loc[states["difference"].abs().idxmax()]
    cell = marked_cell(top.difference, top.lo, top.hi).removesuffix(" *").removesuffix(" ~")
    assert cell in first and top.state in first and f"with {top.partner}" in first
    assert cell in state_table(comparison, "us_retrenchment").loc[top.state, top.partner]
    counts = states["reading"].value_counts()
    assert f"{counts.get(CLEAR, 0)} move clear of zero and {counts.get(NEGLIGIBLE_WORD, 0)} are negligible" in first
    drivers = comparison.drivers.query("state != 'ASEAN'")
    most = drivers.loc[drivers["difference"].abs().idxmax()]
    assert f"moves most in {most.state}, {marked_cell(most.difference, most.lo, most.hi)[:-2]}" in second
    asean = comparison.differences.set_index("measure").loc["forced_us"]
    assert f"{100 * asean.difference:.1f} [{100 * asean.lo:.1f}, {100 * asean.hi:.1f}]" in second
    assert "world.us_commitment (events)" in third and f"{100 * asean.difference:.1f} points" in third


def test_the_report_opens_with_findings_and_defines_negligible_in_the_legend(comparison):
    text = brief.report(comparison)
    assert text.index("## Findings") < text.index("## Final ASEAN alignment")
    assert re.search(r"^1\. .+\n2\. .+\n3\. .+$", text, re.M)
    assert text.count(negligible_note()) == text.count("Brackets [lo, hi]") >= 5  # in every legend
    assert "**" not in text and not re.search(r"-0\.0(?![0-9])", text)


def test_findings_without_drivers_fall_back_to_the_asean_wide_tables(comparison):
    no_drivers = sim.experiments.comparison.Comparison(comparison.alignment, comparison.differences,
                                                       comparison.states, comparison.over_time, comparison.manifest)
    sentences = brief.findings(no_drivers, "us_retrenchment")
    assert len(sentences) == 3 and "for ASEAN as a whole" in sentences[1] and "moves most" in sentences[2]
    assert all(np.char.count(s, "[") >= 1 for s in sentences)


def test_the_dot_plot_has_a_row_per_state_and_is_sized_for_a_page(comparison, tmp_path):
    states = list(sim.load("baseline_2020").states)
    frame = brief.dot_frame(comparison, "us_retrenchment")
    assert list(dict.fromkeys(frame["row"])) == [*states, brief.ALL_STATES]
    assert set(frame["series"]) == {*sim.load("baseline_2020").partners, brief.FORCED_SERIES}
    philippines = frame.query("row == 'Philippines' and series == 'US'").iloc[0]
    expected = comparison.states.query("state == 'Philippines' and partner == 'US'").iloc[0]
    assert philippines["difference"] == pytest.approx(100 * expected["difference"])  # points, not fractions
    fig = brief.dot_plot(comparison, "us_retrenchment")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [*states, brief.ALL_STATES]
    assert "percentage points" in ax.get_xlabel() and tuple(fig.get_size_inches()) == (6.5, 4.0)
    written = brief.save(comparison, tmp_path / "cmp")
    png = written["dots us_retrenchment"].read_bytes()
    assert png[:4] == b"\x89PNG" and struct.unpack(">II", png[16:24]) == (975, 600)  # 6.5 x 4 in at 150 dpi
    assert f"]({written['dots us_retrenchment'].name})" in written["report"].read_text()


def test_the_html_report_is_self_contained_and_says_what_the_markdown_says(comparison, tmp_path):
    written = brief.save(comparison, tmp_path / "cmp")
    page = written["html"].read_text()
    sources = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)  # both figures, inline
    assert len(sources) == len(image_names(written["report"].read_text())) == 2
    assert not re.search(r"https?://|<link|<script|@import|url\(", page)
    for sentence in brief.findings(comparison, "us_retrenchment"):
        assert html.escape(sentence, quote=False) in page
    markdown_rows = [line for line in written["report"].read_text().splitlines() if line.startswith("| ")]
    assert page.count("<tr>") == len(markdown_rows)  # every table row, header rows included


def test_markup_in_a_label_is_shown_not_run():
    page = markdown_to_html("# <script>alert(1)</script>\n\n| a |\n|:--|\n| <b>x</b> |\n", "t <i>")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>" not in page and "<title>t &lt;i&gt;" in page


def test_no_cell_or_finding_shows_a_negative_zero():
    assert marked_cell(-0.0001, -0.0002, -0.00001) == "0.0 [0.0, 0.0] ~"
    assert sim.experiments.comparison.unsigned_zero("-0.0 [-0.05, -0.0]") == "0.0 [-0.05, 0.0]"


def test_the_figure_over_time_has_one_y_axis_in_percent_for_every_partner(comparison):
    fig = brief.figure(comparison)
    panels = [ax for ax in fig.axes if ax.lines]
    assert len(panels) == len(sim.load("baseline_2020").partners)
    assert len({ax.get_ylim() for ax in panels}) == 1  # shared: a 0.1-point change looks like one
    highest = max(line.get_ydata().max() for ax in panels for line in ax.lines)
    assert highest > 1 and "%" in fig.get_supylabel()  # percent, as the tables
    assert tuple(fig.get_size_inches())[0] == 6.5


def test_with_parameter_draws_the_driver_findings_say_they_are_at_the_default_parameters(comparison):
    drawn = sim.experiments.comparison.Comparison(comparison.alignment, comparison.differences, comparison.states,
                                                  comparison.over_time,
                                                  comparison.manifest | {"parameter_uncertainty": {}},
                                                  comparison.drivers)
    _, second, third = brief.findings(drawn, "us_retrenchment")
    assert "at the default parameters" in second and "at the default parameters" in third
    assert not any("default parameters" in s for s in brief.findings(comparison, "us_retrenchment"))
