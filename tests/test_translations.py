"""The Simplified Chinese catalogue is complete, keeps every placeholder, is compiled, and covers
every translatable string of the source.

When a test here fails after strings were added or changed, refresh the catalogue with

    DEBUG=1 .venv/bin/python manage.py makemessages -l zh_Hans --no-obsolete \
        --ignore=.venv --ignore=var --ignore=test-artifacts --ignore=bench

translate the new and fuzzy entries of locale/zh_Hans/LC_MESSAGES/django.po, then compile it with

    DEBUG=1 .venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation

from tests.conftest import _missing

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = Path("locale", "zh_Hans", "LC_MESSAGES")
PO = ROOT / MESSAGES / "django.po"
MO = ROOT / MESSAGES / "django.mo"

# Exactly the command the catalogue is made with (see the module's docstring).
MAKEMESSAGES = [
    "makemessages",
    "-l",
    "zh_Hans",
    "--no-obsolete",
    "--ignore=.venv",
    "--ignore=var",
    "--ignore=test-artifacts",
    "--ignore=bench",
]
# What makemessages never reads, left out of the copy of the project it runs on.
NOT_COPIED = (".*", "__pycache__", "node_modules", ".venv", "var", "test-artifacts", "bench")

PERCENT_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACE_PLACEHOLDER = re.compile(r"\{\w*\}")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


# A small reader of .po files ------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def catalog_key(self) -> str:
        """The msgid as gettext's catalogue keys it: the context first, then EOT."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    def __str__(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), f"not a quoted PO string: {text}"
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header left out; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    entry = Entry()
    target: str | None = None  # the keyword the next continuation line belongs to
    seen_keyword = False

    def finish() -> None:
        nonlocal entry, target, seen_keyword
        if seen_keyword and entry.msgid:
            entries.append(entry)
        entry, target, seen_keyword = Entry(), None, False

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            finish()
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue  # comments, locations, previous msgids (#|) and obsolete entries (#~)
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: a string outside any keyword"
            _append(entry, target, _unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in {"msgctxt", "msgid"} and seen_keyword and entry.msgstr:
            finish()  # a new entry without a blank line between
        if not seen_keyword:
            entry.line = number
        seen_keyword = True
        target = keyword
        _append(entry, keyword, _unquote(rest), start=True)
    finish()
    return entries


def _append(entry: Entry, keyword: str, text: str, start: bool = False) -> None:
    if keyword == "msgid":
        entry.msgid = text if start else entry.msgid + text
    elif keyword == "msgctxt":
        entry.msgctxt = text if start else (entry.msgctxt or "") + text
    elif keyword == "msgid_plural":
        entry.msgid_plural = text if start else (entry.msgid_plural or "") + text
    elif keyword == "msgstr":
        entry.msgstr[0] = text if start else entry.msgstr.get(0, "") + text
    elif match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
        index = int(match.group(1))
        entry.msgstr[index] = text if start else entry.msgstr.get(index, "") + text
    else:
        raise AssertionError(f"unknown PO keyword {keyword!r}")


def placeholders(text: str) -> set[str]:
    text = text.replace("%%", "")
    return set(PERCENT_PLACEHOLDER.findall(text)) | set(BRACE_PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    entries = read_po(PO)
    assert len(entries) > 100, f"{PO} looks empty or unreadable: {len(entries)} entries"
    return entries


def _listing(entries) -> str:
    return "\n".join(f"  {entry}" for entry in entries)


# The committed catalogue ----------------------------------------------------------------------


def test_every_string_has_a_chinese_translation(catalogue):
    untranslated = [entry for entry in catalogue if not entry.translated]
    assert not untranslated, f"untranslated in {PO}:\n{_listing(untranslated)}"


def test_no_translation_is_left_fuzzy(catalogue):
    fuzzy = [entry for entry in catalogue if entry.fuzzy]
    assert not fuzzy, (
        f"fuzzy in {PO} (check each guess, fix it and remove the flag):\n{_listing(fuzzy)}"
    )


def test_the_catalogue_keeps_one_plural_form_for_chinese(catalogue):
    header = PO.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header
    plurals = [entry for entry in catalogue if entry.msgid_plural is not None]
    assert plurals, "the project has plural strings; the reader found none"
    wrong = [entry for entry in plurals if sorted(entry.msgstr) != [0]]
    assert not wrong, f"plural entries need exactly msgstr[0]:\n{_listing(wrong)}"


def test_every_placeholder_of_the_english_is_kept_in_the_chinese(catalogue):
    mismatched = []
    for entry in catalogue:
        expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for index, text in entry.msgstr.items():
            found = placeholders(text)
            if text and found != expected:
                mismatched.append(
                    f"  {entry} msgstr[{index}] {text!r}: "
                    f"missing {sorted(expected - found)}, unexpected {sorted(found - expected)}"
                )
    assert not mismatched, "placeholders differ:\n" + "\n".join(mismatched)


def test_the_placeholder_reader_sees_both_styles():
    assert placeholders("%(count)d of {total} at %(time)s; 100%% {}") == {
        "%(count)d",
        "%(time)s",
        "{total}",
        "{}",
    }


def test_the_committed_mo_file_was_compiled_from_the_committed_po_file(catalogue):
    with MO.open("rb") as file:
        compiled = dict(gettext.GNUTranslations(file)._catalog)  # type: ignore[attr-defined]
    compiled.pop("", None)  # the header
    expected: dict[str | tuple[str, int], str] = {}
    for entry in catalogue:
        if entry.fuzzy or not entry.translated:
            continue  # msgfmt leaves these out
        if entry.msgid_plural is None:
            expected[entry.catalog_key] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                expected[(entry.catalog_key, index)] = text
    stale = sorted(map(str, set(compiled.items()) ^ set(expected.items())))
    assert compiled == expected, (
        f"{MO} does not match {PO}; run: "
        "DEBUG=1 .venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv\n"
        "differing entries (first 20):\n" + "\n".join(stale[:20])
    )


def test_django_shows_the_chinese_words_to_a_chinese_speaker():
    # The msgids go through variables: makemessages would otherwise take this file's calls for
    # strings of the product.
    ticket, stars, stars_plural = (
        "Take a ticket",
        "%(stars)s star out of 5",
        "%(stars)s stars out of 5",
    )
    context, open_ = "counter state", "Open"
    with translation.override("zh-hans"):
        assert translation.gettext(ticket) == "取号"
        assert translation.pgettext(context, open_) == "开放中"
        assert translation.ngettext(stars, stars_plural, 4) == "%(stars)s 星（满分 5 星）"


# The source -----------------------------------------------------------------------------------


def test_the_catalogue_holds_every_translatable_string_of_the_source_and_no_other(
    catalogue, tmp_path
):
    """makemessages, run on a copy of the project, finds exactly the msgids of the catalogue."""
    tools = [
        tool for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib") if not shutil.which(tool)
    ]
    if tools:
        _missing(f"it needs GNU gettext (missing {', '.join(tools)}): apt-get install gettext")

    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_COPIED))
    environment = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "branchsite.settings",
        "BRANCHSITE_VAR_DIR": str(tmp_path / "var"),
    }
    environment.pop("PYTHONPATH", None)  # manage.py's folder, the copy, comes first on sys.path
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    fresh = {entry.key for entry in read_po(copy / MESSAGES / "django.po")}
    committed = {entry.key for entry in catalogue}
    missing = sorted(fresh - committed, key=str)
    unused = sorted(committed - fresh, key=str)
    assert not missing and not unused, (
        "the catalogue is out of date; run: DEBUG=1 .venv/bin/python manage.py "
        + " ".join(MAKEMESSAGES)
        + "\nin the source, not in the catalogue:\n"
        + "\n".join(f"  {key}" for key in missing)
        + "\nin the catalogue, no longer in the source:\n"
        + "\n".join(f"  {key}" for key in unused)
    )
