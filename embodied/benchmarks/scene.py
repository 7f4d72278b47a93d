"""Benchmarks of procedural home generation and model building."""

from __future__ import annotations

import statistics
import time

from embodied.scenes.home import HomeConfig, generate_home

#: The reference home: 5 rooms, about 20 pieces of furniture and 15 objects.
BENCH_CONFIG = HomeConfig(num_rooms=5, furniture_density=0.8, num_objects=15)
#: Homes a task resets into (SocialNav's config) and the train seeds timed, each once.
NEW_HOME_CONFIG = HomeConfig(static_objects=True)
NEW_HOME_SEEDS = range(200, 230)


def bench_home_build(repeats: int = 10, seed: int = 0) -> dict:
    """Median seconds to generate a home's layout, build its MjSpec and compile it.

    Generation is timed over ``repeats`` different seeds; spec building and compiling over
    ``repeats`` builds of home ``seed``. ``build_compile_s`` (spec + compile) is the figure
    that matters when a World is made from an existing Home; ``total_s`` adds generation.
    """
    generate_times, spec_times, compile_times = [], [], []
    for k in range(repeats):
        t0 = time.perf_counter()
        generate_home(seed + k, config=BENCH_CONFIG)
        generate_times.append(time.perf_counter() - t0)
    home = generate_home(seed, config=BENCH_CONFIG)
    home.build_spec().compile()  # warm caches (mesh files, imports)
    for _ in range(repeats):
        t0 = time.perf_counter()
        spec = home.build_spec()
        t1 = time.perf_counter()
        model = spec.compile()
        t2 = time.perf_counter()
        spec_times.append(t1 - t0)
        compile_times.append(t2 - t1)
    med = statistics.median
    build_compile = [s + c for s, c in zip(spec_times, compile_times)]
    return {
        "generate_s": med(generate_times),
        "build_spec_s": med(spec_times),
        "compile_s": med(compile_times),
        "build_compile_s": med(build_compile),
        "total_s": med(generate_times) + med(build_compile),
        "rooms": len(home.rooms),
        "furniture": len(home.furniture),
        "objects": len(home.objects),
        "ngeom": int(model.ngeom),
    }


def bench_new_homes(seeds=NEW_HOME_SEEDS, config: HomeConfig = NEW_HOME_CONFIG) -> dict:
    """Seconds to generate a home never generated before in the process (median, max).

    The process is warmed first on other seeds (imports, mesh files), so what is timed is
    what a task's reset into a new home pays for its layout.
    """
    for seed in range(10_000, 10_010):
        generate_home(seed, config=config)
    times = []
    for seed in seeds:
        t0 = time.perf_counter()
        generate_home(seed, config=config)
        times.append(time.perf_counter() - t0)
    return {"generate_new_home_median_s": statistics.median(times),
            "generate_new_home_max_s": max(times)}


def run() -> dict:
    """The scene section of scripts/benchmark.py."""
    return {**bench_home_build(), **bench_new_homes()}


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}")
