"""The teaching model: one treated tumour and its untreated twin, stepped in lockstep.

``TeachingModel`` is a Mesa model with a flat, keyword-only, defaulted constructor (what Mesa's
SolaraViz needs to rebuild it from its controls). It turns those settings into an
:class:`~xenosim.xenograft.config.Experiment` through :func:`~xenosim.xenograft.config.validate_dict` and runs two
:class:`~xenosim.xenograft.model.MouseModel` mice with the same seed: the *treated* mouse gets the chosen
drugs, the *reference* twin gets none. Because both share every random draw until a drug acts,
the difference between the two curves is the drug effect, not chance.

Protocol: a ball of ``start_volume_mm3`` is implanted and grows for ``PRETREATMENT_DAYS`` under the
host's estradiol only (so the Akt <-> S6K1 feedback settles and the hypoxic core forms), then
treatment day 0 starts. The run stops at ``days`` or when the treated tumour reaches the humane
endpoint (``ENDPOINT_MM3``); the reference twin stops growing at the endpoint too.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import mesa
import numpy as np

from xenosim.biology import fate
from xenosim.biology.signalling import Exposure
from xenosim.core import lattice
from xenosim.core.genotypes import CELL_LINES
from xenosim.core.parameters import PARAMETERS
from xenosim.xenograft.config import Experiment, validate_dict
from xenosim.xenograft.model import MouseModel

PRETREATMENT_DAYS = 1.0
ENDPOINT_MM3 = 1500.0
TIME_STEP_H = 12.0

#: Readouts the cross-section can be coloured by: key -> (label, per-agent array name).
READOUTS: dict[str, tuple[str, str | None]] = {
    "akt": ("Akt activity", "akt"),
    "mtorc1": ("mTORC1 activity", "mtorc1"),
    "er": ("ER activity", "er_activity"),
    "fate": ("Fate", None),
}

#: Cell lines offered on the page: the built-in lines plus teaching lines made of library
#: modifiers (config, not code). PTEN loss gives strongly PI3K-driven, feedback-sensitive Akt.
TEACHING_LINES: dict[str, tuple[list[str], str]] = {
    **CELL_LINES,
    "mcf7_pten_null": (["pten_null"], "MCF-7 with PTEN loss (hypothetical teaching line): strong "
                       "PI3K-driven Akt, still under S6K1 -> IRS-1 feedback"),
}

#: Mechanism switches offered as controls (all the switches of the config schema).
MECHANISM_KEYS = ("ser167_er_link", "s6k1_irs1_feedback", "tamoxifen_partial_agonism",
                  "akt_survival", "heterogeneity", "hypoxia")


class _WithKinaseInhibitor:
    """An exposure profile plus a constant TORC1/2 kinase inhibitor (not in the drug library).

    An ATP-competitive mTOR kinase inhibitor blocks both complexes: the fraction ``f`` is removed
    from mTORC1 activity (on top of any rapalog) and from mTORC2's input to Akt.
    """

    def __init__(self, profile, fraction: float):
        self.profile = profile
        self.fraction = float(fraction)

    def exposure(self, start_h: float, end_h: float) -> Exposure:
        e = self.profile.exposure(start_h, end_h)
        f = self.fraction
        return dataclasses.replace(
            e, mtorc1_inhibition=1.0 - (1.0 - e.mtorc1_inhibition) * (1.0 - f),
            torc2_inhibition=1.0 - (1.0 - e.torc2_inhibition) * (1.0 - f))

    def __getattr__(self, name):
        return getattr(self.profile, name)


def teaching_experiment(*, cell_line: str, estradiol_pellet_mg: float, tamoxifen: bool,
                        tamoxifen_mg: float, cci779: bool, cci779_mg_kg: float,
                        mechanisms: dict[str, bool], start_volume_mm3: float,
                        cells_per_agent: float, days: float, seed: int) -> Experiment:
    """The settings of the page as a validated experiment with two arms: treated, untreated."""
    regimens = []
    if tamoxifen:
        regimens.append({"drug": "tamoxifen", "dose": float(tamoxifen_mg), "dose_unit": "mg",
                         "route": "sc", "schedule": "daily"})
    if cci779:
        regimens.append({"drug": "cci779", "dose": float(cci779_mg_kg), "dose_unit": "mg/kg",
                         "route": "ip", "schedule": "daily x5 every 7 days"})
    pellet = None
    if estradiol_pellet_mg > 0:
        pellet = {"dose_mg": float(estradiol_pellet_mg), "release_days": 90.0,
                  "replace_every_days": 60.0}
    raw = {
        "experiment": "teaching",
        "description": "interactive teaching page: one treated tumour and its untreated twin",
        "seed": int(seed),
        "cell_lines": {cell_line: ({} if cell_line in CELL_LINES
                               else {"modifiers": TEACHING_LINES[cell_line][0],
                                     "description": TEACHING_LINES[cell_line][1]})},
        "host": {"ovariectomised": True, "estradiol_pellet": pellet},
        # the implanted ball is exactly start_volume_mm3: every cell takes, no host scatter
        "inoculum": {"cells": float(start_volume_mm3) / PARAMETERS["cell_volume_mm3"].value,
                     "take_fraction": 1.0},
        "arms": {"treated": {"regimens": regimens}, "untreated": {}},
        "mice_per_arm": 1,
        "study_days": float(days) + PRETREATMENT_DAYS + 1.0,
        "time_step_h": TIME_STEP_H,
        "cells_per_agent": float(cells_per_agent),
        "mechanisms": dict(mechanisms),
        # the teaching tumour grows in the median mouse: host-to-host scatter in take and growth
        # rate is a cohort property (xenosim run shows it); here the seed varies the cells only
        "parameters": {"host_take_sigma_log": 0.0, "host_growth_sigma_log": 0.0},
    }
    return validate_dict(raw, "<teaching page>")


class TeachingModel(mesa.Model):
    """A treated xenograft and its untreated twin, for the teaching page and the lessons.

    Every argument is keyword-only and defaulted: ``TeachingModel()`` is MCF-7 vector cells under
    an estradiol pellet with no drugs.
    """

    def __init__(
        self,
        *,
        cell_line: str = "mcf7_vector",
        estradiol_pellet_mg: float = 0.72,
        tamoxifen: bool = False,
        tamoxifen_mg: float = 0.5,
        cci779: bool = False,
        cci779_mg_kg: float = 20.0,
        torc12_inhibition: float = 0.0,
        ser167_er_link: bool = True,
        s6k1_irs1_feedback: bool = True,
        tamoxifen_partial_agonism: bool = True,
        akt_survival: bool = True,
        heterogeneity: bool = True,
        hypoxia: bool = True,
        start_volume_mm3: float = 150.0,
        cells_per_agent: float = 2000.0,
        days: int = 42,
        reference: bool = True,
        seed: int = 1,
    ):
        super().__init__(rng=int(seed))
        if cell_line not in TEACHING_LINES:
            raise ValueError(f"unknown cell line {cell_line!r}; one of {', '.join(TEACHING_LINES)}")
        if not 0.0 <= torc12_inhibition < 1.0:
            raise ValueError("torc12_inhibition is a fraction in [0, 1)")
        self.settings: dict[str, Any] = {
            "cell_line": cell_line, "estradiol_pellet_mg": float(estradiol_pellet_mg),
            "tamoxifen": bool(tamoxifen), "tamoxifen_mg": float(tamoxifen_mg),
            "cci779": bool(cci779), "cci779_mg_kg": float(cci779_mg_kg),
            "torc12_inhibition": float(torc12_inhibition),
            "ser167_er_link": bool(ser167_er_link), "s6k1_irs1_feedback": bool(s6k1_irs1_feedback),
            "tamoxifen_partial_agonism": bool(tamoxifen_partial_agonism),
            "akt_survival": bool(akt_survival), "heterogeneity": bool(heterogeneity),
            "hypoxia": bool(hypoxia), "start_volume_mm3": float(start_volume_mm3),
            "cells_per_agent": float(cells_per_agent), "days": int(days),
            "reference": bool(reference), "seed": int(seed),
        }
        mechanisms = {k: self.settings[k] for k in MECHANISM_KEYS}
        self.experiment = teaching_experiment(
            cell_line=cell_line, estradiol_pellet_mg=estradiol_pellet_mg, tamoxifen=tamoxifen,
            tamoxifen_mg=tamoxifen_mg, cci779=cci779, cci779_mg_kg=cci779_mg_kg,
            mechanisms=mechanisms, start_volume_mm3=start_volume_mm3,
            cells_per_agent=cells_per_agent, days=days, seed=seed)
        self.cell_line = cell_line
        self.days = int(days)
        self.treated = MouseModel(self.experiment, cell_line, rng=int(seed))
        self.reference = MouseModel(self.experiment, cell_line, rng=int(seed)) if reference else None
        self.arm = arm_name(tamoxifen, cci779, torc12_inhibition)
        self.treatment_started = False
        self.reference_stopped_day: float | None = None
        self.summaries: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(model_reporters={
            key: (lambda m, key=key: m.summaries.get(key, np.nan)) for key in RECORDED})
        self.running = True
        # held while stepping: the page may draw from another thread (SolaraViz "Use Threads")
        self.lock = threading.RLock()
        # grow the implanted ball under the host's estradiol only, then start treatment
        for _ in range(int(round(PRETREATMENT_DAYS * 24.0 / TIME_STEP_H))):
            self._advance()
        self.treated.start_treatment("treated")
        if self.torc12 > 0:
            self.treated.profile = _WithKinaseInhibitor(self.treated.profile, self.torc12)
        if self.reference is not None:
            self.reference.start_treatment("untreated")
        self.treatment_started = True

    # ---- settings ------------------------------------------------------------------------------
    @property
    def torc12(self) -> float:
        return self.settings["torc12_inhibition"]

    @property
    def day(self) -> float:
        """Treatment day (negative during the pre-treatment growth)."""
        return self.treated.time_h / 24.0 - PRETREATMENT_DAYS

    @property
    def tumour(self):
        """The treated tumour (the one drawn on the page)."""
        return self.treated.tumour

    def describe(self) -> str:
        """The treatment in words, as a methods section would put it."""
        s = self.settings
        parts = []
        if s["tamoxifen"]:
            parts.append(f"tamoxifen {s['tamoxifen_mg']:g} mg s.c. daily")
        if s["cci779"]:
            parts.append(f"CCI-779 {s['cci779_mg_kg']:g} mg/kg i.p. daily x5 every 7 days")
        if self.torc12 > 0:
            parts.append(f"TORC1/2 kinase inhibitor ({self.torc12:.0%} inhibition, constant)")
        e2 = (f"estradiol pellet {s['estradiol_pellet_mg']:g} mg / 60 days"
              if s["estradiol_pellet_mg"] > 0 else "no estradiol pellet (ovariectomised)")
        off = [k for k in MECHANISM_KEYS if not s[k]]
        text = f"{TEACHING_LINES[self.cell_line][1]}; {e2}; " + (" + ".join(parts) or "no drug")
        if off:
            text += "; ablated: " + ", ".join(off)
        return text

    # ---- stepping ------------------------------------------------------------------------------
    def _advance(self) -> None:
        self.treated.step()
        ref = self.reference
        if ref is not None and self.reference_stopped_day is None:
            ref.step()
            if ref.tumour.volume_mm3 >= ENDPOINT_MM3:
                self.reference_stopped_day = ref.time_h / 24.0 - PRETREATMENT_DAYS
        self._record()

    def step(self) -> None:
        """One time step (12 h) of both mice; stop at ``days`` or at the endpoint."""
        with self.lock:
            self._advance()
        if self.day >= self.days - 1e-9 or self.treated.tumour.volume_mm3 >= ENDPOINT_MM3:
            self.running = False

    def _record(self) -> None:
        t = self.treated
        s = t.tumour.summary(t.exposure)
        n = max(s.n_agents, 1)
        out = {
            "day": self.day,
            "volume_mm3": t.tumour.volume_mm3,
            "reference_volume_mm3": np.nan,
            "n_agents": s.n_agents,
            "frac_cycling": s.n_cycling / n, "frac_quiescent": s.n_quiescent / n,
            "frac_apoptotic": s.n_apoptotic / n, "frac_necrotic": s.n_necrotic / n,
            "mean_akt": s.mean_akt, "mean_mtorc1": s.mean_mtorc1,
            "mean_er_activity": s.mean_er_activity,
            "er_share_e2": s.er_share_e2, "er_share_tamoxifen": s.er_share_tamoxifen,
            "er_share_ser167": s.er_share_ser167,
            "e2_nM": t.exposure.e2_nM, "tamoxifen_nM": t.exposure.tamoxifen_nM,
            "mtorc1_inhibition": t.exposure.mtorc1_inhibition,
            "reference_mean_akt": np.nan, "reference_mean_mtorc1": np.nan,
            "reference_mean_er_activity": np.nan,
        }
        ref = self.reference
        if ref is not None and self.reference_stopped_day is None:
            r = ref.tumour
            viable = fate.is_viable(r.status)
            out["reference_volume_mm3"] = r.volume_mm3
            if viable.any():
                out["reference_mean_akt"] = float(r.akt[viable].mean())
                out["reference_mean_mtorc1"] = float(r.mtorc1[viable].mean())
                out["reference_mean_er_activity"] = float(r.er_activity[viable].mean())
        self.summaries = out
        self.datacollector.collect(self)

    def history(self):
        """Everything recorded so far, one row per step (a pandas DataFrame)."""
        return self.datacollector.get_model_vars_dataframe()

    def series(self, key: str) -> np.ndarray:
        """One recorded column as a float array (cheap: no DataFrame)."""
        return np.asarray(self.datacollector.model_vars[key], dtype=float)

    # ---- the cross-section and single cells ----------------------------------------------------
    def cross_section(self) -> CrossSection:
        """The cells of the treated tumour on the plane through its centre (z = 0)."""
        tum = self.treated.tumour
        xyz = lattice.site_xyz(tum.n_agents)
        index = np.flatnonzero(xyz[:, 2] == 0)
        return CrossSection(index=index, x=xyz[index, 0].astype(int), y=xyz[index, 1].astype(int),
                            spacing_mm=tum.spacing_mm)

    def readout_values(self, readout: str, index: np.ndarray) -> np.ndarray:
        """Per-cell values of a readout (fate: status codes) for the given agent indices."""
        if readout not in READOUTS:
            raise ValueError(f"unknown readout {readout!r}; one of {', '.join(READOUTS)}")
        tum = self.treated.tumour
        if readout == "fate":
            return tum.status[index]
        return getattr(tum, READOUTS[readout][1])[index]

    def cell_at(self, x: int, y: int) -> int | None:
        """Index of the cell at lattice site (x, y, 0) of the treated tumour, if there is one."""
        cs = self.cross_section()
        hit = np.flatnonzero((cs.x == int(x)) & (cs.y == int(y)))
        return int(cs.index[hit[0]]) if hit.size else None

    def index_of(self, cell_id: int) -> int | None:
        """Current index of the treated tumour's cell with this id (None once it is cleared)."""
        hit = np.flatnonzero(self.treated.tumour.cell_id == np.uint32(cell_id))
        return int(hit[0]) if hit.size else None

    def cell_view(self, index: int) -> dict[str, Any]:
        """A cell's state as its Mesa agent sees it, plus where it sits and its oxygen."""
        agent = self.treated.cell(index)  # TumourCell: a snapshot agent of the mouse model
        state = dict(agent.state)
        agent.remove()  # the snapshot is read; do not keep it registered
        tum = self.treated.tumour
        state["index"] = int(index)
        state["depth_mm"] = float(lattice.depth_below_surface(tum.n_agents, tum.spacing_mm)[index])
        state["oxygen"] = float(tum.oxygen()[index])
        return state


@dataclasses.dataclass
class CrossSection:
    """Agents on the z = 0 plane: their indices and integer lattice coordinates."""

    index: np.ndarray
    x: np.ndarray
    y: np.ndarray
    spacing_mm: float

    @property
    def n(self) -> int:
        return int(self.index.size)

    @property
    def half_width(self) -> int:
        return int(max(np.abs(self.x).max(initial=0), np.abs(self.y).max(initial=0)))


#: Columns the model records every step.
RECORDED = ("day", "volume_mm3", "reference_volume_mm3", "n_agents", "frac_cycling",
            "frac_quiescent", "frac_apoptotic", "frac_necrotic", "mean_akt", "mean_mtorc1",
            "mean_er_activity", "er_share_e2", "er_share_tamoxifen", "er_share_ser167", "e2_nM",
            "tamoxifen_nM", "mtorc1_inhibition", "reference_mean_akt", "reference_mean_mtorc1",
            "reference_mean_er_activity")


def arm_name(tamoxifen: bool, cci779: bool, torc12_inhibition: float = 0.0) -> str:
    """The arm name of a treatment (the names the project's colours are keyed by)."""
    parts = [name for name, on in (("tamoxifen", tamoxifen), ("cci779", cci779),
                                   ("torc12i", torc12_inhibition > 0)) if on]
    return "+".join(parts) or "control"
