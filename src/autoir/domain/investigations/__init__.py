"""Automated investigations: statuses, playbook specs, the conductor, evidence and the log."""
