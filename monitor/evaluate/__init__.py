"""Quality evaluation of detection and matching against labelled JSONL; used by bench/ and tests only.

Public surface: ``evaluate.detection.evaluate_detection``, ``evaluate.matching.score_pairs``.
"""
