"""Mesh import (visual mesh + convex collision hull), shipped meshes, asset lookup."""

import importlib.util
from pathlib import Path

import mujoco
import numpy as np
import pytest
import trimesh

from embodied.errors import AssetError
from embodied.resources import asset_path, assets_root
from embodied.scenes.meshes import add_mesh_geoms, load_mesh
from embodied.sim import collision

SHIPPED = ("mug.obj", "bowl.obj", "vase.obj", "banana.stl")


def _load_make_meshes():
    path = Path(__file__).resolve().parents[1] / "scripts" / "make_meshes.py"
    spec = importlib.util.spec_from_file_location("make_meshes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("filename", SHIPPED)
def test_shipped_meshes_load_small_and_closed(filename):
    mesh = load_mesh(asset_path("meshes", filename))
    extent = mesh.bounds[1] - mesh.bounds[0]
    assert 0.03 <= extent.max() <= 0.25, extent  # object sized, metres
    assert mesh.bounds[0, 2] == pytest.approx(0.0, abs=1e-6)  # stands on z = 0
    hull = trimesh.Trimesh(mesh.hull_vertices, mesh.hull_faces)
    assert hull.is_convex and hull.volume > 1e-5
    assert len(mesh.faces) > 100


def test_shipped_meshes_total_size_and_reproducible(tmp_path):
    total = sum(asset_path("meshes", f).stat().st_size for f in SHIPPED)
    assert total < 200 * 1024
    _load_make_meshes().main(["--out", str(tmp_path)])
    for f in SHIPPED:
        assert (tmp_path / f).read_bytes() == asset_path("meshes", f).read_bytes(), f


@pytest.mark.parametrize("file_type", ["obj", "stl", "glb"])
def test_user_mesh_becomes_visual_plus_hull_and_rests_on_floor(tmp_path, file_type):
    # An L-shaped (non-convex) block: its collision hull must be convex and its visual exact.
    a = trimesh.creation.box((0.2, 0.06, 0.06))
    b = trimesh.creation.box((0.06, 0.06, 0.14))
    b.apply_translation((0.07, 0.0, 0.04))
    block = trimesh.util.concatenate([a, b])
    block.apply_translation((0, 0, -block.bounds[0, 2]))
    path = tmp_path / f"block.{file_type}"
    block.export(path)
    mesh = load_mesh(path)
    assert np.allclose(mesh.bounds, block.bounds, atol=1e-6)
    hull = trimesh.Trimesh(mesh.hull_vertices, mesh.hull_faces)
    solid_volume = 0.2 * 0.06 * 0.06 + 0.06 * 0.06 * 0.08  # the L without the overlap
    assert hull.is_convex and hull.volume > solid_volume * 1.2  # the L's notch is filled

    spec = mujoco.MjSpec()
    floor = spec.worldbody.add_geom(type=mujoco.mjtGeom.mjGEOM_PLANE, size=(1, 1, 0.1))
    collision.apply(floor, collision.STATIC)
    body = spec.worldbody.add_body(name="block", pos=(0, 0, 0.01))
    body.add_freejoint()
    vis, col = add_mesh_geoms(body, spec, "block", mesh, (0.8, 0.2, 0.2, 1.0))
    vis.mass = 0.0
    col.mass = 0.5
    model = spec.compile()
    assert model.nmesh == 2
    assert model.geom_contype[vis.id] == 0 and model.geom_conaffinity[vis.id] == 0
    assert model.geom_contype[col.id] == collision.DYNAMIC["contype"]
    data = mujoco.MjData(model)
    mujoco.mj_step(model, data, nstep=600)
    z_min = data.geom_xpos[col.id][2] + (model.mesh_vert[model.mesh_vertadr[model.geom_dataid[col.id]]:][
        :model.mesh_vertnum[model.geom_dataid[col.id]]] @ data.geom_xmat[col.id].reshape(3, 3).T)[:, 2].min()
    assert abs(z_min) < 0.005  # resting on the floor, not through it
    assert np.linalg.norm(data.qvel) < 1e-2


def test_missing_mesh_raises_asset_error_naming_path(tmp_path):
    path = tmp_path / "nope" / "ghost.obj"
    with pytest.raises(AssetError, match="ghost.obj"):
        load_mesh(path)


@pytest.mark.parametrize("file_type,content", [("obj", b"v 1 2\nf 1 2 3\n"), ("stl", b"garbage\x00\x01"),
                                                ("glb", b"garbage"), ("obj", b"")])
def test_corrupt_mesh_raises_asset_error_naming_path(tmp_path, file_type, content):
    path = tmp_path / f"broken_mesh.{file_type}"
    path.write_bytes(content)
    with pytest.raises(AssetError, match="broken_mesh"):
        load_mesh(path)


def test_flat_mesh_rejected(tmp_path):
    path = tmp_path / "flat.obj"
    path.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\nf 1 2 3\nf 2 4 3\n")
    with pytest.raises(AssetError, match="flat.obj"):
        load_mesh(path)


def test_asset_lookup():
    assert (assets_root() / "meshes").is_dir()
    assert asset_path("meshes", "mug.obj").is_file()
    with pytest.raises(AssetError, match="missing_file.obj"):
        asset_path("meshes", "missing_file.obj")
