"""Shared test helpers: clock, databases, alert payloads."""
