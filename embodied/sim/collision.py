"""Collision groups shared by every part of a scene.

MuJoCo collides two geoms when ``(contype1 & conaffinity2) or (contype2 & conaffinity1)``.
Three groups cover a home:

- STATIC: floor, walls, furniture. Never moves.
- KINEMATIC: humanoid body parts, driven by writing poses (mocap). They push dynamic
  things and are not pushed; they need no contacts with static geometry (their motion
  is kept off obstacles by the navigation map).
- DYNAMIC: the robot and free objects: collide with everything.
- VISUAL: decoration only, no contacts.
"""

STATIC = dict(contype=1, conaffinity=0)
KINEMATIC = dict(contype=2, conaffinity=0)
DYNAMIC = dict(contype=4, conaffinity=1 | 2 | 4)
VISUAL = dict(contype=0, conaffinity=0)

# Geom group ids used to toggle visibility in renderers (0-5 in MuJoCo).
GROUP_VISUAL = 0
GROUP_COLLISION = 3


def apply(geom, group: dict) -> None:
    """Set a spec geom's contype/conaffinity from one of the groups above."""
    geom.contype = group["contype"]
    geom.conaffinity = group["conaffinity"]
