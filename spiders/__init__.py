"""Scrapy spiders that collect what officials say and what outlets report.

One module per site family (``feed`` for any RSS/Atom feed, ``kremlin``, ``mid``),
plus the shared pieces: ``settings`` (politeness defaults), ``items`` (ArticleItem),
``pipelines`` (the one pipeline that writes to the archive), ``urls`` (canonical
URLs), ``extract`` (text and dates from HTML), ``middlewares`` (retry with backoff).
A spider's ``name`` equals the catalogue's ``spider`` value. Running crawls (the
reactor, child processes, crawl_runs rows) is ``monitor.collect.crawl``'s job, not this package's.
"""
