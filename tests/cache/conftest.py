from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cache.redis_process import RedisProcess


@pytest.fixture
def own_redis() -> Iterator[RedisProcess]:
    server = RedisProcess()
    server.start()
    yield server
    server.kill()
