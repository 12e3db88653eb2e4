"""Text utilities shared by detection and matching: language, sentences, entities, phrase regexes.

Pure functions over strings; nothing here touches the archive or the network.

Public surface: ``text.language.detect_language``, ``text.sentences.split_sentences``,
``text.entities.find_concepts`` (the gazetteer), ``text.lowercase_regex.phrase_rx``.
"""
