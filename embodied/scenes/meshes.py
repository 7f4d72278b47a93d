"""User meshes (OBJ, STL, GLB/GLTF, PLY ...) as MuJoCo assets: a visual mesh plus a convex
collision hull.

Files are read with trimesh once per (path, modification time) and cached; adding a mesh
to a spec copies vertex arrays, so building a model never touches the disk again.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import mujoco
import numpy as np

from embodied.errors import AssetError
from embodied.sim import collision


@dataclass(frozen=True)
class MeshData:
    """Triangles of a visual mesh and of its convex hull, in the file's frame (metres)."""

    path: str
    vertices: np.ndarray
    faces: np.ndarray
    hull_vertices: np.ndarray
    hull_faces: np.ndarray

    @property
    def bounds(self) -> np.ndarray:
        """(2, 3) array: minimum and maximum corner of the mesh's bounding box."""
        return np.stack([self.vertices.min(axis=0), self.vertices.max(axis=0)])

    @property
    def xy_radius(self) -> float:
        """Radius of the smallest circle about the origin enclosing the mesh seen from above."""
        return float(np.max(np.linalg.norm(self.vertices[:, :2], axis=1)))


def load_mesh(path: str | os.PathLike, scale: float = 1.0) -> MeshData:
    """Read a mesh file (scaled by ``scale``) and compute its convex hull.

    Raises AssetError naming the path when the file is missing, unreadable or holds no
    triangles.
    """
    path = Path(path)
    if not path.is_file():
        raise AssetError(f"mesh file not found: {path}")
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns, float(scale))


@functools.lru_cache(maxsize=64)
def _load_cached(path: str, mtime_ns: int, scale: float) -> MeshData:
    import trimesh

    try:
        mesh = trimesh.load(path, force="mesh", process=True)
    except Exception as exc:  # trimesh raises many types for malformed files
        raise AssetError(f"cannot read mesh file {path}: {exc}") from exc
    if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0 or len(mesh.vertices) < 4:
        raise AssetError(f"mesh file {path} holds no triangles")
    vertices = np.asarray(mesh.vertices, dtype=float) * scale
    if not np.isfinite(vertices).all():
        raise AssetError(f"mesh file {path} has non-finite vertices")
    try:
        with np.errstate(all="ignore"):  # flat inputs are reported below, not as warnings
            hull = trimesh.Trimesh(vertices, mesh.faces, process=False).convex_hull
            volume = hull.volume
    except Exception as exc:
        raise AssetError(f"mesh file {path}: cannot compute a convex hull ({exc})") from exc
    if not volume > 0:
        raise AssetError(f"mesh file {path} is flat (its convex hull has no volume)")
    return MeshData(path, vertices, np.asarray(mesh.faces, dtype=np.int32),
                    np.asarray(hull.vertices, dtype=float), np.asarray(hull.faces, dtype=np.int32))


def add_mesh_assets(spec: mujoco.MjSpec, name: str, mesh: MeshData) -> tuple[str, str]:
    """Add ``<name>/visual`` and ``<name>/collision`` mesh assets (once per spec).

    Returns the two asset names.
    """
    visual, hull = f"{name}/visual", f"{name}/collision"
    if spec.mesh(visual) is None:
        spec.add_mesh(name=visual, uservert=mesh.vertices.ravel().tolist(),
                      userface=mesh.faces.ravel().tolist(),
                      # visual meshes need not be closed: their inertia is never used
                      inertia=mujoco.mjtMeshInertia.mjMESH_INERTIA_SHELL)
        spec.add_mesh(name=hull, uservert=mesh.hull_vertices.ravel().tolist(),
                      userface=mesh.hull_faces.ravel().tolist())
    return visual, hull


def add_mesh_geoms(body: mujoco.MjsBody, spec: mujoco.MjSpec, name: str, mesh: MeshData,
                   rgba, group: dict = collision.DYNAMIC, pos=(0.0, 0.0, 0.0),
                   quat=(1.0, 0.0, 0.0, 0.0), geom_prefix: str = "") -> tuple:
    """Add a visible mesh geom (no contacts) and a hidden convex-hull collision geom to
    ``body``; ``group`` sets the collision group of the hull (STATIC for furniture)."""
    visual_mesh, hull_mesh = add_mesh_assets(spec, name, mesh)
    vis = body.add_geom(name=f"{geom_prefix}visual", type=mujoco.mjtGeom.mjGEOM_MESH,
                        meshname=visual_mesh, pos=pos, quat=quat, rgba=rgba,
                        group=collision.GROUP_VISUAL)
    collision.apply(vis, collision.VISUAL)
    col = body.add_geom(name=f"{geom_prefix}collision", type=mujoco.mjtGeom.mjGEOM_MESH,
                        meshname=hull_mesh, pos=pos, quat=quat, rgba=rgba,
                        group=collision.GROUP_COLLISION)
    collision.apply(col, group)
    return vis, col
