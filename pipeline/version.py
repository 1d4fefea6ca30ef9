"""The package version, in a module of its own so that no module imports the package's
``__init__`` (which re-exports everything) to learn it."""

__version__ = "0.3.0"
