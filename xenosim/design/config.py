"""The design question: a contrast "LINE: ARM_B vs ARM_A" against an experiment config."""

from __future__ import annotations

from dataclasses import dataclass

from xenosim.xenograft.config import Experiment


class ContrastError(ValueError):
    """A --contrast that does not name a cell line and two arms of the config."""


@dataclass(frozen=True)
class Contrast:
    """Arm ``b`` against reference arm ``a`` in ``cell_line``; combination parts if any."""

    cell_line: str
    b: str
    a: str
    control: str | None = None
    parts: tuple[str, str] | None = None  # single agents of a combination arm b

    @property
    def study_arms(self) -> list[str]:
        """Arms a virtual study needs: a, b, and (for a combination) control and both parts."""
        arms = [self.a, self.b]
        if self.parts and self.control:
            arms += [x for x in (self.control, *self.parts) if x not in arms]
        return arms


def parse_contrast(text: str, exp: Experiment, source: str = "--contrast") -> Contrast:
    """Parse "LINE: B vs A"; a located error names the bad piece and what is allowed."""
    if ":" not in text or " vs " not in text:
        raise ContrastError(f"{source}: {text!r} is not of the form 'CELL_LINE: ARM_B vs ARM_A'")
    line, rest = (s.strip() for s in text.split(":", 1))
    b, a = (s.strip() for s in rest.split(" vs ", 1))
    if line not in exp.cell_lines:
        raise ContrastError(f"{source}: cell line {line!r} is not in the config; allowed: "
                            f"{', '.join(exp.cell_lines)}")
    for arm in (b, a):
        if arm not in exp.arms:
            raise ContrastError(f"{source}: arm {arm!r} is not in the config; allowed: "
                                f"{', '.join(exp.arms)}")
    if a == b:
        raise ContrastError(f"{source}: the two arms must differ (got {a!r} twice)")
    control = next((n for n, arm in exp.arms.items() if not arm.regimens
                    and not getattr(arm, "remove_estradiol_pellet", False)), None)
    parts = None
    if "+" in b:
        p = tuple(s.strip() for s in b.split("+"))
        if len(p) == 2 and all(x in exp.arms for x in p) and control:
            parts = p
    return Contrast(line, b, a, control, parts)
