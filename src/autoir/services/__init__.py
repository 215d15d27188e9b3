"""Use cases.

Import ``domain`` and ``ports`` only; own their transactions through the unit of work.
"""
