"""A published finding the model is checked against: statement, source, whether the model was
calibrated to it (then it is not independent evidence), and a check of a simulated study that
returns the model's value and whether the finding holds. Each mode lists its findings once
(``xenograft/findings.py``, ``invitro/findings.py``, ``sweep/findings.py`` for dose-response,
``patients/findings.py`` for the virtual-patient trials); the validation tests assert them and
``xenosim qualify`` runs them over seeds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """The model's value for a finding and whether the finding holds (with the rule applied).

    ``ci_low`` / ``ci_high``: the 95% interval of the value within one simulated study (an ED50's
    bootstrap CI, a hazard ratio's Wald CI), where the check has one; NaN otherwise."""

    value: float
    passed: bool
    detail: str
    ci_low: float = float("nan")
    ci_high: float = float("nan")


@dataclass(frozen=True)
class Finding:
    key: str
    statement: str
    source: str
    calibrated: bool  # the model was tuned to reproduce it: not independent evidence
    check: Callable[[object], Outcome]
