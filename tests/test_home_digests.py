"""Generated homes are pinned: a change to the generator's code must leave every layout and
model as it was (or bump GENERATOR_VERSION and re-record, see tests/golden/home_digests.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))

import home_digests as golden  # noqa: E402

#: (config, split, seed) -> (layout digest, core model digest), recorded with GENERATOR_VERSION 1
PINNED = {
    ("default", "train", 0): ("fec3a9020c06b21cc49194ad", "2339f412c0a10893ffb75665"),
    ("static", "train", 203): ("b9e38b528800244938e8019e", "edb61d7e3fae55bb9cf9c1b9"),
    ("static", "val", 0): ("dfda064cab209323a82d6332", "9bbcae9f46db24b0b1064583"),
    ("big", "val", 3): ("e6c7b3670a51a71780acd1ea", "680f0c04cd402b65a324bbfe"),
    ("default", "test", 7): ("7f8f65e2e1a594d9cab09f3e", "f6d420f68b23b7bf98b5bb50"),
    ("big", "train", 211): ("a2cd1b7dd072ced18be6ea5c", "94399f01de2ed77945174b54"),
}


def test_generator_version_is_the_pinned_one():
    from embodied.scenes.home import GENERATOR_VERSION

    assert GENERATOR_VERSION == 1


@pytest.mark.parametrize("config, split, seed", sorted(PINNED))
def test_pinned_home_is_unchanged(config, split, seed):
    from embodied.scenes.home import HomeConfig, generate_home

    home = generate_home(seed, split, HomeConfig(**golden.CONFIGS[config]))
    layout, core = PINNED[(config, split, seed)]
    assert golden.layout_digest(home.layout) == layout
    assert golden.model_digest(home.make_world([]).model, golden.CORE_ARRAYS) == core


def test_fixture_agrees_with_the_pins():
    fixture = golden.load_fixture()
    assert set(fixture) == {golden.case_name(*c) for c in golden.cases()}
    for (config, split, seed), (layout, core) in PINNED.items():
        assert fixture[golden.case_name(split, seed, config)]["layout"] == layout
        assert fixture[golden.case_name(split, seed, config)]["core"] == core


def test_layout_digest_sees_every_bit():
    from embodied.scenes.layout import Rect

    base = golden.layout_digest(Rect(0.0, 0.0, 1.0, 2.0))
    assert golden.layout_digest(Rect(0.0, 0.0, 1.0, 2.0)) == base
    assert golden.layout_digest(Rect(0.0, 0.0, 1.0, 2.0000000000000004)) != base  # one ulp
    assert golden.layout_digest(Rect(0.0, 0.0, 1, 2.0)) != base  # an int is not a float
