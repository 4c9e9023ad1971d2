"""Internals of the SSB PxWebApi 2.0 client; the public API is :mod:`kostra.sources.ssb`."""
