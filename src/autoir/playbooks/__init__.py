"""Built-in playbooks (YAML specs) and the catalog that loads and validates them."""
