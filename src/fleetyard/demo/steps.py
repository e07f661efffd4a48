"""The demo's setup as a list of steps on the terminal: a spinner while a step runs, then a
tick (or a cross) and how long it took."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console, RenderableType
from rich.progress import Progress, ProgressColumn, Task, TaskID, TextColumn
from rich.spinner import Spinner
from rich.table import Column
from rich.text import Text


class _StateColumn(ProgressColumn):
    def __init__(self) -> None:
        super().__init__()
        self.spinner = Spinner("dots", style="cyan")

    def render(self, task: Task) -> RenderableType:
        state = task.fields.get("state")
        if state == "done":
            return Text("✓", style="green")
        if state == "failed":
            return Text("✗", style="red")
        return self.spinner.render(task.get_time())


class _SecondsColumn(ProgressColumn):
    def render(self, task: Task) -> RenderableType:
        return Text(f"{task.elapsed or 0.0:5.1f} s", style="dim")


@dataclass
class Step:
    progress: Progress
    task: TaskID

    def describe(self, description: str) -> None:
        self.progress.update(self.task, description=description)


class SetupSteps:
    def __init__(self, console: Console) -> None:
        description = TextColumn(
            "{task.description}", table_column=Column(ratio=1, overflow="fold")
        )
        self.progress = Progress(
            _StateColumn(), description, _SecondsColumn(), console=console, expand=True
        )

    def start(self) -> None:
        self.progress.start()

    def stop(self) -> None:
        """Leave the finished list on the terminal (safe to call again: rich's second stop
        would print an empty line below the ready box when the output is not a terminal)."""
        if self.progress.live.is_started:
            self.progress.stop()

    @contextmanager
    def step(self, description: str) -> Iterator[Step]:
        task = self.progress.add_task(description, state="running")
        try:
            yield Step(self.progress, task)
        except BaseException:
            self._end(task, "failed")
            raise
        self._end(task, "done")

    def _end(self, task: TaskID, state: str) -> None:
        self.progress.update(task, state=state)
        self.progress.stop_task(task)
