"""Messages the console's workers send back to the UI thread."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from migtui.tui.project_view import ProjectView


class ProjectLoaded(Message):
    """The analysis (and, when live, the catalog and the ledger) has been read."""

    def __init__(self, project: ProjectView) -> None:
        super().__init__()
        self.project = project


class ProjectFailed(Message):
    """The folder could not be read at all; ``message`` says which file and why."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class LoadProgress(Message):
    """What the loading worker is doing now, for the progress line."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class EngineEventsWaiting(Message):
    """The runner emitted events; the console drains them from its inbox in one batch."""


class RunEnded(Message):
    """The runner returned (``finished`` is its PlanFinished) or raised (``error``)."""

    def __init__(self, finished: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.finished = finished
        self.error = error


class RollbackPreviewReady(Message):
    """The guided rollback's plan and what each step would drop, read from the server."""

    def __init__(self, target: str | None, plan: Any, preview: Any) -> None:
        super().__init__()
        self.target = target
        self.plan = plan
        self.preview = preview


class ActionRefused(Message):
    """A worker found the action cannot go ahead; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class JumpToProblem(Message):
    """Show this migration's SQL at this line (from the problems list)."""

    def __init__(self, version: str | None, line: int | None, section: str = "up") -> None:
        super().__init__()
        self.version = version
        self.line = line
        self.section = section
