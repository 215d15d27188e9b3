"""Suppression (alert tuning) rules, issue 7 and reference §4.1: model, JSON, matching, index.

Pure: imports only the standard library and ``autoir.domain``. The service
(``services/suppression_rules.py``) stores rules; ingest evaluates them through
:class:`~autoir.domain.suppression.matching.RuleIndex`.
"""
