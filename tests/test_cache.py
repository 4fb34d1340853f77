"""The Redis cache works as Django's, and a Redis that is down is a miss, never an error."""

import os

import redis

from mlsd_portal.cache import OutageTolerantRedisCache
from tests.conftest import need_service
from tests.load.run import free_port


def cache_at(url: str) -> OutageTolerantRedisCache:
    return OutageTolerantRedisCache(
        url, {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    )


def test_a_redis_that_is_down_reads_as_misses_and_skips_writes(caplog):
    cache = cache_at(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    cache.set("page", "<p>html</p>")
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.get("page") is None and cache.get("page", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("c", 3) is False and cache.delete("page") is False
    assert "Redis is unreachable" in caplog.text


def test_a_redis_that_answers_caches_with_the_default_timeout():
    url = os.environ.get("CACHE_URL") or os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        need_service("neither CACHE_URL nor CELERY_BROKER_URL points at Redis")
    url = url.rsplit("/", 1)[0] + "/15"
    cache = cache_at(url)
    cache.clear()
    cache.set("page", "<p>html</p>")
    cache.set_many({"a": 1, "b": 2})
    assert cache.get("page") == "<p>html</p>"
    assert cache.get_many(["a", "b", "z"]) == {"a": 1, "b": 2}
    assert cache.add("a", 9) is False and cache.add("c", 3) is True
    assert cache.delete("c") is True and cache.get("c") is None
    ttl = redis.Redis.from_url(url).ttl(cache.make_and_validate_key("page"))
    assert 0 < ttl <= cache.default_timeout
    cache.clear()
