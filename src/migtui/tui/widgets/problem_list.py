"""The check's problems; choosing one shows its migration at its line."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from migtui.core.model import Problem, Severity
from migtui.tui.messages import JumpToProblem


class ProblemList(OptionList):
    """Errors first, then warnings, each with its migration, line, message and hint."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._problems: list[Problem] = []

    def show(self, problems: tuple[Problem, ...]) -> None:
        self._problems = sorted(problems, key=lambda p: p.severity is not Severity.ERROR)
        self.clear_options()
        if not self._problems:
            self.add_option(Option(Text("No problems found.", style="green"), disabled=True))
            return
        self.add_options(Option(_prompt(p)) for p in self._problems)
        self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._problems):
            problem = self._problems[event.option_index]
            self.post_message(JumpToProblem(problem.migration, problem.line))


def _prompt(problem: Problem) -> Text:
    error = problem.severity is Severity.ERROR
    text = Text()
    text.append("✗ error  " if error else "! warning  ", style="bold red" if error else "yellow")
    if problem.migration:
        text.append(problem.migration, style="bold")
    if problem.line:
        text.append(f" line {problem.line}", style="dim")
    text.append(f"  {problem.kind}\n", style="dim")
    text.append(f"  {problem.message}")
    if problem.hint:
        text.append(f"\n  hint: {problem.hint}", style="cyan")
    return text
