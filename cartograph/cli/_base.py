"""What every command shares: the error boundary, plain output and the common options."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from cartograph.errors import CartographError

console = Console()
F = TypeVar("F", bound=Callable[..., Any])

TaskOpt = Annotated[
    str, typer.Option("--task", help="recommend | fraud | path to a task spec YAML file.")
]
SeedOpt = Annotated[
    int | None, typer.Option(help="Overrides the task spec's seed and CARTOGRAPH_SEED.")
]
SeedsOpt = Annotated[
    int | None,
    typer.Option(help="Node tasks: run every model on N seeds, report mean ± std (spec `seeds`)."),
]


def handles_errors(fn: F) -> F:
    """Expected failures print their coded message and exit 1, without a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CartographError as exc:
            console.print(f"[red]error[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def emit(lines: Iterable[str]) -> None:
    """Results go to stdout as plain text, never re-wrapped to the terminal's width, so a
    printed command can be copied and pasted as it is."""
    for line in lines:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
