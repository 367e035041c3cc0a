"""Reproducible installs: `make install` installs the versions of constraints.txt (written by
`make lock`) and npm installs exactly package-lock.json (issue 13)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

CONSTRAINTS = ROOT / "constraints.txt"
MAKE = shutil.which("make")


def pins() -> dict[str, str]:
    """Package name (canonical) -> pinned version."""
    out = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line.strip())
        assert match, f"constraints.txt: {line!r} is not name==version"
        out[canonicalize_name(match.group(1))] = match.group(2)
    return out


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in
            [*project["dependencies"], *project["optional-dependencies"]["dev"]]]


def test_constraints_pin_the_dependencies_within_pyproject() -> None:
    pinned = pins()
    reqs = requirements()
    assert "pygeoapi" in pinned and "pip" in pinned and len(pinned) > len(reqs)
    for req in reqs:
        version = pinned.get(canonicalize_name(req.name))
        if version is not None:  # a dependency added since the last `make lock` is unpinned
            assert req.specifier.contains(version, prereleases=True), (
                f"constraints.txt pins {req.name}=={version} outside {req.specifier}: "
                "run make lock")


def test_installed_versions_are_the_pinned_ones() -> None:
    wrong = []
    for name, version in pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} (not installed)")
            continue
        if installed != version:
            wrong.append(f"{name} {installed} != {version}")
    assert not wrong, f"not installed from constraints.txt (run make install): {wrong}"


@pytest.mark.skipif(MAKE is None, reason="GNU make is not installed")
def test_make_install_uses_the_lock_files() -> None:
    assert MAKE is not None
    done = subprocess.run([MAKE, "--no-print-directory", "-C", str(ROOT), "-n", "-W",
                           "pyproject.toml", ".venv/.installed", "assets"],
                          capture_output=True, text=True, timeout=60, check=True)
    pip = [line for line in done.stdout.splitlines() if "pip install" in line]
    assert pip and all("-c constraints.txt" in line for line in pip), pip
    assert "npm ci" in done.stdout and "npm install" not in done.stdout
    assert (ROOT / "package-lock.json").is_file()
