"""Dates and times as the agency's people read them: in the agency's own time zone (``TIME_ZONE``, IANA).

Storage and the API stay UTC (ISO 8601 with an offset, so no answer is ambiguous); only what a person reads, on a
receipt, a deposit slip, an email or a page, is shown in the agency's zone, with the zone's abbreviation (CST or
CDT: it also says which side of a daylight-saving change an hour is on) or, where the zone has none, its offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class AgencyTime:
    zone: str = "UTC"

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def local(self, moment: datetime) -> datetime:
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(self.tz)

    def day(self, moment: datetime) -> date:
        """The agency's calendar day of an instant (a payment at 01:00 UTC is the evening before in Chicago)."""
        return self.local(moment).date()

    def date_text(self, moment: datetime | date) -> str:
        """ "3 December 2026": an instant by the agency's calendar, a calendar date as it is."""
        day = self.day(moment) if isinstance(moment, datetime) else moment
        return f"{day.day} {day:%B %Y}"

    def moment_text(self, moment: datetime) -> str:
        """ "3 December 2026, 8:32 AM CST"."""
        local = self.local(moment)
        hour = local.hour % 12 or 12
        return f"{self.date_text(local.date())}, {hour}:{local:%M} {local:%p} {zone_label(local)}"


def zone_label(local: datetime) -> str:
    """The zone's abbreviation (CST, CDT, UTC), or the UTC offset where the database has only a number (+03)."""
    name = local.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}" if rest else f"UTC{sign}{hours}"
