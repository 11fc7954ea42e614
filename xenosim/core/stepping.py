"""The one stepping loop of every mode: advance a simulation clock to a target time.

Mice (caliper and snapshot days), wells (count days) and patients' lesions (scan days) all
advance their tumours to the next readout with this loop; what one step does is the tumour's
step plan (``Tumour.step``: environment -> signalling -> fate -> update).
"""

from __future__ import annotations

from collections.abc import Callable

#: Tolerance in hours: a clock within this of the target counts as there (float drift of dt).
EPS_H = 1e-6


def step_until(step: Callable[[float, float], None], time_h: float, until_h: float,
               dt_h: float, shorten_last: bool = False) -> float:
    """Call ``step(start_h, dt)`` until the clock reaches ``until_h``; return the new clock.

    With ``shorten_last`` the last step is cut to end exactly at ``until_h`` (count days of an
    assay that fall between steps); otherwise every step is ``dt_h`` long and the clock may end
    up to one step past the target, as a caliper reading taken at the next whole step.
    """
    if dt_h <= 0:
        raise ValueError(f"time step must be positive, got {dt_h!r} h")
    while time_h < until_h - EPS_H:
        dt = min(dt_h, until_h - time_h) if shorten_last else dt_h
        step(time_h, dt)
        time_h += dt
    return time_h
