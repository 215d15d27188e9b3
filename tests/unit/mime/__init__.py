"""Tests of the MIME adapter."""
