"""Which arms form a combination (A, B, A+B): from a run's regimens, or from arm names.

A run's own config says what each arm gives, so ``letrozole+everolimus`` is a combination of
the ``letrozole`` and ``everolimus`` arms because its regimens are the union of theirs, whatever
the arms are called. A lab table has only names: ``A+B``, ``A + B`` or ``A_B`` is taken as the
combination of arms ``A`` and ``B`` when both exist and the split is unambiguous.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml


def regimen_drugs(run_dir: str | Path) -> dict[str, frozenset[str]] | None:
    """Arm → set of drugs given (from the run's ``config.yaml``); None without a readable one."""
    p = Path(run_dir) / "config.yaml"
    if not p.is_file():
        return None
    try:
        cfg = yaml.safe_load(p.read_text()) or {}
    except yaml.YAMLError:
        return None
    arms = cfg.get("arms") if isinstance(cfg, dict) else None
    if not isinstance(arms, dict):
        return None
    out = {}
    for name, arm in arms.items():
        regs = (arm or {}).get("regimens") or [] if isinstance(arm, dict) else []
        out[str(name)] = frozenset(str(r.get("drug")) for r in regs if isinstance(r, dict))
    return out


def combinations_from_regimens(drugs: dict[str, frozenset[str]]) -> list[tuple[str, str, str]]:
    """(A, B, A+B) for every arm whose drugs are exactly the union of two single-drug-set arms."""
    by_set: dict[frozenset[str], list[str]] = {}
    for arm, d in drugs.items():
        by_set.setdefault(d, []).append(arm)
    out = []
    for ab, d in drugs.items():
        if len(d) != 2:
            continue
        x, y = sorted(d)
        a, b = by_set.get(frozenset({x}), []), by_set.get(frozenset({y}), [])
        if len(a) == 1 and len(b) == 1:
            out.append((a[0], b[0], ab))
    return out


def combinations_from_names(arms: list[str]) -> list[tuple[str, str, str]]:
    """(A, B, A+B) from names ``A+B`` / ``A + B`` / ``A_B`` when exactly one split names two arms."""
    present = set(arms)
    out = []
    for ab in arms:
        splits = set()
        for sep in (r"\s*\+\s*", "_"):
            parts = re.split(sep, ab)
            for i in range(1, len(parts)):
                a = ("+" if "+" in sep else "_").join(parts[:i])
                b = ("+" if "+" in sep else "_").join(parts[i:])
                if a in present and b in present and a != ab and b != ab:
                    splits.add((a, b))
        if len(splits) == 1:
            a, b = splits.pop()
            out.append((a, b, ab))
    return out
