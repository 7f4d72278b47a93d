"""Choosing an OpenGL backend for offscreen rendering, with clear messages when none works.

MuJoCo reads ``MUJOCO_GL`` when it first creates a context. On a machine with no display
we default it to ``egl`` (Mesa's llvmpipe renders on the CPU); with a display, GLFW.
This must run before ``mujoco.Renderer`` is first created.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

from embodied.errors import EmbodiedError

APT_HINT = "sudo apt-get install -y libegl1 libgl1 libegl-mesa0 libgl1-mesa-dri libgbm1"
XVFB_HINT = "sudo apt-get install -y xvfb xdotool"


class RenderingUnavailable(EmbodiedError):
    """No OpenGL backend can be used; the message says what to install or set."""


def default_backend() -> str:
    """Set ``MUJOCO_GL`` (and PyOpenGL's platform) if the user has not: GLFW with a display,
    EGL without. MuJoCo reads it when first imported, so ``embodied`` calls this on import."""
    backend = os.environ.get("MUJOCO_GL")
    if backend is None:
        backend = "glfw" if os.environ.get("DISPLAY") else "egl"
        os.environ["MUJOCO_GL"] = backend
    if backend in ("egl", "osmesa"):
        os.environ.setdefault("PYOPENGL_PLATFORM", backend)
    return backend


def configure_backend() -> str:
    """The backend in use, after checking its system library is present."""
    backend = default_backend()
    if backend == "egl":
        if ctypes.util.find_library("EGL") is None:
            raise RenderingUnavailable(
                f"headless rendering needs EGL (libEGL.so) and Mesa, which are missing. "
                f"Install them with: {APT_HINT}")
    return backend


def context_error(exc: Exception) -> RenderingUnavailable:
    """A clear error for a failed OpenGL context creation."""
    backend = os.environ.get("MUJOCO_GL", "?")
    return RenderingUnavailable(
        f"could not create an OpenGL context with MUJOCO_GL={backend} ({exc}). Headless: "
        f"set MUJOCO_GL=egl before anything imports mujoco and install Mesa ({APT_HINT}); "
        f"with a window: a working DISPLAY and MUJOCO_GL=glfw")


def check_display() -> None:
    """Raise a clear error if no X display is available for an interactive window (DISPLAY
    unset, or set to a display that cannot be opened: GLFW would end the process)."""
    display = os.environ.get("DISPLAY")
    reason = "DISPLAY is not set" if not display else (
        None if can_open_display(display) else f"DISPLAY={display} cannot be opened")
    if reason:
        raise RenderingUnavailable(
            f"no display available for an interactive window ({reason}). "
            "Run on a desktop, start a virtual display with `Xvfb :99 & export DISPLAY=:99` "
            f"(install: {XVFB_HINT}), or use the headless options (--video / replay --video).")


def can_open_display(display: str) -> bool:
    """Whether an X connection to ``display`` opens (True when Xlib is not there to ask)."""
    name = ctypes.util.find_library("X11")
    if name is None:
        return True
    xlib = ctypes.CDLL(name)
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    handle = xlib.XOpenDisplay(display.encode())
    if not handle:
        return False
    xlib.XCloseDisplay(handle)
    return True
