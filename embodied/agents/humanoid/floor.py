"""A bare floor scene, for the avatar gallery, tests and benchmarks without a home."""

from __future__ import annotations

import mujoco

from embodied.sim import collision


def floor_spec(size: float = 10.0, rgba=(0.75, 0.72, 0.68, 1.0)) -> mujoco.MjSpec:
    """A lit square floor of side ``2 * size`` metres centred on the origin."""
    spec = mujoco.MjSpec()
    spec.compiler.degree = False
    spec.visual.headlight.ambient = [0.35, 0.35, 0.35]
    spec.visual.headlight.diffuse = [0.5, 0.5, 0.5]
    spec.add_texture(name="sky", type=mujoco.mjtTexture.mjTEXTURE_SKYBOX,
                     builtin=mujoco.mjtBuiltin.mjBUILTIN_GRADIENT, width=64, height=64,
                     rgb1=[0.85, 0.9, 0.97], rgb2=[0.35, 0.42, 0.55])
    tex = spec.add_texture(name="floor_grid", type=mujoco.mjtTexture.mjTEXTURE_2D,
                           builtin=mujoco.mjtBuiltin.mjBUILTIN_CHECKER, width=256, height=256,
                           rgb1=list(rgba[:3]), rgb2=[c * 0.9 for c in rgba[:3]])
    mat = spec.add_material(name="floor_mat", texrepeat=[size, size], reflectance=0.05)
    mat.textures[mujoco.mjtTextureRole.mjTEXROLE_RGB] = tex.name
    floor = spec.worldbody.add_geom(name="floor", type=mujoco.mjtGeom.mjGEOM_PLANE,
                                    size=[size, size, 0.1], material="floor_mat")
    collision.apply(floor, collision.STATIC)
    spec.worldbody.add_light(name="sun", pos=[2, -2, 6], dir=[-0.3, 0.3, -1],
                             diffuse=[0.6, 0.6, 0.6], castshadow=True)
    return spec
