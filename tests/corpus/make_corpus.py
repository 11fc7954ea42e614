"""Write the bad-input corpus (tests/corpus/*): one file per case plus ``cases.json``.

Run from the repository root: ``python tests/corpus/make_corpus.py``. Each case is a mutation
of a shipped config (or a small caliper table / a scheduler address) that must be refused with
exit code 2, no traceback, a message naming the file and the key or row, and no output left.
``cases.json`` lists for each case: its file, the command kind and the words the message must
contain. The files are committed; re-run this script after changing a shipped config.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CASES: list[dict] = []


def _load(rel: str) -> dict:
    return yaml.safe_load((ROOT / rel).read_text())


def _set(raw: dict, path: str, value) -> dict:
    raw = copy.deepcopy(raw)
    node = raw
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node.setdefault(p, {})
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return raw


def add(kind: str, name: str, content: str | bytes, expect: list[str], ext: str = "yaml",
        command: str | None = None) -> None:
    """Write one case file; ``expect``: words the error message must contain."""
    folder = HERE / kind
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.{ext}"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    CASES.append({"id": f"{kind}/{name}", "file": f"{kind}/{name}.{ext}",
                  "command": command or kind, "expect": expect})


def dump(raw) -> str:
    return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)


def xenograft() -> None:
    base = _load("configs/degraffenried2004.yaml")
    reg = "arms.tamoxifen.regimens.0"
    muts = {
        "seed_true": ("seed", True, ["seed"]),
        "seed_negative": ("seed", -1, ["seed"]),
        "seed_text": ("seed", "abc", ["seed"]),
        "seed_fraction": ("seed", 1.5, ["seed"]),
        "name_dotdot": ("experiment", "..", ["experiment"]),
        "name_dot": ("experiment", ".", ["experiment"]),
        "name_300_chars": ("experiment", "x" * 300, ["experiment"]),
        "name_slash": ("experiment", "a/b", ["experiment"]),
        "name_empty": ("experiment", "", ["experiment"]),
        "study_days_nan": ("study_days", float("nan"), ["study_days"]),
        "study_days_inf": ("study_days", float("inf"), ["study_days"]),
        "study_days_negative": ("study_days", -1, ["study_days"]),
        "study_days_zero": ("study_days", 0, ["study_days"]),
        "study_days_text": ("study_days", "eight weeks", ["study_days"]),
        "study_days_1e6": ("study_days", 1.0e6, ["--force", "GB"]),
        "time_step_zero": ("time_step_h", 0, ["time_step_h"]),
        "time_step_tiny": ("time_step_h", 1.0e-4, ["--force", "minutes"]),
        "time_step_48h": ("time_step_h", 48, ["time_step_h"]),
        "cells_per_agent_1": ("cells_per_agent", 1, ["--force", "GB"]),
        "cells_per_agent_zero": ("cells_per_agent", 0, ["cells_per_agent"]),
        "inoculum_1e15": ("inoculum.cells", 1.0e15, ["--force", "GB"]),
        "inoculum_negative": ("inoculum.cells", -1, ["inoculum.cells"]),
        "take_fraction_zero": ("inoculum.take_fraction", 0, ["inoculum.take_fraction"]),
        "take_fraction_2": ("inoculum.take_fraction", 2, ["inoculum.take_fraction"]),
        "take_days_1e6": ("inoculum.take_max_days", 1.0e6, ["--force", "minutes"]),
        "mice_zero": ("mice_per_arm", 0, ["mice_per_arm"]),
        "mice_1000": ("mice_per_arm", 1000, ["mice_per_arm"]),
        "mice_fraction": ("mice_per_arm", 2.5, ["mice_per_arm"]),
        "spare_fraction_5": ("spare_mice_fraction", 5, ["spare_mice_fraction"]),
        "parameter_nan": ("parameters", {"invivo_cycling_factor": float("nan")},
                          ["parameters.invivo_cycling_factor"]),
        "parameter_inf": ("parameters", {"invivo_cycling_factor": float("inf")},
                          ["parameters.invivo_cycling_factor"]),
        "parameter_unknown": ("parameters", {"no_such_parameter": 1.0}, ["no_such_parameter"]),
        "weekday_offsets_empty": ("caliper.weekday_offsets", [], ["caliper.weekday_offsets"]),
        "weekday_offset_7": ("caliper.weekday_offsets", [0, 7], ["caliper.weekday_offsets"]),
        "caliper_cv_1": ("caliper.cv", 1.0, ["caliper.cv"]),
        "randomisation_1e9": ("randomisation_volume_mm3", 1.0e9, ["endpoint_volume_mm3"]),
        "endpoint_below_randomisation": ("endpoint_volume_mm3", 100, ["endpoint_volume_mm3"]),
        "endpoint_zero": ("endpoint_volume_mm3", 0, ["endpoint_volume_mm3"]),
        "body_weight_inf": ("host.body_weight_g", float("inf"), ["host.body_weight_g"]),
        "body_weight_1e6": ("host.body_weight_g", 1.0e6, ["host.body_weight_g"]),
        "pellet_dose_1e12": ("host.estradiol_pellet.dose_mg", 1.0e12,
                             ["host.estradiol_pellet.dose_mg"]),
        "pellet_release_zero": ("host.estradiol_pellet.release_days", 0,
                                ["host.estradiol_pellet.release_days"]),
        "dose_inf": (f"{reg}.dose", float("inf"), ["arms.tamoxifen.regimens[0].dose"]),
        "dose_1e300": (f"{reg}.dose", 1.0e300, ["arms.tamoxifen.regimens[0].dose"]),
        "dose_negative": (f"{reg}.dose", -1, ["arms.tamoxifen.regimens[0].dose"]),
        "dose_text": (f"{reg}.dose", "a lot", ["arms.tamoxifen.regimens[0].dose"]),
        "schedule_every_0_days": (f"{reg}.schedule", "every 0 days",
                                  ["arms.tamoxifen.regimens[0].schedule"]),
        "schedule_x0": (f"{reg}.schedule", "daily x0 every 7 days",
                        ["arms.tamoxifen.regimens[0].schedule"]),
        "schedule_cycle_0": (f"{reg}.schedule", "daily x5 every 0 days",
                             ["arms.tamoxifen.regimens[0].schedule"]),
        "schedule_overfull_cycle": (f"{reg}.schedule", "daily x10 every 7 days",
                                    ["arms.tamoxifen.regimens[0].schedule"]),
        "schedule_weekly": (f"{reg}.schedule", "weekly", ["arms.tamoxifen.regimens[0].schedule"]),
        "schedule_once_cycles": (f"{reg}.schedule", "once x3 every 7 days",
                                 ["arms.tamoxifen.regimens[0].schedule"]),
        "route_unknown": (f"{reg}.route", "intravenous", ["arms.tamoxifen.regimens[0].route"]),
        "drug_unknown": (f"{reg}.drug", "tamoxifem", ["arms.tamoxifen.regimens[0].drug"]),
        "start_after_study": (f"{reg}.start_day", 999, ["arms.tamoxifen.regimens[0].start_day"]),
        "end_before_start": (f"{reg}.end_day", -1, ["arms.tamoxifen.regimens[0].end_day"]),
        "arms_empty": ("arms", {}, ["arms"]),
        "cell_lines_empty": ("cell_lines", {}, ["cell_lines"]),
        "cell_line_unknown": ("cell_lines", {"hela": {}}, ["cell_lines"]),
        "modifier_unknown": ("cell_lines", {"x": {"modifiers": ["no_such_modifier"]}},
                             ["cell_lines.x.modifiers"]),
        "mechanism_unknown": ("mechanisms", {"telepathy": True}, ["mechanisms.telepathy"]),
        "mechanism_not_bool": ("mechanisms", {"hypoxia": "maybe"}, ["mechanisms.hypoxia"]),
        "unknown_top_key": ("mice_per_armm", 3, ["mice_per_armm"]),
        "description_list": ("description", ["a", "b"], ["description"]),
    }
    for name, (path, value, expect) in muts.items():
        add("xenograft", name, dump(_set(base, path, value)), expect)
    many = copy.deepcopy(base)
    many["arms"] = {f"arm{i}": {"regimens": []} for i in range(1000)}
    add("xenograft", "arms_1000", dump(many), ["--force", "minutes"])
    text = dump(base)
    add("xenograft", "duplicate_study_days", text + "study_days: 28\n",
        ["duplicate key", "study_days", "line"])
    dup_arm = text.replace("arms:\n", "arms:\n  control:\n    regimens: []\n", 1)
    add("xenograft", "duplicate_arm", dup_arm, ["duplicate key", "control", "line"])
    add("xenograft", "yaml_syntax", text + "arms: [unclosed\n", ["YAML", "line"])
    add("xenograft", "yaml_tab_indent", text.replace("  mcf7_vector", "\tmcf7_vector", 1),
        ["YAML", "line"])
    add("xenograft", "top_level_list", "- a\n- b\n", ["YAML mapping"])
    add("xenograft", "empty_file", "", ["YAML mapping"])
    add("xenograft", "top_level_scalar", "hello\n", ["YAML mapping"])
    add("xenograft", "latin1", ("# Tamoxifène\n" + text).encode("latin-1"), ["UTF-8", "line"])
    add("xenograft", "utf16", text.encode("utf-16"), ["UTF-8"])
    add("xenograft", "binary_junk", bytes(range(256)) * 4, ["UTF-8"])
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join('*' + chr(97 + i) for _ in range(9))}]\n"
        for i in range(12))
    add("xenograft", "alias_bomb", bomb, ["aliases", "line"])
    add("xenograft", "deep_nesting", "experiment: x\ndescription: " + "[" * 200 + "]" * 200
        + "\n", ["nested", "line"])
    add("xenograft", "nan_text_field", text.replace("study_days: 56", "study_days: .nan"),
        ["study_days"])


def invitro() -> None:
    base = _load("configs/degraffenried2004_invitro.yaml")
    plate = next(iter(base["plates"]))
    muts = {
        "seed_true": ("seed", True, ["seed"]),
        "name_dotdot": ("experiment", "..", ["experiment"]),
        "name_300_chars": ("experiment", "y" * 300, ["experiment"]),
        "time_step_zero": ("time_step_h", 0, ["time_step_h"]),
        "time_step_nan": ("time_step_h", float("nan"), ["time_step_h"]),
        "agents_per_well_1": ("agents_per_well", 1, ["agents_per_well"]),
        "plates_empty": ("plates", {}, ["plates"]),
        "replicates_zero": (f"plates.{plate}.replicates", 0, [f"plates.{plate}.replicates"]),
        "seeding_1e12": (f"plates.{plate}.seeding_cells_per_well", 1.0e12,
                         [f"plates.{plate}.seeding_cells_per_well"]),
        "seeding_inf": (f"plates.{plate}.seeding_cells_per_well", float("inf"),
                        [f"plates.{plate}.seeding_cells_per_well"]),
        "well_area_zero": (f"plates.{plate}.well_area_cm2", 0, [f"plates.{plate}.well_area_cm2"]),
        "concentration_inf": (f"plates.{plate}.concentrations", {"tamoxifen_nM": [0, float("inf")]},
                              [f"plates.{plate}.concentrations"]),
        "concentration_negative": (f"plates.{plate}.concentrations", {"tamoxifen_nM": [0, -1]},
                                   [f"plates.{plate}.concentrations"]),
        "concentration_empty": (f"plates.{plate}.concentrations", {"tamoxifen_nM": []},
                                [f"plates.{plate}.concentrations"]),
        "days_negative": (f"plates.{plate}.days", [-1, 2], [f"plates.{plate}.days"]),
        "days_1e6": (f"plates.{plate}.days", [0, 1.0e6], [f"plates.{plate}.days"]),
        "plate_unknown_key": (f"plates.{plate}.wells", 96, [f"plates.{plate}.wells"]),
        "parameter_nan": ("parameters", {"invivo_cycling_factor": float("nan")},
                          ["parameters.invivo_cycling_factor"]),
        "unknown_top_key": ("plate", {}, ["plate"]),
        "cell_lines_empty": ("cell_lines", {}, ["cell_lines"]),
    }
    for name, (path, value, expect) in muts.items():
        add("invitro", name, dump(_set(base, path, value)), expect, command="xenograft")
    big = copy.deepcopy(base)
    big["plates"][plate]["conditions"] = []
    big["plates"][plate]["concentrations"] = {"tamoxifen_nM": [float(i) for i in range(200)],
                                              "cci779_nM": [float(i) for i in range(200)]}
    add("invitro", "grid_200x200", dump(big), ["--force", "minutes"], command="xenograft")
    add("invitro", "duplicate_plate_key", dump(base) + "seed: 2\n",
        ["duplicate key", "seed"], command="xenograft")


def patients() -> None:
    base = _load("configs/patients_ai_naive.yaml")
    arm = next(iter(base["arms"]))
    muts = {
        "seed_true": ("seed", True, ["seed"]),
        "name_dotdot": ("experiment", "..", ["experiment"]),
        "patients_1": ("patients_per_arm", 1, ["patients_per_arm"]),
        "patients_1e6": ("patients_per_arm", 1000000, ["patients_per_arm"]),
        "follow_up_zero": ("follow_up_months", 0, ["follow_up_months"]),
        "follow_up_inf": ("follow_up_months", float("inf"), ["follow_up_months"]),
        "time_step_zero": ("time_step_h", 0, ["time_step_h"]),
        "time_step_tiny": ("time_step_h", 1.0e-3, ["--force", "minutes"]),
        "agents_10": ("agents_per_patient", 10, ["agents_per_patient"]),
        "arms_empty": ("arms", {}, ["arms"]),
        "dose_inf": (f"arms.{arm}.regimens.0.dose", float("inf"),
                     [f"arms.{arm}.regimens[0].dose"]),
        "schedule_every_0_days": (f"arms.{arm}.regimens.0.schedule", "every 0 days",
                                  [f"arms.{arm}.regimens[0].schedule"]),
        "unknown_top_key": ("patients", 10, ["patients"]),
        "body_weight_1000": ("host.body_weight_kg", 1000, ["host.body_weight_kg"]),
        "run_in_negative": ("run_in_days", -1, ["run_in_days"]),
    }
    for name, (path, value, expect) in muts.items():
        add("patients", name, dump(_set(base, path, value)), expect, command="xenograft")
    # laboratory-animal routes and drugs without human PK: refused in a patient trial
    reg0 = f"arms.{arm}.regimens.0"
    add("patients", "route_ip", dump(_set(base, f"{reg0}.route", "ip")),
        [f"arms.{arm}.regimens[0].route", "ip", "laboratory-animal"], command="xenograft")
    no_route = copy.deepcopy(base)
    no_route["arms"][arm]["regimens"][0].pop("route")
    add("patients", "route_missing", dump(no_route),
        [f"arms.{arm}.regimens[0].route", "default"], command="xenograft")
    pellet = _set(base, f"{reg0}.route", "pellet")
    pellet["arms"][arm]["regimens"][0]["release_days"] = 60
    add("patients", "route_pellet", dump(pellet), [f"arms.{arm}.regimens[0]", "pellet"],
        command="xenograft")
    for drug in ("estradiol", "androstenedione"):
        raw = copy.deepcopy(base)
        raw["arms"][arm]["regimens"].append({"drug": drug, "dose": 1, "dose_unit": "mg",
                                             "route": "sc", "schedule": "daily"})
        add("patients", f"no_human_pk_{drug}", dump(raw),
            [f"arms.{arm}.regimens[1]", drug, "no human PK"], command="xenograft")
    add("patients", "duplicate_key", dump(base) + "seed: 3\n", ["duplicate key", "seed"],
        command="xenograft")


def sweep() -> None:
    base = _load("configs/sweeps/cci779_dose.yaml")
    base["base"] = "../../../configs/degraffenried2004.yaml"
    muts = {
        "base_missing": ("base", "../../../configs/no_such.yaml", ["base"]),
        "base_is_sweep": ("base", "../../../configs/sweeps/cci779_dose.yaml", ["base"]),
        "replicates_zero": ("replicates", 0, ["replicates"]),
        "replicates_5000": ("replicates", 5000, ["replicates"]),
        "design_n_zero": ("design", {"method": "lhs", "n": 0}, ["design.n"]),
        "design_method": ("design", {"method": "magic"}, ["design.method"]),
        "parameters_empty": ("parameters", [], ["parameters"]),
        "name_dotdot": ("sweep", "..", ["sweep"]),
        "name_300_chars": ("sweep", "s" * 300, ["sweep"]),
        "seed_true": ("seed", True, ["seed"]),
        "unknown_key": ("replicate", 2, ["replicate"]),
        "override_nan": ("overrides", {"study_days": float("nan")}, ["overrides.study_days"]),
        "huge": ("design", {"method": "lhs", "n": 1000}, ["--force", "minutes"]),
    }
    for name, (path, value, expect) in muts.items():
        raw = _set(base, path, value)
        if name == "huge":
            raw["replicates"] = 1000
            raw["parameters"] = [{**p, "low": 1.0, "high": 40.0, "values": None}
                                 for p in raw["parameters"]]
            for p in raw["parameters"]:
                p.pop("values")
        add("sweep", name, dump(raw), expect)
    add("sweep", "duplicate_key", dump(base) + "seed: 3\n", ["duplicate key", "seed"])


def calibration() -> None:
    base = _load("configs/calibration/vector_growth.yaml")
    base["base"] = "../../../configs/degraffenried2004.yaml"
    base["target"]["file"] = "../../../configs/calibration/example_calipers.csv"
    muts = {
        "target_missing": ("target.file", "no_such.csv", ["target.file"]),
        "samples_zero": ("samples", 0, ["samples"]),
        "accept_2": ("accept", 2, ["accept"]),
        "name_dotdot": ("calibrate", "..", ["calibrate"]),
        "base_missing": ("base", "no_such.yaml", ["base"]),
        "seed_true": ("seed", True, ["seed"]),
        "target_column_wrong": ("target.columns", {"mouse": "Mouse", "arm": "Group", "day": "Day",
                                                   "length": "L", "width": "W"}, ["Mouse"]),
        "target_cell_line_unknown": ("target.cell_line", "hela", ["target.cell_line"]),
        "parameter_unknown_path": ("parameters", [{"name": "x", "path": "parameters.nope",
                                                   "low": 0.1, "high": 1}], ["parameters"]),
        "unknown_key": ("sample", 3, ["sample"]),
    }
    for name, (path, value, expect) in muts.items():
        add("calibration", name, dump(_set(base, path, value)), expect)
    add("calibration", "duplicate_key", dump(base) + "samples: 3\n", ["duplicate key",
                                                                       "samples"])


def _xlsx(csv_text: str) -> bytes:
    """A one-sheet workbook holding the CSV's cells (numbers as numbers), with fixed document
    dates so that regenerating the corpus gives the same bytes."""
    import datetime
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for line in csv_text.splitlines():
        cells = []
        for c in line.split(","):
            try:
                cells.append(float(c))
            except ValueError:
                cells.append(c)
        sheet.append(cells)
    when = datetime.datetime(2026, 1, 1)
    book.properties.created = book.properties.modified = when
    buf = io.BytesIO()
    book.save(buf)
    import zipfile

    out = io.BytesIO()  # the zip entries carry the time of writing: fix them too
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z",
                              data)
            dst.writestr(fixed, data)
    return out.getvalue()


def calipers() -> None:
    # A NaN (empty) length is a missing measurement: dropped with a note, not refused. The table
    # of 10^6 rows is written by tests/test_corpus.py into a temporary directory.
    head = "mouse,arm,day,length,width\n"
    rows = [f"m{a}{i},{arm},{d},{8 + d / 10:.2f},{6 + d / 20:.2f}\n"
            for a, arm in enumerate(["control", "tamoxifen"]) for i in range(3)
            for d in (0, 3, 7, 10)]
    good = head + "".join(rows)

    def case(name, content, expect, ext="csv"):
        add("calipers", name, content, expect, ext=ext, command="analyze")

    case("header_only", head, ["no data rows"])
    case("empty", "", ["empty"])
    case("missing_width", good.replace(",width", ",breadth"), ["width"])
    case("negative_length", good.replace("m00,control,3,8.30", "m00,control,3,-8.30"),
         ["length"])
    case("text_day", good.replace("m00,control,3,", "m00,control,three,"), ["day"])
    case("duplicate_rows", good + rows[0], ["m00"])  # the same mouse measured twice a day
    case("one_mouse_per_arm", head + "".join(r for r in rows if r.startswith(("m00", "m10"))),
         ["mouse"])
    # semicolon separators and decimal commas are read (tests/test_analysis_tables.py)
    # the same faults in Excel workbooks (long and wide), located by sheet, row and column
    case("xlsx_text_day", _xlsx(good.replace("m00,control,3,", "m00,control,three,")),
         ["day", "row 3", "sheet"], ext="xlsx")
    case("xlsx_negative_length", _xlsx(good.replace("m00,control,3,8.30", "m00,control,3,-8.30")),
         ["length", "row 3"], ext="xlsx")
    case("xlsx_header_only", _xlsx(head), ["no data rows"], ext="xlsx")
    wide = "mouse,arm,D0,D7,Day 7\n" + "".join(f"m{i},{arm},100,150,150\n" for i, arm in
                                               enumerate(["control"] * 3 + ["tamoxifen"] * 3))
    case("xlsx_wide_day_twice", _xlsx(wide), ["7", "sheet"], ext="xlsx")
    case("xlsx_not_a_workbook", b"PK\x03\x04 not really a zip", ["xlsx"], ext="xlsx")
    case("latin1", ("# Souris é\n" + good).encode("latin-1"), ["UTF-8"])
    case("utf16", good.encode("utf-16-le"), ["UTF-8"])
    case("binary", bytes(range(256)) * 8, ["UTF-8"])
    case("utf16_bom", good.encode("utf-16"), ["UTF-8"])
    case("empty_arm", good.replace("m00,control,", "m00,,"), ["arm"])
    case("empty_mouse", good.replace("m00,control,0,", ",control,0,"), ["mouse"])
    case("inf_volume", head.replace("length,width", "volume") + "".join(
        f"m{i},{arm},{d},{'inf' if i == 0 and d == 3 else 100 + d}\n"
        for i, arm in enumerate(["control"] * 3 + ["tamoxifen"] * 3) for d in (0, 3, 7)),
         ["volume"])
    case("negative_day_only", head + "".join(r.replace(",0,", ",-9,").replace(",3,", ",-6,")
                                             .replace(",7,", ",-3,").replace(",10,", ",-1,")
                                             for r in rows), ["day"])
    case("no_header", "".join(rows), ["column"])
    case("zero_width", good.replace("m00,control,3,8.30,6.15", "m00,control,3,8.30,0"),
         ["width", "line 3", "m00"])
    case("zero_length", good.replace("m11,tamoxifen,7,8.70,6.35", "m11,tamoxifen,7,0,6.35"),
         ["length", "m11"])
    case("duplicated_column", head.replace("width", "width,width") + "".join(
        r.strip() + ",6.00\n" for r in rows), ["width", "2 times in the header"])
    case("duplicated_id_column", head.replace("mouse,arm", "mouse,mouse,arm") + "".join(
        r.split(",", 1)[0] + "," + r for r in rows), ["mouse", "2 times in the header"])
    vol_head = head.replace("length,width", "volume")
    vol_rows = [f"m{i},{arm},{d},{100 + d}\n" for i, arm in
                enumerate(["control"] * 3 + ["tamoxifen"] * 3) for d in (0, 3, 7)]
    case("volume_1e300", vol_head + "".join(vol_rows).replace("m4,tamoxifen,3,103",
                                                             "m4,tamoxifen,3,1e300"),
         ["volume", "m4", "1e300"])
    case("length_1e300", good.replace("m12,tamoxifen,10,9.00", "m12,tamoxifen,10,1e300"),
         ["length", "m12"])
    case("width_1e200", good.replace("m01,control,0,8.00,6.00", "m01,control,0,8.00,1e200"),
         ["width", "m01"])
    case("control_only", head + "".join(r for r in rows if ",control," in r),
         ["arm", "only the control arm"])
    case("fifty_arms", head + "".join(f"m{a}_{i},arm{a},{d},9,6\n" for a in range(50)
                                      for i in range(2) for d in (0, 3)), ["control"])


def schedulers() -> None:
    addrs = {
        "not_an_address": "not-an-address",
        "tls_without_security": "tls://127.0.0.1:8786",
        "http_scheme": "http://127.0.0.1:8786",
        "no_port": "tcp://127.0.0.1",
        "port_zero": "tcp://127.0.0.1:0",
        "port_too_big": "tcp://127.0.0.1:99999",
        "port_text": "tcp://127.0.0.1:port",
        "space_in_host": "tcp://a b:8786",
        "path_given": "tcp://127.0.0.1:8786/scheduler",
        "user_given": "tcp://user@127.0.0.1:8786",
        "empty_host": "tcp://:8786",
        "inproc": "inproc://x",
    }
    for name, addr in addrs.items():
        add("schedulers", name, addr + "\n", [addr.split("://")[-1][:8] if addr else ""],
            ext="txt", command="scheduler")


if __name__ == "__main__":
    for folder in ("xenograft", "invitro", "patients", "sweep", "calibration", "calipers",
                   "schedulers"):
        for f in (HERE / folder).glob("*") if (HERE / folder).is_dir() else []:
            f.unlink()
    xenograft()
    invitro()
    patients()
    sweep()
    calibration()
    calipers()
    schedulers()
    (HERE / "cases.json").write_text(json.dumps(CASES, indent=1) + "\n")
    print(f"{len(CASES)} cases written to {HERE}")
