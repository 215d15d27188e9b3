"""Email messages as investigations see them: the telemetry record and the parsed content."""
