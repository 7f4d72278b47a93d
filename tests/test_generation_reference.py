"""The home generator's faster code against the plain versions it replaced: the same results
and the same random draws (the generator is left in the same state), on random inputs."""

import math

import numpy as np
import pytest
from scipy import ndimage

from embodied.scenes import layout
from embodied.scenes.furniture import catalog, shapes
from embodied.scenes.furniture.placement import _INFLATE, _MAX_POCKET_AREA, RoomPlanner
from embodied.scenes.layout import (ROOM_AREA, ROOM_KINDS, ROOM_MIN_SIDE, Doorway, Furniture, Rect, Room,
                                    Surface)

# ---------------------------------------------------------------------------------------
# The plain versions


def ref_room_shape_ok(kind, rect):
    short, long = sorted((rect.width, rect.height))
    return (short >= ROOM_MIN_SIDE[kind]
            and long / short <= layout.ROOM_MAX_ASPECT.get(kind, layout._DEFAULT_MAX_ASPECT))


def ref_split(rect, items, rng, tries_per_level=3):
    if len(items) == 1:
        return [rect] if ref_room_shape_ok(items[0][0], rect) else None
    total = sum(a for _, a in items)
    options, weights, running = [], [], 0.0
    for k in range(1, len(items)):
        running += items[k - 1][1]
        frac = running / total
        for across_x in (True, False):
            long_side = (rect.width >= rect.height) == across_x
            options.append((k, frac, across_x))
            weights.append(math.exp(-((frac - 0.5) / 0.25) ** 2) * (1.0 if long_side else 0.15))
    keys = [math.log(rng.uniform()) / w for w in weights]
    for idx in sorted(range(len(options)), key=lambda i: -keys[i])[:tries_per_level]:
        k, frac, across_x = options[idx]
        if across_x:
            cut = round(rect.xmin + frac * rect.width, 2)
            a, b = Rect(rect.xmin, rect.ymin, cut, rect.ymax), Rect(cut, rect.ymin, rect.xmax, rect.ymax)
        else:
            cut = round(rect.ymin + frac * rect.height, 2)
            a, b = Rect(rect.xmin, rect.ymin, rect.xmax, cut), Rect(rect.xmin, cut, rect.xmax, rect.ymax)
        first = ref_split(a, items[:k], rng, tries_per_level)
        if first is None:
            continue
        second = ref_split(b, items[k:], rng, tries_per_level)
        if second is not None:
            return first + second
    return None


def ref_partition(kinds, rng, attempts=200):
    scale = 1.0
    while True:
        for _ in range(attempts):
            areas = [float(rng.uniform(*ROOM_AREA[k])) * scale for k in kinds]
            order = [int(i) for i in rng.permutation(len(kinds))]
            total = sum(areas)
            aspect = float(rng.uniform(1.0, 1.6))
            width = round(math.sqrt(total * aspect), 2)
            depth = round(total / width, 2)
            rects = ref_split(Rect(0.0, 0.0, width, depth), [(kinds[i], areas[i]) for i in order], rng)
            if rects is not None:
                return layout._rooms_centred(rects, order, width, depth)  # no draws there
        scale *= 1.1


def ref_shade(rgb, factor):
    c = np.asarray(rgb, dtype=float)
    c = c * factor if factor <= 1 else c + (1 - c) * (factor - 1)
    return tuple(float(v) for v in np.clip(c, 0, 1))


def ref_connected(planner, pieces):
    """RoomPlanner.connected with full-grid masks."""
    r = planner.interior
    xs = r.xmin + (np.arange(planner._nx) + 0.5) * 0.05
    ys = r.ymin + (np.arange(planner._ny) + 0.5) * 0.05
    gx, gy = np.meshgrid(xs, ys, indexing="ij")

    def mask(rect):
        return (gx > rect.xmin) & (gx < rect.xmax) & (gy > rect.ymin) & (gy < rect.ymax)

    free0 = ((gx >= r.xmin + _INFLATE) & (gx <= r.xmax - _INFLATE)
             & (gy >= r.ymin + _INFLATE) & (gy <= r.ymax - _INFLATE))
    free = free0.copy()
    for p in pieces:
        free &= ~mask(p.footprint.expand(_INFLATE))
    labels, n = ndimage.label(free)
    if n == 0:
        return False
    if planner.door_points:
        ids = {labels[planner._cell(*pt)] for pt in planner.door_points}
        if len(ids) != 1 or 0 in ids:
            return False
        main = ids.pop()
    else:
        main = int(np.argmax(np.bincount(labels.ravel())[1:])) + 1
    sizes = np.bincount(labels.ravel())
    if sizes[main] < 0.25 * np.count_nonzero(free0):
        return False
    sizes[[0, main]] = 0
    if sizes.max() * 0.05 ** 2 > _MAX_POCKET_AREA:
        return False
    for p in pieces:
        if not p.surfaces:
            continue
        ring = mask(p.footprint.expand(_INFLATE + 0.2)) & ~mask(p.footprint.expand(_INFLATE))
        if not np.any(labels[ring] == main):
            return False
    return True


def ref_build_plant(size, color, variant):
    w, d, h = size
    r = min(w, d) / 2
    pot = (0.62, 0.33, 0.22) if variant % 2 == 0 else (0.85, 0.85, 0.82)
    parts = [shapes.post(0, 0, 0, 0.32, 0.6 * r, pot),
             shapes.post(0, 0, 0.32, 0.33, 0.55 * r, (0.20, 0.14, 0.10), collide=False)]
    leaf = catalog.GREEN[variant % len(catalog.GREEN)]
    rng = np.random.default_rng(variant)
    for k in range(5):
        a = 2 * math.pi * k / 5 + rng.uniform(0, 0.6)
        rr = 0.45 * r * rng.uniform(0.5, 1.0)
        z = 0.33 + (h - 0.33) * rng.uniform(0.35, 0.75)
        parts.append(shapes.Part("sphere", (rr * math.cos(a) * 0.6, rr * math.sin(a) * 0.6, z),
                                 (r * rng.uniform(0.45, 0.6),),
                                 shapes.rgba(ref_shade(leaf, rng.uniform(0.8, 1.2))), collide=False))
    return parts, []


# ---------------------------------------------------------------------------------------
# Helpers


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value.tolist() if isinstance(value, np.ndarray) else value


def same_state(a: np.random.Generator, b: np.random.Generator) -> bool:
    """Same generator state, and the same next draws of each kind."""
    if _plain(a.bit_generator.state) != _plain(b.bit_generator.state):
        return False
    return (a.integers(1 << 40, size=3).tolist() == b.integers(1 << 40, size=3).tolist()
            and a.integers(7) == b.integers(7) and a.random() == b.random())


def generators(seed: int):
    """Two equal generators; some with a buffered 32-bit half, some not PCG64."""
    make = (lambda: np.random.Generator(np.random.MT19937(seed))) if seed % 5 == 4 else \
        (lambda: np.random.default_rng(seed))
    a, b = make(), make()
    if seed % 2:
        a.integers(3), b.integers(3)  # a 32-bit draw leaves half of a 64-bit output buffered
    return a, b


def random_items(rng, n):
    kinds = [ROOM_KINDS[int(k)] for k in rng.integers(len(ROOM_KINDS), size=n)]
    return [(k, float(rng.uniform(*ROOM_AREA[k]))) for k in kinds]


# ---------------------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("tries", [1, 2, 3, 4])
def test_split_matches_the_plain_search(tries):
    cases = np.random.default_rng(tries)
    found = 0
    for seed in range(150):
        n = int(cases.integers(1, 8))
        items = random_items(cases, n)
        total = sum(a for _, a in items)
        width = round(math.sqrt(total * float(cases.uniform(0.8, 1.8))), 2)
        rect = Rect(0.0, 0.0, width, round(total / width, 2))
        a, b = generators(seed)
        expected = ref_split(rect, items, a, tries)
        got = layout._split(rect, items, b, tries)
        assert got == expected, (seed, items)
        assert all(type(r) is Rect for r in got or ())
        assert same_state(a, b), seed
        found += expected is not None
    assert found > 10  # the cases include successful slicings


def test_partition_matches_the_plain_search():
    cases = np.random.default_rng(7)
    for seed in range(40):
        kinds = [ROOM_KINDS[int(k)] for k in cases.integers(len(ROOM_KINDS), size=int(cases.integers(3, 8)))]
        a, b = generators(seed)
        assert layout.partition(kinds, b) == ref_partition(kinds, a), (seed, kinds)
        assert same_state(a, b), seed


def test_uniform_stream_reads_reserves_and_closes_like_single_draws():
    for seed in range(20):
        a, b = generators(seed)
        stream = layout._UniformStream(b)
        steps = np.random.default_rng(seed + 100).integers(0, 4, size=(40, 2))
        for m, read in steps:
            pos = stream.take(int(m))
            expected = [a.uniform() for _ in range(int(m))]
            if read:
                assert stream.get(pos, int(m)) == expected
        stream.close()
        assert same_state(a, b)


def test_shade_matches_numpy():
    rng = np.random.default_rng(3)
    colours = [c for pal in (catalog.WOOD, catalog.FABRIC, catalog.PAINTED, catalog.STONE, catalog.GREEN)
               for c in pal] + [catalog.WHITE, catalog.METAL, catalog.DARK, (1, 0, 0), (0.0, 1.0, 0.5, 0.25)]
    colours += [tuple(rng.uniform(0, 1, 3)) for _ in range(200)]
    factors = [0.0, 0.5, 0.6, 0.85, 1.0, 1.12, 1.6, 2.5] + list(rng.uniform(0.3, 2.0, 40))
    for c in colours:
        for f in factors:
            got, expected = shapes.shade(c, f), ref_shade(c, f)
            assert got == expected and all(type(v) is float for v in got), (c, f)


def test_plant_matches_its_plain_builder():
    for variant in range(6):
        for size in ((0.4, 0.45, 0.9), (0.5, 0.42, 1.3)):
            assert catalog.build_plant(size, catalog.GREEN[0], variant) == ref_build_plant(
                size, catalog.GREEN[0], variant)


def test_parts_and_surfaces_are_the_builders_and_fresh_lists():
    size, color = (1.2, 0.8, 0.75), catalog.WOOD[1]
    first = catalog.parts_and_surfaces("table", size, color, 1)
    assert first == catalog.build_table(size, color, 1)
    first[0].append("mutated")
    assert catalog.parts_and_surfaces("table", size, color, 1) == catalog.build_table(size, color, 1)
    # equal numbers of other types do not share an entry
    int_size = (1, 1, 1)
    assert catalog.parts_and_surfaces("table", int_size, color, 0)[1] == \
        catalog.build_table(int_size, color, 0)[1]
    assert type(catalog.parts_and_surfaces("table", int_size, color, 0)[1][0].height) is int


def test_room_planner_connectivity_matches_full_masks():
    rng = np.random.default_rng(11)
    checked = {True: 0, False: 0}
    for case in range(60):
        w, h = float(rng.uniform(2.5, 6.0)), float(rng.uniform(2.5, 6.0))
        room = Room("room_0", "living_room", Rect(0.0, 0.0, round(w, 2), round(h, 2)))
        doors = []
        for k in range(int(rng.integers(0, 3))):
            if rng.uniform() < 0.5:
                doors.append(Doorway(f"door_{k}", ("room_0", "x"), (round(float(rng.uniform(0.8, w - 0.8)), 2),
                                                                   0.0), 1.0, "x"))
            else:
                doors.append(Doorway(f"door_{k}", ("room_0", "x"), (round(w, 2),
                                                                   round(float(rng.uniform(0.8, h - 0.8)), 2)),
                                     1.0, "y"))
        planner = RoomPlanner(room, doors)
        pieces = []
        for k in range(int(rng.integers(1, 6))):
            size = (round(float(rng.uniform(0.3, 2.0)), 3), round(float(rng.uniform(0.3, 1.2)), 3), 0.8)
            pos = (round(float(rng.uniform(0, w)), 3), round(float(rng.uniform(0, h)), 3))
            yaw = (0.0, math.pi / 2)[int(rng.integers(2))]
            surfaces = (Surface(0.8, Rect(0, 0, 0.1, 0.1)),) if rng.uniform() < 0.5 else ()
            pieces.append(Furniture(f"p{k}", "table", "room_0", pos, yaw, size, surfaces))
            expected = ref_connected(planner, pieces)
            assert planner.connected(pieces) == expected, case
            checked[expected] += 1
    assert min(checked.values()) > 10


def test_two_item_choice_draws_as_integers():
    """RoomPlanner draws rng.choice([a, b]) as (a, b)[rng.integers(2)]: the same draw."""
    for seed in range(50):
        a, b = generators(seed)
        for _ in range(20):
            assert float(a.choice([-0.25, 0.25])) == (-0.25, 0.25)[int(b.integers(2))]
            assert a.uniform() == b.uniform()
        assert same_state(a, b)


def test_room_planner_connectivity_in_rooms_too_small_to_stand_in():
    for w in (0.5, 0.7, 0.75, 0.8, 1.0):
        room = Room("room_0", "bathroom", Rect(0.0, 0.0, w, 3.0))
        for doors in ([], [Doorway("door_0", ("room_0", "x"), (0.0, 1.5), 0.9, "y")]):
            planner = RoomPlanner(room, doors)
            piece = Furniture("p", "cabinet", "room_0", (w / 2, 0.3), 0.0, (0.3, 0.3, 0.8),
                              (Surface(0.8, Rect(0, 0, 0.1, 0.1)),))
            for pieces in ([], [piece]):
                assert planner.connected(pieces) == ref_connected(planner, pieces), (w, doors, pieces)
