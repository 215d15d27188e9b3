"""Adapters for the process's own resources: clock, randomness, password hashing.

Implements ports from ``autoir.ports``; imports ``domain`` and ``ports`` only.
"""
