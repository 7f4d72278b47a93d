"""Camera sensors: colour, depth and segmentation images from an agent's cameras."""

from __future__ import annotations

from dataclasses import dataclass, field

import mujoco
import numpy as np

from embodied.errors import ConfigError, check_choice, check_range
from embodied.sensors.base import Sensor, box
from embodied.sim.semantics import CATEGORIES


@dataclass
class _Camera(Sensor):
    """An image sensor looking through one of the agent's cameras: an alias the agent
    resolves (``"head"``, ``"arm"`` on robots) or a full camera name of the model."""

    width: int = 128
    height: int = 128
    camera: str = "head"
    name: str = ""
    cost: str = field(default="render", init=False)

    def __post_init__(self):
        for f in ("width", "height"):
            check_range(f, getattr(self, f), 1, 1920, integer=True)
        if not isinstance(self.camera, str) or not self.camera:
            raise ConfigError("camera", self.camera, reason="'head', 'arm' or a camera name")
        if not self.name:
            self.name = f"{self.camera.split('/')[-1]}_{self._kind}"

    def bind(self, world, agent):
        self._camera_name = agent.camera(self.camera)
        world.id(mujoco.mjtObj.mjOBJ_CAMERA, self._camera_name)  # fails early if absent


@dataclass
class CameraRGB(_Camera):
    """(H, W, 3) uint8 colour image."""

    _kind = "rgb"

    @property
    def space(self):
        return box(0, 255, (self.height, self.width, 3), np.uint8)

    def read(self, world, agent, images):
        return images.get(world, self._camera_name, "rgb", self.width, self.height)


@dataclass
class CameraDepth(_Camera):
    """(H, W, 1) float32 depth along the optical axis in metres, clipped to ``max_depth``."""

    max_depth: float = 10.0
    _kind = "depth"

    def __post_init__(self):
        super().__post_init__()
        check_range("max_depth", self.max_depth, 0.1, 100.0)

    @property
    def space(self):
        return box(0.0, self.max_depth, (self.height, self.width, 1))

    def read(self, world, agent, images):
        depth = images.get(world, self._camera_name, "depth", self.width, self.height)
        return np.clip(depth, 0.0, self.max_depth)[..., None]


@dataclass
class CameraSegmentation(_Camera):
    """(H, W, 1) int32 semantic ids: ``category`` (index into CATEGORIES) or ``instance``."""

    level: str = "category"
    _kind = "semantic"

    def __post_init__(self):
        super().__post_init__()
        check_choice("level", self.level, ("category", "instance"))

    @property
    def space(self):
        high = len(CATEGORIES) - 1 if self.level == "category" else 2 ** 16 - 1
        return box(0, high, (self.height, self.width, 1), np.int32)

    def read(self, world, agent, images):
        seg = images.get(world, self._camera_name, f"seg:{self.level}", self.width, self.height)
        return seg[..., None]


def HeadRGB(width: int = 128, height: int = 128) -> CameraRGB:
    return CameraRGB(width, height, "head", "head_rgb")


def HeadDepth(width: int = 128, height: int = 128, max_depth: float = 10.0) -> CameraDepth:
    return CameraDepth(width, height, "head", "head_depth", max_depth=max_depth)


def HeadSemantic(width: int = 128, height: int = 128, level: str = "category") -> CameraSegmentation:
    return CameraSegmentation(width, height, "head", "head_semantic", level=level)


def ArmRGB(width: int = 128, height: int = 128) -> CameraRGB:
    return CameraRGB(width, height, "arm", "arm_rgb")


def ArmDepth(width: int = 128, height: int = 128, max_depth: float = 10.0) -> CameraDepth:
    return CameraDepth(width, height, "arm", "arm_depth", max_depth=max_depth)
