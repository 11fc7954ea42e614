"""The interactive teaching page: a :class:`TeachingModel` driven by Mesa's ``ModelController``.

Serve it with ``xenosim app`` (which runs ``solara run xenosim.teaching.app``). The sidebar holds
a lesson picker (changing lesson needs no restart), Mesa's Reset / play / Step buttons, "keep this
run" (up to four earlier runs stay drawn on the live plots, so a lesson's A/B/C/D comparison is on
screen), the lesson text and the settings (cell line, estradiol pellet, tamoxifen, CCI-779, a
TORC1/2 kinase inhibitor, mechanism switches, seed); a changed setting takes effect when **Reset**
rebuilds the model, as in Mesa SolaraViz. Mesa's internal controls (play / render interval,
threads) are fixed here, not shown to students. The main pane shows the tumour cross-section
(click a cell to read its state as an agent) beside the live plots, sized for a 1280x720
projector. ``XENOSIM_LESSON=<n>`` in the server's environment opens the page with lesson n.
"""

from __future__ import annotations

import base64
import os
from typing import Any

import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from xenosim.biology import fate
from xenosim.teaching.figures import FATE_COLOURS, FATE_LABELS
from xenosim.teaching.lessons import LESSONS, lesson
from xenosim.teaching.liveplots import MAX_KEPT_RUNS, KeptRun, LivePlotRenderer
from xenosim.teaching.model import MECHANISM_KEYS, READOUTS, TEACHING_LINES, TeachingModel
from xenosim.teaching.raster import Raster, cross_section_raster, viridis_css_gradient

#: Agents per lattice site on the page: a 150 mm3 tumour has ~2,400 cells on its central plane.
PAGE_CELLS_PER_AGENT = 2000.0
#: Model steps per redraw while playing (the Step button advances this many steps too).
RENDER_INTERVAL = 1
#: Pause between play ticks (ms): Mesa's play interval, fixed (the step itself sets the pace).
PLAY_INTERVAL_MS = 10
#: On-screen size of the cross-section (px): with the plots beside it, fits a 1280x720 projector.
SECTION_DISPLAY_PX = 300

#: What the cell-line menu shows (the config ids stay behind the scenes).
CELL_LINE_LABELS = {
    "mcf7_vector": "MCF-7 vector (parental)",
    "mcf7_myr_akt": "MCF-7 myr-Akt (active Akt)",
    "mcf7_pten_null": "MCF-7 PTEN loss (hypothetical)",
    "mcf7_aro": "MCF-7 Aro (aromatase)",
    "mcf7_pik3ca_mutant": "MCF-7 extra PIK3CA mutation",
    "mcf7_tsc1_loss": "MCF-7 TSC1 loss",
    "mcf7_igf1": "MCF-7 + IGF-1",
    "mcf7_lted": "MCF-7 LTED (estrogen-deprived)",
}


def cell_line_label(cell_line: str) -> str:
    """The menu label of a cell line (its id when no label is written down)."""
    return CELL_LINE_LABELS.get(cell_line, cell_line)

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
                      "labels": [cell_line_label(c) for c in TEACHING_LINES],
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


def start_settings(number: int | None) -> dict[str, Any]:
    """The constructor arguments lesson ``number`` (None: free play) opens with."""
    return model_kwargs(model_params(dict(LESSONS[number].settings) if number is not None else {}))


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
                                    fate.STATUS_NAMES, strict=True))
        solara.HTML(tag="div", unsafe_innerHTML=rows, style={"font-size": "13px"})
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
        scale = raster.size_px / SECTION_DISPLAY_PX  # the picture is shown scaled
        site = raster.site_at(float(data.get("offsetX", -1)) * scale,
                              float(data.get("offsetY", -1)) * scale)
        if site is None:
            return
        with model.lock:
            hit = model.cell_at(*site)
            hit_id = None if hit is None else int(model.tumour.cell_id[hit])
        picked.set(None if hit_id is None else (model, hit_id))

    with solara.Card(style={"padding": "6px"}):
        solara.HTML(tag="div", unsafe_innerHTML=f"Tumour cross-section — day {model.day:.1f}",
                    classes=["xenosim-title"])
        solara.ToggleButtonsSingle(value=readout, values=list(READOUTS), dense=True)
        with solara.Row(style={"align-items": "flex-start", "flex-wrap": "nowrap", "gap": "6px"}):
            img = solara.v.Html(tag="img", attributes={
                "src": src, "width": SECTION_DISPLAY_PX, "height": SECTION_DISPLAY_PX,
                "alt": "tumour cross-section", "class": "xenosim-section",
                "style": f"width:{SECTION_DISPLAY_PX}px;height:{SECTION_DISPLAY_PX}px;"
                         "image-rendering:pixelated;cursor:crosshair"})
            solara.v.use_event(img, "click", lambda *args: on_click(args[-1]))
            with solara.Column(style={"min-width": "120px", "max-width": "130px"}):
                _legend(readout.value, raster)
                solara.Text(f"scale bar: {raster.scale_bar_mm:g} mm", style={"font-size": "13px"})
                solara.Text(f"{raster.n_cells:,} cells on the section "
                            f"(1 site = {model.settings['cells_per_agent']:g} cells)",
                            style={"font-size": "13px"})
        _cell_card(model, cell_id)


# ---- live plots, kept runs and the lesson -------------------------------------------------------

def keep_run(model: TeachingModel, kept: list[KeptRun]) -> list[KeptRun]:
    """``kept`` plus the current run (lettered A, B, ...); at most MAX_KEPT_RUNS, oldest dropped."""
    with model.lock:
        run = KeptRun.of(model, label="")
    runs = (list(kept) + [run])[-MAX_KEPT_RUNS:]
    return [r.relabelled(chr(ord("A") + i)) for i, r in enumerate(runs)]


@solara.component
def LivePlots(model: TeachingModel, kept: list[KeptRun]):
    """Tumour volume against the untreated twin, mean pathway activities, ER-activity split,
    with the kept earlier runs drawn behind."""
    update_counter.get()
    renderer = solara.use_memo(lambda: LivePlotRenderer(model, kept=kept), [model, tuple(kept)])
    with model.lock:
        png = renderer.render()
    with solara.Card(style={"padding": "6px"}, classes=["xenosim-plots"]):
        solara.HTML(tag="div", unsafe_innerHTML="Live plots", classes=["xenosim-title"])
        solara.Image(png, width="100%")
        if kept:
            _markdown("  \n".join(f"**{r.label}** ({r.linestyle_name}): {r.description}, "
                                  f"{r.final_volume_mm3:,.0f} mm³ on day {r.final_day:.1f}"
                                  for r in kept), font_size="13px")


@solara.component
def LessonText(number: int):
    """The lesson (without its answers). Static: not redrawn at every step."""
    # headings two levels down: the lesson sits inside a card
    text = "\n".join("##" + line if line.startswith("#") else line
                     for line in lesson(number).student_text().splitlines())
    _markdown(text, font_size="14px")


@solara.component
def RunStatus(model: TeachingModel):
    """The treatment in words and the two tumours' volumes now."""
    update_counter.get()
    twin = model.summaries.get("reference_volume_mm3", float("nan"))
    _markdown(
        f"**{model.describe()}**\n\n"
        f"Day {model.day:.1f}: treated {model.tumour.volume_mm3:,.0f} mm³, "
        f"untreated twin {twin:,.0f} mm³."
        + ("" if model.running else "\n\n*Run finished (end of study or 1,500 mm³ endpoint)."
           " Press Reset for a new run.*"), font_size="13px")


LESSON_CHOICES = {"free play (no lesson)": None,
                  **{f"Lesson {n}: {les.title}": n for n, les in LESSONS.items()}}


def _lesson_choice(number: int | None) -> str:
    return next(k for k, v in LESSON_CHOICES.items() if v == number)


@solara.component
def SettingsPanel(settings: solara.Reactive[dict[str, Any]], number: int | None):
    """The model settings (applied by Reset), with human labels; the cell-line ids stay hidden."""
    params = model_params(dict(LESSONS[number].settings) if number is not None else {})

    def put(name: str, value: Any) -> None:
        settings.set({**settings.value, name: value})

    for name, opt in params.items():
        if not isinstance(opt, dict):
            continue
        value = settings.value.get(name, opt["value"])
        kind = opt["type"]
        if kind == "Select":
            labels = opt.get("labels", opt["values"])
            to_value = dict(zip(labels, opt["values"], strict=True))
            solara.Select(opt["label"], value=labels[opt["values"].index(value)],
                          values=labels, on_value=lambda lab, n=name, m=to_value: put(n, m[lab]))
        elif kind == "Checkbox":
            solara.Checkbox(label=opt["label"], value=bool(value),
                            on_value=lambda x, n=name: put(n, x))
        else:
            slider = solara.SliderFloat if kind == "SliderFloat" else solara.SliderInt
            slider(opt["label"], value=value, min=opt["min"], max=opt["max"], step=opt["step"],
                   on_value=lambda x, n=name: put(n, x))


_CSS = """
.v-slider__thumb-label-container { display: block !important; }
.v-slider { margin-top: 18px; }
.xenosim-md table { border-collapse: collapse; }
.xenosim-md td, .xenosim-md th { padding: 0 6px; }
.xenosim-main { padding-bottom: 44px; }
.v-navigation-drawer { width: 310px !important; min-width: 310px !important; }
.solara-content-main { padding-top: 4px !important; }
.xenosim-title { font-size: 17px; font-weight: 500; margin: 2px 0 4px 0; }
"""


def page_for(number: int | None = None):
    """The page component, opening on lesson ``number`` (None: free play, default settings).

    The lesson picker in the sidebar switches lesson in place: settings and model are rebuilt and
    the kept runs cleared, with no server restart.
    """

    @solara.component
    def Page():
        current = solara.use_reactive(number)
        settings = solara.use_reactive(
            start_settings(number))
        model = solara.use_reactive(solara.use_memo(
            lambda: _take_warm_model(number) or TeachingModel(**settings.value), []))
        kept = solara.use_reactive([])
        # Mesa's internals, fixed and not shown (ModelController needs reactive values)
        play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
        render_interval = solara.use_reactive(RENDER_INTERVAL)
        use_threads = solara.use_reactive(False)

        def pick_lesson(choice: str) -> None:
            n = LESSON_CHOICES[choice]
            new = start_settings(n)
            current.set(n)
            settings.set(new)
            kept.set([])
            model.set(TeachingModel(**new))

        solara.Style(_CSS)
        title = "xenosim teaching page" + (
            f" — lesson {current.value}: {LESSONS[current.value].title}"
            if current.value is not None else "")
        solara.Title(title)
        with solara.AppBar():
            solara.AppBarTitle(title)
        with solara.Sidebar(), solara.Column(style={"gap": "6px"}):
            solara.Select("Lesson", value=_lesson_choice(current.value),
                          values=list(LESSON_CHOICES), on_value=pick_lesson)
            with solara.Card("Run", style={"padding": "6px"}):
                ModelController(model, model_parameters=settings, play_interval=play_interval,
                                render_interval=render_interval, use_threads=use_threads)
                with solara.Row(style={"margin-top": "6px"}):
                    solara.Button("Keep this run", color="secondary", outlined=True, small=True,
                                  on_click=lambda: kept.set(keep_run(model.value, kept.value)))
                    solara.Button("Clear kept", text=True, small=True, disabled=not kept.value,
                                  on_click=lambda: kept.set([]))
                RunStatus(model.value)
                solara.Text("Change settings below, then press Reset to apply them.",
                            style={"font-size": "13px"})
            if current.value is not None:
                with solara.Details("Lesson text", expand=True):
                    LessonText(current.value)
            with solara.Details("Settings", expand=True):
                SettingsPanel(settings, current.value)
            solara.Text("Built with Mesa and Solara.", style={"font-size": "12px",
                                                              "color": "#666"})
        MainView(model.value, kept.value)

    return Page


@solara.component
def MainView(model: TeachingModel, kept: list[KeptRun]):
    """The main pane: the cross-section beside the live plots (fits a 1280x720 projector).

    Each panel subscribes to Mesa's ``update_counter`` so it redraws after every Step / play
    tick (the model object itself stays the same, so its props alone would not trigger it).
    """
    # side by side always (no wrap): on a narrow screen the plots shrink rather than drop below
    with solara.Row(style={"align-items": "flex-start", "flex-wrap": "nowrap", "gap": "6px",
                           "padding": "4px"}, classes=["xenosim-main"]):
        with solara.Column(style={"flex": "0 0 440px"}):
            TumourView(model)
        with solara.Column(style={"flex": "1 1 430px", "min-width": "0", "max-width": "620px"}):
            LivePlots(model, kept)


# ---- a warm start ------------------------------------------------------------------------------
# The first visitor should not wait for a model build: one model for the start lesson is built
# when the server imports this module (and its step, raster and plot code run once, so numpy /
# matplotlib caches are warm). Later sessions build their own.
_WARM: dict[int | None, TeachingModel] = {}


def _warm_up(number: int | None) -> None:
    settings = start_settings(number)
    model = TeachingModel(**settings)
    cross_section_raster(model, "akt")
    LivePlotRenderer(model).render()
    probe = TeachingModel(**settings)  # exercise a step on a throwaway copy
    probe.step()
    cross_section_raster(probe, "fate")
    _WARM[number] = model


def _take_warm_model(number: int | None) -> TeachingModel | None:
    return _WARM.pop(number, None)


def _lesson_from_env() -> int | None:
    raw = os.environ.get("XENOSIM_LESSON", "").strip()
    return int(raw) if raw else None


START_LESSON = _lesson_from_env()
if os.environ.get("XENOSIM_WARM", "") == "1":  # set by `xenosim app`
    _warm_up(START_LESSON)
Page = page_for(START_LESSON)
