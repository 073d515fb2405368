"""Text that people typed, made safe to store and to show on a screen, a page or a terminal.

Customers' names and comments are shown to staff and in the admin, and written to logs. Control
characters, terminal escapes, bidirectional overrides (which make "A001" read as "100A") and
invisible characters carry nothing a person meant to say: they are removed, not refused, so that
a name pasted from a chat app with a stray zero-width space still books.
"""

import re
import unicodedata

# A terminal escape (CSI, OSC): removed whole, not only its ESC, which would leave "[31m".
_TERMINAL_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?)?")
_SPACES = re.compile(r"\s+")
# Control (Cc), format (Cf: zero-width and bidi characters), surrogates, private use, unassigned.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


def clean_text(raw: str, *, multiline: bool = False) -> str:
    """`raw` without invisible characters, its spaces collapsed and trimmed. With `multiline`,
    line breaks are kept (at most one blank line in a row)."""
    text = _TERMINAL_ESCAPE.sub("", unicodedata.normalize("NFC", raw))
    kept = []
    for char in text:
        if multiline and char == "\n":
            kept.append(char)
        elif char in "\t\r\n\u2028\u2029":
            kept.append(" ")
        elif unicodedata.category(char) not in _INVISIBLE:
            kept.append(char)
    text = "".join(kept)
    if not multiline:
        return _SPACES.sub(" ", text).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
