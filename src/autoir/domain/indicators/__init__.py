"""Indicators of compromise and allow-list entries (reference §4.2), and matching against them."""
