"""Today as the service's users count it: the calendar day in Asia/Jakarta (WIB), whatever the server's zone.

Only limits on input use it (no check or claim dated after today); the law in force is always chosen by the
event date, never by today.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def today() -> dt.date:
    """The current date in Asia/Jakarta."""
    return dt.datetime.now(JAKARTA).date()
