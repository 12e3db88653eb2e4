"""Detection: cue phrases, speakers, claims -> `Denial` records (pure).

Takes a `Document` and returns values; never reads or writes the archive.
"""
