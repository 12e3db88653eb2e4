"""Collection: the crawl runner (the only code that knows the Twisted reactor), ingest of raw records, backoff.

Collect turns the outside world into `Document` records and hands them to `monitor.store`; it never
detects or matches anything itself.

Public surface: ``collect.crawl.crawl_once`` / ``check_sources`` (run spiders for sources),
``collect.ingest.import_jsonl`` / ``store_documents`` (records into the archive), ``collect.backoff``.
"""
