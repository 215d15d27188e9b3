"""Tests for the demo tenant generator."""
