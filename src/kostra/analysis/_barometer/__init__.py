"""Internals of :mod:`kostra.analysis.barometer`: NumPy kernels and configuration loading."""
