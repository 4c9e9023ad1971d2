"""Municipalities across reforms: names, code history, harmonisation, peer groups, population."""

from kostra.geography.harmonise import harmonise
from kostra.geography.history import code_history, mapping, predecessors, successors

__all__ = ["code_history", "harmonise", "mapping", "predecessors", "successors"]
