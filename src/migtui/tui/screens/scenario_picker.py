"""The demo's scenarios: each opens on a fresh database."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from migtui.resources import bundled_chain, scenarios

#: The chain as submitted opens first; the fixed one next: the demo's story in order.
_STORY_ORDER = ("missing-prerequisite", "fixed")


def scenario_choices() -> list[tuple[str, Path, str]]:
    """(name, folder, description) of each bundled scenario, the story's two first.

    When no scenario holds the fixed chain, the bundled chain itself stands in as "fixed".
    """
    found = scenarios()
    if "fixed" not in found:
        found["fixed"] = (bundled_chain(), "The bundled chain: 0013_5 creates what 0014 needs.")
    names = [n for n in _STORY_ORDER if n in found] + sorted(
        n for n in found if n not in _STORY_ORDER
    )
    return [(name, found[name][0], found[name][1]) for name in names]


class ScenarioPicker(ModalScreen[tuple[str, Path] | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Back")]

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self._current = current
        self._choices = scenario_choices()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Open a scenario on a fresh database", classes="dialog-title")
            options = []
            for name, _folder, text in self._choices:
                prompt = Text(name, style="bold")
                if name == self._current:
                    prompt.append("  (open now)", style="dim")
                prompt.append(f"\n  {text}", style="dim")
                options.append(Option(prompt, id=name))
            yield OptionList(*options, id="scenario-list")

    def on_mount(self) -> None:
        names = [c[0] for c in self._choices]
        option_list = self.query_one(OptionList)
        if self._current in names:
            option_list.highlighted = names.index(self._current)
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        name, folder, _ = self._choices[event.option_index]
        self.dismiss((name, folder))
