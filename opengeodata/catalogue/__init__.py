"""The catalogue: records of the published datasets, search, DCAT-AP.de and ATOM feeds.

Entry point: :class:`Catalogue` (``Catalogue.from_published(published)``).
"""

from opengeodata.catalogue.model import SORT_KEYS, Catalogue, Download, Record
from opengeodata.catalogue.text import fold

__all__ = ["SORT_KEYS", "Catalogue", "Download", "Record", "fold"]
