"""The shared vendor HTTP rules: how long a ``Retry-After`` makes us wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from fleetyard.integrations.providers.vendor_http import retry_after_s


def test_retry_after_as_seconds_or_a_date() -> None:
    assert retry_after_s("30", 10) == 30
    assert retry_after_s(None, 10) == 10
    assert retry_after_s("  ", 60) == 60
    assert retry_after_s("soon", 10) == 10
    assert retry_after_s("nan", 10) == 10
    assert retry_after_s("-5", 10) == 0
    assert retry_after_s("999999", 10) == 3600
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= retry_after_s(in_a_minute, 10) <= 60
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT", 10) == 0  # a date in the past
