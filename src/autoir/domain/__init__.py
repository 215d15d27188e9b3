"""Pure domain model: entities, value objects, enums and rules.

Imports only the standard library and itself: no I/O, no clock, no id generation hidden inside
(times and random values come in as arguments).
"""
