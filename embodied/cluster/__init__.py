"""Scale-out on Ray: connecting to a cluster (or starting one on this machine), evaluation
episodes on Ray actors (:mod:`.evaluation`) and training envs in them (:mod:`.vec_env`).
Sweeps run as Ray tasks through the Hydra launcher in
``hydra_plugins/embodied_ray_launcher`` (Hydra finds launchers only there).

Ray is an optional extra (``pip install embodied[ray]``); nothing here imports it until it
is used, and :func:`require_ray` names the extra when it is missing.
"""

from __future__ import annotations

import os
import socket

from embodied.errors import ConfigError, EmbodiedError


class ClusterError(EmbodiedError):
    """A Ray cluster could not be reached or used."""


def require_ray():
    """The ``ray`` module, or a ConfigError naming the extra that installs it."""
    try:
        import ray
    except ImportError:
        raise ConfigError("launcher", "ray", reason="Ray is not installed; install the extra: "
                          "pip install 'embodied[ray]'") from None
    return ray


def connect(address: str | None = None, workers: int = 2, timeout: float = 5.0) -> bool:
    """Make this process a Ray driver: on the cluster at ``address`` (``auto``: the one
    running on this machine; ``HOST:PORT``: its head node, checked to answer within
    ``timeout`` seconds first) or, without one, on a Ray started here for this process
    (``workers`` CPUs, bound to 127.0.0.1). Returns whether this call started Ray (so the
    caller shuts it down); an already connected process is left as it is."""
    ray = require_ray()
    local = address in (None, "", "local")
    if not local and address != "auto":
        host, _, port = str(address).rpartition(":")
        if not host or not port.isdigit():
            raise ConfigError("ray.address", address, reason="must be 'auto' or HOST:PORT of a "
                              "Ray head node (ray start --head prints it)")
        try:
            socket.create_connection((host, int(port)), timeout=timeout).close()
        except OSError as exc:
            raise ClusterError(f"no Ray cluster answers at {address} within {timeout:.0f} s "
                               f"({exc.strerror or exc}); start one with 'ray start --head' "
                               "or check the address") from None
    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    options = dict(include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    if local:
        # "local": a Ray of its own even when `ray start` runs a cluster on this machine
        ray.init(address="local", num_cpus=int(workers), _node_ip_address="127.0.0.1", **options)
        return True
    try:
        ray.init(address=address, **options)
    except (ConnectionError, RuntimeError) as exc:
        raise ClusterError(f"could not join the Ray cluster at {address}: {exc}") from None
    return True


__all__ = ["ClusterError", "connect", "require_ray"]
