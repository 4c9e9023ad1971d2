"""Helpers for testing kostra and programs built on it: a local PxWebApi server, a network guard."""
