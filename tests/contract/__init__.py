"""Contract suites: one per connector port, run against every adapter (in-memory now)."""
