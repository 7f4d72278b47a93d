"""Finding the files the project ships (meshes, motion data, configs).

In a source checkout they live in the top-level ``assets/`` folder; an installed wheel
carries the same tree as ``embodied/_data/assets`` (see pyproject's force-include).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from embodied.errors import AssetError

_PACKAGE_DIR = Path(__file__).resolve().parent


def assets_root() -> Path:
    """The folder holding the shipped assets (wheel layout first, then the repository)."""
    installed = Path(str(resources.files("embodied"))) / "_data" / "assets"
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent / "assets"
    if checkout.is_dir():
        return checkout
    raise AssetError(f"no asset folder found (looked in {installed} and {checkout})")


def asset_path(*parts: str) -> Path:
    """Path of a shipped asset, e.g. ``asset_path("meshes", "mug.obj")``.

    Raises AssetError naming the path when the file or folder does not exist.
    """
    path = assets_root().joinpath(*parts)
    if not path.exists():
        raise AssetError(f"asset not found: {path}")
    return path
