"""kostra: Statistics Norway's KOSTRA figures turned into municipal benchmarking analysis."""

__version__ = "0.1.0"
