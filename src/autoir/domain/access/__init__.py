"""Access control: permissions, built-in roles (reference §6.1) and principals."""
