"""Command-line edge: ``autoir serve | db | demo | user | token | alerts``.

Composes the API and the UI into one application.
"""
