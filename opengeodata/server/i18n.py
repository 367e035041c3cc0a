"""Interface texts of the web catalogue: German (default) and English.

The language is ``?lang=de|en`` if given, else the best match of ``Accept-Language``, else German.
"""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.datastructures import LanguageAccept

LANGUAGES = ("de", "en")
DEFAULT = "de"

THEMES: dict[str, tuple[str, str]] = {
    "cadastre": ("Liegenschaftskataster", "Cadastre"),
    "citymodel": ("3D-Stadtmodell", "3D city model"),
    "environment": ("Umwelt", "Environment"),
    "planning": ("Planung", "Planning"),
    "maps": ("Karten und Luftbilder", "Maps and aerial images"),
    "society": ("Gesellschaft", "Society"),
    "transport": ("Verkehr", "Transport"),
}

#: The themes the start page always shows (others appear when a dataset uses them).
MAIN_THEMES = ("cadastre", "citymodel", "environment", "planning", "maps")

FREQUENCIES: dict[str, tuple[str, str]] = {
    "continuous": ("laufend", "continuously"),
    "daily": ("täglich", "daily"),
    "weekly": ("wöchentlich", "weekly"),
    "monthly": ("monatlich", "monthly"),
    "quarterly": ("vierteljährlich", "quarterly"),
    "biannual": ("halbjährlich", "every six months"),
    "annual": ("jährlich", "annually"),
    "irregular": ("unregelmäßig", "irregularly"),
    "never": ("nicht geplant", "not planned"),
}

MESSAGES: dict[str, tuple[str, str]] = {
    "portal": ("Open GeoData Hannover", "Open GeoData Hanover"),
    "tagline": (
        "Offene Geodaten der Landeshauptstadt Hannover: frei nutzbar, zum Herunterladen und "
        "als OGC API.",
        "Open geodata of the state capital Hanover: free to use, to download and as OGC APIs.",
    ),
    "offer": (
        "Liegenschaftskataster, 3D-Stadtmodell, Umwelt- und Planungsdaten sowie Karten: jeder "
        "Datensatz mit Kartenvorschau, Beschreibung der Attribute, Downloads in gängigen Formaten "
        "(GeoPackage, GeoJSON, FlatGeobuf, Shapefile, CSV, CityJSON, PMTiles …) und Zugriff über "
        "OGC API Features, Tiles und Records für GIS und Programme.",
        "Cadastre, 3D city model, environment and planning data and maps: every dataset with a "
        "map preview, a description of its attributes, downloads in common formats (GeoPackage, "
        "GeoJSON, FlatGeobuf, Shapefile, CSV, CityJSON, PMTiles …) and access through OGC API "
        "Features, Tiles and Records for GIS and programs.",
    ),
    "catalogue": ("Katalog", "Catalogue"),
    "search": ("Suche", "Search"),
    "search_label": ("Datensätze durchsuchen", "Search datasets"),
    "search_placeholder": (
        "z. B. Stadtbezirke, Bäume, Gebäude", "e.g. districts, trees, buildings"
    ),
    "search_button": ("Suchen", "Search"),
    "themes": ("Themen", "Themes"),
    "datasets_n": ("{n} Datensätze", "{n} datasets"),
    "dataset_1": ("1 Datensatz", "1 dataset"),
    "no_datasets": ("Noch keine Datensätze veröffentlicht.", "No datasets published yet."),
    "all_datasets": ("Alle Datensätze", "All datasets"),
    "results_n": ("{n} Treffer", "{n} results"),
    "results_for": ("für „{q}“", "for “{q}”"),
    "no_results": (
        "Keine Datensätze gefunden. Andere Suchbegriffe oder weniger Filter probieren.",
        "No datasets found. Try other words or fewer filters.",
    ),
    "filter": ("Filtern", "Filter"),
    "theme": ("Thema", "Theme"),
    "format": ("Format", "Format"),
    "licence": ("Lizenz", "Licence"),
    "any": ("alle", "any"),
    "sort": ("Sortierung", "Sort by"),
    "sort_relevance": ("Relevanz", "Relevance"),
    "sort_title": ("Titel", "Title"),
    "sort_updated": ("Letzte Aktualisierung", "Last update"),
    "apply": ("Anwenden", "Apply"),
    "reset": ("Filter zurücksetzen", "Reset filters"),
    "updated": ("Aktualisiert", "Updated"),
    "features_n": ("{n} Objekte", "{n} features"),
    "description": ("Beschreibung", "Description"),
    "keywords": ("Schlagwörter", "Keywords"),
    "map_preview": ("Kartenvorschau", "Map preview"),
    "map_nojs": (
        "Die Kartenvorschau braucht JavaScript. Alle Daten stehen unten zum Download und über die "
        "OGC API bereit.",
        "The map preview needs JavaScript. All data is available below as downloads and through "
        "the OGC API.",
    ),
    "map_none": (
        "Für diesen Datensatz gibt es keine Vektorkacheln; eine Kartenvorschau ist nicht "
        "verfügbar.",
        "This dataset has no vector tiles; no map preview is available.",
    ),
    "map_raster": (
        "Rasterdaten: Vorschau über die Kartenkacheln der OGC API; das vollständige Bild steht "
        "als Cloud Optimized GeoTIFF zum Download.",
        "Raster data: preview from the OGC API map tiles; the full image is a Cloud Optimized "
        "GeoTIFF download.",
    ),
    "map_raster_none": (
        "Rasterdaten ohne Kartenkacheln: bitte das Cloud Optimized GeoTIFF herunterladen und in "
        "einem GIS öffnen.",
        "Raster data without map tiles: please download the Cloud Optimized GeoTIFF and open it "
        "in a GIS.",
    ),
    "map_hint": (
        "Auf ein Objekt klicken, um seine Attribute zu sehen.",
        "Click a feature to see its attributes.",
    ),
    "map_context": ("Stadtbezirke als Orientierung", "City districts for orientation"),
    "v3d_open": ("In 3D ansehen", "View in 3D"),
    "v3d_title": ("3D-Ansicht", "3D view"),
    "v3d_intro": (
        "Die Gebäude als 3D Tiles auf dem Geländemodell, mit Stadtkarte oder Luftbild; alles "
        "kommt von diesem Server.",
        "The buildings as 3D Tiles on the terrain model, with the city map or the aerial image; "
        "everything comes from this server.",
    ),
    "v3d_nowebgl": (
        "Die 3D-Ansicht braucht WebGL, das dieser Browser nicht bietet (oder das abgeschaltet "
        "ist). Die Gebäude stehen unten als 3D Tiles, CityJSON und CityGML zum Download bereit.",
        "The 3D view needs WebGL, which this browser does not offer (or has switched off). The "
        "buildings are available below as 3D Tiles, CityJSON and CityGML downloads.",
    ),
    "v3d_nojs": (
        "Die 3D-Ansicht braucht JavaScript und WebGL. Die Gebäude stehen unten zum Download "
        "bereit.",
        "The 3D view needs JavaScript and WebGL. The buildings are available below as downloads.",
    ),
    "v3d_colour_by": ("Färben nach", "Colour by"),
    "v3d_roof": ("Dachform", "Roof type"),
    "v3d_function": ("Gebäudefunktion", "Building function"),
    "v3d_other": ("Sonstige", "Other"),
    "v3d_imagery": ("Hintergrund", "Imagery"),
    "v3d_click": (
        "Ein Gebäude anklicken, um seine Attribute zu sehen. Ziehen dreht, Rad zoomt, rechte "
        "Maustaste neigt.",
        "Click a building to see its attributes. Drag to rotate, wheel to zoom, right button "
        "to tilt.",
    ),
    "v3d_attributes": ("Attribute des Gebäudes", "Building attributes"),
    "v3d_loading": ("Lädt …", "Loading …"),
    "v3d_error": ("Die 3D-Ansicht konnte nicht laden:", "The 3D view could not load:"),
    "v3d_sources": ("Daten dieser Ansicht", "Data of this view"),
    "v3d_tileset": ("3D Tiles 1.1 (tileset.json)", "3D Tiles 1.1 (tileset.json)"),
    "v3d_terrain": ("Gelände", "Terrain"),
    "v3d_back": ("Zurück zum Datensatz", "Back to the dataset"),
    "licence_attribution": ("Lizenz und Namensnennung", "Licence and attribution"),
    "attribution_copy": (
        "Bei jeder Nutzung diesen Quellenvermerk angeben:",
        "Show this attribution wherever you use the data:",
    ),
    "copy": ("Kopieren", "Copy"),
    "copied": ("Kopiert", "Copied"),
    "publisher": ("Herausgeber", "Publisher"),
    "contact": ("Kontakt", "Contact"),
    "version_info": ("Stand und Version", "Refresh and version"),
    "last_refresh": ("Letzte Aktualisierung", "Last refresh"),
    "version": ("Version", "Version"),
    "update_frequency": ("Aktualisierung", "Update frequency"),
    "feature_count": ("Anzahl Objekte", "Number of features"),
    "raster_size": ("Größe", "Size"),
    "pixels": ("Pixel", "pixels"),
    "resolution": ("Auflösung", "Resolution"),
    "bands": ("Bänder", "Bands"),
    "geometry_type": ("Geometrietyp", "Geometry type"),
    "extent": ("Ausdehnung (WGS 84)", "Extent (WGS 84)"),
    "quality": ("Qualitätsbericht", "Quality report"),
    "q_read_written": (
        "Aus der Quelle wurden {read} Objekte gelesen und {written} veröffentlicht.",
        "{read} features were read from the source and {written} published.",
    ),
    "q_none_dropped": ("Kein Objekt wurde verworfen.", "No feature was dropped."),
    "q_dropped": ("{n} Objekte wurden verworfen:", "{n} features were dropped:"),
    "q_repaired": (
        "{n} Geometrien wurden repariert.", "{n} geometries were repaired."
    ),
    "q_no_repair": ("Keine Geometrie musste repariert werden.", "No geometry needed repair."),
    "q_crs": ("Koordinatentransformation: {t}.", "Coordinate transformation: {t}."),
    "q_problems": ("Attributprobleme:", "Attribute problems:"),
    "q_checks": ("Weitere Prüfungen:", "Further checks:"),
    "q_warnings": ("Hinweise:", "Notes:"),
    "attributes": ("Attribute", "Attributes"),
    "attr_name": ("Name", "Name"),
    "attr_type": ("Typ", "Type"),
    "attr_description": ("Bedeutung", "Meaning"),
    "downloads": ("Downloads", "Downloads"),
    "dl_format": ("Format", "Format"),
    "dl_file": ("Datei", "File"),
    "dl_size": ("Größe", "Size"),
    "dl_sha256": ("SHA-256", "SHA-256"),
    "dl_tiles": ("Kachel-Downloads ({n} Dateien)", "Tiled downloads ({n} files)"),
    "dl_tile": ("Kachel", "Tile"),
    "api": ("Schnittstellen (OGC API)", "Interfaces (OGC API)"),
    "api_intro": (
        "Adressen zum Kopieren, z. B. für QGIS (Layer > Layer hinzufügen > WFS/OGC API – "
        "Features) oder GDAL:",
        "Addresses to copy, e.g. for QGIS (Layer > Add Layer > WFS/OGC API – Features) or GDAL:",
    ),
    "api_features": ("OGC API – Features", "OGC API – Features"),
    "api_tiles": ("OGC API – Tiles", "OGC API – Tiles"),
    "api_records": ("OGC API – Records", "OGC API – Records"),
    "api_coverage": ("OGC API – Coverages", "OGC API – Coverages"),
    "api_dcat": ("Metadaten DCAT-AP.de (JSON-LD)", "Metadata DCAT-AP.de (JSON-LD)"),
    "api_atom": ("ATOM-Download-Feed (INSPIRE)", "ATOM download feed (INSPIRE)"),
    "api_pmtiles": ("PMTiles (Vektorkacheln, statisch)", "PMTiles (vector tiles, static)"),
    "api_tiles3d": ("3D Tiles 1.1 (CesiumJS, deck.gl, Unreal/Unity)",
                    "3D Tiles 1.1 (CesiumJS, deck.gl, Unreal/Unity)"),
    "api_gdal": ("GDAL-Beispiel", "GDAL example"),
    "api_landing": ("OGC API (alle Schnittstellen)", "OGC API (all interfaces)"),
    "ows": ("Dienste für GIS (WMS, CSW)", "Services for GIS (WMS, CSW)"),
    "ows_intro": (
        "Alle Datensätze auch als WMS für QGIS und ArcGIS (Layer > Layer hinzufügen > "
        "WMS/WMTS-Layer hinzufügen...) und ihre Metadaten (ISO 19139) per CSW für "
        "GeoNetwork und den Geodatenkatalog:",
        "Every dataset also as a WMS for QGIS and ArcGIS (Layer > Add Layer > Add WMS/WMTS "
        "Layer...) and its metadata (ISO 19139) by CSW for GeoNetwork and catalogues:",
    ),
    "ows_wms": ("WMS 1.3.0 (Darstellungsdienst)", "WMS 1.3.0 (view service)"),
    "ows_layer": ("WMS-Layer", "WMS layer"),
    "ows_csw": ("CSW 2.0.2 (Katalogdienst)", "CSW 2.0.2 (catalogue service)"),
    "ows_iso": ("Metadaten ISO 19139", "Metadata ISO 19139"),
    "ows_iso_link": ("Datensatzbeschreibung (GetRecordById)", "Dataset record (GetRecordById)"),
    "ows_gdal": ("GDAL-Beispiel (WMS)", "GDAL example (WMS)"),
    "ows_qgis": ("In QGIS als WMS laden", "Load as WMS in QGIS"),
    "ows_qgis_1": ("Layer > Layer hinzufügen > WMS/WMTS-Layer hinzufügen...",
                   "Layer > Add Layer > Add WMS/WMTS Layer..."),
    "ows_qgis_2": ("Neu, als URL {url} eintragen, OK.", "New, enter the URL {url}, OK."),
    "ows_qgis_3": ("Verbinden, den Layer „{layer}“ wählen, KBS EPSG:25832, Hinzufügen.",
                   "Connect, choose the layer “{layer}”, CRS EPSG:25832, Add."),
    "not_found": ("Datensatz nicht gefunden", "Dataset not found"),
    "not_found_text": (
        "Es gibt keinen veröffentlichten Datensatz „{id}“.",
        "There is no published dataset “{id}”.",
    ),
    "back": ("Zurück zum Katalog", "Back to the catalogue"),
    "language": ("Sprache", "Language"),
    "other_language": ("English", "Deutsch"),
    "footer": (
        "Alle Inhalte ohne Drittanbieter: Schriften, Skripte und Karten kommen von diesem Server.",
        "No third parties: fonts, scripts and maps all come from this server.",
    ),
    "api_docs": ("API-Dokumentation", "API documentation"),
    "skip": ("Zum Inhalt springen", "Skip to content"),
    "bytes": ("Bytes", "bytes"),
    "none": ("keine", "none"),
}


def choose_language(query_lang: str | None, accept: LanguageAccept) -> str:
    """``?lang=`` if it names a known language, else the best Accept-Language match, else de."""
    if query_lang:
        short = query_lang.strip().lower()[:2]
        if short in LANGUAGES:
            return short
    best = accept.best_match(["de", "de-DE", "en", "en-US", "en-GB"])
    if best:
        return best[:2].lower()
    return DEFAULT


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)``: the text of ``key`` in ``lang`` with ``{values}`` filled in."""
    index = LANGUAGES.index(lang) if lang in LANGUAGES else 0

    def t(key: str, **values: object) -> str:
        text = MESSAGES[key][index]
        return text.format(**values) if values else text

    return t


def label(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """A label from ``THEMES`` or ``FREQUENCIES`` (the key itself when unknown)."""
    entry = table.get(key)
    if entry is None:
        return key
    return entry[LANGUAGES.index(lang) if lang in LANGUAGES else 0]
