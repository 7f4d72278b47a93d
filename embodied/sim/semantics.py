"""The fixed semantic vocabulary used by segmentation cameras and task code.

Category ids are stable across homes and releases (append only), so a policy trained on
segmentation images sees the same id for "table" in every home.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "background",
    # structure
    "floor", "wall", "door_frame", "ceiling",
    # furniture
    "table", "counter", "shelf", "sofa", "bed", "cabinet", "chair", "desk", "nightstand",
    "coffee_table", "tv_stand", "sink", "toilet", "bathtub", "fridge", "stove", "wardrobe",
    "rug", "lamp", "plant",
    # graspable objects
    "cup", "mug", "bowl", "plate", "box", "can", "bottle", "apple", "orange", "banana",
    "book", "toy", "vase", "remote", "sponge", "soap",
    # agents
    "humanoid", "robot",
)
CATEGORY_IDS: dict[str, int] = {name: i for i, name in enumerate(CATEGORIES)}


def category_id(name: str) -> int:
    """The id of category ``name``; raises ConfigError for an unknown name."""
    try:
        return CATEGORY_IDS[name]
    except KeyError:
        from embodied.errors import ConfigError

        raise ConfigError("category", name, CATEGORIES) from None
