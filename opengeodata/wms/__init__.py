"""The WMS 1.3.0 view service: a MapServer map file per published snapshot and its runner.

- :mod:`opengeodata.wms.mapfile` turns the published datasets (:class:`WmsLayer`, built from a
  declaration and its live manifest) into a map file with one layer per dataset, written per
  snapshot into ``<data_dir>/wms/<hash>/`` and never changed afterwards.
- :mod:`opengeodata.wms.mapserver` runs Debian's ``mapserv`` as a CGI subprocess for one
  request (bounded concurrency, timeout) and turns every failure into a WMS
  ``ServiceExceptionReport``.

No Flask here: the HTTP view (``/wms``) lives in the server.
"""

from opengeodata.wms.mapfile import (
    MapSnapshot,
    ServiceInfo,
    WmsLayer,
    layer_of,
    layers_of,
    write_snapshot,
)
from opengeodata.wms.mapserver import MapServer, WmsAnswer, service_exception

__all__ = ["MapServer", "MapSnapshot", "ServiceInfo", "WmsAnswer", "WmsLayer", "layer_of",
           "layers_of", "service_exception", "write_snapshot"]
