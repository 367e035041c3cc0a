"""German labels for CityGML code lists: roof types (AdV and SIG3D) and building functions."""

from __future__ import annotations

#: AdV roof types (Dachform, as used by the German state surveys in LoD2)
ROOF_TYPES_ADV = {
    "1000": "Flachdach",
    "2100": "Pultdach",
    "2200": "Versetztes Pultdach",
    "3100": "Satteldach",
    "3200": "Walmdach",
    "3300": "Krüppelwalmdach",
    "3400": "Mansardendach",
    "3500": "Zeltdach",
    "3600": "Kegeldach",
    "3700": "Kuppeldach",
    "3800": "Sheddach",
    "3900": "Bogendach",
    "4000": "Turmdach",
    "5000": "Mischform",
    "9999": "Sonstiges",
}

#: SIG3D roof types (codelists/standard/building/2.0/_AbstractBuilding_roofType.xml)
ROOF_TYPES_SIG3D = {
    "1000": "Flachdach",
    "1010": "Pultdach",
    "1020": "Versetztes Pultdach",
    "1030": "Satteldach",
    "1040": "Walmdach",
    "1050": "Krüppelwalmdach",
    "1060": "Mansardendach",
    "1070": "Zeltdach",
    "1080": "Kegeldach",
    "1090": "Kuppeldach",
    "1100": "Sheddach",
    "1110": "Bogendach",
    "1120": "Turmdach",
    "1130": "Mischform",
    "1140": "Sonstiges",
}

#: ALKIS Gebäudefunktion (AX_Gebaeude, object type 31001), the common values
BUILDING_FUNCTIONS = {
    "1000": "Wohngebäude",
    "1010": "Wohnhaus",
    "1020": "Wohnheim",
    "1100": "Gemischt genutztes Gebäude mit Wohnen",
    "1120": "Wohngebäude mit Handel und Dienstleistungen",
    "1123": "Wohn- und Geschäftsgebäude",
    "1310": "Gebäude zur Freizeitgestaltung",
    "1313": "Gartenhaus",
    "2000": "Gebäude für Wirtschaft oder Gewerbe",
    "2010": "Gebäude für Handel und Dienstleistungen",
    "2020": "Bürogebäude",
    "2050": "Geschäftsgebäude",
    "2070": "Gebäude für Beherbergung",
    "2071": "Hotel, Motel, Pension",
    "2081": "Gaststätte, Restaurant",
    "2100": "Gebäude für Gewerbe und Industrie",
    "2110": "Produktionsgebäude",
    "2112": "Betriebsgebäude",
    "2120": "Werkstatt",
    "2130": "Tankstelle",
    "2140": "Gebäude für Vorratshaltung",
    "2143": "Lagerhalle, Lagerschuppen, Lagerhaus",
    "2463": "Garage",
    "2500": "Gebäude zur Versorgung",
    "2700": "Gebäude für Land- und Forstwirtschaft",
    "2723": "Schuppen",
    "3000": "Gebäude für öffentliche Zwecke",
    "3010": "Verwaltungsgebäude",
    "3020": "Gebäude für Bildung und Forschung",
    "3021": "Allgemein bildende Schule",
    "3023": "Hochschulgebäude",
    "3030": "Gebäude für kulturelle Zwecke",
    "3040": "Gebäude für religiöse Zwecke",
    "3041": "Kirche",
    "3050": "Gebäude für Gesundheitswesen",
    "3051": "Krankenhaus",
    "3060": "Gebäude für soziale Zwecke",
    "3065": "Kindertagesstätte",
    "3070": "Gebäude für Sicherheit und Ordnung",
    "3072": "Feuerwehr",
    "9998": "Nach Quellenlage nicht zu spezifizieren",
}


def roof_type_label(code: str | None, code_space: str | None = None) -> str | None:
    """German label of a roof type code (AdV list; SIG3D list when its code space says so)."""
    if not code:
        return None
    if code_space and "sig3d" in code_space.lower():
        return ROOF_TYPES_SIG3D.get(code)
    return ROOF_TYPES_ADV.get(code) or ROOF_TYPES_SIG3D.get(code)


def function_label(code: str | None, code_space: str | None = None) -> str | None:
    """German label of an ALKIS building function, e.g. ``31001_1000`` -> Wohngebäude.

    Codes from another code list (e.g. SIG3D, named by ``code_space``) get no label.
    """
    if not code or (code_space and "sig3d" in code_space.lower()):
        return None
    return BUILDING_FUNCTIONS.get(code.rsplit("_", 1)[-1])
