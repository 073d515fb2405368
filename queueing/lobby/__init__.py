"""The live lobby: the public seam every app uses to change what screens, boards and counter
pages show, and the snapshots they are drawn from.

- `lobby_changed(branch_id, ...)`: call in the transaction of any change of the lobby; it bumps
  the version and broadcasts after commit (see `changes`);
- `register_lobby_section(name, build=...)`: add an app's own part to the snapshots (`sections`);
- `screen_snapshot`, `lobby_snapshot` and the matching `*_change`: what the clients get.
"""

from .changes import lobby_changed, lobby_group, lobby_version
from .sections import register_lobby_section, unregister_lobby_section
from .snapshots import (
    lobby_change,
    lobby_snapshot,
    screen_change,
    screen_snapshot,
    ticket_appointment,
)

__all__ = [
    "lobby_change",
    "lobby_changed",
    "lobby_group",
    "lobby_snapshot",
    "lobby_version",
    "register_lobby_section",
    "screen_change",
    "screen_snapshot",
    "ticket_appointment",
    "unregister_lobby_section",
]
