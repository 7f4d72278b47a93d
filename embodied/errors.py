"""The package's error types.

Every error a user can cause derives from :class:`EmbodiedError`, so a caller (or the
CLI) can tell user mistakes from bugs and print a one-line message for the former.
"""

from __future__ import annotations

from typing import Any, Iterable


class EmbodiedError(Exception):
    """Base class of every error raised on purpose by ``embodied``."""


class ConfigError(EmbodiedError, ValueError):
    """A configuration value is invalid. The message names the field and what is allowed."""

    def __init__(self, field: str, value: Any, allowed: str | Iterable[Any] | None = None,
                 reason: str | None = None):
        self.field, self.value = field, value
        if allowed is not None and not isinstance(allowed, str):
            allowed = ", ".join(repr(a) for a in allowed)
        msg = f"invalid value for '{field}': {value!r}"
        if reason:
            msg += f" ({reason})"
        if allowed:
            msg += f"; allowed: {allowed}"
        super().__init__(msg)


class AssetError(EmbodiedError):
    """A model, mesh or data file is missing or cannot be read. The message names the path."""


class ActionError(EmbodiedError, ValueError):
    """An action given to an environment or controller is malformed (wrong shape, NaN, inf)."""


class SimulationError(EmbodiedError):
    """The simulation reached an invalid state (e.g. the physics diverged)."""


class NotFoundError(EmbodiedError, KeyError):
    """A named thing (entity, body, sensor, task, policy, skill ...) does not exist. The
    message names what was asked for and lists what would have been valid."""

    def __init__(self, kind: str, name: Any, available: Iterable[Any] = ()):
        self.kind, self.name = kind, name
        self.available = sorted(str(a) for a in available)
        msg = f"no {kind} named {name!r}"
        if self.available:
            shown = self.available if len(self.available) <= 20 else self.available[:20] + ["..."]
            msg += "; available: " + ", ".join(shown)
        super().__init__(msg)

    def __str__(self) -> str:           # KeyError would print the message with quotes
        return self.args[0]


class EpisodeInitError(EmbodiedError):
    """An episode could not be set up from this draw (no valid start poses, say). Task
    resets catch it and try again with the next draw of the same episode seed, up to a
    bounded number of attempts; the message says what was missing."""


def check_choice(field: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``allowed``, else raise :class:`ConfigError`."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise ConfigError(field, value, allowed)
    return value


def check_range(field: str, value: float, low: float | None = None, high: float | None = None,
                integer: bool = False) -> float:
    """Return ``value`` if it is a finite number within ``[low, high]``, else raise."""
    import math

    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            integer and not float(value).is_integer()) or not math.isfinite(value):
        kind = "an integer" if integer else "a finite number"
        raise ConfigError(field, value, reason=f"must be {kind}")
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ConfigError(field, value, f"[{lo}, {hi}]")
    return value
