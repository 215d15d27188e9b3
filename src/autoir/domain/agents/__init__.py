"""Endpoint agents (issue 6): enrolment tokens, enrolled devices, the protocol's bodies.

``records`` holds the stored shapes and the inventory's ``deviceEvidence`` JSON, ``messages``
validates the enrol and heartbeat bodies of ``docs/agent-protocol.md`` into typed values (one
``FieldError`` per bad field), ``errors`` the two 401s of the protocol.
"""
