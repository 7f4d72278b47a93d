"""The avatar registry: twelve people of different heights, builds, skin tones and clothes.

Avatars are selected by id (``"avatar_00"`` ... ``"avatar_11"``) or sampled per episode
from a split. Splits are disjoint, so a policy can be evaluated with bodies it never saw:
``train`` has eight avatars, ``val`` and ``test`` two each, ``all`` all twelve. (Habitat
3.0 uses the same twelve avatars in every split; pass ``split="all"`` to do the same.)
Each split mixes heights and builds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embodied.agents.humanoid.body import Appearance, BodyShape
from embodied.errors import ConfigError, check_choice


@dataclass(frozen=True)
class Avatar:
    """A named body shape with its appearance."""

    id: str
    description: str
    shape: BodyShape
    appearance: Appearance


_SKIN = {
    "light": (0.94, 0.78, 0.67), "fair": (0.89, 0.7, 0.57), "medium": (0.78, 0.57, 0.42),
    "olive": (0.7, 0.52, 0.36), "brown": (0.55, 0.37, 0.24), "dark": (0.36, 0.23, 0.15),
}
_HAIR = {"black": (0.06, 0.05, 0.05), "brown": (0.3, 0.18, 0.1), "blond": (0.85, 0.7, 0.4),
         "grey": (0.65, 0.65, 0.65), "red": (0.55, 0.2, 0.08)}


def _avatar(i: int, description: str, height: float, skin: str, hair: str, style: str,
            shirt, pants, shoes=(0.12, 0.12, 0.12), *, shoulders=1.0, hips=1.0, legs=1.0,
            arms=1.0, limb_girth=1.0, torso_girth=1.0, long_sleeves=False, shorts=False) -> Avatar:
    shape = BodyShape.proportional(height, shoulders=shoulders, hips=hips, legs=legs, arms=arms,
                                   limb_girth=limb_girth, torso_girth=torso_girth)
    look = Appearance(skin=_SKIN[skin], hair=_HAIR[hair], shirt=shirt, pants=pants, shoes=shoes,
                      hair_style=style, long_sleeves=long_sleeves, shorts=shorts)
    return Avatar(f"avatar_{i:02d}", description, shape, look)


AVATARS: dict[str, Avatar] = {a.id: a for a in (
    _avatar(0, "average build, blue shirt", 1.75, "fair", "brown", "short",
            (0.2, 0.4, 0.75), (0.22, 0.22, 0.28)),
    _avatar(1, "short, slim, long hair, red top", 1.58, "medium", "black", "long",
            (0.8, 0.2, 0.25), (0.15, 0.2, 0.45), shoulders=0.92, hips=1.08, limb_girth=0.88,
            torso_girth=0.9),
    _avatar(2, "tall, broad shoulders, green shirt", 1.92, "brown", "black", "short",
            (0.2, 0.55, 0.3), (0.3, 0.27, 0.22), shoulders=1.1, limb_girth=1.12, torso_girth=1.08,
            long_sleeves=True),
    _avatar(3, "heavy build, grey hair, cardigan", 1.7, "light", "grey", "short",
            (0.55, 0.45, 0.6), (0.25, 0.25, 0.25), limb_girth=1.2, torso_girth=1.35, hips=1.12,
            long_sleeves=True),
    _avatar(4, "slim, blond, yellow shirt and shorts", 1.66, "fair", "blond", "long",
            (0.95, 0.8, 0.25), (0.3, 0.35, 0.55), shoulders=0.95, limb_girth=0.85,
            torso_girth=0.88, legs=1.03, shorts=True),
    _avatar(5, "very tall, long legs, white shirt", 1.95, "olive", "brown", "short",
            (0.92, 0.92, 0.9), (0.1, 0.12, 0.2), legs=1.05, arms=1.03, limb_girth=0.95),
    _avatar(6, "short, sturdy, orange shirt", 1.52, "dark", "black", "bald",
            (0.95, 0.5, 0.15), (0.35, 0.3, 0.25), shoulders=1.05, limb_girth=1.15,
            torso_girth=1.15, legs=0.96),
    _avatar(7, "average, red hair, teal dress shirt", 1.68, "light", "red", "long",
            (0.15, 0.6, 0.6), (0.2, 0.2, 0.2), hips=1.1, shoulders=0.95, long_sleeves=True),
    _avatar(8, "tall, slim, striped-grey shirt", 1.85, "medium", "black", "short",
            (0.5, 0.5, 0.55), (0.35, 0.25, 0.15), limb_girth=0.9, torso_girth=0.92),
    _avatar(9, "average, purple top, long hair", 1.63, "brown", "brown", "long",
            (0.5, 0.25, 0.65), (0.1, 0.1, 0.12), hips=1.06, shoulders=0.94, torso_girth=0.95),
    _avatar(10, "broad, bald, navy sweater", 1.8, "olive", "black", "bald",
            (0.12, 0.16, 0.35), (0.45, 0.42, 0.35), shoulders=1.08, torso_girth=1.2,
            limb_girth=1.1, long_sleeves=True),
    _avatar(11, "short, slim, pink shirt and shorts", 1.55, "dark", "black", "short",
            (0.95, 0.55, 0.65), (0.2, 0.3, 0.2), shoulders=0.93, limb_girth=0.9, shorts=True),
)}

SPLITS: dict[str, tuple[str, ...]] = {
    "train": tuple(f"avatar_{i:02d}" for i in range(8)),
    "val": ("avatar_08", "avatar_09"),
    "test": ("avatar_10", "avatar_11"),
    "all": tuple(AVATARS),
}


def get_avatar(avatar_id: str) -> Avatar:
    """The avatar called ``avatar_id``; raises ConfigError listing the valid ids."""
    if avatar_id not in AVATARS:
        raise ConfigError("avatar", avatar_id, tuple(AVATARS))
    return AVATARS[avatar_id]


def sample_avatar(rng: np.random.Generator, split: str = "train") -> Avatar:
    """An avatar drawn uniformly from ``split`` ("train", "val", "test" or "all")."""
    check_choice("split", split, SPLITS)
    ids = SPLITS[split]
    return AVATARS[ids[int(rng.integers(len(ids)))]]
