"""Raster maps: tiles (GeoTIFF, or JPEG/PNG/TIFF with world file) -> one COG in EPSG:25832.

``read(ctx)`` opens every source tile (the declared ``source.crs`` supplies or overrides the
tile CRS), mosaics them with ``rasterio.merge`` into a temporary GeoTIFF (windowed, so memory
stays bounded), writes a Cloud Optimized GeoTIFF with internal overviews (rio-cogeo), validates
it as COG and registers it plus a zip of the original tiles as outputs. Returns None: there is
no vector layer.
"""

from __future__ import annotations

from pipelines.raster.build import read

__all__ = ["read"]
