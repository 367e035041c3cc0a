"""Controlled vocabularies used by the catalogue: EU authority tables and DCAT-AP.de URIs."""

from __future__ import annotations

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"

#: declaration theme -> EU data theme (data-theme authority table)
EU_THEMES: dict[str, str] = {
    "cadastre": "REGI",
    "citymodel": "REGI",
    "environment": "ENVI",
    "planning": "REGI",
    "maps": "REGI",
    "society": "SOCI",
    "transport": "TRAN",
}

#: declaration theme -> German label for humans
THEME_LABELS: dict[str, str] = {
    "cadastre": "Liegenschaftskataster",
    "citymodel": "3D-Stadtmodell",
    "environment": "Umwelt",
    "planning": "Planen und Bauen",
    "maps": "Karten und Luftbilder",
    "society": "Bevölkerung und Gesellschaft",
    "transport": "Verkehr",
}

#: update_frequency -> EU frequency authority code
EU_FREQUENCIES: dict[str, str] = {
    "continuous": "CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "biannual": "ANNUAL_2",
    "annual": "ANNUAL",
    "irregular": "IRREG",
    "never": "NEVER",
}

#: output format key -> EU file-type code, where the authority table has one
EU_FILE_TYPES: dict[str, str] = {
    "gpkg": "GPKG",
    "geojson": "GEOJSON",
    "shpzip": "SHP",
    "csv": "CSV",
    "parquet": "PARQUET",
    "citygml": "GML",
    "cityjson": "JSON",
    "cog": "GEOTIFF",
    "cityjsonseq": "JSON",
}
#: EU file type for formats the table has no entry for (FlatGeobuf, PMTiles)
EU_FILE_TYPE_FALLBACK = "BIN"

#: output format key -> short human name of the format
FORMAT_NAMES: dict[str, str] = {
    "gpkg": "GeoPackage",
    "geojson": "GeoJSON",
    "fgb": "FlatGeobuf",
    "shpzip": "Shapefile (ZIP)",
    "csv": "CSV",
    "parquet": "GeoParquet",
    "cityjson": "CityJSON",
    "cityjsonseq": "CityJSONSeq",
    "citygml": "CityGML",
    "cog": "Cloud Optimized GeoTIFF",
    "pmtiles": "PMTiles",
    "3dtiles": "3D Tiles (3tz)",
}

#: media types registered with IANA (only these get a dcat:mediaType IANA URI)
IANA_REGISTERED = {
    "application/geopackage+sqlite3",
    "application/geo+json",
    "application/json",
    "application/zip",
    "text/csv",
    "image/tiff",
    "application/gml+xml",
    "application/xml",
    "application/vnd.apache.parquet",
    "application/city+json",
}

#: DCAT-AP.de political geocoding
POLITICAL_LEVEL_MUNICIPALITY = "http://dcat-ap.de/def/politicalGeocoding/Level/municipality"
MUNICIPALITY_KEY_URI = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/{}"
#: GovData contributor of this catalogue (dcatde:contributorID); confirm with GovData
CONTRIBUTOR_ID = "http://dcat-ap.de/def/contributors/stadtHannover"
#: the municipality key of Hannover (Landeshauptstadt)
HANNOVER_MUNICIPALITY_KEY = "03241001"


def eu_theme(theme: str) -> str:
    """EU data-theme URI of a declaration theme."""
    return f"{EU}data-theme/{EU_THEMES.get(theme, 'REGI')}"


def eu_frequency(frequency: str) -> str:
    """EU frequency URI of an ``update_frequency`` value."""
    return f"{EU}frequency/{EU_FREQUENCIES.get(frequency, 'UNKNOWN')}"


def eu_file_type(fmt: str) -> str:
    """EU file-type URI of a format key (``BIN`` where the table has no entry)."""
    return f"{EU}file-type/{EU_FILE_TYPES.get(fmt, EU_FILE_TYPE_FALLBACK)}"


def iana_media_type(media_type: str) -> str | None:
    """IANA URI of a registered media type, or None."""
    base = media_type.split(";", 1)[0].strip()
    return f"{IANA}{base}" if base in IANA_REGISTERED else None
