"""Tests of the built-in analyzers, the plugin SDK and message analysis."""
