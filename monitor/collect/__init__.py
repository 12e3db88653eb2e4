"""Collection: the crawl runner (the only code that knows the Twisted reactor), ingest of raw records, backoff.

Collect turns the outside world into `Document` records and hands them to `monitor.store`; it never
detects or matches anything itself.
"""
