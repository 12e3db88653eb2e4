"""Retries that back off: a struggling server gets time to recover, not a burst.

Scrapy's RetryMiddleware re-queues a failed request at once. This subclass waits
``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds before handing back the n-th retry (capped
by ``RETRY_BACKOFF_MAX``, and honouring a ``Retry-After`` header in seconds up to
that cap). The wait is an asyncio sleep, so other requests keep flowing meanwhile;
it needs the asyncio reactor, which is Scrapy's default.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware with exponential backoff between attempts."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    def backoff_delay(self, retry: Request, response: Response | None = None) -> float:
        """Seconds to wait before sending ``retry`` (its meta holds the attempt number)."""
        attempt = max(1, int(retry.meta.get("retry_times", 1)))
        delay = self.backoff_base * 2 ** (attempt - 1)
        if response is not None:
            header = response.headers.get(b"Retry-After")
            if header:
                try:
                    delay = max(delay, float(header.decode("latin-1").strip()))
                except ValueError:
                    pass  # an HTTP date: keep our own schedule
        return min(delay, self.backoff_max)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await asyncio.sleep(self.backoff_delay(result, response))
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self.backoff_delay(result))
        return result
