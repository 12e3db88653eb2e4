"""The bundled demo scenario: fixture sites served on 127.0.0.1 and an end-to-end run over them.

Public surface: ``demo.scenario.run_demo``, ``demo.fixture_server.FixtureServer``.
"""
