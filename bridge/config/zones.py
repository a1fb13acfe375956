"""Time zones as the calendars need them: a region's, following its daylight saving time."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Zone names kept for compatibility that are fixed offsets or do not follow a region's rules
# (EST is UTC-5 all year, while New York changes to UTC-4 in summer), with the region meant.
LEGACY_ZONES = {
    "EST": "America/New_York",
    "EST5EDT": "America/New_York",
    "CST6CDT": "America/Chicago",
    "MST": "America/Denver (or America/Phoenix, which keeps no daylight saving time)",
    "MST7MDT": "America/Denver",
    "PST8PDT": "America/Los_Angeles",
    "HST": "Pacific/Honolulu",
    "GMT": "Europe/London (or UTC)",
    "CET": "Europe/Paris",
    "MET": "Europe/Paris",
    "EET": "Europe/Athens",
    "WET": "Europe/Lisbon",
}
_UNIVERSAL = ("UTC", "Etc/UTC")


def _fixed_or_legacy(zone: str) -> bool:
    """A name without a region (EST, CET, Japan) or an Etc/ fixed offset; UTC stays allowed."""
    if zone in _UNIVERSAL:
        return False
    return "/" not in zone or zone.startswith("Etc/")


def region_zone(value: str) -> str:
    """``value`` when it names a region's zone (or UTC); else ValueError saying which to use."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"unknown time zone {value!r} (use an IANA name such as Europe/London)"
        raise ValueError(msg) from None
    if _fixed_or_legacy(value):
        meant = LEGACY_ZONES.get(value.upper(), "a region's name such as America/New_York")
        msg = (
            f"{value!r} is a legacy zone name that does not follow the region's daylight "
            f"saving time (or is a fixed offset); use {meant}"
        )
        raise ValueError(msg)
    return value
