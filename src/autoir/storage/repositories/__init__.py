"""SQL implementations of the repository ports."""
