"""Files a customer keeps for an appointment: a QR card to show at the kiosk and a calendar entry.

The QR code holds the check-in code and nothing else. The kiosk scans it; outside the branch and
its check-in window the code opens nothing, so a photo of the card gives nobody a way in to the
customer's phone number or name.
"""

import functools
import hashlib
import math
from datetime import UTC, datetime, timedelta
from io import BytesIO

import qrcode
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import get_language, gettext
from icalendar import Alarm, Calendar, Event, Timezone
from PIL import Image, ImageDraw, ImageFont
from qrcode.image.pil import PilImage

from branchsite.infra.fonts import cjk_font, has_cjk_font
from branchsite.infra.models import AuditEntry

from .models import Appointment, AppointmentStatus

CARD_WIDTH = 600
QR_BORDER_MODULES = 4  # the quiet zone the QR specification asks for
_TEXT_MARGIN = 30
_PAPER = 255
_INK = 17
_SOFT_INK = 85
_CODE_SIZE = 72
_LINE_SIZE = 34
_SMALLEST_SIZE = 16

CALENDAR_PRODID = "-//branchsite//appointments//EN"
ALARM_BEFORE = timedelta(hours=1)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def local_start(appointment: Appointment) -> datetime:
    """When the slot starts, on the branch's clock."""
    return appointment.starts_at.astimezone(appointment.branch.zone)


def _qr_image(code: str) -> Image.Image:
    qr = qrcode.QRCode(
        error_correction=qrcode.ERROR_CORRECT_M, border=QR_BORDER_MODULES, box_size=1
    )
    qr.add_data(code)
    qr.make(fit=True)
    # Whole pixels per module, as many as fit the card: every module a sharp square.
    qr.box_size = CARD_WIDTH // (qr.modules_count + 2 * QR_BORDER_MODULES)
    image = qr.make_image(image_factory=PilImage)
    return image.get_image()


class _Fonts:
    """Fonts by size, loaded once per card."""

    def __init__(self) -> None:
        self._by_size: dict[int, Font] = {}

    def __call__(self, size: int) -> Font:
        if size not in self._by_size:
            self._by_size[size] = cjk_font(size)
        return self._by_size[size]

    def fitting(self, text: str, size: int, width: int) -> tuple[str, Font]:
        """The text in the largest font up to `size` that fits `width`, cut short if need be."""
        while size > _SMALLEST_SIZE and self(size).getlength(text) > width:
            size -= 2
        font = self(size)
        if font.getlength(text) > width:
            while text and font.getlength(text + "…") > width:
                text = text[:-1]
            text += "…"
        return text, font


def _draw_centred(draw: ImageDraw.ImageDraw, y: int, text: str, font: Font, fill: int) -> int:
    """Draws a line centred on the card with its top at `y`; returns the y below it."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((CARD_WIDTH - (right - left)) / 2 - left, y - top), text, font=font, fill=fill)
    return y + math.ceil(bottom - top)


def _draw_code(draw: ImageDraw.ImageDraw, y: int, code: str, fonts: _Fonts) -> int:
    """The check-in code, spaced out and split in two halves, to be read off and typed."""
    font = fonts(_CODE_SIZE)
    tracking = _CODE_SIZE // 5
    half = len(code) // 2
    advances = [font.getlength(char) + tracking for char in code]
    gap = _CODE_SIZE // 2 - tracking  # the space between the halves, beyond the tracking
    width = sum(advances) - tracking + gap
    top = min(draw.textbbox((0, 0), char, font=font)[1] for char in code)
    bottom = max(draw.textbbox((0, 0), char, font=font)[3] for char in code)
    x = (CARD_WIDTH - width) / 2
    for index, (char, advance) in enumerate(zip(code, advances, strict=True)):
        if index == half:
            x += gap
        draw.text((x, y - top), char, font=font, fill=_INK)
        x += advance
    return y + math.ceil(bottom - top)


def card_version(appointment: Appointment) -> str:
    """Changes whenever what the QR card or the calendar entry shows changes (the time, the
    status, the code, the name). Their URLs carry it, so a browser that keeps the image for an
    hour never shows a card from before a reschedule."""
    shown = "|".join(
        [
            str(appointment.starts_at.timestamp()),
            appointment.status,
            appointment.code,
            appointment.name,
        ]
    )
    return hashlib.sha256(shown.encode()).hexdigest()[:12]


def calendar_sequence(appointment: Appointment) -> int:
    """The entry's revision for calendars (iCalendar SEQUENCE): one more with every reschedule
    and with a cancellation, so a calendar that tracks the UID takes the new time."""
    changes = AuditEntry.objects.filter(
        subject_type=ContentType.objects.get_for_model(Appointment),
        subject_id=str(appointment.pk),
        action__in=["appointment.rescheduled", "appointment.cancelled"],
    )
    return changes.count()


def appointment_qr_png(appointment: Appointment) -> bytes:
    """A PNG card: the QR code of the check-in code, then the code, branch, time and service.

    Names are in Chinese when the active language is Chinese and a font can draw it, else in
    English.
    """
    chinese = has_cjk_font() and (get_language() or "").startswith("zh")
    branch, service = appointment.branch, appointment.service
    lines = [
        (branch.name_zh if chinese else branch.name_en, _LINE_SIZE, _INK),
        (f"{local_start(appointment):%Y-%m-%d %H:%M}", _LINE_SIZE, _INK),
        (service.name_zh if chinese else service.name_en, _LINE_SIZE - 4, _SOFT_INK),
    ]

    qr = _qr_image(appointment.code)
    fonts = _Fonts()
    text_width = CARD_WIDTH - 2 * _TEXT_MARGIN
    fitted = [(*fonts.fitting(text, size, text_width), fill) for text, size, fill in lines]
    line_gap = 14
    # Room enough for any line; the card is cut to what was drawn.
    height = qr.height + 2 * _CODE_SIZE + sum(2 * size + line_gap for _, size, _ in lines)

    card = Image.new("L", (CARD_WIDTH, height), _PAPER)
    card.paste(qr, ((CARD_WIDTH - qr.width) // 2, 0))
    draw = ImageDraw.Draw(card)
    y = _draw_code(draw, qr.height, appointment.code, fonts) + 28
    for text, font, fill in fitted:
        y = _draw_centred(draw, y, text, font, fill) + line_gap
    card = card.crop((0, 0, CARD_WIDTH, y - line_gap + 40))

    out = BytesIO()
    card.save(out, format="PNG")
    return out.getvalue()


def _description(appointment: Appointment, url: str) -> str:
    lines = [
        gettext("Check-in code: %(code)s") % {"code": appointment.code},
        gettext("Scan its QR code or type the code at the branch kiosk when you arrive."),
    ]
    if appointment.cash_amount is not None:
        lines.append(
            gettext("Cash to withdraw: %(amount)s %(currency)s")
            % {"amount": appointment.cash_amount, "currency": appointment.cash_currency}
        )
    lines.append(gettext("Your appointment: %(url)s") % {"url": url})
    return "\n".join(lines)


@functools.lru_cache(maxsize=64)
def _vtimezone(tzid: str) -> bytes:
    """The VTIMEZONE of a zone, made once per process: icalendar takes some 30 ms for one."""
    return Timezone.from_tzid(tzid).to_ical()


def appointment_calendar(appointment: Appointment, *, url: str) -> bytes:
    """An iCalendar (.ics) file with the appointment as one event, in the active language.

    Times are in the branch's time zone with its VTIMEZONE, so the entry shows at the right
    moment wherever the phone is. A cancelled appointment is a cancelled event: importing it
    again removes the entry in calendars that track the UID.
    """
    branch, service = appointment.branch, appointment.service
    start = local_start(appointment)
    end = start + timedelta(minutes=service.appointment_slot_minutes)
    # icalendar before 6.1 cannot describe a time zone itself: send UTC times then.
    with_zone = hasattr(Timezone, "from_tzid")
    if not with_zone:
        start, end = start.astimezone(UTC), end.astimezone(UTC)
    summary = gettext("Appointment: %(service)s at %(branch)s") % {
        "service": service.name,
        "branch": branch.name,
    }
    cancelled = appointment.status == AppointmentStatus.CANCELLED

    calendar = Calendar()
    calendar.add("prodid", CALENDAR_PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if with_zone:
        calendar.add_component(Timezone.from_ical(_vtimezone(branch.time_zone)))

    event = Event()
    event.add("uid", f"{appointment.token}@branchsite")
    event.add("sequence", calendar_sequence(appointment))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("location", branch.address)
    event.add("geo", (float(branch.latitude), float(branch.longitude)))
    event.add("description", _description(appointment, url))
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)
    calendar.add_component(event)

    return calendar.to_ical()
