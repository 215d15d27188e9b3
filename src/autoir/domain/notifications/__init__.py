"""Notifying the users an alert affects: who they are, what the mail says, what may be sent."""
