"""The project's benchmarks: measurements only, printed by ``govledger bench``."""
