"""scireport: turn city profiles into a print-ready city index report."""

__version__ = "0.1.0"
