"""Keeping under the API's call rate, and backing off when a call fails.

The limiter is a sliding window shared by every thread of a client: at most ``max_calls`` calls
start inside any ``window`` seconds, which also keeps a server's fixed window satisfied. A 429
answer pauses every caller until the server's ``Retry-After``. Time comes from an injectable
:class:`Clock` so tests run without waiting.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    """Monotonic time and sleeping; a fake one makes waiting instant in tests."""

    def now(self) -> float:
        """Seconds on a monotonic scale."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        ...


class SystemClock:
    """The real clock: ``time.monotonic`` and ``time.sleep``."""

    def now(self) -> float:
        """Seconds on the monotonic clock."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        if seconds > 0:
            time.sleep(seconds)


class RateLimiter:
    """A thread-safe sliding-window limiter: ``max_calls`` starts per ``window`` seconds."""

    def __init__(self, max_calls: int, window: float, *, clock: Clock | None = None) -> None:
        if max_calls < 1 or window <= 0:
            raise ValueError("a rate limit needs max_calls >= 1 and window > 0")
        self.max_calls = max_calls
        self.window = window
        self.clock: Clock = clock or SystemClock()
        self._starts: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self.waited = 0.0

    def configure(self, max_calls: int, window: float) -> None:
        """Adopt the limits a server announced (``/config``)."""
        with self._lock:
            self.max_calls = max(1, max_calls)
            self.window = max(window, 1e-9)

    def acquire(self) -> None:
        """Block until a call may start, then count it."""
        while True:
            with self._lock:
                now = self.clock.now()
                while self._starts and now - self._starts[0] >= self.window:
                    self._starts.popleft()
                wait = self._paused_until - now
                if wait <= 0 and len(self._starts) < self.max_calls:
                    self._starts.append(now)
                    return
                if wait <= 0:
                    wait = self._starts[0] + self.window - now
            wait = max(wait, 1e-3)
            self.waited += wait
            self.clock.sleep(wait)

    def pause(self, seconds: float) -> None:
        """Hold every caller back for ``seconds`` (a 429's ``Retry-After``)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self.clock.now() + max(0.0, seconds))


def parse_retry_after(value: str | None, *, default: float, now: float | None = None) -> float:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if value is None or not value.strip():
        return default
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return default
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded in attempts and in each wait.

    ``attempts`` counts tries for transient failures (5xx, timeouts, dropped connections,
    truncated bodies); 429 answers have their own budget, ``rate_limited_attempts``, because
    they say exactly how long to wait and are not a sign that the server is failing.
    """

    attempts: int = 6
    base: float = 0.5
    cap: float = 20.0
    rate_limited_attempts: int = 20
    max_retry_after: float = 300.0

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Wait before retry ``attempt`` (1-based): uniform in [b/2, b], b = base·2^(n-1)."""
        ceiling: float = min(self.cap, self.base * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + 0.5 * rng())
