"""gradlang: small tensor programs on a PyTorch-exact autograd engine, and tools that show it."""

__version__ = "0.1.0"
