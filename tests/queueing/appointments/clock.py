"""The moment appointment tests live in: Tuesday 1 December 2026, 10:00 in Guangzhou."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

GUANGZHOU = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=GUANGZHOU)
TODAY = NOW.date()
TOMORROW = TODAY + timedelta(days=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=GUANGZHOU)
