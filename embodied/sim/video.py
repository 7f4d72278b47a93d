"""MP4 video writing that never leaves a partial file behind."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from embodied.errors import ConfigError
from embodied.io import atomic_path


class VideoWriter:
    """Collect frames, then encode them to H.264 mp4 under a temporary name and rename.

    Use as a context manager; on an exception nothing is written. Frames are encoded as
    they arrive, so long videos do not accumulate in memory.
    """

    def __init__(self, path: str | os.PathLike, fps: float = 30.0, quality: int = 7):
        import imageio.v2 as imageio

        self.path = Path(path)
        if self.path.suffix.lower() != ".mp4":
            raise ConfigError("video path", str(path), reason="must end in .mp4")
        self._ctx = atomic_path(self.path)
        tmp = self._ctx.__enter__()
        self._writer = imageio.get_writer(tmp, fps=fps, codec="libx264", quality=quality,
                                          macro_block_size=8, ffmpeg_log_level="error")
        self.frames = 0

    def append(self, frame: np.ndarray) -> None:
        self._writer.append_data(np.ascontiguousarray(frame))
        self.frames += 1

    def close(self, ok: bool = True) -> None:
        self._writer.close()
        if ok:
            self._ctx.__exit__(None, None, None)
        else:
            self._ctx.__exit__(RuntimeError, RuntimeError("aborted"), None)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(ok=exc_type is None)
        return False
