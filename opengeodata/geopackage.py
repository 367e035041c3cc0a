"""GeoPackage conventions shared by every writer (pipelines, result downloads, CLI converters).

Files are written as GeoPackage 1.3 (``PRAGMA user_version`` 10300, ``application_id`` 'GPKG'):
GDAL 3.8+ would write 1.4 by default, which GDAL 3.6 and QGIS 3.22 (Debian 12) open with the
warning "may only be partially supported". Nothing written here needs 1.4 (its additions are
a relaxed date-time format and the ``gpkg_spatial_ref_sys`` WKT2 column, neither is used).
"""

from __future__ import annotations

GPKG_VERSION = "1.3"
#: ``PRAGMA user_version`` of a GeoPackage 1.3 file
GPKG_USER_VERSION = 10300
#: ``PRAGMA application_id`` of every GeoPackage ("GPKG")
GPKG_APPLICATION_ID = 0x47504B47
#: GDAL dataset creation options for new GeoPackage files
GPKG_DATASET_OPTIONS = {"VERSION": GPKG_VERSION}
