"""Text utilities shared by detection and matching: language, sentences, entities, phrase regexes.

Pure functions over strings; nothing here touches the archive or the network.
"""
