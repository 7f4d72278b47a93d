"""Furniture: what each room kind holds (catalog), where pieces go (placement), how each looks (shapes)."""

from embodied.scenes.furniture.catalog import (DARK, FABRIC, GREEN, KINDS, METAL, PAINTED, ROOM_FURNITURE,
                                               STONE, WHITE, WOOD, Built, FurnitureKind, build_bathtub,
                                               build_bed, build_cabinet, build_chair, build_coffee_table,
                                               build_counter, build_desk, build_fridge, build_lamp,
                                               build_nightstand, build_plant, build_shelf, build_sink,
                                               build_sofa, build_stove, build_table, build_toilet,
                                               build_tv_stand, build_wardrobe, furniture_parts,
                                               parts_and_surfaces)
from embodied.scenes.furniture.placement import AGENT_RADIUS, RoomPlanner, furnish
from embodied.scenes.furniture.shapes import Part, post, rgba, shade, slab

__all__ = [
    # shapes
    "Part", "rgba", "slab", "post", "shade",
    # catalog
    "WOOD", "FABRIC", "PAINTED", "STONE", "WHITE", "METAL", "DARK", "GREEN", "Built",
    "FurnitureKind", "KINDS", "ROOM_FURNITURE", "parts_and_surfaces", "furniture_parts",
    "build_table", "build_coffee_table", "build_desk", "build_counter", "build_cabinet",
    "build_nightstand", "build_shelf", "build_sofa", "build_bed", "build_tv_stand",
    "build_wardrobe", "build_fridge", "build_stove", "build_sink", "build_toilet",
    "build_bathtub", "build_chair", "build_plant", "build_lamp",
    # placement
    "AGENT_RADIUS", "RoomPlanner", "furnish",
]
