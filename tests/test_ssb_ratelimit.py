"""The shared rate limiter and the retry policy, on a fake clock."""

from __future__ import annotations

import threading

import pytest

from kostra.sources._ssb.ratelimit import RateLimiter, RetryPolicy, parse_retry_after


class FakeClock:
    """Time that advances only when someone sleeps."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self.t

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.t += seconds


def test_sliding_window_never_exceeds_the_limit() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, 10.0, clock=clock)
    starts = []
    for _ in range(10):
        limiter.acquire()
        starts.append(clock.now())
    for i, start in enumerate(starts):
        inside = [s for s in starts if start <= s < start + 10.0]
        assert len(inside) <= 3, (i, starts)
    # Ten calls at three per ten seconds need at least three full windows.
    assert starts[-1] - starts[0] >= 30.0 - 1e-9


def test_limiter_is_shared_by_threads() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5, 60.0, clock=clock)
    starts: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(4):
            limiter.acquire()
            with lock:
                starts.append(clock.now())

    threads = [threading.Thread(target=work) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(starts) == 20
    starts.sort()
    for start in starts:
        assert len([s for s in starts if start <= s < start + 60.0]) <= 5


def test_pause_holds_every_caller_back() -> None:
    clock = FakeClock()
    limiter = RateLimiter(100, 60.0, clock=clock)
    limiter.acquire()
    limiter.pause(7.0)
    before = clock.now()
    limiter.acquire()
    assert clock.now() - before == pytest.approx(7.0)


def test_retry_after_forms() -> None:
    assert parse_retry_after("12", default=1.0) == 12.0
    assert parse_retry_after(None, default=3.0) == 3.0
    assert parse_retry_after("soon", default=2.0) == 2.0
    stamp = "Wed, 21 Oct 2015 07:28:30 GMT"
    assert parse_retry_after(stamp, default=1.0, now=1445412480.0) == pytest.approx(30.0)


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    policy = RetryPolicy(base=1.0, cap=8.0)
    assert policy.backoff(1, lambda: 0.0) == 0.5
    assert policy.backoff(1, lambda: 1.0) == 1.0
    assert policy.backoff(3, lambda: 1.0) == 4.0
    assert policy.backoff(10, lambda: 1.0) == 8.0
    assert 4.0 <= policy.backoff(10) <= 8.0
