"""A local, stateful emulator of Azure Resource Manager."""

__version__ = "0.1.0"
