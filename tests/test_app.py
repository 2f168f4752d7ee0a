"""The web app's pure parts, without a browser: tile map, colours, the 'why' sentence,
slider ranges, and that what the page runs is what the command line runs: the band of
replicates, the saved scenario file, the link, the downloads, the compare view and the survey."""

import io
import itertools
import zipfile
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import sim
from sim.app import link, playback, survey
from sim.app import session as app
from sim.cli import main
from sim.core.calendar import quarter_label
from sim.core.equations import TERMS
from sim.reports import app_charts, tilemap
from sim.reports.colors import FALLBACK_COLORS, PARTNER_COLORS, partner_color
from sim.running.explain import why_sentence
from sim.schema import parameters
from sim.schema.scenario import Event, load
from sim.schema.survey_pool import pooling_weights

# --- tile map ---------------------------------------------------------------


def cells(tile):
    return {(tile.row + r, tile.col + c) for r in range(tile.rows) for c in range(tile.cols)}


def test_every_state_has_one_tile_and_tiles_do_not_overlap():
    tiles = tilemap.layout(parameters.states())
    assert sorted(t.state for t in tiles) == sorted(parameters.states())
    taken = [cell for t in tiles for cell in cells(t)]
    assert len(taken) == len(set(taken))
    assert all(0 <= r < tilemap.GRID_ROWS and 0 <= c < tilemap.GRID_COLS for r, c in taken)


def test_a_tile_label_is_the_state_name_with_at_most_a_soft_hyphen():
    for state in parameters.states():
        label = tilemap.tile_label(state)
        assert label.replace("\u00ad", "") == state and label.count("\u00ad") <= 1


def test_tiles_sit_roughly_where_the_states_lie():
    where = {t.state: t for t in tilemap.TILES}
    assert (where["Myanmar"].row, where["Myanmar"].col) == (0, 0)  # top left
    assert where["Indonesia"].row == tilemap.GRID_ROWS - 1  # bottom
    assert where["Philippines"].col == max(t.col + t.cols - 1 for t in tilemap.TILES)  # east
    assert where["Laos"].row == where["Vietnam"].row == 0  # north
    assert where["Singapore"].row > where["Malaysia"].row > where["Thailand"].row  # down the peninsula
    assert where["Brunei"].col > where["Malaysia"].col  # on Borneo, east of the peninsula


def test_a_state_without_a_place_gets_a_tile_on_an_extra_row():
    tiles = tilemap.layout(["Vietnam", "Timor-Leste"])
    assert [t.state for t in tiles] == ["Vietnam", "Timor-Leste"]
    assert tiles[1].row == tilemap.GRID_ROWS


def test_tile_colour_is_the_partner_colour_for_an_all_in_state_and_paler_the_more_it_hedges():
    assert tilemap.tile_color("US", 0.0) == PARTNER_COLORS["US"]
    shades = [tilemap.tile_color("CN", h) for h in (0.0, 0.3, 0.6, 1.0)]
    brightness = [sum(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in shades]
    assert brightness == sorted(brightness) and len(set(brightness)) == 4
    assert shades[-1] != "#ffffff"  # even an even spread keeps a hint of the leader's colour


def test_blend_hand_worked():
    assert tilemap.blend("#000000", 0.5) == "#808080"  # 255 - 0.5 * 255 = 127.5 -> 128
    assert tilemap.blend("#1f5fa8", 1.0) == "#1f5fa8"
    assert tilemap.blend("#1f5fa8", 0.0) == "#ffffff"


def test_text_is_white_on_dark_tiles_and_black_on_pale_ones():
    assert tilemap.text_color(PARTNER_COLORS["US"]) == "#ffffff"
    assert tilemap.text_color(tilemap.tile_color("US", 1.0)) == "#000000"
    assert tilemap.text_color("#ffffff") == "#000000"


# --- the explanation sentence -------------------------------------------------


def table(rows: dict, alignment: dict) -> pd.DataFrame:
    frame = pd.DataFrame(rows, index=list(TERMS)).T
    frame["utility"] = frame.sum(axis=1)
    frame["alignment"] = pd.Series(alignment)
    return frame


def test_why_sentence_names_leader_runner_up_and_the_terms_where_the_leader_is_ahead():
    t = table({"US": [0.4, 0.1, 0.4, -0.1, 0.0, 0.2], "JP": [0.1, 0.2, 0.6, -0.05, 0.0, 0.1],
               "CN": [0.0, 0.7, 0.2, 0.0, -0.3, 0.3]}, {"US": 0.5, "JP": 0.3, "CN": 0.2})
    # US minus JP: security +0.3, peer +0.1, economy -0.1, trust -0.2, risk -0.05
    assert why_sentence(t, "Vietnam") == ("Vietnam leans to the United States (50%) rather than Japan (30%) "
                                          "mostly because of security and what its neighbours do.")


def test_why_sentence_when_the_leader_is_ahead_on_nothing():
    t = table({"JP": [0.0] * 6, "KR": [0.0] * 6}, {"JP": 0.5, "KR": 0.5})
    assert why_sentence(t, "Laos").endswith("mostly because of a mix of small differences.")


# --- sliders ----------------------------------------------------------------


@pytest.mark.parametrize("control", app.CONTROLS, ids=lambda c: c.key)
def test_every_control_is_a_schema_parameter_with_a_label_and_help(control):
    spec = parameters.spec(control.key)
    assert control.label and control.help.endswith((".", ")"))
    if spec.kind == "real":
        lo, hi, step = app.slider_range(control.key)
        assert (lo, hi) == (spec.lo, spec.hi)
        assert 50 <= (hi - lo) / step <= 200
    else:
        assert spec.kind == "choice"


def test_sliders_start_from_the_scenario_values():
    assert app.starting_settings(load("asean_unity_strong"))["world.asean_unity"] == 0.9
    base = app.starting_settings(load("baseline_2020"))
    assert base["weights.trust"] == parameters.spec("weights.trust").default
    assert set(base) == {c.key for c in app.CONTROLS}


def test_scenario_picker_lists_every_scenario_baseline_first():
    names = app.scenario_names()
    assert names[0] == "baseline_2020"
    assert sorted(names) == sorted(sim.list_scenarios()["name"])


# --- the page runs what the command line runs --------------------------------


def run_to_end(model):
    while model.running:
        model.step()
    return model.trajectory


def test_a_slider_before_the_first_step_is_the_same_run_as_set():
    scenario = load("baseline_2020")
    settings = {**app.starting_settings(scenario), "world.rivalry": 0.9, "world.china_mode": "assertive"}
    page = run_to_end(app.new_model(scenario, settings))
    cli = sim.run("baseline_2020", engine="mesa",
                  overrides={"world.rivalry": 0.9, "world.china_mode": "assertive"}).trajectory
    np.testing.assert_array_equal(page.alignment, cli.alignment)


def test_a_slider_during_a_run_is_a_scenario_event_at_the_next_step():
    scenario = load("baseline_2020")
    model = app.new_model(scenario, app.starting_settings(scenario))
    for _ in range(6):
        model.step()
    app.change_during_run(model, "world.us_commitment", 0.4)
    app.change_during_run(model, "world.us_commitment", 0.5)  # dragging on: the last value wins
    page = run_to_end(model)
    with_event = replace(scenario, events=(*scenario.events, Event(7, "world.us_commitment", "set", 0.5)))
    expected = sim.run(with_event, engine="mesa").trajectory
    np.testing.assert_array_equal(page.alignment, expected.alignment)
    assert not np.array_equal(page.alignment, sim.run(scenario, engine="mesa").trajectory.alignment)


def test_a_bad_slider_value_is_refused():
    scenario = load("baseline_2020")
    with pytest.raises(sim.InputError):
        app.change_during_run(app.new_model(scenario, {}), "world.asean_unity", 2.0)


def test_explain_panel_shows_the_same_numbers_as_sim_explain():
    scenario = load("china_assertive")
    model = app.new_model(scenario, app.starting_settings(scenario))
    for _ in range(8):
        model.step()
    shown = app.current_table(model, "Philippines")
    expected = sim.explain("china_assertive", state="Philippines", step=8)
    pd.testing.assert_frame_equal(shown, expected, check_exact=False, atol=1e-12, rtol=0)
    assert shown.attrs["step"] == 8


def test_tiles_show_each_states_leader_share_and_hedging():
    scenario = load("baseline_2020")
    model = app.new_model(scenario, {})
    model.step()
    final = model.dyn.alignment[0]
    for info in app.tiles_of(model):
        row = model.inputs.states.index(info["tile"].state)
        powers = [j for j, p in enumerate(model.inputs.partners) if p != "ASEAN"]  # the ASEAN option leads no tile
        lead = max(powers, key=lambda j: final[row, j])
        assert info["lead"] == model.inputs.partners[lead]
        assert info["share"] == pytest.approx(final[row, lead])
        assert info["color"] == tilemap.tile_color(info["lead"], info["hedging"])


def test_asean_now_is_the_mean_over_states():
    model = app.new_model(load("baseline_2020"), {})
    shares = app.asean_now(model)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["US"] == pytest.approx(model.dyn.alignment[0, :, 0].mean())


# --- charts and labels --------------------------------------------------------


@pytest.mark.parametrize("step, label", [(0, "start of 2020"), (1, "2020 Q1"), (4, "2020 Q4"), (5, "2021 Q1"),
                                         (40, "2029 Q4")])
def test_quarter_labels(step, label):
    assert quarter_label(step) == label


def test_charts_are_valid_plotly_figures_with_titles_axis_labels_and_a_legend_entry_per_partner():
    go = pytest.importorskip("plotly.graph_objects")
    model = app.new_model(load("baseline_2020"), {})
    for _ in range(3):
        model.step()
    partners = model.inputs.partners
    lo, hi, _ = app.replicate_band(app.run_scenario(model), replicates=5)
    timeline = app_charts.asean_timeline(model.trajectory.alignment[0, :4].mean(1), partners, 40, "t", band=(lo, hi))
    bars = app_charts.state_bars(model.dyn.alignment[0], model.inputs.states, partners, "b")
    for figure in (timeline, bars):
        go.Figure(figure)  # Plotly's own schema check: raises on any unknown property
        assert figure["layout"]["title"]["text"] and figure["layout"]["xaxis"]["title"]["text"]
        named = [t["name"] for t in figure["data"] if t.get("showlegend", True)]
        assert named == [parameters.PARTNER_NAMES[p] for p in partners]
    assert timeline["layout"]["xaxis"]["range"] == [0, 40]  # the whole horizon from the first quarter on
    assert timeline["layout"]["xaxis"]["ticktext"][:2] == ["2020", "2021"]  # quarters, ticked at the years
    # every partner's band and line share a legend group, so one click on the legend hides both
    groups = [t["legendgroup"] for t in timeline["data"]]
    assert all(groups.count(p) == 3 for p in partners)
    explain = app_charts.explain_chart(app.current_table(model, "Vietnam"))
    go.Figure(explain)
    assert [t["name"] for t in explain["data"]] == [*TERMS, "total score"]


# --- colours ------------------------------------------------------------------------


def _simulated_lab(color: str, deficiency: str) -> np.ndarray:
    """CIELAB of ``color`` as seen with protanopia or deuteranopia (Machado et al. 2009, severity 1)."""
    matrix = {"protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                             [-0.003882, -0.048116, 1.051998]],
              "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                               [-0.011820, 0.042940, 0.968881]]}[deficiency]
    srgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    seen = np.clip(np.array(matrix) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ seen
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def distinguishable(a: str, b: str, deficiency: str) -> bool:
    """Apart in hue and saturation (a*b* distance >= 15) or clearly in lightness (L* >= 30)."""
    la, lb = _simulated_lab(a, deficiency), _simulated_lab(b, deficiency)
    return np.linalg.norm(la[1:] - lb[1:]) >= 15 or abs(la[0] - lb[0]) >= 30


@pytest.mark.parametrize("deficiency", ["protanopia", "deuteranopia"])
def test_the_default_partners_and_asean_stay_apart_with_red_green_colour_blindness(deficiency):
    shown = load("baseline_2020").partners
    assert "ASEAN" in shown
    for a, b in itertools.combinations(shown, 2):
        assert distinguishable(partner_color(a), partner_color(b), deficiency), (a, b)


def test_the_old_red_china_and_green_korea_fail_the_same_check():
    assert not distinguishable("#c8302c", "#3a9e6f", "protanopia")  # the check can fail


def test_an_unknown_partner_code_gets_a_fixed_fallback_colour():
    assert partner_color("ASEAN") == PARTNER_COLORS["ASEAN"]
    assert partner_color("XX") in FALLBACK_COLORS and partner_color("XX") == partner_color("XX")
    assert tilemap.tile_color("XX", 0.0) == partner_color("XX")


# --- band, saved scenario, link, downloads -----------------------------------------------------


def played(name="baseline_2020", start=None, during=(), steps=10):
    """A page's model: sliders ``start`` before the first step, ``during`` = [(after step, key, value)]."""
    scenario = load(name)
    model = app.new_model(scenario, app.starting_settings(scenario) | (start or {}))
    for step in range(steps):
        for when, key, value in during:
            if when == step:
                app.change_during_run(model, key, value)
        model.step()
    return model


def test_the_band_is_the_spread_of_replicates_and_holds_the_pages_run_as_run_0():
    model = played(during=[(4, "world.us_commitment", 0.6)], steps=40)
    lo, hi, result = app.replicate_band(app.run_scenario(model), replicates=20)
    np.testing.assert_array_equal(result.trajectory.alignment[0], model.trajectory.alignment[0])
    assert lo.shape == hi.shape == (41, len(model.inputs.partners))
    assert (lo <= hi).all() and (hi - lo).max() > 0  # noise and crises at sea: the runs differ


def test_a_saved_scenario_reproduces_the_pages_run_number_for_number(tmp_path, capsys):
    model = played("china_assertive", start={"world.rivalry": 0.9, "world.china_mode": "steady"},
                   during=[(3, "world.asean_unity", 0.8), (7, "weights.peer", 1.7)], steps=40)
    name, text = app.scenario_file(model)
    path = tmp_path / name
    path.write_text(text)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    expected = app.current_result(model)
    written = pd.read_parquet(tmp_path / "out" / "alignment.parquet")
    pd.testing.assert_frame_equal(written, expected.alignment, check_exact=True)
    assert load(path).events[-2:] == (Event(4, "world.asean_unity", "set", 0.8), Event(8, "weights.peer", "set", 1.7))


def test_a_link_reopens_the_same_view():
    model = played("us_retrenchment", start={"world.rivalry": 0.8}, during=[(5, "world.asean_unity", 0.7)],
                   steps=12)
    view = link.view_of(model, "Cambodia")
    query = link.encode_view(view)
    assert "q6.world.asean_unity=0.7" in query and "step=12" in query
    assert link.decode_view(query) == view
    reopened, values = link.restore(link.decode_view(query))
    np.testing.assert_array_equal(reopened.trajectory.alignment, model.trajectory.alignment)
    assert values["world.rivalry"] == 0.8  # the starting sliders; then the values in force at the link's quarter:
    shown = playback.values_in_force(reopened, values, 12)
    assert shown["world.rivalry"] == 0.8 and shown["world.asean_unity"] == 0.7


def test_a_link_reopens_the_compare_columns():
    model = played("baseline_2020", steps=2)
    columns = [("baseline_2020", app.starting_settings(load("baseline_2020"))),
               ("us_retrenchment", app.starting_settings(load("us_retrenchment")) | {"world.rivalry": 0.9})]
    view = link.view_of(model, "Vietnam", columns)
    query = link.encode_view(view)
    assert "tab=compare" in query and "a=baseline_2020" in query and "b.world.rivalry=0.9" in query
    assert link.decode_view(query) == view
    assert link.compare_settings(link.decode_view(query)) == columns
    assert link.decode_view(link.encode_view(link.view_of(model, "Vietnam"))).compare == ()  # the Run tab
    only_b = link.decode_view("scenario=china_assertive&tab=compare&b=us_retrenchment")
    assert [name for name, _ in only_b.compare] == ["china_assertive", "us_retrenchment"]


@pytest.mark.parametrize("query, message", [
    ("scenario=nowhere", "scenario = 'nowhere'"),
    ("tab=compare&a=nowhere", "a = 'nowhere'"),
    ("tab=compare&b.world.bogus=1", "world.bogus"),
    ("tab=elsewhere", "tab = 'elsewhere'"),
    ("scenario=scenarios/baseline_2020.toml", "scenario = 'scenarios/baseline_2020.toml'"),
    ("world.rivalry=2", "world.rivalry = 2.0: expected a number in [0, 1]"),
    ("world.rivalry=high", "world.rivalry = 'high': expected a number"),
    ("model.noise=1", "model.noise = '1': expected a slider's key"),
    ("step=-1", "step = '-1': expected a whole number"),
    ("step=99", "step = 99: expected a step from 0 to 40"),
    ("state=Atlantis", "state = 'Atlantis'"),
])
def test_a_bad_link_is_one_line_naming_what_is_wrong(query, message):
    with pytest.raises(sim.InputError) as error:
        link.decode_view(query)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_downloads_hold_the_tables_run_writes_up_to_the_current_quarter():
    model = played(steps=6)
    result = app.current_result(model)
    for fmt in ("csv", "parquet"):
        bundle = zipfile.ZipFile(io.BytesIO(sim.running.run.archive(result, fmt)))
        assert sorted(bundle.namelist()) == sorted([f"{t}.{fmt}" for t in sim.running.run.TABLES]
                                                   + ["final.csv", "manifest.json"])
        data = bundle.read(f"world.{fmt}")
        world = pd.read_csv(io.BytesIO(data)) if fmt == "csv" else pd.read_parquet(io.BytesIO(data))
        assert list(world["step"]) == list(range(7))
    with pytest.raises(sim.InputError):
        sim.running.run.archive(result, "xlsx")


# --- compare view and survey ------------------------------------------------------------------


def test_compare_columns_give_the_paired_differences_of_run_py_compare():
    base = app.starting_settings(load("baseline_2020"))
    columns = [app.column_scenario("baseline_2020", base, "A: baseline_2020"),
               app.column_scenario("baseline_2020", base | {"world.us_commitment": 0.5}, "B: baseline_2020")]
    result = app.compare_columns(columns, replicates=20)
    expected = sim.compare(["baseline_2020", load("baseline_2020").with_overrides({"world.us_commitment": 0.5})],
                           replicates=20)
    np.testing.assert_allclose(result.differences["difference"], expected.differences["difference"])
    assert set(result.differences["measure"]) >= set(load("baseline_2020").partners)
    assert result.differences.query("measure == 'US'")["difference"].iloc[0] < 0  # less US commitment
    assert "B: baseline_2020: " in sim.experiments.comparison.state_summary(result, "B: baseline_2020")[0]


def test_survey_scenarios_show_each_states_survey_answer_beside_the_models():
    model = played("survey_2020", steps=40)
    table = survey.survey_beside_model("survey_2020", app.current_result(model))
    assert table.attrs["year"] == 2020
    states = list(model.inputs.states)
    assert list(table.index) == [*states, survey.ASEAN_ROW]
    expected = app.current_result(model).final.loc[states, "forced_us"] * 100
    np.testing.assert_allclose(table.loc[states, "model, this run"], expected)
    assert table.loc["Brunei", "survey"] == 30.9  # sim/data/survey_panel.csv
    # the last row pools the states as the survey pools its respondents, beside the survey's ASEAN-wide figure
    pooled = expected.to_numpy() @ pooling_weights(states)
    assert table.loc[survey.ASEAN_ROW, "model, this run"] == pytest.approx(pooled)
    assert table.loc[survey.ASEAN_ROW, "survey"] == 53.6
    assert survey.survey_beside_model("baseline_2020", app.current_result(model)) is None


def test_the_survey_table_carries_the_parameter_interval():
    """Issue 14 item 6: an interval over the panel fit's bootstrap draws, around the shipped answer."""
    model = played("survey_2020", steps=40)
    table = survey.survey_beside_model("survey_2020", app.current_result(model))
    bounds = table[survey.INTERVAL_COLUMN].dropna().str.split("-", expand=True).astype(int)
    assert list(bounds.index) == list(model.inputs.states)  # none for the pooled row
    assert (bounds[0] <= bounds[1]).all() and (bounds[1] - bounds[0]).max() > 0
    mean = sim.run("survey_2020", replicates=8).final.loc[list(bounds.index), "forced_us"] * 100
    assert ((bounds[0] - 1 <= mean) & (mean <= bounds[1] + 1)).all()


def test_a_year_without_per_state_figures_shows_blanks():
    model = played("outlook_2023", steps=2)
    table = survey.survey_beside_model("outlook_2023", app.current_result(model))
    others = [s for s in model.inputs.states if s != "Philippines"]  # 2023 published the Philippines' alone
    assert table.loc[others, "survey"].isna().all() and table["model, this run"].notna().all()
    assert table.loc["Philippines", "survey"] == 78.8
    assert table.loc[survey.ASEAN_ROW, "survey"] == 61.1
    assert table.loc[survey.ASEAN_ROW, survey.LAST_SURVEY_COLUMN] == "57.0 (2022)"
    assert table.loc["Cambodia", survey.LAST_SURVEY_COLUMN] == "18.5 (2022)"  # its latest figure before 2023
    assert table.loc["Vietnam", survey.LAST_SURVEY_COLUMN] == "84.0 (2021)"


def test_the_first_survey_year_has_no_earlier_survey():
    model = played("survey_2020", steps=2)
    table = survey.survey_beside_model("survey_2020", app.current_result(model))
    assert table[survey.LAST_SURVEY_COLUMN].isna().all()


def test_ui_refuses_a_bad_port(capsys):
    assert main(["ui", "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip() == "error: port = 70000: expected a whole number from 0 to 65535"


def test_every_lesson_names_a_scenario_and_shows_its_sections_without_claim_marks():
    from sim.app import lessons
    from sim.schema.scenario import load
    found = lessons.lessons()
    assert len(found) == len(list(lessons.LESSON_DIR.glob("[0-9][0-9]_*.md"))) >= 5
    for lesson in found:
        load(lesson.scenario)  # a real scenario
        assert set(lesson.sections) == set(lessons.SECTIONS.values())
        assert all("<!--" not in text for text in lesson.sections.values())


def test_a_lesson_without_a_scenario_file_falls_back_to_the_baseline_and_skips_missing_sections():
    from sim.app import lessons
    lesson = lessons.parse("99_x", "# Lesson 9: X\n\n## Scenario\n\n`no_such_scenario`\n\n## What to watch\n\n- a\n")
    assert (lesson.title, lesson.scenario, list(lesson.sections)) == ("Lesson 9: X", "baseline_2020", ["What to watch"])


def test_every_utility_term_has_a_gloss_and_a_glossed_word_carries_it_as_a_tooltip():
    from sim.app import glossary
    assert glossary.missing_terms() == []
    shown = glossary.term("hedging")
    assert 'class="term"' in shown and glossary.GLOSSARY["hedging"].split(":")[0] in shown
    assert glossary.term("no such word") == "no such word"  # no gloss, no tooltip
    assert "&lt;" in glossary.term("cohesion", "<b>")  # what is shown is escaped


LESSON_WITH_BLOCK = """# Lesson 9: X

## Scenario

`us_retrenchment`

## What the model shows

- The US share falls. <!-- claim: falls -->
- It falls below zero. <!-- claim: below_zero -->

```toml claims
[worlds]
baseline = "baseline_2020"

[claims]
falls = ["mean(share(this, US)) < mean(share(baseline, US))"]
below_zero = [
    \"\"\"mean(share(this, US))
       < 0\"\"\",
]

[[try]]
scenario = "baseline_2020"
set = { "world.us_commitment" = 0.5 }
```
"""


def test_a_lessons_claims_block_gives_its_claims_sentences_and_settings_to_try():
    from sim.app import lessons
    lesson = lessons.parse("99_x", LESSON_WITH_BLOCK)
    assert lesson.claims == {"falls": ["mean(share(this, US)) < mean(share(baseline, US))"],
                             "below_zero": ["mean(share(this, US)) < 0"]}  # a line over two lines is one
    assert lesson.sentences == {"falls": "The US share falls.", "below_zero": "It falls below zero."}
    assert lesson.tries == (("baseline_2020", {"world.us_commitment": 0.5}),)
    titles = {"baseline_2020": "Baseline 2020"}
    assert lessons.try_label(lesson, *lesson.tries[0], {"world.us_commitment": "US commitment"}, titles) \
        == "US commitment 0.5 in Baseline 2020"
    assert "```" not in "".join(lesson.sections.values())  # the block is not shown as a section


def test_checking_a_lesson_on_the_pages_run_measures_that_run_not_the_lessons_scenario():
    from sim.app import lessons, session
    from sim.schema.scenario import load
    lesson = lessons.parse("99_x", LESSON_WITH_BLOCK)
    retreat = load("us_retrenchment")
    falls, below_zero = lessons.check_run(lesson, retreat, replicates=2)
    assert falls.holds and not below_zero.holds  # a share is never below zero: the check can fail
    same_as_baseline = session.column_scenario("baseline_2020", {}, "baseline_2020")
    on_baseline = lessons.check_run(lesson, same_as_baseline, replicates=2)[0]
    assert not on_baseline.holds  # the page runs the baseline: the US share cannot fall below itself
    assert on_baseline.checks[0].measured.split(" < ")[0] == on_baseline.checks[0].measured.split(" < ")[1]


def test_loading_a_lessons_setting_starts_its_scenario_with_the_slider_set():
    pytest.importorskip("solara")
    from sim.app.state import PageState
    state = PageState()
    state.reset("thaad_coercion")
    state.step_once()
    state.load_settings("baseline_2020", {"world.us_commitment": 0.5})
    assert state.scenario_name.value == "baseline_2020" and state.quarter.value == 0
    assert state.settings.value["world.us_commitment"] == 0.5
    assert state.model.value.scenario.name == "baseline_2020"
    assert float(state.shown_values()["world.us_commitment"]) == 0.5


def test_a_claims_sentence_keeps_its_bold_and_code_and_escapes_the_rest():
    pytest.importorskip("solara")
    from sim.app.lesson_view import inline_markdown
    assert inline_markdown("the **risk** bar <b> `world.rivalry`") == \
        "the <b>risk</b> bar &lt;b&gt; <code>world.rivalry</code>"


# --- the compare tab for students (issue 27) ---------------------------------------------------


def test_compare_columns_are_named_by_title_and_what_was_changed():
    from sim.app import compare_tables
    base = app.starting_settings(load("baseline_2020"))
    columns = [("baseline_2020", base), ("baseline_2020", base | {"world.us_commitment": 0.5})]
    names = [s.name for s in compare_tables.column_scenarios(columns)]
    title = load("baseline_2020").title
    assert names == [f"A: {title}", f"B: {title}, US commitment = 0.5"]


def test_a_negligible_difference_reads_as_none_and_a_clear_one_keeps_its_numbers_and_star():
    from sim.app.compare_tables import NEGLIGIBLE_CELL, difference_cell
    from sim.experiments.intervals import NEGLIGIBLE
    tiny = NEGLIGIBLE / 4
    assert difference_cell(tiny, tiny / 2, 1.5 * tiny) == NEGLIGIBLE_CELL  # clear of zero, but within the band
    assert difference_cell(-0.12, -0.125, -0.115) == "-12.0 [-12.5, -11.5] *"
    assert difference_cell(0.01, -0.01, 0.03) == "+1.0 [-1.0, +3.0]"  # not clear of zero: no mark


def test_every_compare_measure_is_in_percent_and_the_differences_in_points():
    from sim.app import compare_tables
    base = app.starting_settings(load("baseline_2020"))
    columns = [("baseline_2020", base), ("baseline_2020", base | {"world.us_commitment": 0.5})]
    result = app.compare_columns(compare_tables.column_scenarios(columns), replicates=10)
    table = compare_tables.alignment_table(result)
    assert all(name.endswith("(%)") for name in table.columns) and "cohesion (%)" in table.columns
    cohesion_b = result.alignment.query("measure == 'cohesion'")["mean"].iloc[1]
    assert table["cohesion (%)"].iloc[1].startswith(f"{100 * cohesion_b:.1f} [")  # percent, as on the Run tab
    us = result.differences.query("measure == 'US'").iloc[0]
    assert compare_tables.difference_table(result)["United States (%)"].iloc[0].startswith(f"{100 * us.difference:+.1f}")
    assert list(compare_tables.state_table(result).index) == list(load("baseline_2020").states)


def test_a_result_is_out_of_date_once_a_column_changes_and_its_link_restores_it():
    pytest.importorskip("solara")
    from sim.app.state import PageState
    state = PageState()
    state.reset()
    state.start_compare()
    state.tab.value = 1
    assert "compared" not in state.address()  # no result yet
    state.set_column(1, key="world.us_commitment", value=0.5)
    state.run_comparison()
    assert not state.comparison_out_of_date() and "compared=1" in state.address()
    query = state.address()
    state.set_column(1, key="world.us_commitment", value=0.6)
    assert state.comparison_out_of_date() and "compared" not in state.address()
    reopened = PageState()
    reopened.open_link(query)  # the link copied while the result was on screen
    assert reopened.comparison.value is None and reopened.compare_pending.value  # computed once the columns show
    reopened.run_pending_comparison()
    assert reopened.comparison.value is not None and not reopened.comparison_out_of_date()
    shown, again = state.comparison.value[0], reopened.comparison.value[0]
    assert shown.labels == again.labels
    pd.testing.assert_frame_equal(shown.differences, again.differences)
    with pytest.raises(sim.InputError, match="compared"):
        link.decode_view("tab=compare&compared=yes")


def test_a_scenarios_description_counts_in_quarters_as_the_screen_does():
    assert app.in_quarters("From step 4 they act; a crisis (steps 8-9); Step 12 ends it; steps alone") == \
        "From quarter 4 they act; a crisis (quarters 8-9); Quarter 12 ends it; steps alone"
    assert "step 4" not in app.in_quarters(load("thaad_coercion").description)
