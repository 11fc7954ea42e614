"""The config error types, apart from the validators (no pydantic, no YAML), so that the command
line can name them in ``except`` clauses without importing the config machinery at start-up."""

from __future__ import annotations

from typing import Any

__all__ = ["ConfigError", "ConfigErrors"]


class ConfigError(Exception):
    """A config problem, located: file, key path, value, and what is allowed."""

    def __init__(self, file: str, path: str, value: Any, message: str):
        self.file, self.path, self.value, self.message = file, path, value, message
        super().__init__(self.format())

    def format(self) -> str:
        shown = repr(self.value)
        if len(shown) > 120:
            shown = shown[:117] + "..."
        return f"{self.file}: {self.path or '<top level>'}: {self.message} (got {shown})"


class ConfigErrors(Exception):
    """Several config problems at once (all of them shown, each located)."""

    def __init__(self, errors: list[ConfigError]):
        self.errors = errors
        super().__init__("\n".join(e.format() for e in errors))
