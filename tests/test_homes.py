"""Procedural homes: determinism, splits, room kinds, furniture and object placement,
clear doorways, physics settling, labels and the text description."""

import math
import re
from collections import deque

import mujoco
import numpy as np
import pytest
from scipy import ndimage

from embodied.errors import ConfigError
from embodied.scenes.home import HomeConfig, generate_home, object_body_name
from embodied.scenes.layout import DOOR_CLEARANCE, WALL_THICKNESS, Rect, Surface
from embodied.scenes.objects import KINDS as OBJECT_KINDS
from embodied.scenes.objects import find_spot, object_extent
from embodied.scenes.splits import SPLITS, generator_seed
from embodied.sim.kinematic import FreeBody
from embodied.sim.semantics import CATEGORIES, category_id

SEEDS = range(12)


@pytest.fixture(scope="module")
def homes():
    return [generate_home(s) for s in SEEDS]


def _model_signature(model: mujoco.MjModel) -> tuple:
    return (bytes(model.names), model.qpos0.tobytes(), model.geom_size.tobytes(),
            model.geom_pos.tobytes(), model.geom_rgba.tobytes(), model.body_pos.tobytes(),
            model.body_mass.tobytes(), model.mesh_vert.tobytes())


# -- determinism and splits ----------------------------------------------------------------

def test_same_seed_same_layout_and_identical_model():
    a, b = generate_home(5, "val"), generate_home(5, "val")
    assert a.layout == b.layout
    assert _model_signature(a.build_spec().compile()) == _model_signature(b.build_spec().compile())


def test_different_seeds_and_splits_give_different_homes(homes):
    layouts = [h.layout for h in homes]
    assert all(layouts[i] != layouts[j] for i in range(len(layouts)) for j in range(i))
    rects = {tuple(r.rect for r in h.rooms) for h in homes}
    assert len(rects) == len(homes)
    for split in ("val", "test"):
        assert generate_home(0, split).layout != homes[0].layout


def test_split_seed_ranges_are_disjoint():
    names = list(SPLITS)
    assert set(names) == {"train", "val", "test"}
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not SPLITS[a].overlaps(SPLITS[b]), (a, b)
    seeds = {generator_seed(s, i) for s in names for i in (0, 1, SPLITS[s].size - 1)}
    assert len(seeds) == 3 * len(names)


@pytest.mark.parametrize("split,seed,field", [
    ("training", 0, "split"), ("val", -1, "seed"), ("val", SPLITS["val"].size, "seed"),
    ("test", 1.5, "seed"), ("train", True, "seed")])
def test_invalid_split_or_seed_raises_config_error(split, seed, field):
    with pytest.raises(ConfigError, match=f"'{field}'") as info:
        generate_home(seed, split)
    assert info.value.field == field


@pytest.mark.parametrize("kwargs,field", [
    ({"num_rooms": 8}, "num_rooms"), ({"num_rooms": (2, 5)}, "num_rooms"), ({"num_rooms": (6, 4)}, "num_rooms"),
    ({"num_rooms": "5"}, "num_rooms"), ({"furniture_density": 1.5}, "furniture_density"),
    ({"num_objects": -1}, "num_objects"), ({"door_width": (0.5, 1.0)}, "door_width"),
    ({"extra_door_prob": float("nan")}, "extra_door_prob")])
def test_config_validation_names_field(kwargs, field):
    with pytest.raises(ConfigError) as info:
        HomeConfig(**kwargs)
    assert info.value.field == field and field in str(info.value)


# -- rooms, doorways, connectivity --------------------------------------------------------

@pytest.mark.parametrize("n_rooms", [3, 4, 5, 6, 7])
def test_room_counts_and_kinds(n_rooms):
    for seed in range(3):
        home = generate_home(seed, config=HomeConfig(num_rooms=n_rooms))
        kinds = [r.kind for r in home.rooms]
        assert len(kinds) == n_rooms
        assert {"living_room", "kitchen", "bedroom"} <= set(kinds)
        if n_rooms >= 4:
            assert "bathroom" in kinds
        if n_rooms >= 5:
            assert "hallway" in kinds
        assert len({r.name for r in home.rooms}) == n_rooms
        assert all(re.fullmatch(rf"{r.kind}_\d+", r.name) for r in home.rooms)


def test_default_room_range_is_sampled(homes):
    counts = {len(h.rooms) for h in homes}
    assert counts <= {4, 5, 6} and len(counts) >= 2


def test_rooms_tile_the_apartment_without_overlap(homes):
    for home in homes:
        rects = [r.rect for r in home.rooms]
        for i, a in enumerate(rects):
            assert min(a.width, a.height) >= 1.8
            for b in rects[:i]:
                assert not a.overlaps(b)
        outline = home.bounds.expand(-WALL_THICKNESS / 2)
        assert sum(r.area for r in rects) == pytest.approx(outline.area, rel=1e-6)


def test_doorways_connect_every_room(homes):
    for home in homes:
        assert all(0.9 <= d.width <= 1.1 for d in home.doorways)
        graph = {r.name: set() for r in home.rooms}
        for d in home.doorways:
            a, b = d.rooms
            graph[a].add(b)
            graph[b].add(a)
        start = home.rooms[0].name
        seen, queue = {start}, deque([start])
        while queue:
            for nxt in graph[queue.popleft()] - seen:
                seen.add(nxt)
                queue.append(nxt)
        assert seen == set(graph), home.name


def _free_space(home, radius=0.3, res=0.05):
    """Cells an agent of ``radius`` can occupy, from wall and furniture footprints
    (an independent check with Euclidean clearance, not the generator's own)."""
    b = home.bounds
    nx, ny = int(math.ceil(b.width / res)), int(math.ceil(b.height / res))
    xs = b.xmin + (np.arange(nx) + 0.5) * res
    ys = b.ymin + (np.arange(ny) + 0.5) * res
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    blocked = np.zeros((nx, ny), dtype=bool)
    for rect in [w.footprint for w in home.layout.walls] + [f.footprint for f in home.furniture]:
        blocked |= (gx >= rect.xmin) & (gx <= rect.xmax) & (gy >= rect.ymin) & (gy <= rect.ymax)
    clearance = ndimage.distance_transform_edt(~blocked) * res
    free = clearance > radius + res / 2
    return free, (lambda x, y: (int((x - b.xmin) / res), int((y - b.ymin) / res)))


def test_every_room_reachable_for_agent_of_radius_30cm(homes):
    for home in homes:
        free, cell = _free_space(home)
        labels, _ = ndimage.label(free)
        ids = set()
        for d in home.doorways:
            x, y = d.center
            for sign in (-1, 1):  # a point 0.5 m in front of the doorway on each side
                px, py = (x, y + sign * 0.5) if d.axis == "x" else (x + sign * 0.5, y)
                ids.add(labels[cell(px, py)])
        assert 0 not in ids and len(ids) == 1, home.name
        # Every room has free floor in that component, every receptacle can be reached,
        # and no sizeable free area is cut off.
        main = ids.pop()
        sizes = np.bincount(labels.ravel()) * 0.05 ** 2
        sizes[[0, main]] = 0.0
        assert sizes.max() < 0.5, (home.name, sizes.max())
        for room in home.rooms:
            r = room.interior
            i0, j0 = cell(r.xmin, r.ymin)
            i1, j1 = cell(r.xmax, r.ymax)
            assert np.count_nonzero(labels[i0:i1, j0:j1] == main) * 0.05 ** 2 > 1.0, room.name
        for piece in home.receptacles():
            f = piece.footprint.expand(0.55)
            i0, j0 = cell(f.xmin, f.ymin)
            i1, j1 = cell(f.xmax, f.ymax)
            assert np.any(labels[max(i0, 0):i1 + 1, max(j0, 0):j1 + 1] == main), piece.name


def test_furniture_inside_rooms_clear_of_walls_doorways_and_each_other(homes):
    total = 0
    for home in homes:
        zones = [d.clear_zone() for d in home.doorways]
        walls = [w.footprint for w in home.layout.walls]
        pieces = home.furniture
        total += len(pieces)
        for piece in pieces:
            fp = piece.footprint
            assert home.layout.room(piece.room).interior.contains(fp), piece.name
            assert not any(fp.overlaps(z) for z in zones), piece.name
            assert not any(fp.overlaps(w, gap=-1e-6) for w in walls), piece.name
            assert piece.category in CATEGORIES
            assert piece.yaw in (0.0, math.pi / 2, math.pi, -math.pi / 2)
        for i, a in enumerate(pieces):
            for b in pieces[:i]:
                assert not a.footprint.overlaps(b.footprint, gap=-1e-6), (a.name, b.name)
    assert total / len(homes) >= 12
    assert all(z.height == pytest.approx(2 * DOOR_CLEARANCE) or z.width == pytest.approx(2 * DOOR_CLEARANCE)
               for h in homes for z in (d.clear_zone() for d in h.doorways))


def test_room_kinds_hold_their_furniture(homes):
    must = {"living_room": "sofa", "kitchen": "counter", "bedroom": "bed", "bathroom": "toilet"}
    for home in homes:
        for room in home.rooms:
            cats = {f.category for f in home.furniture if f.room == room.name}
            if room.kind in must:
                assert must[room.kind] in cats, (home.name, room.name, cats)
        receptacle_cats = {f.category for f in home.receptacles()}
        assert {"sofa", "counter", "bed"} <= receptacle_cats


# -- objects --------------------------------------------------------------------------------

def test_objects_on_their_receptacles_inside_their_rooms(homes):
    for home in homes:
        assert 10 <= len(home.objects) <= 18
        names = [o.name for o in home.objects]
        assert len(set(names)) == len(names)
        for obj in home.objects:
            assert re.fullmatch(rf"{obj.category}_\d+", obj.name)
            assert obj.category in CATEGORIES
            piece = home.layout.furniture_piece(obj.receptacle)
            assert piece.room == obj.room
            assert home.layout.room(obj.room).interior.contains_point(*obj.pos[:2])
            surface = piece.surfaces[obj.surface]
            radius, height = object_extent(obj.category, obj.size)
            assert surface.rect.expand(-radius + 1e-6).contains_point(*obj.pos[:2]), obj.name
            largest = max(obj.size) if OBJECT_KINDS[obj.category].shape == "box" else max(2 * radius, height)
            assert 0.05 <= largest <= 0.25 + 1e-9, (obj.name, obj.size)
            assert height <= surface.clearance
            assert 0.01 <= obj.mass <= 1.0
        for i, a in enumerate(home.objects):
            for b in home.objects[:i]:
                if (a.receptacle, a.surface) == (b.receptacle, b.surface):
                    ra, rb = object_extent(a.category, a.size)[0], object_extent(b.category, b.size)[0]
                    assert math.dist(a.pos[:2], b.pos[:2]) >= ra + rb, (a.name, b.name)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_objects_settle_on_their_surfaces(seed):
    home = generate_home(seed, "test", HomeConfig(num_objects=20))
    world = home.make_world()
    model, data = world.model, world.data
    bodies = {o.name: FreeBody.of(model, world.body_id(object_body_name(o.name))) for o in home.objects}
    start = {n: fb.pose(data)[0] for n, fb in bodies.items()}
    world.step(int(round(1.5 / world.dt)))
    for obj in home.objects:
        pos, _ = bodies[obj.name].pose(data)
        surface = home.layout.furniture_piece(obj.receptacle).surfaces[obj.surface]
        assert np.hypot(*(pos[:2] - start[obj.name][:2])) < 0.02, obj.name
        assert abs(pos[2] - surface.height) < 0.01, (obj.name, pos[2], surface.height)
    assert np.linalg.norm(data.qvel) < 0.05
    depth = [-data.contact.dist[i] for i in range(data.ncon)]
    assert max(depth, default=0.0) < 0.003


# -- model, labels, helpers -------------------------------------------------------------------

def test_world_labels_and_collision_groups():
    home = generate_home(4)
    world = home.make_world()
    model = world.model
    for piece in home.furniture:
        geoms = world.geoms_of(f"furn/{piece.name}/")
        assert len(geoms) > 0
        assert set(world.geom_category[geoms]) == {category_id(piece.category)}
        solid = [g for g in geoms if model.geom_contype[g]]
        assert solid and all(model.geom_contype[g] == 1 and model.geom_conaffinity[g] == 0 for g in solid)
    for obj in home.objects:
        geoms = world.geoms_of(f"obj/{obj.name}/")
        assert set(world.geom_category[geoms]) == {category_id(obj.category)}
        assert any(model.geom_contype[g] == 4 for g in geoms)
        assert model.body_mass[world.body_id(object_body_name(obj.name))] == pytest.approx(obj.mass)
    wall_ids = [g for g in range(model.ngeom) if model.geom(g).name.startswith("wall/")]
    assert set(world.geom_category[wall_ids]) == {category_id("wall")}
    floor_ids = [world.geom_id(f"floor/{r.name}/plane") for r in home.rooms]
    assert set(world.geom_category[floor_ids]) == {category_id("floor")}
    assert len(set(world.geom_instance[floor_ids])) == len(home.rooms)
    assert model.njnt == len(home.objects)


def test_build_spec_returns_independent_specs():
    home = generate_home(2)
    s1, s2 = home.build_spec(), home.build_spec()
    assert s1 is not s2
    s1.worldbody.add_body(name="extra")
    m1, m2 = s1.compile(), s2.compile()
    assert m1.nbody == m2.nbody + 1
    w1, w2 = home.make_world(), home.make_world()
    assert w1.model is not w2.model and w1.model.ngeom == w2.model.ngeom


def test_home_helpers_and_description():
    home = generate_home(6)
    rects = home.room_rects()
    assert set(rects) == {r.name for r in home.rooms}
    assert all(isinstance(r, Rect) and r.area > 3.0 for r in rects.values())
    for room in home.rooms:
        assert home.room_at(*room.interior.center) == room.name
    assert all(f.surfaces for f in home.receptacles())
    assert home.bounds.contains(Rect(*[v for r in home.rooms for v in r.rect][:4]))
    text = home.describe()
    for obj in home.objects:
        assert f"- {obj.name}: {obj.receptacle} in {obj.room}" in text
    for piece in home.furniture:
        assert piece.name in text
    assert set(home.labels.values()) <= set(CATEGORIES)


def test_find_spot_respects_surface_and_neighbours():
    surface = Surface(0.75, Rect(0.0, 0.0, 0.4, 0.3))
    rng = np.random.default_rng(0)
    occupied = []
    for _ in range(3):
        spot = find_spot(surface, 0.05, occupied, rng)
        assert spot is not None and surface.rect.expand(-0.05).contains_point(*spot)
        assert all(math.dist(spot, o[:2]) >= 0.05 + o[2] + 0.02 for o in occupied)
        occupied.append((*spot, 0.05))
    assert find_spot(surface, 0.2, [], rng) is None  # wider than the surface
    assert find_spot(surface, 0.05, [(0.2, 0.15, 0.5)], rng) is None  # all taken


def test_config_controls_furniture_density_and_object_count():
    sparse = [generate_home(s, config=HomeConfig(num_rooms=5, furniture_density=0.0)) for s in range(4)]
    dense = [generate_home(s, config=HomeConfig(num_rooms=5, furniture_density=1.0)) for s in range(4)]
    assert sum(len(h.furniture) for h in dense) > 1.5 * sum(len(h.furniture) for h in sparse)
    assert all(len(h.objects) == 7 for h in (generate_home(s, config=HomeConfig(num_objects=7)) for s in range(3)))
    empty = generate_home(0, config=HomeConfig(num_objects=0))
    assert empty.objects == () and empty.make_world().model.njnt == 0


def test_home_config_is_a_valid_structured_config():
    omegaconf = pytest.importorskip("omegaconf")
    cfg = omegaconf.OmegaConf.structured(HomeConfig)
    cfg = omegaconf.OmegaConf.merge(cfg, omegaconf.OmegaConf.from_dotlist(["num_rooms=[5,5]"]))
    config = omegaconf.OmegaConf.to_object(cfg)
    assert config == HomeConfig(num_rooms=5)
    assert len(generate_home(0, config=config).rooms) == 5
