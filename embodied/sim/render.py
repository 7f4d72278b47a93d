"""Offscreen RGB, depth and segmentation rendering of a World, with two quality profiles.

``fast`` is for observations (no shadows, reflections or skybox: about 5x cheaper on a
CPU renderer); ``pretty`` is for figures; ``video`` for videos (``pretty``'s shadows from
a 2048-pixel shadow map, no floor reflections: ~1.6x cheaper, hard to tell apart at
640x480). Cameras are either named cameras of
the model (``"robot/head_rgb"``) or free views built with :func:`look_at` /
:func:`top_down`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import mujoco
import numpy as np

from embodied.errors import ConfigError, check_choice
from embodied.sim import gl

Camera = Union[str, int, mujoco.MjvCamera]


@dataclass(frozen=True)
class RenderProfile:
    """Scene flags that trade image quality for speed."""

    name: str
    shadows: bool
    reflections: bool
    skybox: bool
    haze: bool = False
    shadow_size: int | None = None      # shadow map pixels (None: the model's)


PROFILES = {
    "fast": RenderProfile("fast", shadows=False, reflections=False, skybox=False),
    "pretty": RenderProfile("pretty", shadows=True, reflections=True, skybox=True, haze=False),
    "video": RenderProfile("video", shadows=True, reflections=False, skybox=True, shadow_size=2048),
}


def look_at(target, distance: float = 4.0, azimuth: float = 135.0,
            elevation: float = -30.0) -> mujoco.MjvCamera:
    """A free camera orbiting ``target`` (degrees, MuJoCo conventions)."""
    cam = mujoco.MjvCamera()
    cam.type = mujoco.mjtCamera.mjCAMERA_FREE
    cam.lookat[:] = np.asarray(target, dtype=float)
    cam.distance, cam.azimuth, cam.elevation = float(distance), float(azimuth), float(elevation)
    return cam


def top_down(center, extent: float, fovy_deg: float = 45.0) -> mujoco.MjvCamera:
    """A free camera looking straight down that frames a square of side ``extent`` metres."""
    distance = 0.5 * extent / np.tan(np.radians(fovy_deg) / 2) * 1.02
    return look_at(center, distance=distance, azimuth=90.0, elevation=-90.0)


class Renderer:
    """Renders one World's current state from any camera.

    Args:
        world: the World to draw (its model and data are read at each call).
        width, height: image size in pixels.
        profile: ``"fast"``, ``"pretty"`` or ``"video"``.
    """

    def __init__(self, world, width: int = 128, height: int = 128, profile: str = "fast"):
        check_choice("profile", profile, PROFILES)
        for field, value in (("width", width), ("height", height)):
            if not isinstance(value, (int, np.integer)) or not 1 <= value <= 4096:
                raise ConfigError(field, value, "integers in [1, 4096]")
        vis = world.model.vis.global_
        if width > vis.offwidth or height > vis.offheight:
            raise ConfigError("width/height", (width, height),
                              reason=f"larger than the model's offscreen buffer "
                                     f"{vis.offwidth}x{vis.offheight}")
        gl.configure_backend()
        self.world = world
        self.width, self.height = int(width), int(height)
        self.profile = PROFILES[profile]
        quality = world.model.vis.quality
        model_shadow_size = quality.shadowsize
        if self.profile.shadow_size is not None:
            quality.shadowsize = self.profile.shadow_size   # read when the context is made
        try:
            self._renderer = mujoco.Renderer(world.model, self.height, self.width)
        except (mujoco.FatalError, RuntimeError) as exc:
            raise gl.context_error(exc) from exc
        finally:
            quality.shadowsize = model_shadow_size
        self.option = mujoco.MjvOption()
        flags = self._renderer.scene.flags
        flags[mujoco.mjtRndFlag.mjRND_SHADOW] = self.profile.shadows
        flags[mujoco.mjtRndFlag.mjRND_REFLECTION] = self.profile.reflections
        flags[mujoco.mjtRndFlag.mjRND_SKYBOX] = self.profile.skybox
        flags[mujoco.mjtRndFlag.mjRND_HAZE] = self.profile.haze
        self._mode = "rgb"

    def _set_mode(self, mode: str) -> None:
        if mode == self._mode:
            return
        r = self._renderer
        r.disable_depth_rendering()
        r.disable_segmentation_rendering()
        if mode == "depth":
            r.enable_depth_rendering()
        elif mode == "segmentation":
            r.enable_segmentation_rendering()
        self._mode = mode

    def _draw(self, camera: Camera, mode: str, out=None) -> np.ndarray:
        self._set_mode(mode)
        self._renderer.update_scene(self.world.data, camera, self.option)
        return self._renderer.render(out=out)

    def rgb(self, camera: Camera = -1, out=None) -> np.ndarray:
        """(H, W, 3) uint8 colour image."""
        return self._draw(camera, "rgb", out)

    def depth(self, camera: Camera = -1, out=None) -> np.ndarray:
        """(H, W) float32 distance along the optical axis, in metres."""
        return self._draw(camera, "depth", out)

    def segmentation(self, camera: Camera = -1, level: str = "instance") -> np.ndarray:
        """(H, W) int32 ids: ``instance`` (index into ``world.instance_names``) or
        ``category`` (index into ``embodied.sim.semantics.CATEGORIES``); 0 = background."""
        check_choice("level", level, ("instance", "category", "geom"))
        seg = self._draw(camera, "segmentation")
        # int(): comparing an array with the enum object goes element by element in Python.
        geom = np.where(seg[..., 1] == int(mujoco.mjtObj.mjOBJ_GEOM), seg[..., 0], -1)
        if level == "geom":
            return geom
        table = self.world.geom_instance if level == "instance" else self.world.geom_category
        return np.where(geom >= 0, table[np.maximum(geom, 0)], 0).astype(np.int32)

    def close(self) -> None:
        self._renderer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
