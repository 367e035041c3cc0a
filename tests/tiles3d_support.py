"""Decoding 3D Tiles in tests: tiles of a tileset, GLB vertices in ECEF, the glTF validator."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from opengeodata.tiles3d.glb import accessor_array, read_glb

ROOT = Path(__file__).resolve().parents[1]
VALIDATOR = ROOT / "node_modules" / "gltf-validator"
SCRIPT = ROOT / "tests" / "js" / "validate_gltf.js"


def leaves(tile: dict[str, Any]) -> list[dict[str, Any]]:
    """The tiles with content."""
    out = [tile] if "content" in tile else []
    for child in tile.get("children", []):
        out.extend(leaves(child))
    return out


def ecef_vertices(glb: bytes) -> tuple[np.ndarray, np.ndarray, dict[str, Any], bytes]:
    """(ECEF positions (n, 3), feature id per vertex, glTF JSON, binary) of a GLB: node
    translation applied, then glTF y-up turned into 3D Tiles z-up."""
    gltf, binary = read_glb(glb)
    prim = gltf["meshes"][0]["primitives"][0]
    pos = accessor_array(gltf, binary, prim["attributes"]["POSITION"]).astype(np.float64)
    node = gltf["nodes"][0]
    pos = pos + np.asarray(node.get("translation", [0, 0, 0]))
    ecef = np.column_stack((pos[:, 0], -pos[:, 2], pos[:, 1]))
    fid = accessor_array(gltf, binary, prim["attributes"]["_FEATURE_ID_0"])
    return ecef, fid, gltf, binary


def validate_glbs(paths: list[Path]) -> list[dict[str, Any]]:
    """Run the Khronos glTF validator (npm gltf-validator) over GLB files."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make install needs Node.js with npm)")
    if not VALIDATOR.is_dir():
        pytest.fail(f"{VALIDATOR} is missing: run `make install` (npm install)")
    proc = subprocess.run([node, str(SCRIPT), *map(str, paths)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]
