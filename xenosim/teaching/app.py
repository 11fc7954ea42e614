"""The interactive teaching page: Mesa's SolaraViz driving a :class:`TeachingModel`.

Serve it with ``xenosim app`` (which runs ``solara run xenosim.teaching.app``). The sidebar holds
Mesa's controls (Reset / play / Step) and the model settings (cell line, estradiol pellet,
tamoxifen, CCI-779, a TORC1/2 kinase inhibitor, mechanism switches, seed): as everywhere in Mesa
SolaraViz, a changed setting takes effect when **Reset** rebuilds the model. The main pane shows
the tumour cross-section (click a cell to read its state as an agent), the live plots and the
lesson text. ``XENOSIM_LESSON=<n>`` in the server's environment opens the page with lesson n.
"""

from __future__ import annotations

import base64
import os
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from xenosim.teaching.figures import FATE_COLOURS, FATE_LABELS
from xenosim.teaching.lessons import LESSONS, lesson
from xenosim.teaching.liveplots import LivePlotRenderer
from xenosim.teaching.model import MECHANISM_KEYS, READOUTS, TEACHING_LINES, TeachingModel
from xenosim.teaching.raster import Raster, cross_section_raster, viridis_css_gradient

#: Agents per lattice site on the page: a 150 mm3 tumour has ~2,400 cells on its central plane.
PAGE_CELLS_PER_AGENT = 2000.0
#: Model steps per redraw while playing (the Step button advances this many steps too).
RENDER_INTERVAL = 1

MECHANISM_LABELS = {
    "ser167_er_link": "S6K1/Akt -> ER Ser167 link",
    "s6k1_irs1_feedback": "S6K1 -> IRS-1 feedback",
    "tamoxifen_partial_agonism": "tamoxifen partial agonism",
    "akt_survival": "Akt survival signal",
    "heterogeneity": "cell-to-cell heterogeneity",
    "hypoxia": "hypoxia / necrosis",
}


def model_params(settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sidebar controls (Mesa ``model_params``), starting at ``settings`` where given."""
    s = {**_defaults(), **(settings or {})}
    params: dict[str, Any] = {
        "cell_line": {"type": "Select", "value": s["cell_line"], "values": list(TEACHING_LINES),
                      "label": "Cell line"},
        "estradiol_pellet_mg": {"type": "SliderFloat", "value": s["estradiol_pellet_mg"],
                                "min": 0.0, "max": 1.7, "step": 0.02,
                                "label": "E2 pellet, mg (0 = none)"},
        "tamoxifen": {"type": "Checkbox", "value": s["tamoxifen"], "label": "Tamoxifen"},
        "tamoxifen_mg": {"type": "SliderFloat", "value": s["tamoxifen_mg"], "min": 0.05,
                         "max": 2.0, "step": 0.05, "label": "tamoxifen mg/day s.c."},
        "cci779": {"type": "Checkbox", "value": s["cci779"], "label": "CCI-779 (temsirolimus)"},
        "cci779_mg_kg": {"type": "SliderFloat", "value": s["cci779_mg_kg"], "min": 1.0,
                         "max": 40.0, "step": 1.0,
                         "label": "CCI-779 mg/kg i.p."},
        "torc12_inhibition": {"type": "SliderFloat", "value": s["torc12_inhibition"], "min": 0.0,
                              "max": 0.95, "step": 0.05,
                              "label": "TORC1/2 inhibitor"},
    }
    for key in MECHANISM_KEYS:
        params[key] = {"type": "Checkbox", "value": s[key], "label": MECHANISM_LABELS[key]}
    params["days"] = {"type": "SliderInt", "value": s["days"], "min": 7, "max": 70, "step": 7,
                      "label": "Treatment days"}
    params["seed"] = {"type": "SliderInt", "value": s["seed"], "min": 1, "max": 100, "step": 1,
                      "label": "Seed"}
    params["cells_per_agent"] = PAGE_CELLS_PER_AGENT  # fixed: the teaching size
    return params


def _defaults() -> dict[str, Any]:
    import inspect

    sig = inspect.signature(TeachingModel.__init__)
    return {k: p.default for k, p in sig.parameters.items() if k != "self"}


def model_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    """The constructor arguments the controls start at (what Reset would use untouched)."""
    return {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}


def _markdown(text: str, font_size: str = "14px") -> None:
    """Markdown rendered to HTML on the server (solara.Markdown fetches KaTeX from a CDN,
    which an offline classroom machine cannot reach)."""
    import markdown

    solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(text, extensions=["tables"]),
                style={"font-size": font_size}, classes=["xenosim-md"])


# ---- the tumour cross-section with the agent's view --------------------------------------------

def _legend(readout: str, raster: Raster) -> None:
    if readout == "fate":
        rows = "".join(
            f'<div><span style="display:inline-block;width:12px;height:12px;background:{c};'
            f'margin-right:6px;vertical-align:middle"></span>{lab} '
            f'({raster.counts[name]:,})</div>'
            for c, lab, name in zip(FATE_COLOURS, FATE_LABELS,
                                    ("cycling", "quiescent", "apoptotic", "necrotic"), strict=True))
        solara.HTML(tag="div", unsafe_innerHTML=rows, style={"font-size": "12px"})
        return
    label = READOUTS[readout][0]
    dead = raster.counts["apoptotic"] + raster.counts["necrotic"]
    html = (
        f'<div style="font-size:12px">{label}</div>'
        '<div style="display:flex;align-items:stretch;height:150px;margin:4px 0">'
        f'<div style="width:14px;background:{viridis_css_gradient()}"></div>'
        '<div style="display:flex;flex-direction:column;justify-content:space-between;'
        'margin-left:4px;font-size:11px"><span>1.0</span><span>0.5</span><span>0.0</span></div>'
        '</div>'
        '<div style="font-size:12px"><span style="display:inline-block;width:12px;height:12px;'
        f'background:#c8c8c8;margin-right:6px;vertical-align:middle"></span>dead ({dead:,})</div>')
    solara.HTML(tag="div", unsafe_innerHTML=html)


def _cell_card(model: TeachingModel, cell_id: int | None) -> None:
    if cell_id is None:
        _markdown("*Click a cell in the picture to read its state (the agent's view).*")
        return
    with model.lock:
        index = model.index_of(cell_id)
        v = model.cell_view(index) if index is not None else None
    if v is None:
        _markdown(f"**Cell {cell_id}** has died and been cleared.")
        return
    where = "on this section" if v["z"] == 0 else f"moved off this section (z = {v['z']})"
    _markdown(
        f"**Cell {v['cell_id']}** — {v['status']}\n\n"
        f"| readout | value |\n|---|---|\n"
        f"| Akt activity | {v['akt']:.2f} |\n| mTORC1 / S6K1 | {v['mtorc1']:.2f} |\n"
        f"| ER activity | {v['er_activity']:.2f} |\n"
        f"| Akt expression (rel.) | {v['akt_expression']:.2f} |\n"
        f"| ER expression (rel.) | {v['er_expression']:.2f} |\n"
        f"| oxygen (rel.) | {v['oxygen']:.2f} |\n"
        f"| depth below surface | {v['depth_mm']:.2f} mm |\n\n"
        f"site ({v['x']}, {v['y']}, {v['z']}), {where}", font_size="12px")


@solara.component
def TumourView(model: TeachingModel):
    """Cross-section coloured by a chosen readout, with legend, scale bar and a clickable cell."""
    update_counter.get()  # redraw after every Step / play tick (Mesa's signal)
    readout = solara.use_reactive("akt")
    # the clicked cell: (model, cell_id); a new model (Reset) forgets it
    picked = solara.use_reactive(None)
    cell_id = picked.value[1] if picked.value and picked.value[0] is model else None
    with model.lock:  # a consistent snapshot even if the model steps in another thread
        index = model.index_of(cell_id) if cell_id is not None else None
        raster = cross_section_raster(model, readout.value, index)
    src = "data:image/png;base64," + base64.b64encode(raster.png).decode()

    def on_click(data: Any) -> None:
        if not isinstance(data, dict):
            return
        site = raster.site_at(float(data.get("offsetX", -1)), float(data.get("offsetY", -1)))
        if site is None:
            return
        with model.lock:
            hit = model.cell_at(*site)
            hit_id = None if hit is None else int(model.tumour.cell_id[hit])
        picked.set(None if hit_id is None else (model, hit_id))

    with solara.Card(f"Tumour cross-section — day {model.day:.1f}"):
        solara.ToggleButtonsSingle(value=readout, values=list(READOUTS), dense=True)
        with solara.Row(style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
            img = solara.v.Html(tag="img", attributes={
                "src": src, "width": raster.size_px, "height": raster.size_px,
                "alt": "tumour cross-section", "class": "xenosim-section",
                "style": f"width:{raster.size_px}px;height:{raster.size_px}px;"
                         "image-rendering:pixelated;cursor:crosshair"})
            solara.v.use_event(img, "click", lambda *args: on_click(args[-1]))
            with solara.Column(style={"min-width": "150px"}):
                _legend(readout.value, raster)
                solara.Text(f"scale bar: {raster.scale_bar_mm:g} mm", style={"font-size": "12px"})
                solara.Text(f"{raster.n_cells:,} cells on the central section "
                            f"(1 site = {model.settings['cells_per_agent']:g} cells)",
                            style={"font-size": "12px"})
        _cell_card(model, cell_id)


# ---- live plots and the lesson -----------------------------------------------------------------

@solara.component
def LivePlots(model: TeachingModel):
    """Tumour volume against the untreated twin, mean pathway activities, ER-activity split."""
    update_counter.get()
    renderer = solara.use_memo(lambda: LivePlotRenderer(model), [model])
    with model.lock:
        png = renderer.render()
    with solara.Card("Live plots"):
        solara.Image(png, width="100%")


@solara.component
def LessonText(number: int):
    """The lesson (without its answers). Static: not redrawn at every step."""
    # headings two levels down: the lesson sits inside a card
    text = "\n".join("##" + line if line.startswith("#") else line
                     for line in lesson(number).student_text().splitlines())
    _markdown(text, font_size="13px")


@solara.component
def RunStatus(model: TeachingModel):
    """The treatment in words and the two tumours' volumes now."""
    update_counter.get()
    twin = model.summaries.get("reference_volume_mm3", float("nan"))
    _markdown(
        f"**{model.describe()}**\n\n"
        f"Treatment day {model.day:.1f}: treated tumour {model.tumour.volume_mm3:,.0f} mm³, "
        f"untreated twin {twin:,.0f} mm³."
        + ("" if model.running else "\n\n*Run finished (end of study or 1,500 mm³ endpoint)."
           " Press Reset for a new run.*")
        + "\n\nChange settings in the sidebar, then press **Reset** to apply them.")


@solara.component
def LessonPanel(model: TeachingModel, number: int | None):
    """The treatment in words, the two tumours' volumes, and the lesson text (if any)."""
    with solara.Card("Experiment", style={"max-height": "640px", "overflow-y": "auto"}):
        RunStatus(model)
        if number is not None:
            LessonText(number)
        else:
            _markdown("**Lessons** (open one with `xenosim app --lesson N`):\n\n" + "\n".join(
                f"{n}. {les.title}" for n, les in LESSONS.items()), font_size="13px")


@solara.component
def MainView(model: TeachingModel, number: int | None):
    """The main pane: cross-section and the experiment / lesson side by side, plots below.

    Each panel subscribes to Mesa's ``update_counter`` so it redraws after every Step / play
    tick (the model object itself stays the same, so its props alone would not trigger it).
    """
    with solara.Column(style={"padding": "8px", "gap": "8px"}):
        with solara.Row(style={"align-items": "flex-start", "flex-wrap": "wrap", "gap": "8px"}):
            with solara.Column(style={"flex": "1 1 620px", "min-width": "600px"}):
                TumourView(model)
            with solara.Column(style={"flex": "1 1 340px", "min-width": "320px"}):
                LessonPanel(model, number)
        LivePlots(model)


def page_for(number: int | None = None):
    """The page component for lesson ``number`` (None: the default settings).

    Mesa's ``SolaraViz`` supplies the app bar and the sidebar (Reset / play / Step, the model
    settings, render interval); the main pane is laid out here rather than in SolaraViz's
    draggable grid, whose fixed-height cards clip a cross-section that grows with the tumour.
    """
    settings = dict(LESSONS[number].settings) if number is not None else {}
    params = model_params(settings)
    title = "xenosim teaching page" + (f" — lesson {number}: {LESSONS[number].title}"
                                       if number is not None else "")

    @solara.component
    def Page():
        model = solara.use_reactive(solara.use_memo(
            lambda: TeachingModel(**model_kwargs(params)), []))
        # slider values always on show (Vuetify hides the thumb label until a slider is dragged):
        # the lessons ask for doses like a 1.7 mg pellet
        solara.Style(".v-slider__thumb-label-container { display: block !important; }"
                     " .v-slider { margin-top: 18px; }")
        SolaraViz(model, components=[], model_params=params, name=title, play_interval=10,
                  render_interval=RENDER_INTERVAL)
        MainView(model.value, number)

    return Page


def _lesson_from_env() -> int | None:
    raw = os.environ.get("XENOSIM_LESSON", "").strip()
    return int(raw) if raw else None


Page = page_for(_lesson_from_env())
