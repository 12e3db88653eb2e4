"""Detection: cue phrases, speakers, claims -> `Denial` records (pure).

Takes a `Document` and returns values; never reads or writes the archive.

Public surface: ``detect.denials.detect_denials(document) -> list[Denial]``; the other modules are its parts.
"""
