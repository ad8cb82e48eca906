"""govledger: the platform both services stand on, and the composition root (app factory, CLI)."""

__version__ = "0.1.0"
