"""The parts of the lobby that other apps own: kiosks add their carts to review, umbrellas their
stock. Each app registers a section once, from its AppConfig.ready():

    register_lobby_section("umbrellas", build=umbrella_stock)

`build(branch, now)` returns the section's JSON-ready state. It goes into every lobby snapshot
under its name (and into screen snapshots too with `screens=True`: public data only), and into a
change whenever `lobby_changed(..., sections=["umbrellas"])` names it.

The registry is configuration, filled while Django starts and read-only afterwards; it is not a
cache and needs no clearing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..models import Branch

SectionBuilder = Callable[[Branch, datetime], Any]


@dataclass(frozen=True)
class LobbySection:
    name: str
    build: SectionBuilder
    screens: bool = False


_sections: dict[str, LobbySection] = {}

# Names the snapshots use themselves; a section may not hide one.
RESERVED_NAMES = frozenset(
    {"type", "version", "branch", "queues", "counters", "tickets", "calls", "call", "notice"}
)


def register_lobby_section(name: str, *, build: SectionBuilder, screens: bool = False) -> None:
    """Add `name` to the lobby snapshot (and to wall screens' with `screens`). Registering the
    same name again replaces it, so that an app's ready() may run twice (tests do)."""
    if name in RESERVED_NAMES:
        raise ValueError(f"{name!r} is a name the lobby snapshot uses itself")
    _sections[name] = LobbySection(name=name, build=build, screens=screens)


def unregister_lobby_section(name: str) -> None:
    _sections.pop(name, None)


def build_sections(
    branch: Branch, *, now: datetime, screens: bool, only: list[str] | None = None
) -> dict[str, Any]:
    """The registered sections for a lobby board (or, with `screens`, a wall screen); `only`
    limits them to those a change names."""
    return {
        section.name: section.build(branch, now)
        for section in _sections.values()
        if (section.screens or not screens) and (only is None or section.name in only)
    }
