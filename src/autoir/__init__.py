"""AutoIR: self-hosted automated investigation and response.

Layers (checked by import-linter, see pyproject.toml): ``domain`` (pure) <- ``ports`` <-
``services`` <- adapters (``storage``, ``odata``, ``platform``) <- ``bootstrap`` <- edges
(``api``, ``ui``, ``cli``).
"""

__version__ = "0.1.0"
