"""Scrapy settings for the monitor's crawls: polite, bounded, with no remote control.

These are static defaults; ``monitor.collect.crawl`` adds what is only known at run time
(the archive path, the contact in the User-Agent from ``MONITOR_CONTACT``, test
overrides). Nothing here reads the environment: settings are built at startup.
"""

from __future__ import annotations

BOT_NAME = "statement-monitor"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

#: Replaced at run time by ``user_agent(contact)``.
USER_AGENT = "statement-monitor/0.1 (+https://github.com/statement-monitor)"

# Politeness: obey robots.txt, adapt to the server's latency, few parallel requests per site.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False

# Bounds: a hanging, trickling or huge response cannot stall or flood a crawl.
DOWNLOAD_TIMEOUT = 30
DNS_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True
#: Whole-crawl limit (seconds); ``monitor.collect.crawl`` also kills the child process after it.
CLOSESPIDER_TIMEOUT = 600

# Retries with exponential backoff (spiders.middlewares.BackoffRetryMiddleware).
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
#: First retry waits this many seconds, then doubles, capped by RETRY_BACKOFF_MAX.
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.BackoffRetryMiddleware": 550,
}

# Conditional GET is done by hand (feed spider): Scrapy's cache turns a 304 into the
# cached 200 and would store every body on disk (STACK-NOTES §3).
HTTPCACHE_ENABLED = False

# The remote-control endpoint (on by default in Scrapy 2.19) can execute code; the
# telnet console likewise. Neither is wanted on a monitoring host.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

ITEM_PIPELINES = {"spiders.pipelines.ArchivePipeline": 300}

LOG_LEVEL = "WARNING"
#: monitor.collect.crawl configures logging itself (monitor.logsetup).
LOG_INSTALL_ROOT_HANDLER = False
FEED_EXPORT_ENCODING = "utf-8"


def user_agent(contact: str | None) -> str:
    """An honest User-Agent naming the tool and how to reach its operator."""
    contact = (contact or "").strip()
    return f"statement-monitor/0.1 (+{contact})" if contact else USER_AGENT
