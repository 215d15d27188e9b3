"""Mail flow as AutoIR reads it from the organisation's mailboxes.

Pure rules, no I/O: where a folder puts a message (its delivery location), and the alerts that
mail read from mailboxes raises (a user's report, a detection after delivery), as Graph alert
bodies for the alert ingest.
"""
