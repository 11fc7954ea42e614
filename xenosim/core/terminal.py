"""What every command prints with: the consoles, located config errors (exit code 2) and the
phase progress bars the runners report to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from xenosim.core.config_errors import ConfigErrors

console = Console()
err_console = Console(stderr=True)

#: A runner's progress hook: ``progress(phase, total)`` returns the function to call per item.
ProgressHook = Callable[[str, int], Callable[[], None]]


def fail_config(exc: ConfigErrors) -> None:
    """Print every located config problem on one screen and exit with code 2 (no traceback)."""
    err_console.print(f"[bold red]Invalid config[/] ({len(exc.errors)} problem"
                      f"{'s' if len(exc.errors) != 1 else ''}):")
    for e in exc.errors:
        err_console.print(f"  • {e.format()}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def fail_output(exc: Exception) -> None:
    """An output problem (OutputError or OSError) as one line, exit code 2 (no traceback)."""
    from xenosim.core.output import OutputError, as_output_error

    if not isinstance(exc, OutputError):
        exc = as_output_error(exc, "the output") if isinstance(exc, OSError) else exc
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False,
                      soft_wrap=True)
    raise typer.Exit(2)


def before_run(out, budget, force: bool) -> None:
    """The preflight of every command that simulates, before any simulation: refuse a runaway
    size (unless ``force``) and an output location that cannot be written (exit code 2)."""
    from xenosim.core.output import OutputError, preflight_output

    if budget.too_big() and not force:
        err_console.print(f"[bold red]error:[/] {escape(budget.message())}", highlight=False,
                          soft_wrap=True)
        raise typer.Exit(2)
    try:
        preflight_output(out, need_bytes=int(budget.output_bytes))
    except OutputError as exc:
        fail_output(exc)


@contextmanager
def output_errors() -> Iterator[None]:
    """Around a command that writes: any OutputError / OSError becomes :func:`fail_output`."""
    from xenosim.core.output import OutputError

    try:
        yield
    except (OutputError, OSError) as exc:
        fail_output(exc)


@contextmanager
def phase_progress(quiet: bool = False) -> Iterator[ProgressHook]:
    """Rich progress bars, one per phase a runner announces (take, treatment, wells, ...)."""
    with Progress(TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, disable=quiet) as bar:

        def progress(phase: str, total: int) -> Callable[[], None]:
            task = bar.add_task(phase, total=total)
            return lambda: bar.advance(task)

        yield progress
