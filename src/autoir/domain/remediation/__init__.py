"""Remediation: action types, what a verdict proposes (reference §2.7), approvals."""
