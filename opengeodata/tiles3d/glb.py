"""glTF 2.0 binary (GLB) for building meshes: one primitive, one feature per building.

:func:`building_glb` packs positions (float32, relative to the node translation), normals,
vertex colours, ``_FEATURE_ID_0`` (``EXT_mesh_features``) and triangle indices, plus one
``EXT_structural_metadata`` property table with a row per feature. Positions are in glTF's
y-up frame; 3D Tiles turns y-up into z-up, so ECEF (x, y, z) is stored as (x, z, -y).
:func:`read_glb` splits a GLB into its JSON and binary chunk (tests and verification).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

GLB_MAGIC = b"glTF"
JSON_CHUNK = 0x4E4F534A
BIN_CHUNK = 0x004E4942
FLOAT = 5126
UNSIGNED_BYTE = 5121
UNSIGNED_SHORT = 5123
UNSIGNED_INT = 5125
ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963

#: property type -> (metadata type, componentType, numpy dtype, noData)
PROPERTY_TYPES: dict[str, tuple[str, str | None, str | None, Any]] = {
    "string": ("STRING", None, None, ""),
    "float64": ("SCALAR", "FLOAT64", "<f8", -9999.0),
    "int32": ("SCALAR", "INT32", "<i4", -1),
}


@dataclass(frozen=True)
class Property:
    """One column of the property table: name, type key of PROPERTY_TYPES, description."""

    name: str
    type: str
    description: str = ""


class _Buffer:
    """The binary chunk: aligned pieces, one buffer view each."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.views: list[dict[str, Any]] = []

    def add(self, data: bytes, *, align: int = 8, target: int | None = None,
            stride: int | None = None) -> int:
        pad = (-self.size) % align
        if pad:
            self.parts.append(b"\0" * pad)
            self.size += pad
        view: dict[str, Any] = {"buffer": 0, "byteOffset": self.size, "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        if stride is not None:
            view["byteStride"] = stride
        self.parts.append(data)
        self.size += len(data)
        self.views.append(view)
        return len(self.views) - 1

    def bytes(self) -> bytes:
        data = b"".join(self.parts)
        return data + b"\0" * ((-len(data)) % 4)


def _strings(values: list[str | None]) -> tuple[bytes, bytes]:
    """The UTF-8 bytes of the values one after the other and their offsets (``<u4``)."""
    joined = "\0".join([v or "" for v in values]).encode()  # one encode for all
    cuts = np.flatnonzero(np.frombuffer(joined, np.uint8) == 0)
    if len(cuts) == len(values) - 1:  # no value holds a NUL
        offsets = np.zeros(len(values) + 1, dtype="<u4")
        offsets[1:-1] = cuts - np.arange(len(cuts))
        offsets[-1] = len(joined) - len(cuts)
        return joined.replace(b"\0", b""), offsets.tobytes()
    encoded = [(v or "").encode() for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype="<u4")
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return b"".join(encoded), offsets.tobytes()


def metadata_schema(properties: list[Property], class_name: str = "building") -> dict[str, Any]:
    """The ``EXT_structural_metadata`` schema with one class."""
    props: dict[str, Any] = {}
    for prop in properties:
        kind, component, _dtype, no_data = PROPERTY_TYPES[prop.type]
        entry: dict[str, Any] = {"type": kind, "required": False, "noData": no_data}
        if component:
            entry["componentType"] = component
        if prop.description:
            entry["description"] = prop.description
        props[prop.name] = entry
    return {"id": "opengeodata", "classes": {class_name: {"properties": props}}}


def building_glb(
    *,
    positions: np.ndarray,
    normals: np.ndarray,
    colors: np.ndarray,
    feature_ids: np.ndarray,
    indices: np.ndarray,
    translation: tuple[float, float, float],
    properties: list[Property],
    columns: dict[str, list[Any]],
    class_name: str = "building",
) -> bytes:
    """One GLB: a node at ``translation`` (glTF y-up) with one triangle primitive.

    ``positions``/``normals`` float32 (n, 3) y-up, ``colors`` uint8 (n, 4), ``feature_ids``
    (n,) row numbers of ``columns``, ``indices`` (m,) triangle vertex indices.
    """
    count = len(next(iter(columns.values()))) if columns else 0
    buf = _Buffer()
    positions = np.ascontiguousarray(positions, dtype="<f4")
    pos_view = buf.add(positions.tobytes(), target=ARRAY_BUFFER)
    nrm_view = buf.add(np.ascontiguousarray(normals, dtype="<f4").tobytes(), target=ARRAY_BUFFER)
    col_view = buf.add(np.ascontiguousarray(colors, dtype="u1").tobytes(), target=ARRAY_BUFFER)
    fid_view = buf.add(np.ascontiguousarray(feature_ids, dtype="<f4").tobytes(),
                       target=ARRAY_BUFFER)
    n = len(positions)
    index_type = "<u2" if n < 65535 else "<u4"
    idx_view = buf.add(np.ascontiguousarray(indices, dtype=index_type).tobytes(),
                       target=ELEMENT_ARRAY_BUFFER)
    accessors = [
        {"bufferView": pos_view, "componentType": FLOAT, "count": n, "type": "VEC3",
         "min": positions.min(axis=0).tolist() if n else [0, 0, 0],
         "max": positions.max(axis=0).tolist() if n else [0, 0, 0]},
        {"bufferView": nrm_view, "componentType": FLOAT, "count": n, "type": "VEC3"},
        {"bufferView": col_view, "componentType": UNSIGNED_BYTE, "normalized": True,
         "count": n, "type": "VEC4"},
        {"bufferView": fid_view, "componentType": FLOAT, "count": n, "type": "SCALAR"},
        {"bufferView": idx_view, "componentType": UNSIGNED_SHORT if n < 65535 else UNSIGNED_INT,
         "count": len(indices), "type": "SCALAR"},
    ]
    table: dict[str, Any] = {}
    for prop in properties:
        values = columns[prop.name]
        _kind, _component, dtype, no_data = PROPERTY_TYPES[prop.type]
        if dtype is None:
            data, offsets = _strings(values)
            table[prop.name] = {"values": buf.add(data), "stringOffsets": buf.add(offsets),
                                "stringOffsetType": "UINT32"}
        else:
            array = np.array([no_data if v is None else v for v in values], dtype=dtype)
            table[prop.name] = {"values": buf.add(array.tobytes())}
    binary = buf.bytes()
    primitive = {
        "attributes": {"POSITION": 0, "NORMAL": 1, "COLOR_0": 2, "_FEATURE_ID_0": 3},
        "indices": 4, "material": 0, "mode": 4,
        "extensions": {"EXT_mesh_features": {"featureIds": [
            {"featureCount": max(count, 1), "attribute": 0, "propertyTable": 0}]}},
    }
    gltf = {
        "asset": {"version": "2.0", "generator": "opengeodata"},
        "extensionsUsed": ["EXT_mesh_features", "EXT_structural_metadata"],
        "extensions": {"EXT_structural_metadata": {
            "schema": metadata_schema(properties, class_name),
            "propertyTables": [{"class": class_name, "count": max(count, 1),
                                "properties": table}],
        }},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "translation": list(translation)}],
        "meshes": [{"primitives": [primitive]}],
        "materials": [{"pbrMetallicRoughness": {"baseColorFactor": [1, 1, 1, 1],
                                                "metallicFactor": 0.0, "roughnessFactor": 1.0},
                       "doubleSided": False}],
        "accessors": accessors,
        "bufferViews": buf.views,
        "buffers": [{"byteLength": len(binary)}],
    }
    body = orjson.dumps(gltf)
    body += b" " * ((-len(body)) % 4)
    total = 12 + 8 + len(body) + 8 + len(binary)
    return b"".join((
        struct.pack("<4sII", GLB_MAGIC, 2, total),
        struct.pack("<II", len(body), JSON_CHUNK), body,
        struct.pack("<II", len(binary), BIN_CHUNK), binary,
    ))


def read_glb(data: bytes) -> tuple[dict[str, Any], bytes]:
    """The glTF JSON and the binary chunk of a GLB; ValueError when it is not one."""
    if len(data) < 20:
        raise ValueError("too short for a GLB")
    magic, version, total = struct.unpack_from("<4sII", data)
    if magic != GLB_MAGIC or version != 2 or total != len(data):
        raise ValueError("not a glTF 2.0 binary (bad header)")
    json_len, json_type = struct.unpack_from("<II", data, 12)
    if json_type != JSON_CHUNK:
        raise ValueError("the first GLB chunk is not JSON")
    gltf = orjson.loads(data[20:20 + json_len])
    binary = b""
    pos = 20 + json_len
    if pos + 8 <= len(data):
        bin_len, bin_type = struct.unpack_from("<II", data, pos)
        if bin_type == BIN_CHUNK:
            binary = data[pos + 8:pos + 8 + bin_len]
    return gltf, binary


def accessor_array(gltf: dict[str, Any], binary: bytes, index: int) -> np.ndarray:
    """An accessor's data as a numpy array (tightly packed views only)."""
    acc = gltf["accessors"][index]
    view = gltf["bufferViews"][acc["bufferView"]]
    dtype = {FLOAT: "<f4", UNSIGNED_BYTE: "u1", UNSIGNED_SHORT: "<u2",
             UNSIGNED_INT: "<u4"}[acc["componentType"]]
    width = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}[acc["type"]]
    start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
    array = np.frombuffer(binary, dtype=dtype, count=acc["count"] * width, offset=start)
    return array.reshape(-1, width) if width > 1 else array


def property_table(gltf: dict[str, Any], binary: bytes) -> dict[str, list[Any]]:
    """The first ``EXT_structural_metadata`` property table as columns (noData -> None)."""
    meta = gltf["extensions"]["EXT_structural_metadata"]
    table = meta["propertyTables"][0]
    klass = meta["schema"]["classes"][table["class"]]["properties"]
    count = table["count"]
    views = gltf["bufferViews"]

    def view(i: int) -> bytes:
        v = views[i]
        return binary[v.get("byteOffset", 0):v.get("byteOffset", 0) + v["byteLength"]]

    out: dict[str, list[Any]] = {}
    for name, prop in table["properties"].items():
        decl = klass[name]
        no_data = decl.get("noData")
        if decl["type"] == "STRING":
            values = view(prop["values"])
            offsets = np.frombuffer(view(prop["stringOffsets"]), dtype="<u4")
            col: list[Any] = [values[offsets[i]:offsets[i + 1]].decode() for i in range(count)]
        else:
            dtype = {"FLOAT64": "<f8", "FLOAT32": "<f4", "INT32": "<i4", "INT16": "<i2",
                     "UINT16": "<u2"}[decl["componentType"]]
            col = np.frombuffer(view(prop["values"]), dtype=dtype, count=count).tolist()
        out[name] = [None if v == no_data else v for v in col]
    return out
