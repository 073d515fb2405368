"""The files a customer keeps for an appointment: the QR card shown at the kiosk and the calendar
entry, and the font that lets the card speak Chinese."""

import logging
import os
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import qrcode
from django.utils import timezone, translation
from icalendar import Calendar
from PIL import Image, ImageDraw, ImageFont

from branchsite.infra import fonts
from queueing.appointment_files import appointment_calendar, appointment_qr_png
from queueing.models import Appointment, AppointmentSlot
from tests import factories

pytestmark = pytest.mark.django_db

# 10:30 in Guangzhou.
STARTS_AT = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
PAGE_URL = "https://branches.example.cn/appointments/abc/"


@pytest.fixture(autouse=True)
def _fonts_looked_up_afresh(monkeypatch):
    monkeypatch.delenv(fonts.ENV_VARIABLE, raising=False)
    fonts.cjk_font_file.cache_clear()
    yield
    fonts.cjk_font_file.cache_clear()


@pytest.fixture
def large_cash(branch):
    return factories.make_service(
        branch,
        "A",
        name_zh="大额现金",
        name_en="Large cash",
        appointment_capacity=4,
        appointment_slot_minutes=45,
    )


def book(service, *, starts_at=STARTS_AT, **fields) -> Appointment:
    slot = AppointmentSlot.objects.create(
        service=service, starts_at=starts_at, capacity=4, booked=1
    )
    return Appointment.objects.create(
        slot=slot,
        branch=service.branch,
        service=service,
        starts_at=starts_at,
        day=service.branch.business_day(starts_at),
        phone="13800138000",
        **fields,
    )


@pytest.fixture
def drawn_text(monkeypatch) -> list[str]:
    """Every string drawn on a card, in order (the font is looked up before, not recorded)."""
    fonts.has_cjk_font()
    texts: list[str] = []
    original = ImageDraw.ImageDraw.text

    def recording(self, xy, text, *args, **kwargs):
        texts.append(text)
        return original(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", recording)
    return texts


def card(appointment) -> Image.Image:
    image = Image.open(BytesIO(appointment_qr_png(appointment)))
    assert image.format == "PNG"
    return image


def has_cjk_font_files() -> bool:
    names = ("CJK", "wqy", "DroidSansFallback")
    return any(
        any(name.lower() in path.name.lower() for name in names)
        for path in Path("/usr/share/fonts").rglob("*")
        if path.suffix.lower() in {".ttc", ".ttf", ".otf"}
    )


def needs_a_cjk_font() -> None:
    if not has_cjk_font_files() and os.environ.get("CI", "").lower() != "true":
        pytest.skip("no CJK font under /usr/share/fonts: apt-get install fonts-noto-cjk")


def qr_matrix(data: str) -> list[list[bool]]:
    """The modules of the QR code of `data` the kiosk expects, without the quiet zone."""
    expected = qrcode.QRCode(error_correction=qrcode.ERROR_CORRECT_M, border=0)
    expected.add_data(data)
    expected.make(fit=True)
    return expected.get_matrix()


def qr_symbol(image: Image.Image, modules: int) -> tuple[int, int, int]:
    """Left, top and module size in pixels of the QR symbol at the top of the card.

    The symbol's first row starts and ends in a finder pattern, so the first dark row spans it.
    """
    pixels = image.load()
    for y in range(image.height):
        dark = [x for x in range(image.width) if pixels[x, y] < 128]
        if dark:
            span = dark[-1] + 1 - dark[0]
            assert span % modules == 0, "modules are not whole pixels"
            return dark[0], y, span // modules
    raise AssertionError("the card has no QR code")


def test_the_qr_card_is_a_greyscale_png_600_pixels_wide(large_cash):
    image = card(book(large_cash))
    assert image.mode == "L"
    assert image.width == 600
    assert image.width < image.height < 2 * image.width


def test_the_qr_code_holds_the_check_in_code_and_nothing_else(large_cash):
    appointment = book(large_cash)
    matrix = qr_matrix(appointment.code)
    modules = len(matrix)

    image = card(appointment)
    left, top, size = qr_symbol(image, modules)
    pixels = image.load()
    found = [
        [
            pixels[left + col * size + size // 2, top + row * size + size // 2] < 128
            for col in range(modules)
        ]
        for row in range(modules)
    ]
    assert found == matrix
    # Crisp: only black and white inside the symbol, no blurred module edges.
    symbol = image.crop((left, top, left + modules * size, top + modules * size))
    assert {colour for _, colour in symbol.getcolors()} == {0, 255}


def test_the_qr_code_keeps_a_quiet_zone_of_four_modules(large_cash):
    appointment = book(large_cash)
    modules = len(qr_matrix(appointment.code))
    image = card(appointment)
    left, top, size = qr_symbol(image, modules)
    quiet, width = 4 * size, modules * size
    assert left >= quiet and top >= quiet
    around = image.crop((left - quiet, top - quiet, left + width + quiet, top + width + quiet))
    around.paste(255, (quiet, quiet, quiet + width, quiet + width))
    assert around.getextrema() == (255, 255)


def test_the_check_in_code_is_printed_under_the_qr_code(large_cash, drawn_text):
    appointment = book(large_cash)
    modules = len(qr_matrix(appointment.code))
    image = card(appointment)
    _, top, size = qr_symbol(image, modules)
    below_qr = top + (modules + 4) * size
    assert image.crop((0, below_qr, image.width, below_qr + 90)).getextrema()[0] < 64
    # One character at a time, spaced out for reading.
    assert "".join(drawn_text[: len(appointment.code)]) == appointment.code


def test_the_card_names_the_branch_time_and_service_in_english(large_cash, drawn_text):
    with translation.override("en"):
        card(book(large_cash))
    assert drawn_text[-3:] == ["Tianhe Sub-branch", "2026-12-01 10:30", "Large cash"]


def test_a_chinese_reader_gets_the_card_in_chinese(large_cash, drawn_text):
    needs_a_cjk_font()
    with translation.override("zh-hans"):
        card(book(large_cash))
    assert drawn_text[-3:] == ["天河支行", "2026-12-01 10:30", "大额现金"]


def test_the_card_shows_the_time_on_the_branch_clock(db, drawn_text):
    london = factories.make_branch("LDN-01", time_zone="Europe/London")
    service = factories.make_service(london, "A", name_en="Cash", appointment_capacity=2)
    card(book(service, starts_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC)))
    assert "2026-07-01 10:00" in drawn_text


def test_a_long_branch_name_shrinks_to_fit_the_card(large_cash, drawn_text, monkeypatch):
    large_cash.branch.name_en = "Guangzhou Tianhe Road Central Business District Sub-branch"
    large_cash.branch.save()
    sizes: list[float] = []
    original = ImageDraw.ImageDraw.textbbox

    def measuring(self, xy, text, font=None, *args, **kwargs):
        box = original(self, xy, text, font, *args, **kwargs)
        if text == large_cash.branch.name_en:
            sizes.append(box[2] - box[0])
        return box

    monkeypatch.setattr(ImageDraw.ImageDraw, "textbbox", measuring)
    with translation.override("en"):
        card(book(large_cash))
    assert large_cash.branch.name_en in drawn_text
    assert sizes and max(sizes) <= 600 - 2 * 30


def ics(appointment, language="en") -> Calendar:
    with translation.override(language):
        return Calendar.from_ical(appointment_calendar(appointment, url=PAGE_URL))


def the_event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_the_calendar_file_is_one_published_event(large_cash):
    appointment = book(large_cash)
    calendar = ics(appointment)
    assert calendar["PRODID"] == "-//branchsite//appointments//EN"
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    event = the_event(calendar)
    assert event["UID"] == f"{appointment.token}@branchsite"
    assert event["STATUS"] == "CONFIRMED"
    assert event["URL"] == PAGE_URL
    stamp = event.decoded("DTSTAMP")
    assert stamp.utcoffset() == timedelta(0)
    assert abs(stamp - timezone.now()) < timedelta(minutes=1)


def test_the_calendar_file_opens_at_the_slot_in_the_branch_time_zone(db):
    london = factories.make_branch("LDN-01", time_zone="Europe/London")
    service = factories.make_service(
        london, "A", appointment_capacity=2, appointment_slot_minutes=45
    )
    calendar = ics(book(service, starts_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC)))
    event = the_event(calendar)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    start = event.decoded("DTSTART")
    assert start == datetime(2026, 7, 1, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    assert (start.hour, start.minute) == (10, 0)
    assert event.decoded("DTEND") == start + timedelta(minutes=45)
    # The file carries the zone's rules, summer time included, for calendars that lack them.
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/London"
    assert zone.walk("DAYLIGHT")


def test_the_calendar_event_lasts_the_service_slot(large_cash):
    event = the_event(ics(book(large_cash)))
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert start == datetime(2026, 12, 1, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert event.decoded("DTEND") - start == timedelta(minutes=45)


def test_the_calendar_event_says_where_and_how_to_check_in(large_cash):
    appointment = book(large_cash)
    event = the_event(ics(appointment))
    assert event["SUMMARY"] == "Appointment: Large cash at Tianhe Sub-branch"
    assert event["LOCATION"] == "1 Tianhe Road, Tianhe, Guangzhou"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (23.135, 113.32)
    assert appointment.code in event["DESCRIPTION"]
    assert PAGE_URL in event["DESCRIPTION"]


def test_the_calendar_reminds_an_hour_before(large_cash):
    (alarm,) = the_event(ics(book(large_cash))).walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -timedelta(hours=1)
    assert "Tianhe Sub-branch" in alarm["DESCRIPTION"]


def test_a_cancelled_appointment_is_a_cancelled_calendar_event(large_cash):
    appointment = book(large_cash, status=Appointment.Status.CANCELLED)
    assert the_event(ics(appointment))["STATUS"] == "CANCELLED"


def test_a_chinese_reader_gets_the_calendar_event_in_chinese(large_cash):
    event = the_event(ics(book(large_cash), "zh-hans"))
    assert "天河支行" in event["SUMMARY"]
    assert "大额现金" in event["SUMMARY"]
    assert event["LOCATION"] == "广州市天河区天河路1号"


def draws(font, text: str) -> bytes:
    image = Image.new("L", (64, 64))
    ImageDraw.Draw(image).text((0, 0), text, font=font, fill=255)
    return image.tobytes()


def test_the_card_font_draws_chinese_on_this_machine():
    needs_a_cjk_font()
    assert fonts.has_cjk_font()
    font = fonts.cjk_font(40)
    assert isinstance(font, ImageFont.FreeTypeFont)
    assert font.size == 40
    # A real glyph, not the box a font draws for a character it lacks.
    assert draws(font, "银") != draws(font, "\U0010ffff")


def test_a_font_named_in_the_environment_that_cannot_draw_chinese_is_reported(
    tmp_path, monkeypatch, caplog
):
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_bytes(b"not a font")
    monkeypatch.setenv(fonts.ENV_VARIABLE, str(not_a_font))
    with caplog.at_level(logging.WARNING, logger="branchsite.infra.fonts"):
        fonts.has_cjk_font()
    assert any(str(not_a_font) in record.getMessage() for record in caplog.records)


def test_without_a_chinese_font_the_card_falls_back_to_english_and_says_so(
    large_cash, monkeypatch, caplog, drawn_text
):
    monkeypatch.setattr(fonts, "_candidates", lambda: iter(()))
    fonts.cjk_font_file.cache_clear()
    with caplog.at_level(logging.WARNING, logger="branchsite.infra.fonts"):
        assert not fonts.has_cjk_font()
        assert not fonts.has_cjk_font()
        with translation.override("zh-hans"):
            image = card(book(large_cash))

    (warning,) = caplog.records
    assert warning.levelno == logging.WARNING
    message = warning.getMessage()
    assert "English" in message
    assert "apt-get install fonts-noto-cjk" in message
    assert "BRANCHSITE_CJK_FONT" in message
    assert image.width == 600
    assert drawn_text[-3:] == ["Tianhe Sub-branch", "2026-12-01 10:30", "Large cash"]
