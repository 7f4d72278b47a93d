"""What browser participants may send, and how it is checked.

Clients send small JSON text messages:

- ``{"type": "key", "key": "w", "down": true, "seq": 7}``: a key pressed or released
  (keys: w a s d space c h r n; r and n, which restart the episode for everyone, only
  from participant 0);
- ``{"type": "walk_to", "x": 1.5, "y": -2.0, "seq": 8}``: click-to-walk to a floor point
  (metres, world frame);
- ``{"type": "ping", "t": 123.4}``: answered with ``{"type": "pong", "t": 123.4}``.

``seq`` counts a client's inputs; every frame says which input it has applied. Anything
else (unknown types or keys, wrong field types, non-finite numbers, points off the map,
binary data) is an :class:`InvalidMessage`: the server drops and counts it. Messages
longer than :data:`MAX_MESSAGE_BYTES` are refused (the connection closes with 1009).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

#: Longest message a client may send (bytes).
MAX_MESSAGE_BYTES = 512
#: Keys a browser may send (the session's key names; esc is the server operator's).
WEB_KEYS = ("w", "s", "a", "d", "space", "c", "h", "r", "n")
#: Keys only participant 0 may send.
HOST_KEYS = ("r", "n")
#: How far outside the home's map a click-to-walk point may lie (m); the walk snaps it.
MAP_MARGIN = 1.0


class InvalidMessage(ValueError):
    """A client message that breaks the protocol; the text says what was wrong."""


@dataclass(frozen=True)
class Input:
    """A checked client input: ``kind`` is ``key``, ``walk_to`` or ``ping``."""

    kind: str
    seq: int = 0
    key: str = ""
    down: bool = False
    xy: tuple[float, float] = (0.0, 0.0)
    t: float = 0.0


def _number(message: dict, name: str) -> float:
    value = message.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidMessage(f"'{name}' must be a finite number")
    return float(value)


def _seq(message: dict) -> int:
    seq = message.get("seq", 0)
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < 2**53:
        raise InvalidMessage("'seq' must be a non-negative integer")
    return seq


def parse_input(text, participant: int, bounds) -> Input:
    """Check one client message (see the module docs). ``bounds`` is the home's map
    rectangle (xmin, ymin, xmax, ymax) for click-to-walk points."""
    if not isinstance(text, str):
        raise InvalidMessage("messages are JSON text")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
        raise InvalidMessage(f"longer than {MAX_MESSAGE_BYTES} bytes")
    try:
        message = json.loads(text)
    except ValueError:
        raise InvalidMessage("not JSON") from None
    if not isinstance(message, dict):
        raise InvalidMessage("not a JSON object")
    kind = message.get("type")
    if kind == "key":
        key, down = message.get("key"), message.get("down")
        if key not in WEB_KEYS:
            raise InvalidMessage(f"unknown key {str(key)[:20]!r}")
        if not isinstance(down, bool):
            raise InvalidMessage("'down' must be true or false")
        if key in HOST_KEYS and participant != 0:
            raise InvalidMessage(f"only participant 0 may send {key!r}")
        return Input("key", _seq(message), key=key, down=down)
    if kind == "walk_to":
        x, y = _number(message, "x"), _number(message, "y")
        x0, y0, x1, y1 = bounds
        if not (x0 - MAP_MARGIN <= x <= x1 + MAP_MARGIN and y0 - MAP_MARGIN <= y <= y1 + MAP_MARGIN):
            raise InvalidMessage(f"point ({x:.1f}, {y:.1f}) is off the map")
        return Input("walk_to", _seq(message), xy=(x, y))
    if kind == "ping":
        return Input("ping", t=_number(message, "t"))
    raise InvalidMessage(f"unknown message type {str(kind)[:20]!r}")
