"""Verdicts: what analyzers conclude about an observable, why, and how conclusions combine."""
