"""The one exception the analysis layer raises for bad input."""

from __future__ import annotations

from collections.abc import Sequence


class AnalysisInputError(ValueError):
    """Input that cannot be analysed: names the file, the column and the offending rows.

    Raised before anything is written, so a failed analysis never leaves partial output.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Sequence[str] = (),
    ) -> None:
        self.file = file
        self.column = column
        self.rows = list(rows)
        parts = []
        if file:
            parts.append(file)
        if column:
            parts.append(f"column '{column}'")
        prefix = ": ".join(parts)
        text = f"{prefix}: {message}" if prefix else message
        if self.rows:
            shown = ", ".join(self.rows[:12])
            more = f" and {len(self.rows) - 12} more" if len(self.rows) > 12 else ""
            text += f" [{shown}{more}]"
        super().__init__(text)


#: The default combination analysed for synergy: (drug A arm, drug B arm, A+B arm). Kept here,
#: in a module without heavy imports, so the CLI can show it as a default cheaply.
DEFAULT_COMBINATION = ("tamoxifen", "cci779", "tamoxifen+cci779")
