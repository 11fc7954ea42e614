"""Host pellet and regimen events on any study day: pellet withdrawal and re-challenge, drug
stop day, drug holidays; bad values give located errors."""

import pytest
import yaml

from xenosim.core.config import Regimen
from xenosim.core.dosing import regimen_doses
from xenosim.xenograft.config import validate_dict
from xenosim.xenograft.dosing import mouse_profile

BASE = "configs/degraffenried2004.yaml"


def _exp(mutate):
    raw = yaml.safe_load(open(BASE))
    mutate(raw)
    return validate_dict(raw, "test.yaml")


def test_pellet_withdrawal_then_rechallenge_on_given_days():
    def m(r):
        r["arms"]["control"].update({"estradiol_pellet_removal_day": 7,
                                     "estradiol_pellet_reimplant_day": 14})
    exp = _exp(m)
    start_h = 24.0 * 20
    prof = mouse_profile(exp, "control", start_h, start_h + 24 * 22)
    e2 = prof.tumour_nM["estradiol"]

    def at(day):
        return e2[int((start_h + 24 * day) / (prof.grid_h[1] - prof.grid_h[0]))]
    assert at(6) > 0.1  # pellet in
    assert at(10) < 1e-3 * at(6)  # 3 days after removal: washed out (t1/2 1 h)
    assert at(18) > 0.1  # fresh pellet from day 14


def test_drug_holiday_and_stop_day():
    reg = Regimen(drug="cci779", dose=20, schedule="daily", holidays=[(3, 5)], end_day=9)
    days = [e.time_h / 24 for e in regimen_doses(reg, 0.0, 20, 0.025)]
    assert days == [0, 1, 2, 6, 7, 8, 9]


@pytest.mark.parametrize("arm_keys, expect", [
    ({"estradiol_pellet_reimplant_day": 5}, "removed first"),
    ({"estradiol_pellet_removal_day": 9, "estradiol_pellet_reimplant_day": 4}, "must be after"),
    ({"estradiol_pellet_removal_day": 999}, "past the study end"),
])
def test_bad_pellet_events_are_located(arm_keys, expect):
    with pytest.raises(Exception) as err:
        _exp(lambda r: r["arms"]["control"].update(arm_keys))
    text = str(err.value)
    assert expect in text and "control" in text, text
