"""Every library drug in a dish: aromatase inhibitors with androstenedione in the medium act
through the same PD link as in a tumour (MCF-7 Aro cells make estradiol from the substrate)."""

from __future__ import annotations

from xenosim.invitro import simulate, validate_invitro


def _rates(conditions: list[dict], line: str) -> dict[str, float]:
    exp = validate_invitro({
        "mode": "invitro", "experiment": "aromatase_in_a_dish", "seed": 3,
        "agents_per_well": 150, "cell_lines": {line: {}},
        "plates": {"growth": {"media": ["stripped"], "conditions": conditions,
                              "seeding_cells_per_well": 5000, "replicates": 3,
                              "days": [0, 3, 6]}}})
    g = simulate(exp, jobs=1).tables.growth
    return dict(zip(g["condition"], g["growth_rate_per_day"], strict=True))


def test_androstenedione_drives_aro_cells_and_letrozole_blocks_it():
    conds = [{}, {"androstenedione_nM": 10}, {"androstenedione_nM": 10, "letrozole_nM": 100}]
    aro = _rates(conds, "mcf7_aro")
    vehicle, a4, a4_let = aro["vehicle"], aro["A4 10 nM"], aro["Let 100 nM + A4 10 nM"]
    assert a4 > vehicle + 0.1  # the cells' own aromatase makes E2 from the substrate
    assert a4_let < vehicle + 0.5 * (a4 - vehicle)  # the inhibitor removes most of it


def test_cells_without_aromatase_ignore_androstenedione():
    vec = _rates([{}, {"androstenedione_nM": 10}], "mcf7_vector")
    assert abs(vec["A4 10 nM"] - vec["vehicle"]) < 0.05
