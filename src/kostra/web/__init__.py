"""The web dashboard (``kostra serve``): a municipality's overview and sectors, the ranking of
every municipality, comparisons and a map, with a JSON API under ``/api/``.

:func:`create_app` builds the FastAPI application; figures are computed once per year and cached
in the process (:class:`~kostra.web.data.WebData`).
"""

from kostra.web.app import create_app
from kostra.web.data import WebData

__all__ = ["WebData", "create_app"]
