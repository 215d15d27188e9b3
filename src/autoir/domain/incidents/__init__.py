"""Incidents: groups of alerts that share strong entities, in the Graph ``incident`` shape."""
