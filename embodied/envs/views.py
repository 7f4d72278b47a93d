"""Frames for people: a third-person view of a World with insets and a text overlay."""

from __future__ import annotations

import numpy as np

from embodied.sim.render import Renderer, look_at


class FollowView:
    """Renders a third-person view framing some floor points (the agents), with an
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

    def render(self, points, lines: tuple[str, ...] = ()) -> np.ndarray:
        """The frame keeping every (x, y) of ``points`` in view, with ``lines`` of text."""
        import cv2

        pts = np.asarray(points, float).reshape(-1, 2)
        mid = pts.sum(axis=0) / len(pts)
        spread = max((float(np.linalg.norm(p - q)) for i, p in enumerate(pts) for q in pts[i + 1:]),
                     default=0.0)
        # steep enough that walls (homes have no ceiling) rarely hide the agents
        cam = look_at([mid[0], mid[1], 0.5], distance=max(5.0, 1.6 * spread + 2.5),
                      azimuth=120.0, elevation=-74.0)
        frame = self.main.rgb(cam).copy()
        if self.inset is not None:
            small = self.inset.rgb(self.inset_camera)
            h, w = small.shape[:2]
            frame[8:8 + h, -8 - w:-8] = small
            cv2.rectangle(frame, (frame.shape[1] - 9 - w, 7), (frame.shape[1] - 8, 8 + h),
                          (255, 255, 255), 1)
        if lines:
            banner = frame[: 10 + 22 * len(lines), : max(len(t) for t in lines) * 10 + 16]
            banner[:] = (banner * 0.45).astype(np.uint8)
        for k, line in enumerate(lines):
            cv2.putText(frame, line, (8, 22 + 22 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.55,
                        (255, 255, 255), 1, cv2.LINE_AA)
        return frame

    def close(self) -> None:
        self.main.close()
        if self.inset is not None:
            self.inset.close()
