"""The drug and genotype library: PK per species (half-life, steady state), PD direction of every
target, and the mechanism checks of issue 7 (TORC1/2 inhibitor vs rapalog on Akt, fulvestrant on
ER, aromatase inhibitor on tumour estrogen)."""

import numpy as np
import pytest

from xenosim.biology import aromatase, serd
from xenosim.biology.signalling import Exposure, steady_state
from xenosim.core.config import Regimen
from xenosim.core.dosing import regimen_doses
from xenosim.core.drugs import ALIASES, DRUGS, TARGETS, drug
from xenosim.core.genotypes import CELL_LINES, MODIFIERS, cell_line
from xenosim.core.parameters import resolve
from xenosim.core.pharmacology import (
    DoseEvent,
    exposure_profile,
    metabolite_serum_nM,
    serum_concentration_nM,
)

MOUSE_KG, HUMAN_KG = 0.025, 70.0
P = resolve()
VECTOR = cell_line("mcf7_vector")
LIBRARY = [n for n, d in DRUGS.items() if d.alias_of is None]
HUMAN = [n for n in LIBRARY if DRUGS[n].human is not None]


def _profile(regimens, species="mouse", days=21, **kw):
    weight = MOUSE_KG if species == "mouse" else HUMAN_KG
    doses: dict = {}
    for r in regimens:
        doses.setdefault(r.drug, []).extend(regimen_doses(r, 0.0, days, weight))
    base = 0.003 if species == "mouse" else 0.0
    return exposure_profile(doses, 24.0 * days, weight, base, species=species, **kw)


def test_every_drug_has_a_known_target_routes_and_graded_sources():
    for name in LIBRARY:
        d = DRUGS[name]
        assert d.target in TARGETS and d.routes, name
        for p in d.params():
            assert p.source and p.unit and p.grade in ("measured", "derived", "assumed"), p.name
    for alias, target in ALIASES.items():
        assert DRUGS[alias].alias_of == target and DRUGS[alias].target == DRUGS[target].target


@pytest.mark.parametrize("species,name", [("mouse", n) for n in LIBRARY]
                         + [("human", n) for n in HUMAN])
def test_iv_bolus_halves_every_half_life(species, name):
    d = drug(name).for_species(species)
    weight = MOUSE_KG if species == "mouse" else HUMAN_KG
    t = np.array([0.0, 1.0, 2.0]) * d.half_life_h.value
    c = serum_concentration_nM(d, [DoseEvent(0.0, 1.0, "iv")], t, weight)
    assert c[1] / c[0] == pytest.approx(0.5) and c[2] / c[0] == pytest.approx(0.25)


@pytest.mark.parametrize("species,name", [("mouse", n) for n in LIBRARY]
                         + [("human", n) for n in HUMAN])
def test_daily_dosing_reaches_the_accumulation_steady_state(species, name):
    d = drug(name).for_species(species)
    weight = MOUSE_KG if species == "mouse" else HUMAN_KG
    k = np.log(2) / d.half_life_h.value
    slowest_h = max(d.half_life_h.value, np.log(2) / d.absorption_rate_per_h.value)  # flip-flop
    days = int(np.ceil(8 * slowest_h / 24)) + 3
    doses = [DoseEvent(24.0 * i, 10.0, "po") for i in range(days)]
    t = np.array([24.0 * (days - 2) + 3, 24.0 * (days - 1) + 3])
    multi = serum_concentration_nM(d, doses, t, weight)
    single = serum_concentration_nM(d, doses[:1], np.array([3.0]), weight)
    assert multi[1] == pytest.approx(multi[0], rel=0.01)  # at steady state
    ka, tau, t3 = d.absorption_rate_per_h.value, 24.0, 3.0
    # Bateman superposition: each exponential accumulates with its own factor 1/(1 - e^{-k tau})
    expected = ((np.exp(-k * t3) / (1 - np.exp(-k * tau)) - np.exp(-ka * t3) / (1 - np.exp(-ka * tau)))
                / (np.exp(-k * t3) - np.exp(-ka * t3)))
    assert multi[1] / single[0] == pytest.approx(expected, rel=0.01)
    assert expected > 1 / (1 - np.exp(-k * tau)) - 1e-9 or ka < k


def test_human_pk_differs_from_mouse_and_half_lives_match_the_labels():
    assert drug("everolimus").for_species("human").half_life_h.value == 30.0
    assert drug("tamoxifen").for_species("human").half_life_h.value >= 120.0
    assert drug("letrozole").for_species("human").half_life_h.value == 48.0
    with pytest.raises(KeyError):
        drug("estradiol").for_species("human")


def test_clinical_regimens_give_clinical_exposures():
    """Everolimus 10 mg daily: whole-blood trough ~15-25 ng/mL; letrozole 2.5 mg daily: >98%
    aromatase block, plasma E2 down ~88 % (Geisler 2002); exemestane 25 mg: ~98%; tamoxifen 20 mg: ~120 ng/mL at 5 weeks."""
    evero = _profile([Regimen(drug="everolimus", dose=10, dose_unit="mg", route="po")], "human")
    trough_ng_ml = evero.tumour_nM["everolimus"][(evero.grid_h >= 24 * 14)
                                                 & (evero.grid_h < 24 * 15)].min() * 0.958
    assert 10 <= trough_ng_ml <= 30
    for ai, low in (("letrozole", 0.98), ("exemestane", 0.96), ("anastrozole", 0.95)):
        dose = {"letrozole": 2.5, "exemestane": 25, "anastrozole": 1}[ai]
        prof = _profile([Regimen(drug=ai, dose=dose, dose_unit="mg", route="po")], "human",
                        aromatase_e2_nM=0.015)
        ex = prof.exposure(24 * 20, 24 * 21)
        assert low <= ex.aromatase_inhibition < 1.0
        # serum E2 falls by ~88 %, not 99 %: non-aromatase estradiol remains (Geisler 2002)
        assert 0.05 * 0.015 < ex.e2_nM < 0.2 * 0.015
    tam = _profile([Regimen(drug="tamoxifen", dose=20, dose_unit="mg", route="po")], "human",
                   days=40)
    serum_ng_ml = serum_concentration_nM(
        drug("tamoxifen").for_species("human"),
        regimen_doses(Regimen(drug="tamoxifen", dose=20, dose_unit="mg", route="po"), 0, 40, 70),
        np.array([24.0 * 35]), HUMAN_KG)[0] * 371.5 / 1000
    assert 60 <= serum_ng_ml <= 200
    assert tam.exposure(24 * 35, 24 * 36).oht_nM > 0.05 * tam.exposure(24 * 35, 24 * 36).tamoxifen_nM


def test_temsirolimus_forms_sirolimus_in_humans_only():
    reg = Regimen(drug="temsirolimus", dose=30, dose_unit="mg", route="po",
                  schedule="daily x5 every 14 days")
    human = _profile([reg], "human", days=28)
    mouse = _profile([Regimen(drug="cci779", dose=20)], "mouse", days=28)
    assert "temsirolimus:rapamycin" in human.tumour_nM and len(mouse.tumour_nM) == 1
    sir = human.tumour_nM["temsirolimus:rapamycin"]
    tem = human.tumour_nM["temsirolimus"]
    # dosing days 0-4; by day 12 the parent (17 h) is gone but sirolimus (62 h) persists
    at = (human.grid_h >= 24 * 12) & (human.grid_h < 24 * 13)
    assert sir[at].mean() > 10 * tem[at].mean()
    occ = human.occupancy_over(24 * 12, 24 * 13)  # the target is held by sirolimus by then
    assert occ["temsirolimus:rapamycin"] > 10 * occ["temsirolimus"]


def test_metabolite_formation_matches_the_analytic_chain():
    parent, met = drug("cci779").for_species("human"), drug("rapamycin").for_species("human")
    dt = 0.25
    t = np.arange(0, 24 * 10, dt)
    cp = serum_concentration_nM(parent, [DoseEvent(0.0, 25.0, "iv")], t, HUMAN_KG)
    cm = metabolite_serum_nM(parent, cp, met, 1.0, dt)
    kp, km = np.log(2) / parent.half_life_h.value, np.log(2) / met.half_life_h.value
    vr = parent.volume_of_distribution_L_per_kg.value / met.volume_of_distribution_L_per_kg.value
    exact = cp[0] * kp * vr / (km - kp) * (np.exp(-kp * t) - np.exp(-km * t))
    assert np.max(np.abs(cm - exact)) < 0.02 * exact.max()


def test_one_pole_filter_is_lfilter():
    """The metabolite recursion, against scipy.signal.lfilter (an independent implementation)."""
    from scipy.signal import lfilter

    from xenosim.core.pharmacology import one_pole_filter

    x = np.random.default_rng(0).random(5000) * np.repeat([0.0, 1.0, 0.0, 3.0], 1250)
    for gain, decay in ((0.3, 0.99), (2.0, 0.5), (1.0, 0.0)):
        np.testing.assert_allclose(one_pole_filter(gain, decay, x),
                                   lfilter([gain], [1.0, -decay], x), rtol=1e-12, atol=1e-14)
    assert one_pole_filter(1.0, 0.5, np.array([])).shape == (0,)
    np.testing.assert_allclose(one_pole_filter(1.0, 0.5, np.array([1.0, 0.0, 0.0])),
                               [1.0, 0.5, 0.25])  # by hand


def test_rapalogs_compete_for_one_site_and_keep_incomplete_emax():
    prof = _profile([Regimen(drug="everolimus", dose=10, route="po"),
                     Regimen(drug="cci779", dose=20)], "mouse")
    assert 0.5 < prof.exposure(24 * 3, 24 * 3 + 12).mtorc1_inhibition <= 0.85


@pytest.mark.parametrize("target,field", [("mtorc1", "mtorc1_inhibition"),
                                          ("mtor_kinase", "mtorc1_inhibition"),
                                          ("mtor_kinase", "torc2_inhibition"),
                                          ("serd", "fulvestrant_nM"),
                                          ("aromatase_inhibitor", "aromatase_inhibition"),
                                          ("aromatase_substrate", "androstenedione_nM")])
def test_pd_rises_with_dose(target, field):
    for name in LIBRARY:
        d = DRUGS[name]
        if d.target != target:
            continue
        route = d.routes[0]
        values = [getattr(_profile([Regimen(drug=name, dose=dose, dose_unit="mg", route=route,
                                            release_days=30 if route == "pellet" else None)])
                          .exposure(24 * 7, 24 * 7 + 12), field) for dose in (0.001, 0.01, 0.1)]
        assert 0 < values[0] < values[1] < values[2], (name, values)


def test_mln0128_lowers_akt_in_vector_cells_where_a_rapalog_raises_it():
    e2 = Exposure(e2_nM=3.6)
    base = steady_state(e2, VECTOR, P)
    rapa = _profile([Regimen(drug="cci779", dose=20)]).exposure(24 * 2, 24 * 2 + 12)
    torc = _profile([Regimen(drug="mln0128", dose=1, route="po")]).exposure(24 * 2, 24 * 2 + 12)
    with_rapa = steady_state(Exposure(e2_nM=3.6, mtorc1_inhibition=rapa.mtorc1_inhibition),
                             VECTOR, P)
    with_torc = steady_state(Exposure(e2_nM=3.6, mtorc1_inhibition=torc.mtorc1_inhibition,
                                      torc2_inhibition=torc.torc2_inhibition), VECTOR, P)
    assert with_rapa.akt > 1.2 * base.akt  # feedback relief
    assert with_torc.akt < 0.8 * base.akt  # mTORC2 -> S473 cut outweighs the relief
    assert with_torc.mtorc1 < with_rapa.mtorc1  # and mTORC1 (4E-BP1) is blocked more fully
    # ablation: without the mTORC2 -> Akt link the TORC1/2 inhibitor behaves like a rapalog
    p_off = resolve(mechanisms={"torc2_akt_link": False})
    off = steady_state(Exposure(e2_nM=3.6, mtorc1_inhibition=torc.mtorc1_inhibition,
                                torc2_inhibition=torc.torc2_inhibition), VECTOR, p_off)
    assert off.akt > base.akt


def test_fulvestrant_lowers_er_protein_and_er_activity():
    prof = _profile([Regimen(drug="fulvestrant", dose=5, dose_unit="mg", route="sc",
                             schedule="every 7 days")])
    ex = prof.exposure(24 * 10, 24 * 11)
    assert ex.fulvestrant_nM > 0
    e2 = steady_state(Exposure(e2_nM=3.6), VECTOR, P)
    fulv = steady_state(Exposure(e2_nM=3.6, fulvestrant_nM=ex.fulvestrant_nM), VECTOR, P)
    assert e2.er_protein == 1.0 and fulv.er_protein < 0.5
    assert fulv.er.total < 0.2 * e2.er.total
    # a pure antagonist: unlike tamoxifen, no agonism even in myr-Akt cells (Ser167 high)
    myr = cell_line("mcf7_myr_akt")
    tam = steady_state(Exposure(e2_nM=0.003, tamoxifen_nM=1e4, oht_nM=500), myr, P)
    ful = steady_state(Exposure(e2_nM=0.003, fulvestrant_nM=1e3), myr, P)
    assert ful.er.total < 0.5 * tam.er.total
    p_off = resolve(mechanisms={"er_degradation": False})
    assert steady_state(Exposure(e2_nM=3.6, fulvestrant_nM=100.0), VECTOR,
                        p_off).er_protein == pytest.approx(1.0)


def test_aromatase_inhibitor_lowers_estrogen_in_mcf7_aro_tumours_given_androstenedione():
    andro = Regimen(drug="androstenedione", dose=0.1, dose_unit="mg", route="sc")
    letro = Regimen(drug="letrozole", dose=0.01, dose_unit="mg", route="sc")
    aro = cell_line("mcf7_aro")
    ovx_only = _profile([]).exposure(24 * 10, 24 * 11)
    with_a = _profile([andro]).exposure(24 * 10, 24 * 11)
    with_a_ai = _profile([andro, letro]).exposure(24 * 10, 24 * 11)
    s_ovx, s_a, s_ai = (steady_state(e, aro, P) for e in (ovx_only, with_a, with_a_ai))
    assert s_a.e2_tumour_nM > 50 * s_ovx.e2_tumour_nM  # androstenedione -> tumour E2
    assert s_ai.e2_tumour_nM < 0.05 * s_a.e2_tumour_nM  # the AI blocks it
    assert s_ai.er.total < s_a.er.total
    # no aromatase, no local estrogen: vector tumours ignore androstenedione
    assert steady_state(with_a, VECTOR, P).e2_tumour_nM == pytest.approx(with_a.e2_nM)
    p_off = resolve(mechanisms={"tumour_aromatase": False})
    assert steady_state(with_a, aro, p_off).e2_tumour_nM == pytest.approx(with_a.e2_nM)


def test_aromatase_saturates_in_substrate_and_host_estrogen_follows_inhibition():
    low = aromatase.intratumoral_estradiol_nM(1.0, 1.0, 0.04, 0.0, 30.0)
    high = aromatase.intratumoral_estradiol_nM(1000.0, 1.0, 0.04, 0.0, 30.0)
    assert low == pytest.approx(0.04 / (1 + 1 / 30)) and high < 0.04 * 30
    assert aromatase.host_estradiol_nM(0.015, 0.99) == pytest.approx(0.00015)
    occ = serd.fulvestrant_occupancy(10.0, 1.0, 0.0, 0.0, 0.22, 0.2, 0.2, 7.0)
    assert 0.5 < occ < 1 and serd.er_protein_remaining(occ, 0.8) == pytest.approx(1 - 0.8 * occ)


def test_genotypes_have_their_signalling_consequence():
    ex = Exposure(e2_nM=0.01)
    s = {name: steady_state(ex, cell_line(name), P) for name in CELL_LINES}
    assert s["mcf7_tsc1_loss"].mtorc1 > s["mcf7_vector"].mtorc1
    assert s["mcf7_tsc1_loss"].akt < s["mcf7_vector"].akt  # S6K1 -> IRS-1 feedback
    for line in ("mcf7_pik3ca_mutant", "mcf7_pten_null", "mcf7_igf1", "mcf7_myr_akt"):
        assert s[line].akt > s["mcf7_vector"].akt, line
    assert s["mcf7_lted"].er.total > s["mcf7_vector"].er.total  # hypersensitive, Ser167
    rapa = Exposure(e2_nM=0.01, mtorc1_inhibition=0.85)
    rise = {n: float(steady_state(rapa, cell_line(n), P).akt - s[n].akt)
            for n in ("mcf7_vector", "mcf7_igf1", "mcf7_myr_akt", "mcf7_tsc1_loss")}
    # IGF-1 feeds Akt through IRS-1, the node S6K1 feedback hits: the largest rapalog rebound;
    # the myr-Akt transgene bypasses IRS-1/PI3K: almost none
    assert rise["mcf7_igf1"] > rise["mcf7_vector"] > 5 * rise["mcf7_myr_akt"] > 0
    assert rise["mcf7_tsc1_loss"] > rise["mcf7_vector"]
    for name, (effect, text) in MODIFIERS.items():
        assert effect and len(text) > 30, name


def test_clinical_regimen_lines_validate():
    Regimen(drug="everolimus", dose=10, dose_unit="mg", route="po", schedule="daily")
    Regimen(drug="temsirolimus", dose=30, dose_unit="mg", route="po",
            schedule="daily x5 every 14 days")
    Regimen(drug="fulvestrant", dose=500, dose_unit="mg", route="im", schedule="every 28 days")
    with pytest.raises(ValueError):
        Regimen(drug="letrozole", dose=2.5, dose_unit="mg", route="im")


def test_mcf7_aro_xenograft_config_runs_the_checks_in_mice():
    """The config-only xenograft: MCF-7 Aro tumours take on androstenedione (no E2 pellet);
    letrozole and fulvestrant lower ER activity, MLN0128 lowers Akt where everolimus raises it."""
    import yaml

    from xenosim.xenograft.config import validate_dict
    from xenosim.xenograft.runner import MouseSpec, simulate_mouse

    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    raw = yaml.safe_load((root / "configs" / "mcf7_aro_aromatase_inhibitor.yaml").read_text())
    raw.update(cells_per_agent=100000, study_days=14, mice_per_arm=1)
    exp = validate_dict(raw)
    spec = MouseSpec("m1", "mcf7_aro", 0, 0)
    last = {}
    for arm in ("control", "letrozole", "fulvestrant", "everolimus", "mln0128"):
        out = simulate_mouse(exp, spec, arm)
        assert out.enrolled, arm  # androstenedione from inoculation lets the tumour take
        last[arm] = out.cells[-1]
    er = {a: c["mean_er_activity"] for a, c in last.items()}
    akt = {a: c["mean_akt"] for a, c in last.items()}
    assert er["letrozole"] < er["control"] - 0.1
    assert er["fulvestrant"] < 0.2 * er["control"]
    assert akt["everolimus"] > akt["control"] > akt["mln0128"]
