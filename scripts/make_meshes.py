"""Write the meshes the project ships to ``assets/meshes/``.

Every mesh is generated here from a few numbers (revolved profiles and swept tubes), so
the shipped files can be reproduced and checked: ``python scripts/make_meshes.py``.
Units are metres; each object stands on z = 0 and is centred on the z axis.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import trimesh

SECTIONS = 28


def revolve(profile) -> trimesh.Trimesh:
    """A closed surface of revolution about z from a (radius, height) polyline whose ends
    lie on the axis."""
    return trimesh.creation.revolve(np.asarray(profile, dtype=float), sections=SECTIONS)


def tube(path, radii, ring: int = 12, squash: float = 1.0, floor: float | None = None) -> trimesh.Trimesh:
    """A closed tube swept along ``path`` (n, 3) with per-point ``radii``; the cross
    section is squashed vertically by ``squash`` and clipped at z = ``floor`` if given."""
    path = np.asarray(path, dtype=float)
    tangents = np.gradient(path, axis=0)
    tangents /= np.linalg.norm(tangents, axis=1, keepdims=True)
    up = np.array([0.0, 0.0, 1.0])
    rings = []
    for p, t, r in zip(path, tangents, radii):
        side = np.cross(t, up)
        if np.linalg.norm(side) < 1e-6:
            side = np.cross(t, [1.0, 0.0, 0.0])
        side /= np.linalg.norm(side)
        normal = np.cross(side, t)
        angles = np.linspace(0, 2 * np.pi, ring, endpoint=False)
        pts = p + r * (np.cos(angles)[:, None] * side + squash * np.sin(angles)[:, None] * normal)
        if floor is not None:
            pts[:, 2] = np.maximum(pts[:, 2], floor)
        rings.append(pts)
    vertices = np.concatenate(rings + [path[:1], path[-1:]])
    n, faces = len(path), []
    for i in range(n - 1):
        for k in range(ring):
            a, b = i * ring + k, i * ring + (k + 1) % ring
            c, d = a + ring, b + ring
            faces += [(a, c, b), (b, c, d)]
    start, end = n * ring, n * ring + 1
    for k in range(ring):
        faces.append((start, k, (k + 1) % ring))
        last = (n - 1) * ring
        faces.append((end, last + (k + 1) % ring, last + k))
    mesh = trimesh.Trimesh(vertices, np.array(faces), process=True)
    mesh.fix_normals()
    return mesh


def mug() -> trimesh.Trimesh:
    body = revolve([(0, 0), (0.038, 0), (0.040, 0.004), (0.040, 0.095), (0.035, 0.095),
                    (0.035, 0.008), (0, 0.008)])
    angles = np.linspace(-np.pi / 2 + 0.35, np.pi / 2 - 0.35, 12)
    handle_path = np.stack([0.036 + 0.028 * np.cos(angles), np.zeros_like(angles),
                            0.05 + 0.028 * np.sin(angles)], axis=1)
    handle = tube(handle_path, np.full(len(angles), 0.006), ring=8)
    return trimesh.util.concatenate([body, handle])


def bowl() -> trimesh.Trimesh:
    return revolve([(0, 0), (0.040, 0), (0.042, 0.008), (0.070, 0.028), (0.085, 0.055),
                    (0.080, 0.056), (0.066, 0.032), (0.036, 0.014), (0, 0.012)])


def vase() -> trimesh.Trimesh:
    return revolve([(0, 0), (0.045, 0), (0.058, 0.04), (0.060, 0.08), (0.050, 0.13),
                    (0.030, 0.170), (0.036, 0.200), (0.031, 0.200), (0.025, 0.172),
                    (0.044, 0.13), (0.053, 0.08), (0, 0.012)])


def banana() -> trimesh.Trimesh:
    t = np.linspace(0.0, 1.0, 16)
    angle = np.radians(-50 + 100 * t)
    arc = 0.11
    path = np.stack([arc * np.sin(angle), arc * (1 - np.cos(angle)) - 0.02, np.full_like(t, 0.02)], axis=1)
    radii = 0.004 + 0.016 * np.sin(np.pi * t) ** 0.6
    # The underside is flattened so it lies still on a table.
    mesh = tube(path, radii, ring=10, squash=0.9, floor=0.0055)
    center = mesh.bounds.mean(axis=0)
    mesh.apply_translation([-center[0], -center[1], -mesh.bounds[0, 2]])
    return mesh


MESHES = {"mug.obj": mug, "bowl.obj": bowl, "vase.obj": vase, "banana.stl": banana}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "assets" / "meshes")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for filename, make in MESHES.items():
        mesh = make()
        path = args.out / filename
        if filename.endswith(".obj"):
            path.write_text(trimesh.exchange.obj.export_obj(mesh, include_normals=False, digits=5))
        else:
            mesh.export(path)
        print(f"{path}: {len(mesh.vertices)} vertices, {len(mesh.faces)} faces, "
              f"extent {np.round(mesh.extents, 3)}, {path.stat().st_size / 1024:.1f} KB")


if __name__ == "__main__":
    main()
