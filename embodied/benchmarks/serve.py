"""Browser sessions end to end on this machine: ``embodied serve`` in a subprocess, headless
Chromium pages (Playwright, the system Chromium) holding keys, everything on the same CPU.

Per scenario: input-to-display latency (a key press in the page to the first displayed
frame whose humanoid has moved 1 cm: median and p95, ms), the time to the first frame
that applied the input (``ack``), frames/s delivered to each client, the session's
achieved steps/s against its target and the share of late steps, and the server's CPU
(its process and render processes, in cores: CPU seconds per wall second).

Scenarios: two participants at 30 control steps/s (SocialNav with a driven bystander,
``control_dt`` 1/30), and one participant at the task's own 12 steps/s.
"""

from __future__ import annotations

import statistics
import time

WARMUP_S = 3.0


def _percentile(values, q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[k]


def scenario(participants: int, control_hz: float | None, seconds: float = 20.0,
             frame_size: str = "480x360") -> dict:
    """Run one scenario (see the module docs) and return its figures."""
    from embodied.hitl.web.harness import ServerProcess, chromium, open_participant, page_state

    options = ["task=social_nav", "seed=3", "task.config.max_steps=100000"]
    if participants > 1:
        options.append(f"task.config.bystanders={participants - 1}")
    if control_hz is not None:
        options.append(f"task.config.control_dt={1.0 / control_hz}")
    with ServerProcess(options, participants=participants, extra=["--size", frame_size]) as server, \
            chromium() as browser:
        pages = [open_participant(browser, server.url, participant=i) for i in range(participants)]
        time.sleep(WARMUP_S)
        first = server.status()
        frames0 = [page_state(p)["frames"] for p in pages]
        start = time.perf_counter()
        keys = ("w", "s")
        cycle = 0
        while time.perf_counter() - start < seconds:
            key = keys[cycle % 2]                  # forth and back: fewer walls walked into
            for page in pages:
                page.keyboard.down(key)
            time.sleep(0.9)
            for page in pages:
                page.keyboard.up(key)
            time.sleep(0.6)
            cycle += 1
        wall = time.perf_counter() - start
        last = server.status()
        states = [page_state(p) for p in pages]
    latencies = [v for s in states for v in s["latencies"]]
    acks = [v for s in states for v in s["acks"]]
    steps = last["steps"] - first["steps"]
    cpu = (last["server_cpu_s"] + last["render_cpu_s"]) - (first["server_cpu_s"] + first["render_cpu_s"])
    return {
        "latency_median_ms": statistics.median(latencies) if latencies else float("nan"),
        "latency_p95_ms": _percentile(latencies, 0.95),
        "latency_samples": len(latencies),
        "ack_median_ms": statistics.median(acks) if acks else float("nan"),
        "frames_per_s_per_client": min(s["frames"] - f for s, f in zip(states, frames0)) / wall,
        "steps_per_s": steps / (last["wall_s"] - first["wall_s"]),
        "target_steps_per_s": last["target_steps_per_s"],
        "late_step_share": (last["late_steps"] - first["late_steps"]) / max(steps, 1),
        "server_cpu_cores": cpu / (last["wall_s"] - first["wall_s"]),
    }


def run() -> dict:
    out = {}
    for label, participants, hz in (("two_clients_30hz", 2, 30.0), ("one_client_12hz", 1, None)):
        for key, value in scenario(participants, hz).items():
            out[f"{label}_{key}"] = value
    return out


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:<48} {value:.4g}")
