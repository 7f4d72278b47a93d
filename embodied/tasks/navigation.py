"""What every navigation task measures the same way."""

from __future__ import annotations

#: A step is a stuck step when the base is commanded forward faster than this (m/s) ...
STUCK_COMMAND = 0.3
#: ... and its measured forward speed stays under this (m/s): pinned against something.
STUCK_SPEED = 0.05


def is_stuck(commanded_speed: float, measured_speed: float) -> bool:
    """Whether a step with this commanded and measured forward speed (m/s) is stuck."""
    return commanded_speed > STUCK_COMMAND and abs(measured_speed) < STUCK_SPEED


__all__ = ["STUCK_COMMAND", "STUCK_SPEED", "is_stuck"]
