"""Plugin SDK: manifests and the registry of built-in and entry-point plugins."""
