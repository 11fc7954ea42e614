"""The teaching model, its picture, the page's components (solara.render) and ``xenosim app``."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from xenosim.teaching.model import TeachingModel

SMALL = {"cells_per_agent": 20000.0}


def test_constructible_with_no_arguments_and_steps():
    m = TeachingModel()
    assert m.day == 0.0 and m.running
    m.step()
    assert m.day == pytest.approx(0.5)
    assert len(m.history()) >= 2


def test_untreated_twin_is_identical_without_drugs():
    """Same seed, no drug: treated and twin share every random draw, so their volumes agree."""
    m = TeachingModel(**SMALL, days=7)
    while m.running:
        m.step()
    h = m.history()
    assert np.allclose(h["volume_mm3"], h["reference_volume_mm3"])


def test_same_seed_same_numbers_other_seed_differs():
    a, b, c = (TeachingModel(**SMALL, days=3, tamoxifen=True, seed=s) for s in (4, 4, 5))
    for m in (a, b, c):
        while m.running:
            m.step()
    assert a.history().equals(b.history())
    assert not np.allclose(a.history()["volume_mm3"], c.history()["volume_mm3"])


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="unknown cell line"):
        TeachingModel(cell_line="mcf7_nope")
    with pytest.raises(ValueError, match="torc12_inhibition"):
        TeachingModel(torc12_inhibition=1.5)


def test_raster_click_maps_back_to_every_cell():
    from xenosim.teaching.raster import cross_section_raster

    m = TeachingModel()
    cs = m.cross_section()
    assert cs.n >= 2000  # teaching size: at least 2,000 cells on screen
    r = cross_section_raster(m, "fate")
    h, pps = r.half_width, r.pixels_per_site
    # the centre pixel of each cell's block maps back to that cell
    px = (cs.x + h) * pps + pps / 2
    py = (h - cs.y) * pps + pps / 2
    for k in range(0, cs.n, 97):
        assert m.cell_at(*r.site_at(px[k], py[k])) == cs.index[k]
    assert r.site_at(-1, 5) is None
    assert sum(r.counts.values()) == cs.n


def test_cell_view_is_the_agents_state():
    m = TeachingModel(**SMALL)
    i = m.cell_at(0, 3)
    v = m.cell_view(i)
    assert v["index"] == i and (v["x"], v["y"], v["z"]) == (0, 3, 0)
    assert 0 <= v["akt"] <= 1 and 0 <= v["oxygen"] <= 1
    assert m.index_of(v["cell_id"]) == i


def _render(number):
    import solara
    from solara.components.applayout import AppLayout

    from xenosim.teaching.app import page_for

    return solara.render(AppLayout(children=[page_for(number)()]), handle_error=False)


def _title(rc) -> str:
    from solara.widgets.widgets import HTML

    return next(w.unsafe_innerHTML for w in rc.find(HTML).widgets
                if str(w.unsafe_innerHTML).startswith("Tumour cross-section"))


def _markdown_text(rc) -> str:
    """Text of every HTML widget on the page (server-rendered Markdown)."""
    from solara.widgets.widgets import HTML

    return " ".join(w.unsafe_innerHTML for w in rc.find(HTML).widgets)


def test_page_components_step_pick_and_reset():
    pytest.importorskip("solara")
    import ipyvuetify as v

    box, rc = _render(1)
    assert _title(rc).endswith("day 0.0")
    step = next(b for b in rc.find(v.Btn).widgets if b.children == ["Step"])
    step.click()
    assert _title(rc).endswith("day 0.5")
    # a click on the picture picks the cell under it and shows its state
    img = rc.find(v.Html, tag="img").widget
    size = int(img.attributes["width"])
    img.fire_event("click", {"offsetX": size / 2, "offsetY": size * 0.3})
    assert "Akt activity" in _markdown_text(rc) and "Cell " in _markdown_text(rc)
    # a control changes the model when Reset rebuilds it
    assert "tamoxifen 0.5 mg s.c. daily" in _markdown_text(rc)
    box = next(c for c in rc.find(v.Checkbox).widgets if c.label == "Tamoxifen")
    box.v_model = False
    reset = next(b for b in rc.find(v.Btn).widgets if b.children == ["Reset"])
    reset.click()
    assert _title(rc).endswith("day 0.0")
    assert "no drug" in _markdown_text(rc)


def test_app_command_rejects_bad_input():
    from xenosim.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["app", "--lesson", "9", "--no-browser"])
    assert res.exit_code == 2 and "no such lesson" in res.output
    res = runner.invoke(app, ["app", "--port", "70000", "--no-browser"])
    assert res.exit_code == 2 and "65535" in res.output
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        res = runner.invoke(app, ["app", "--port", str(busy), "--no-browser"])
    assert res.exit_code == 2 and "already in use" in res.output
    assert "Traceback" not in res.output


def test_live_plots_redraw_only_the_data_and_grow_their_axis():
    from xenosim.teaching.liveplots import LivePlotRenderer

    m = TeachingModel(**SMALL, days=14)
    r = LivePlotRenderer(m)
    first = r.render()
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    ceiling = r._ceiling
    while m.running:
        m.step()
        r.render()
    assert r.render() != first
    assert r._ceiling > ceiling  # the vector tumour outgrew the first volume axis
    assert r._ceiling >= m.tumour.volume_mm3


def test_page_lesson_picker_keep_run_and_hidden_internals():
    pytest.importorskip("solara")
    import ipyvuetify as v

    from xenosim.teaching.app import CELL_LINE_LABELS
    from xenosim.teaching.model import TEACHING_LINES

    box, rc = _render(1)
    labels = {str(w.label) for w in rc.find(v.Slider).widgets}
    labels |= {str(w.label) for w in rc.find(v.Checkbox).widgets}
    assert not labels & {"Play Interval (ms)", "Render Interval (steps)", "Use Threads"}
    # the cell-line menu shows words, not config ids
    cell = next(s for s in rc.find(v.Select).widgets if s.label == "Cell line")
    assert cell.items == [CELL_LINE_LABELS[k] for k in TEACHING_LINES]
    assert not any(str(i).startswith("mcf7_") for i in cell.items)
    # keep this run: its letter and treatment appear under the plots; at most four kept
    step = next(b for b in rc.find(v.Btn).widgets if b.children == ["Step"])
    keep = next(b for b in rc.find(v.Btn).widgets if b.children == ["Keep this run"])
    step.click()
    keep.click()
    assert "<strong>A</strong> (solid)" in _markdown_text(rc)
    for _ in range(4):
        keep.click()
    text = _markdown_text(rc)
    assert "<strong>D</strong>" in text and "<strong>E</strong>" not in text
    # the lesson picker switches lesson in place: new settings, new model, kept runs cleared
    picker = next(s for s in rc.find(v.Select).widgets if s.label == "Lesson")
    picker.v_model = next(i for i in picker.items if i.startswith("Lesson 2"))
    text = _markdown_text(rc)
    assert "myr-Akt" in text and "<strong>A</strong>" not in text
    assert _title(rc).endswith("day 0.0")
