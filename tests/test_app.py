"""The web app's pure parts, without a browser: tile map, colours, the 'why' sentence,
slider ranges, and that what the page runs is what the command line runs."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import sim
from sim import app
from sim.cli import main
from sim.core.calendar import quarter_label
from sim.core.equations import TERMS
from sim.reports import app_charts, tilemap
from sim.reports.plots import PARTNER_COLORS
from sim.running.explain import why_sentence
from sim.schema import parameters
from sim.schema.scenario import Event, load

# --- tile map ---------------------------------------------------------------


def cells(tile):
    return {(tile.row + r, tile.col + c) for r in range(tile.rows) for c in range(tile.cols)}


def test_every_state_has_one_tile_and_tiles_do_not_overlap():
    tiles = tilemap.layout(parameters.states())
    assert sorted(t.state for t in tiles) == sorted(parameters.states())
    taken = [cell for t in tiles for cell in cells(t)]
    assert len(taken) == len(set(taken))
    assert all(0 <= r < tilemap.GRID_ROWS and 0 <= c < tilemap.GRID_COLS for r, c in taken)


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
        assert info["lead"] == model.inputs.partners[int(final[row].argmax())]
        assert info["share"] == pytest.approx(final[row].max())
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


def test_charts_have_titles_axis_labels_and_a_legend_per_partner():
    model = app.new_model(load("baseline_2020"), {})
    for _ in range(3):
        model.step()
    partners = model.inputs.partners
    timeline = app_charts.asean_timeline(model.trajectory.alignment[0, :4].mean(1), partners, 40, "t")
    bars = app_charts.state_bars(model.dyn.alignment[0], model.inputs.states, partners, "b")
    for fig in (timeline, bars):
        ax = fig.axes[0]
        assert ax.get_title(loc="left") and ax.get_xlabel()
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [parameters.PARTNER_NAMES[p] for p in partners]
    assert timeline.axes[0].get_xlim() == (2020, 2030)  # the whole horizon from the first quarter on
    explain = app_charts.explain_chart(app.current_table(model, "Vietnam"))
    assert explain.axes[0].get_xlabel()


def test_ui_refuses_a_bad_port(capsys):
    assert main(["ui", "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip() == "error: port = 70000: expected a whole number from 0 to 65535"
