"""Evaluations on real third-party data (skipped when ../shared/datasets is absent)."""
