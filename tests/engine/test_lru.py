"""The count/edge cache of the feature layers: None is a cached value, the oldest goes first."""

from opengeodata.providers.lru import LruCache


def test_none_is_cached_and_least_recently_used_is_dropped() -> None:
    cache: LruCache[int | None] = LruCache(2)
    assert cache.lookup("a") == (False, None)
    cache.put("a", None)  # "too expensive to count" is remembered, not recomputed
    cache.put("b", 2)
    assert cache.lookup("a") == (True, None)  # touches a: b is now the oldest
    cache.put("c", 3)
    assert cache.lookup("b") == (False, None)
    assert cache.lookup("a") == (True, None)
    assert cache.lookup("c") == (True, 3)
