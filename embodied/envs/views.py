"""Frames for people: a third-person view of a World with insets and a text overlay."""

from __future__ import annotations

import numpy as np

from embodied.sim.render import Renderer, look_at


class FollowView:
    """Renders a third-person view framing two points (robot and humanoid), with an
    optional egocentric inset and lines of text.

    Args:
        world: the World to draw.
        width, height: frame size.
        profile: render profile of the main view (``"pretty"`` for videos).
    """

    def __init__(self, world, width: int = 640, height: int = 480, profile: str = "pretty",
                 inset_camera: str | None = None):
        self.world = world
        self.main = Renderer(world, width, height, profile)
        self.inset_camera = inset_camera
        self.inset = Renderer(world, width // 4, height // 4, "fast") if inset_camera else None

    def render(self, a_xy, b_xy, lines: tuple[str, ...] = ()) -> np.ndarray:
        import cv2

        a, b = np.asarray(a_xy, float), np.asarray(b_xy, float)
        mid = (a + b) / 2
        spread = float(np.linalg.norm(a - b))
        cam = look_at([mid[0], mid[1], 0.5], distance=max(4.5, 1.6 * spread + 2.0),
                      azimuth=135.0, elevation=-62.0)
        frame = self.main.rgb(cam).copy()
        if self.inset is not None:
            small = self.inset.rgb(self.inset_camera)
            h, w = small.shape[:2]
            frame[8:8 + h, -8 - w:-8] = small
            cv2.rectangle(frame, (frame.shape[1] - 9 - w, 7), (frame.shape[1] - 8, 8 + h),
                          (255, 255, 255), 1)
        y = 22
        for line in lines:
            cv2.putText(frame, line, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 3, cv2.LINE_AA)
            cv2.putText(frame, line, (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 1, cv2.LINE_AA)
            y += 22
        return frame

    def close(self) -> None:
        self.main.close()
        if self.inset is not None:
            self.inset.close()
