"""Digests of generated homes: what a change to the generator's code must not alter.

For each case (split, seed, config) the record keeps a digest of the whole Layout (every
field of every room, doorway, wall, piece of furniture and object, with its type; floats
as packed doubles, so the digest is the same on every platform) and, for the full check,
digests of the compiled model of ``home.make_world([])``: ``model`` of every numeric
array of the MjModel and its names, ``core`` of the names and the arrays the spec sets. ``tests/test_home_digests.py`` replays a handful of cases.

    python tests/golden/home_digests.py --write     # (re)record the fixture
    python tests/golden/home_digests.py --check     # compare all ~300 homes with it
    python tests/golden/home_digests.py --check --layout-only
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import json
import struct
import sys
import time
from pathlib import Path

import numpy as np

FIXTURE = Path(__file__).with_name("home_digests.json.gz")

#: name -> HomeConfig keyword arguments
CONFIGS = {
    "default": {},
    "static": {"static_objects": True},
    "big": {"num_rooms": 7, "num_objects": 40},
}

#: split -> seeds checked for every config (100 homes a config, 300 in all)
SEEDS = {"train": list(range(0, 20)) + list(range(200, 230)), "val": list(range(25)),
         "test": list(range(25))}


def cases() -> list[tuple[str, int, str]]:
    return [(split, seed, config) for config in CONFIGS for split, seeds in SEEDS.items()
            for seed in seeds]


def case_name(split: str, seed: int, config: str) -> str:
    return f"{config}/{split}/{seed}"


def _encode(value, out: list) -> None:
    """Append a canonical, typed byte encoding of ``value`` to ``out``."""
    kind = type(value)
    out.append(kind.__name__.encode() + b":")
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            out.append(f.name.encode() + b"=")
            _encode(getattr(value, f.name), out)
    elif isinstance(value, (tuple, list)):  # NamedTuples (Rect) included
        out.append(struct.pack("<q", len(value)))
        for v in value:
            _encode(v, out)
    elif isinstance(value, (bool, np.bool_)):
        out.append(b"T" if value else b"F")
    elif isinstance(value, (int, np.integer)):
        out.append(struct.pack("<q", int(value)))
    elif isinstance(value, (float, np.floating)):
        out.append(struct.pack("<d", float(value)))
    elif isinstance(value, str):
        data = value.encode()
        out.append(struct.pack("<q", len(data)) + data)
    elif value is None:
        out.append(b"None")
    else:
        raise TypeError(f"cannot digest a {kind.__name__}")
    out.append(b";")


def layout_digest(layout) -> str:
    out: list[bytes] = []
    _encode(layout, out)
    return hashlib.sha256(b"".join(out)).hexdigest()[:24]


#: The arrays of the ``core`` model digest: what the home's spec sets, little that MuJoCo
#: derives (so a MuJoCo upgrade leaves it alone).
CORE_ARRAYS = ("geom_type", "geom_pos", "geom_size", "geom_quat", "geom_rgba", "geom_contype",
               "geom_conaffinity", "geom_matid", "body_pos", "body_quat", "body_mass", "mesh_vert")


def model_digest(model, arrays: tuple[str, ...] | None = None) -> str:
    """A digest of the MjModel's names and ``arrays`` (default: every numeric array)."""
    h = hashlib.sha256()
    for name in sorted(dir(model)) if arrays is None else arrays:
        if name.startswith("_"):
            continue
        try:
            value = getattr(model, name)
        except Exception:  # noqa: BLE001 - some attributes are not readable on every build
            continue
        if isinstance(value, np.ndarray) and value.dtype != object:
            a = np.ascontiguousarray(value)
            h.update(name.encode() + str(a.dtype).encode() + str(a.shape).encode() + a.tobytes())
    h.update(bytes(model.names))
    return h.hexdigest()[:24]


def digest_case(split: str, seed: int, config: str, with_model: bool = True) -> dict:
    from embodied.scenes.home import HomeConfig, generate_home

    home = generate_home(seed, split, HomeConfig(**CONFIGS[config]))
    record = {"layout": layout_digest(home.layout)}
    if with_model:
        model = home.make_world([]).model
        record["model"] = model_digest(model)
        record["core"] = model_digest(model, CORE_ARRAYS)
    return record


def load_fixture() -> dict:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as f:
        return json.load(f)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the fixture")
    parser.add_argument("--check", action="store_true", help="compare with the fixture")
    parser.add_argument("--layout-only", action="store_true", help="skip the compiled models")
    args = parser.parse_args(argv)
    if args.write and args.layout_only:
        parser.error("--write records layouts and models")
    start = time.perf_counter()
    records = {case_name(*c): digest_case(*c, with_model=not args.layout_only) for c in cases()}
    elapsed = time.perf_counter() - start
    if args.write:
        with gzip.open(FIXTURE, "wt", encoding="utf-8", compresslevel=9) as f:
            json.dump(records, f, sort_keys=True, indent=0)
        print(f"wrote {len(records)} homes to {FIXTURE} ({elapsed:.1f} s)")
    if args.check:
        fixture = load_fixture()
        bad = [name for name, rec in records.items()
               if any(fixture[name][k] != v for k, v in rec.items())]
        for name in bad:
            print(f"DIFFERENT {name}: expected {fixture[name]}, got {records[name]}")
        what = "layouts" if args.layout_only else "layouts and models"
        print(f"{len(records) - len(bad)}/{len(records)} homes identical ({what}, {elapsed:.1f} s)")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
