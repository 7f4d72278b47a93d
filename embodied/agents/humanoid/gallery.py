"""A picture of every avatar, standing in a row (``embodied avatars --out avatars.png``)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from embodied.agents.humanoid.avatars import AVATARS
from embodied.agents.humanoid.floor import floor_spec
from embodied.agents.humanoid.humanoid import Humanoid
from embodied.errors import ConfigError, check_range
from embodied.io import atomic_path


def render_gallery(path: str | Path, avatar_ids: Sequence[str] | None = None, width: int = 1600,
                   height: int = 560, labels: bool = True, profile: str = "pretty") -> Path:
    """Render the avatars side by side, facing the camera, and write a PNG to ``path``."""
    import imageio.v3 as iio

    from embodied.sim.render import Renderer, look_at
    from embodied.sim.world import World

    ids = list(AVATARS) if avatar_ids is None else list(avatar_ids)
    if not ids:
        raise ConfigError("avatar_ids", avatar_ids, reason="must name at least one avatar")
    check_range("width", width, 64, 1920, integer=True)
    check_range("height", height, 64, 1080, integer=True)
    spacing = 0.75
    xs = (np.arange(len(ids)) - (len(ids) - 1) / 2) * spacing
    humans = [Humanoid(f"h{i}", avatar_id, pos=(0.0, float(x), 0.0), yaw=0.0)
              for i, (avatar_id, x) in enumerate(zip(ids, xs))]
    world = World(floor_spec(size=max(6.0, len(ids) * spacing)), humans, seed=0)
    world.reset()
    span = len(ids) * spacing
    aspect = width / height
    # distance so that the row fills the width with a 45 degree vertical field of view
    distance = max(3.0, 0.5 * span / (aspect * np.tan(np.radians(22.5))) * 1.15)
    camera = look_at([0.0, 0.0, 0.95], distance=distance, azimuth=180.0, elevation=-6.0)
    with Renderer(world, width, height, profile) as renderer:
        image = renderer.rgb(camera)
    if labels:
        image = _label(image, ids, xs, distance, camera)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        iio.imwrite(tmp, image, extension=".png")
    return out


def _label(image: np.ndarray, ids, xs, distance: float, camera) -> np.ndarray:
    """Write each avatar's id under its feet (pinhole projection of the camera above)."""
    import cv2

    h, w = image.shape[:2]
    image = np.ascontiguousarray(image)
    f = 0.5 * h / np.tan(np.radians(22.5))
    for avatar_id, x in zip(ids, xs):
        # the camera at +x looks back along -x, so image u grows with +y
        u = int(w / 2 + f * x / distance)
        scale = max(0.3, min(0.5, w / len(ids) / 260))
        size, _ = cv2.getTextSize(avatar_id, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        cv2.putText(image, avatar_id, (u - size[0] // 2, h - 12), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (30, 30, 30), 1, cv2.LINE_AA)
    return image
