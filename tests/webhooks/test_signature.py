"""Properties of what needs no database: signatures, target URLs, addresses, the retry schedule."""

from __future__ import annotations

import hashlib
import hmac
import random
import string

import httpx
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fleetyard.webhooks import signature
from fleetyard.webhooks.retry import DeliveryStatus, retry_delay, settle
from fleetyard.webhooks.targets import MAX_URL_LENGTH, check_url, is_public

PROPERTIES = hypothesis_settings(max_examples=200, deadline=None, database=None)
NOW = 1_800_000_000

secrets_ = st.text(min_size=1, max_size=80)
bodies = st.binary(max_size=2000)
timestamps = st.integers(min_value=0, max_value=10**11)


# Signatures ---------------------------------------------------------------------------------
@PROPERTIES
@given(secret=secrets_, body=bodies, timestamp=timestamps)
def test_a_signature_verifies_and_is_the_documented_hmac(
    secret: str, body: bytes, timestamp: int
) -> None:
    value = signature.header_value([secret], timestamp, body)
    assert signature.verify(value, secret, body, now=timestamp)
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert value == f"t={timestamp},v1={expected.hexdigest()}"


@PROPERTIES
@given(secret=secrets_, other=secrets_, body=bodies, timestamp=timestamps, data=st.data())
def test_any_change_breaks_it(
    secret: str, other: str, body: bytes, timestamp: int, data: st.DataObject
) -> None:
    value = signature.header_value([secret], timestamp, body)
    if other != secret:
        assert not signature.verify(value, other, body, now=timestamp)
    changed = data.draw(bodies.filter(lambda b: b != body), label="changed body")
    assert not signature.verify(value, secret, changed, now=timestamp)
    # a timestamp moved into the header without re-signing
    moved = value.replace(f"t={timestamp}", f"t={timestamp + 1}")
    assert not signature.verify(moved, secret, body, now=timestamp)


@PROPERTIES
@given(
    secret=secrets_,
    body=bodies,
    age=st.integers(min_value=-(10**6), max_value=10**6),
)
def test_old_or_future_timestamps_are_refused(secret: str, body: bytes, age: int) -> None:
    value = signature.header_value([secret], NOW - age, body)
    fresh = abs(age) <= signature.DEFAULT_TOLERANCE_S
    assert signature.verify(value, secret, body, now=NOW) is fresh


@PROPERTIES
@given(current=secrets_, previous=secrets_, body=bodies)
def test_either_secret_verifies_during_a_rotation(current: str, previous: str, body: bytes) -> None:
    value = signature.header_value([current, previous], NOW, body)
    assert signature.verify(value, current, body, now=NOW)
    assert signature.verify(value, previous, body, now=NOW)


@PROPERTIES
@given(value=st.text(max_size=300), secret=secrets_, body=bodies)
def test_a_garbage_header_never_verifies_nor_raises(value: str, secret: str, body: bytes) -> None:
    assert signature.verify(value, secret, body, now=NOW) is False


def test_new_secrets_are_long_and_distinct() -> None:
    made = {signature.new_secret() for _ in range(100)}
    assert len(made) == 100
    assert all(s.startswith("whsec_") and len(s) >= 48 for s in made)


# Target URLs --------------------------------------------------------------------------------
hosts = st.one_of(
    st.from_regex(r"\A[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){0,3}\Z"),
    st.sampled_from(["localhost", "127.0.0.1", "[::1]", "10.1.2.3", "bücher.example"]),
)
paths = st.text(alphabet=string.ascii_letters + string.digits + "/-._~%?=&", max_size=100)


@PROPERTIES
@given(
    scheme=st.sampled_from(["http", "https", "HTTPS"]),
    host=hosts,
    port=st.none() | st.integers(1, 65535),
    path=paths,
)
def test_http_urls_with_a_host_are_accepted(
    scheme: str, host: str, port: int | None, path: str
) -> None:
    url = f"{scheme}://{host}{f':{port}' if port else ''}/{path}"
    assert check_url(url) == url
    assert httpx.URL(url).host  # what the dispatcher sends to


@PROPERTIES
@given(
    url=st.one_of(
        st.text(max_size=200),
        st.builds(lambda s, rest: f"{s}://{rest}", st.sampled_from(["ftp", "file", "ws"]), paths),
        st.builds(
            lambda user, host: f"https://{user}@{host}/",
            st.text(string.ascii_letters + ":", min_size=0, max_size=10),
            hosts,
        ),
        st.builds(lambda p: f"https://hooks.example.com/{p}", st.text(max_size=50)),
    )
)
def test_anything_else_is_refused_with_a_value_error(url: str) -> None:
    """Either it is a valid http(s) URL with a host and no credentials, or ValueError."""
    try:
        checked = check_url(url)
    except ValueError:
        return
    parsed = httpx.URL(checked)
    assert parsed.scheme in ("http", "https")
    assert parsed.host
    assert not parsed.userinfo
    assert len(checked) <= MAX_URL_LENGTH
    assert all(c.isprintable() and not c.isspace() for c in checked)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1%eth0",
        "fc00::1",
        "::ffff:10.0.0.1",
        "::",
        "not an address",
    ],
)
def test_private_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700::1111"])
def test_public_addresses_are(address: str) -> None:
    assert is_public(address)


# Retries ------------------------------------------------------------------------------------
def test_the_default_schedule() -> None:
    rng = random.Random(7)
    waits = [retry_delay(n, 10.0, rng) for n in range(1, 10)]
    expected = [10, 30, 120, 600, 1800, 3600, 10800, 21600, 21600]
    for wait, nominal in zip(waits, expected, strict=True):
        assert 0.8 * nominal <= wait <= 1.2 * nominal


@PROPERTIES
@given(attempts=st.integers(1, 30), max_attempts=st.integers(1, 20), ok=st.booleans())
def test_settle(attempts: int, max_attempts: int, ok: bool) -> None:
    outcome = settle(
        succeeded=ok, retryable=True, attempts=attempts, max_attempts=max_attempts, base_s=1.0
    )
    if ok:
        assert outcome.status is DeliveryStatus.SUCCEEDED
    elif attempts >= max_attempts:
        assert outcome.status is DeliveryStatus.FAILED
    else:
        assert outcome.status is DeliveryStatus.PENDING
        assert outcome.retry_in_s is not None and outcome.retry_in_s > 0
    refused = settle(
        succeeded=False, retryable=False, attempts=1, max_attempts=max_attempts, base_s=1.0
    )
    assert refused.status is DeliveryStatus.FAILED
