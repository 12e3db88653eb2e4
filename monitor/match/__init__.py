"""Matching: per-document features, pairwise scoring, denial events (pure but for retrieval).

Scores a denial against candidate reports and explains the score; the archive queries that feed it
live in `monitor.store`.

Public surface: ``match.linking.index_document`` and ``match_documents`` (what the pipeline calls),
``match.clustering.recluster``, ``match.scoring.MatchingConfig``.
"""
