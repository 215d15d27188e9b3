"""Alerts in the Microsoft Graph ``alert`` (alerts_v2) shape: enums, evidence, ids, rules."""
