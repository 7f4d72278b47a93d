"""Evaluation on Ray: the same episodes as the sequential loop, bit for bit, however many
workers; a killed worker's episode runs again elsewhere; a real two-node cluster on
loopback; and the episode log that keeps an interrupted run."""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

import embodied  # noqa: F401
from embodied.config import make_env_factory
from embodied.errors import ConfigError
from embodied.evaluation import EpisodeLog, evaluate
from embodied.policies import make_policy

TASK = {"name": "social_nav", "config": {"max_steps": 40}}
POLICY = {"name": "heuristic"}


def sequential(episodes, seed=0):
    return evaluate(make_env_factory(TASK, "val"), make_policy(POLICY), episodes, seed=seed,
                    progress=False)["episodes"]


def same_episodes(a, b):
    """Equal results (seed, steps, return, every metric; NaN equal to NaN), wall time apart."""
    strip = [{k: v for k, v in e.items() if k != "wall_time_s"} for e in a]
    other = [{k: v for k, v in e.items() if k != "wall_time_s"} for e in b]
    return json.dumps(strip) == json.dumps(other)


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    from embodied.cluster import connect

    connect(None, workers=2)
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_episodes_equal_the_sequential_ones_and_a_killed_worker_is_replaced(local_ray, tmp_path):
    from embodied.cluster.evaluation import evaluate_on_ray

    reference = sequential(5)
    for workers in (1, 2):
        out = evaluate_on_ray(TASK, "val", POLICY, 5, workers=workers, progress=False)
        assert same_episodes(out["episodes"], reference), f"{workers} workers"
        assert out["actors_replaced"] == 0

    def kill_one(actors):
        # at once, before it is given an episode: short episodes can all be done within
        # any delay, and a worker killed idle after the last one is never missed
        pid, _ = local_ray.get(actors[0].where.remote())
        os.kill(pid, signal.SIGKILL)

    log = EpisodeLog(tmp_path / "r.episodes.jsonl", {"run": "killed"}, 5)
    out = evaluate_on_ray(TASK, "val", POLICY, 5, workers=2, log=log, progress=False,
                          on_started=kill_one)
    assert out["actors_replaced"] == 1
    assert same_episodes(out["episodes"], reference), "every episode once, as undisturbed"
    lines = (tmp_path / "r.episodes.jsonl").read_text().splitlines()[1:]
    assert sorted(json.loads(line)["index"] for line in lines) == list(range(5))


def test_an_interrupted_evaluation_keeps_its_episodes_and_resumes(tmp_path):
    path = tmp_path / "r.episodes.jsonl"
    run = {"task": TASK, "policy": POLICY}
    evaluate(make_env_factory(TASK, "val"), make_policy(POLICY), 2, progress=False,
             log=EpisodeLog(path, run, 2))
    with open(path, "a") as f:
        f.write('{"index": 2, "resu')          # the process died while writing
    log = EpisodeLog(path, run, 4, resume=True)
    assert sorted(log.done) == [0, 1]
    out = evaluate(make_env_factory(TASK, "val"), make_policy(POLICY), 4, progress=False, log=log)
    assert same_episodes(out["episodes"], sequential(4))
    assert len(path.read_text().splitlines()) == 5
    with pytest.raises(ConfigError, match="another run"):
        EpisodeLog(path, {"task": "other"}, 4, resume=True)
    with pytest.raises(ConfigError, match="another run"):
        EpisodeLog(path, {"task": "other"}, 4)          # not overwritten either
    with pytest.raises(ConfigError, match="no episode log"):
        EpisodeLog(tmp_path / "none.jsonl", run, 4, resume=True)


def test_missing_ray_and_unreachable_clusters_are_named(monkeypatch):
    import builtins

    from embodied.cluster import ClusterError, connect, require_ray

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ConfigError, match=r"pip install 'embodied\[ray\]'"):
        require_ray()
    monkeypatch.setattr(builtins, "__import__", real_import)
    pytest.importorskip("ray")
    with socket.socket() as s:                   # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    with pytest.raises(ClusterError, match=f"no Ray cluster answers at 127.0.0.1:{port}"):
        connect(f"127.0.0.1:{port}", timeout=2.0)
    assert time.perf_counter() - start < 10.0
    with pytest.raises(ConfigError, match="HOST:PORT"):
        connect("nowhere")


def _processes() -> dict[int, tuple[int, bytes]]:
    """pid -> (parent pid, command line) of every process."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    out[int(entry)] = (ppid, f.read())
            except (OSError, ValueError, IndexError):
                continue
    return out


def _stop_cluster(markers: tuple[bytes, ...], patience: float = 15.0) -> None:
    """Kill the processes of the cluster this test started (their command lines name its
    port) and their descendants: ``ray stop`` would stop every Ray on the
    machine, other tests' too. Repeated until none is left: a dying node can still start
    one (its dashboard) after the first sweep."""
    deadline = time.monotonic() + patience
    while True:
        procs = _processes()
        doomed = {pid for pid, (_, cmd) in procs.items() if any(m in cmd for m in markers)}
        doomed.discard(os.getpid())
        while True:
            more = {pid for pid, (ppid, _) in procs.items() if ppid in doomed} - doomed - {os.getpid()}
            if not more:
                break
            doomed |= more
        if not doomed or time.monotonic() > deadline:
            return
        for pid in doomed:
            with contextlib.suppress(ProcessLookupError):    # gone already
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.3)


@pytest.mark.slow
def test_an_evaluation_spreads_over_a_two_node_cluster_on_loopback(tmp_path):
    pytest.importorskip("ray")
    ray_cli = shutil.which("ray", path=os.path.dirname(sys.executable))
    assert ray_cli, "the ray command comes with the extra"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = tmp_path / "auth_token"           # Ray's token authentication, with a token of its own
    token.write_text(secrets.token_hex(32))
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "MUJOCO_GL": "egl",
           "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token)}
    address = f"127.0.0.1:{port}"
    markers = (f":{port}".encode(), f"={port}".encode())    # every process of this cluster names its port
    common = ["--num-cpus=1", "--disable-usage-stats"]
    code = f"""
import json, ray, embodied
from embodied.cluster.evaluation import evaluate_on_ray, EpisodeRunner
nodes = set()
def where(actors):
    nodes.update(ray.get([a.where.remote() for a in actors]))
out = evaluate_on_ray({TASK!r}, "val", {POLICY!r}, 4, workers=2, address={address!r},
                      progress=False, on_started=where)
print(json.dumps({{"nodes": len({{n for _, n in nodes}}), "episodes": out["episodes"]}}))
"""
    try:
        subprocess.run([ray_cli, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}",
                        "--include-dashboard=false", *common], env=env, check=True, timeout=120,
                       capture_output=True)
        subprocess.run([ray_cli, "start", f"--address={address}", "--node-ip-address=127.0.0.1",
                        *common], env=env, check=True, timeout=120, capture_output=True)
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
    finally:
        _stop_cluster(markers)
    left = [cmd for _, cmd in _processes().values() if any(m in cmd for m in markers)]
    assert not left, f"the cluster left processes behind: {left[:3]}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["nodes"] == 2, "one actor on each node"
    assert same_episodes(result["episodes"], sequential(4))


@pytest.mark.slow
def test_training_on_ray_envs_learns_what_it_learns_on_subprocess_envs(local_ray, tmp_path):
    """The same tiny PPO run with its 2 envs in Ray actors and in subprocesses: the same
    transitions, hence the same weights, in the same checkpoint format."""
    import io
    import zipfile

    import numpy as np
    import torch
    from hydra import compose, initialize

    from embodied.policies.learned.sb3 import read_checkpoint
    from embodied.training import register_train_config, train

    register_train_config()
    tiny = ["task.config.max_steps=48", "train_max_steps=48", "n_envs=2", "policy.config.n_steps=32",
            "policy.config.batch_size=32", "policy.config.n_epochs=1", "policy.config.net_arch=[16,16]",
            "eval_every=0", "checkpoint_every=0", "progress=false", "seed=3", "total_steps=128"]
    weights = {}
    for kind in ("subproc", "ray"):
        with initialize(version_base=None, config_path=None):
            cfg = compose("train", overrides=[*tiny, f"vec_env={kind}", f"out_dir={tmp_path / kind}"])
        summary = train(cfg, tmp_path / kind)
        assert summary["steps"] == 128
        weights[kind] = read_checkpoint(tmp_path / kind / "last.zip")
    def params(kind):
        with zipfile.ZipFile(io.BytesIO(weights[kind].model_bytes)) as z:
            return torch.load(io.BytesIO(z.read("policy.pth")), weights_only=True)

    a, b = params("subproc"), params("ray")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), "the same weights"
    na, nb = weights["subproc"].normalization, weights["ray"].normalization
    assert np.array_equal(na.obs_mean["range_scan"], nb.obs_mean["range_scan"])
    assert weights["ray"].meta["num_timesteps"] == weights["subproc"].meta["num_timesteps"]


@pytest.mark.slow
def test_a_multirun_sweep_runs_its_jobs_on_ray_and_collects_one_table(tmp_path):
    pytest.importorskip("ray")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    args = ["--multirun", "hydra/launcher=embodied_ray", "hydra.launcher.cpus=2", "seed=0,1",
            "task.config.max_steps=48", "train_max_steps=48", "n_envs=1", "vec_env=dummy",
            "policy.config.n_steps=32", "policy.config.batch_size=32", "policy.config.n_epochs=1",
            "policy.config.net_arch=[16,16]", "eval_episodes=1", "eval_every=32", "checkpoint_every=0",
            "total_steps=64", "progress=false", f"out_dir={tmp_path / 'sweep'}",
            f"hydra.sweep.dir={tmp_path / 'hydra'}"]
    env = {**os.environ, "MUJOCO_GL": "egl", "RAY_USAGE_STATS_ENABLED": "0"}
    proc = subprocess.run([sys.executable, os.path.join(root, "scripts", "train.py"), *args], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Launching 2 jobs on Ray" in proc.stdout + proc.stderr
    for job in ("0", "1"):
        assert (tmp_path / "sweep" / job / "last.zip").is_file()
    table = subprocess.run([sys.executable, os.path.join(root, "scripts", "sweep_table.py"),
                            str(tmp_path / "sweep")], capture_output=True, text=True, timeout=120)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.strip().splitlines()
    assert lines[0].startswith("| job | seed | steps |") and "best following_rate" in lines[0]
    assert [line.split("|")[1:3] for line in lines[2:]] == [[" 0 ", " 0 "], [" 1 ", " 1 "]]
