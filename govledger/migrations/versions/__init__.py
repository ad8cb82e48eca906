"""The platform's schema versions; each service keeps its own folder on its own branch."""
