"""The check's problems; choosing one shows its migration at its line."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from migtui.core.model import Problem, Severity
from migtui.tui.messages import JumpToProblem


class ProblemList(OptionList):
    """Errors first, then warnings, each with its migration, line, message and hint;
    then the lock hints (what would lock a busy table), which are no problem."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._problems: list[Problem] = []

    def show(self, problems: tuple[Problem, ...], hints: tuple[Problem, ...] = ()) -> None:
        ordered = sorted(problems, key=lambda p: p.severity is not Severity.ERROR)
        self.clear_options()
        if not ordered:
            self.add_option(Option(Text("No problems found.", style="green"), disabled=True))
        self._problems = ordered + list(hints)
        self.add_options(Option(_prompt(p)) for p in self._problems)
        if self._problems:
            self.highlighted = 0 if ordered else 1

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = event.option_index - (self.option_count - len(self._problems))
        if 0 <= index < len(self._problems):
            problem = self._problems[index]
            self.post_message(
                JumpToProblem(problem.migration, problem.line, problem.section or "up")
            )


def _prompt(problem: Problem) -> Text:
    if problem.kind == "lint":
        return _hint_prompt(problem)
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


def _hint_prompt(hint: Problem) -> Text:
    text = Text()
    text.append("◆ lock  ", style="magenta")
    text.append(hint.migration or "", style="bold")
    if hint.line:
        text.append(f" line {hint.line}", style="dim")
    text.append(f"  {hint.rule}\n", style="dim")
    text.append(f"  {hint.message}")
    text.append(f"\n  safer: {hint.hint}", style="cyan")
    return text
