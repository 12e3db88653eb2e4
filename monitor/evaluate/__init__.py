"""Quality evaluation of detection and matching against labelled JSONL; used by bench/ and tests only."""
