"""Procedural, velocity-conditioned walking with planted feet.

The root (a point on the floor under the pelvis, with a heading) moves exactly at the
commanded forward speed and turn rate (after acceleration limits). Feet are placed on
world footholds: a stance foot never slides, and the swing foot travels along a smooth
arc from where it lifted to a foothold predicted for the moment it lands (ahead of the
hip, under it laterally, turned towards where the body will face). A planted foot the
hip can no longer reach flat rolls on its toe edge (heel-off, behind the body) or heel
edge (heel strike, ahead of it); the edge on the floor stays put. Legs are solved with
analytic two-link IK and a 3-DOF ankle, so what touches the floor does not move.

Cadence and step length grow with speed and leg length; the gait phase advances with
distance walked, and with time while turning in place or settling the feet back
together when stopping. The pelvis bobs (highest at mid-stance), sways over the stance
foot, rotates with the stepping leg; the chest counter-rotates and the arms swing in
counter-phase with the legs.

Everything that evolves lives in :class:`GaitState` (plain floats) so that snapshots
restore it exactly; the computation uses the ``math`` module on scalars because the
arrays involved are too small for numpy to pay off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Callable

from embodied.agents.humanoid.body import BodyShape
from embodied.errors import check_range
from embodied.geometry import wrap_angle

_TWO_PI = 2.0 * math.pi
#: Fraction of a foot's stance distance that lies ahead of the hip at touch-down.
LEAD = 0.4



@dataclass(frozen=True)
class GaitConfig:
    """Gait parameters (speeds in m/s, angles in rad, lengths relative to leg length)."""

    max_speed: float = 1.5
    max_backward_speed: float = 0.5
    max_turn_rate: float = 1.5
    acceleration: float = 2.0
    turn_acceleration: float = 6.0
    step_length_base: float = 0.30       # step length = leg * (base + slope * speed)
    step_length_slope: float = 0.36
    min_cadence: float = 1.4             # steps/s when stepping slowly or in place
    max_turn_per_step: float = 0.9       # rad of heading change per step when turning
    double_support: float = 0.2          # fraction of a step with both feet down
    clearance: float = 0.07              # swing foot lift (m, scaled by body height)
    bob: float = 0.022                   # pelvis vertical motion at 1 m/s (m)
    sway: float = 0.022                  # pelvis side motion (m)
    pelvis_rotation: float = 0.09        # pelvis yaw oscillation at 1 m/s (rad)
    arm_swing: float = 1.1               # shoulder angle per metre of opposite-foot offset
    settle_distance: float = 0.04        # feet further than this from rest trigger a step
    reach_margin: float = 0.985          # max hip-ankle distance as a fraction of the leg

    def __post_init__(self):
        check_range("max_speed", self.max_speed, 0.1, 3.0)
        check_range("max_backward_speed", self.max_backward_speed, 0.0, 1.5)
        check_range("max_turn_rate", self.max_turn_rate, 0.1, 4.0)
        check_range("acceleration", self.acceleration, 0.1, 20.0)
        check_range("turn_acceleration", self.turn_acceleration, 0.1, 50.0)
        check_range("min_cadence", self.min_cadence, 0.5, 4.0)
        check_range("double_support", self.double_support, 0.0, 0.5)
        check_range("reach_margin", self.reach_margin, 0.8, 0.999)


@dataclass
class GaitState:
    """The complete evolving state of the gait (floats only; exactly restorable)."""

    x: float = 0.0            # root position on the floor
    y: float = 0.0
    yaw: float = 0.0
    v: float = 0.0            # current forward speed and turn rate
    w: float = 0.0
    v_cmd: float = 0.0
    w_cmd: float = 0.0
    stepping: bool = False
    phase: float = 0.0        # progress of the current step in [0, 1)
    swing: int = 0            # 0: left foot swings, 1: right foot swings
    # planted feet (ankle projection on the floor and heading); the swing foot's entry
    # holds where it lifted from
    lx: float = 0.0
    ly: float = 0.0
    lyaw: float = 0.0
    rx: float = 0.0
    ry: float = 0.0
    ryaw: float = 0.0
    tx: float = 0.0           # swing foot target
    ty: float = 0.0
    tyaw: float = 0.0
    rate: float = 0.0         # steps per second of the current step
    distance: float = 0.0     # total distance walked by the root
    steps: int = 0            # footfalls so far
    idle_time: float = 0.0    # seconds standing still (drives the idle weight shift)
    idle_blend: float = 0.0   # 0..1 weight of the idle motion (fades in and out)

    def copy(self) -> "GaitState":
        return GaitState(**{f.name: getattr(self, f.name) for f in fields(self)})


class Gait:
    """Walking controller for one body shape.

    ``update`` advances the state by one control step; ``pose`` computes the pelvis pose
    and joint angles of the legs, spine and (swinging) arms for the current state.
    """

    def __init__(self, shape: BodyShape, config: GaitConfig = GaitConfig()):
        self.shape = shape
        self.config = config
        self.l1, self.l2 = shape.thigh_length, shape.shin_length
        self.leg = shape.leg_length
        self.ankle_h = shape.ankle_height
        self.half_hip = shape.hip_width / 2
        self.foot_half_width = 0.5 * shape.hip_width   # lateral foot placement
        self.scale = shape.scale
        self.toe = 0.75 * shape.foot_length            # ankle to toe / heel (for lift)
        self.heel = 0.25 * shape.foot_length
        self.leg_reach = config.reach_margin * self.leg    # longest hip-ankle distance used
        self.state = GaitState()

    # -- state -------------------------------------------------------------------------
    def reset(self, x: float, y: float, yaw: float) -> None:
        """Stand still at (x, y) facing ``yaw`` with both feet under the hips."""
        s = GaitState(x=x, y=y, yaw=yaw)
        c, si, fw = math.cos(yaw), math.sin(yaw), self.foot_half_width
        s.lx, s.ly, s.lyaw = x - si * fw, y + c * fw, yaw
        s.rx, s.ry, s.ryaw = x + si * fw, y - c * fw, yaw
        self.state = s

    def command(self, forward: float, turn: float) -> None:
        """Set the commanded forward speed (m/s, negative = backwards) and turn rate (rad/s)."""
        cfg = self.config
        self.state.v_cmd = min(max(float(forward), -cfg.max_backward_speed), cfg.max_speed)
        self.state.w_cmd = min(max(float(turn), -cfg.max_turn_rate), cfg.max_turn_rate)

    # -- control step ------------------------------------------------------------------
    def step_length(self, speed: float) -> float:
        cfg = self.config
        return self.leg * (cfg.step_length_base + cfg.step_length_slope * min(abs(speed), cfg.max_speed))

    def _rate(self, v: float, w: float) -> float:
        cfg = self.config
        return max(abs(v) / self.step_length(v), cfg.min_cadence, abs(w) / cfg.max_turn_per_step)

    def update(self, dt: float, free: Callable[[float, float], bool] | None = None,
               idle_motion: bool = True,
               constrain: Callable[[float, float, float, float], tuple[float, float]] | None = None
               ) -> None:
        """Advance one control step. ``free(x, y)`` (optional) tells whether the root may be
        at (x, y); blocked motion slides along the obstacle or stops. ``constrain(x0, y0,
        x1, y1)`` (optional) may shorten a move from (x0, y0) to (x1, y1), e.g. to slide past
        other people's bodies. ``idle_motion`` lets a standing body shift its weight and
        breathe (off while reaching)."""
        s, cfg = self.state, self.config
        dv = cfg.acceleration * dt
        s.v = s.v + min(max(s.v_cmd - s.v, -dv), dv)
        dw = cfg.turn_acceleration * dt
        s.w = s.w + min(max(s.w_cmd - s.w, -dw), dw)
        s.yaw = wrap_angle(s.yaw + s.w * dt)
        step = s.v * dt
        nx, ny = s.x + step * math.cos(s.yaw), s.y + step * math.sin(s.yaw)
        if free is not None and step != 0.0 and not free(nx, ny):
            if free(nx, s.y):
                ny = s.y
            elif free(s.x, ny):
                nx = s.x
            else:
                nx, ny = s.x, s.y
        if constrain is not None and (nx != s.x or ny != s.y):
            cx, cy = constrain(s.x, s.y, nx, ny)
            if (cx, cy) != (nx, ny):
                nx, ny = (cx, cy) if free is None or free(cx, cy) else (s.x, s.y)
        moved = math.hypot(nx - s.x, ny - s.y)
        if moved < abs(step) - 1e-12:
            # blocked: the speed that matters for stepping is what was achieved
            s.v = math.copysign(moved / dt, s.v)
        s.x, s.y = nx, ny
        s.distance += moved
        self._advance_steps(dt)
        standing = not s.stepping
        s.idle_time = s.idle_time + dt if standing else 0.0
        target = 1.0 if (standing and idle_motion) else 0.0
        s.idle_blend += min(max(target - s.idle_blend, -dt), dt)

    def _moving(self) -> bool:
        s = self.state
        return abs(s.v) > 0.02 or abs(s.w) > 0.05 or abs(s.v_cmd) > 0.02 or abs(s.w_cmd) > 0.05

    def _rest_foot(self, side: int) -> tuple[float, float]:
        s = self.state
        lat = self.foot_half_width if side == 0 else -self.foot_half_width
        return s.x - math.sin(s.yaw) * lat, s.y + math.cos(s.yaw) * lat

    def _settled(self) -> bool:
        s, tol = self.state, self.config.settle_distance
        rx, ry = self._rest_foot(0)
        if math.hypot(s.lx - rx, s.ly - ry) > tol or abs(wrap_angle(s.lyaw - s.yaw)) > 0.15:
            return False
        rx, ry = self._rest_foot(1)
        return math.hypot(s.rx - rx, s.ry - ry) <= tol and abs(wrap_angle(s.ryaw - s.yaw)) <= 0.15

    def _plan_target(self) -> None:
        """Foothold of the swing foot: ahead of where the hip will be when it lands."""
        s = self.state
        remaining = max(1.0 - s.phase, 0.0) / s.rate
        yaw_land = s.yaw + s.w * remaining
        heading = s.yaw + 0.5 * s.w * remaining
        px = s.x + s.v * remaining * math.cos(heading)
        py = s.y + s.v * remaining * math.sin(heading)
        # a foot stays down for (1 + double_support) steps; it lands ahead of the hip by
        # 40% of that distance (the rest is covered behind the hip, rolling onto the toe)
        ahead = LEAD * (1.0 + self.config.double_support) * s.v / s.rate
        lat = self.foot_half_width if s.swing == 0 else -self.foot_half_width
        c, si = math.cos(yaw_land), math.sin(yaw_land)
        s.tx = px + c * ahead - si * lat
        s.ty = py + si * ahead + c * lat
        s.tyaw = wrap_angle(yaw_land + 0.5 * s.w / s.rate)

    def _advance_steps(self, dt: float) -> None:
        s = self.state
        if not s.stepping:
            if not (self._moving() or not self._settled()):
                return
            s.stepping, s.phase = True, 0.0
            # lift the foot that is further from where it should be
            d = []
            for side, (fx, fy) in enumerate(((s.lx, s.ly), (s.rx, s.ry))):
                rx, ry = self._rest_foot(side)
                d.append(math.hypot(fx - rx, fy - ry))
            s.swing = 0 if d[0] >= d[1] else 1
        s.rate = self._rate(s.v, s.w)
        s.phase += s.rate * dt
        if s.phase >= 1.0:
            # the swing foot lands on its target
            if s.swing == 0:
                s.lx, s.ly, s.lyaw = s.tx, s.ty, s.tyaw
            else:
                s.rx, s.ry, s.ryaw = s.tx, s.ty, s.tyaw
            s.steps += 1
            s.swing = 1 - s.swing
            s.phase = s.phase - 1.0
            if not self._moving() and self._settled():
                s.stepping, s.phase = False, 0.0
                return
        if self._swing_progress() < 0.6:
            self._plan_target()

    def planted(self) -> tuple[bool, bool]:
        """Whether the left and right feet are down on their footholds."""
        s = self.state
        if not s.stepping or self._swing_progress() <= 0.0:
            return True, True
        return s.swing != 0, s.swing != 1

    def _swing_progress(self) -> float:
        ds = self.config.double_support
        return min(max((self.state.phase - ds) / (1.0 - ds), 0.0), 1.0)

    # -- pose --------------------------------------------------------------------------
    def feet(self, hips) -> tuple[tuple[float, float, float, float, float], ...]:
        """Per foot (left, right): ankle x, y, z, foot yaw and foot pitch (toes down > 0).

        ``hips`` are the world positions of the left and right hip joints. A planted foot
        whose hip is too far away rolls onto its toe (behind the hip: heel-off) or its
        heel (ahead: heel strike) instead of stretching the leg; the toe or heel edge stays
        exactly where it is on the floor. The swing foot leaves from, and arrives at,
        those rolled poses.
        """
        s = self.state
        left = self._planted(s.lx, s.ly, s.lyaw, hips[0])
        right = self._planted(s.rx, s.ry, s.ryaw, hips[1])
        if not s.stepping:
            return left, right
        p = self._swing_progress()
        if p <= 0.0:
            return left, right
        side = s.swing
        sx, sy, syaw = (s.lx, s.ly, s.lyaw) if side == 0 else (s.rx, s.ry, s.ryaw)
        h = p * p * (3.0 - 2.0 * p)
        fx = sx + h * (s.tx - sx)
        fy = sy + h * (s.ty - sy)
        fyaw = syaw + h * wrap_angle(s.tyaw - syaw)
        travel = math.hypot(s.tx - sx, s.ty - sy) + 0.1 * abs(wrap_angle(s.tyaw - syaw))
        clearance = self.config.clearance * self.scale * min(1.0, 4.0 * travel + 0.3)
        ah_c = self.ankle_h
        swing = (fx, fy, ah_c + clearance * math.sin(math.pi * p), fyaw, 0.0)
        # blend from the rolled lift-off pose and into the rolled landing pose
        if p < 0.35:
            swing = _blend(left if side == 0 else right, swing, _smooth(p / 0.35))
        elif p > 0.7:
            landing = self._planted(s.tx, s.ty, s.tyaw, hips[side])
            swing = _blend(swing, landing, _smooth((p - 0.7) / 0.3))
        # never let the toe or heel edge of the swing foot dip below the floor
        z, pitch = swing[2], swing[4]
        sp, cp = math.sin(pitch), math.cos(pitch)
        low = z - ah_c * cp - max(self.toe * sp, -self.heel * sp)
        if low < 0.0:
            swing = (swing[0], swing[1], z - low, swing[3], pitch)
        return (swing, right) if side == 0 else (left, swing)

    def _planted(self, ax: float, ay: float, yaw: float, hip) -> tuple[float, float, float, float, float]:
        """Pose of a foot planted at (ax, ay): flat if its hip can reach it, else rolled
        about the toe or heel edge so that the hip-ankle distance is ``leg_reach``."""
        ah = self.ankle_h
        c, s = math.cos(yaw), math.sin(yaw)
        # hip in the foot's vertical plane: u forward from the ankle, w up from the floor
        dx, dy = hip[0] - ax, hip[1] - ay
        u_h, e = c * dx + s * dy, -s * dx + c * dy
        w_h = hip[2]
        reach2 = self.leg_reach * self.leg_reach - e * e
        if (u_h * u_h + (w_h - ah) ** 2) <= reach2 or reach2 <= 0.0:
            return ax, ay, ah, yaw, 0.0
        reach = math.sqrt(reach2)
        if u_h < 0.0:     # hip behind the foot: roll on the heel edge (toes up)
            pivot, lever, limit = -self.heel, self.heel, -0.6
        else:             # hip ahead: roll on the toe edge (heel up)
            pivot, lever, limit = self.toe, -self.toe, 0.9
        # the ankle circles the pivot at radius r; intersect with the hip's reach circle
        pu, pw = u_h - pivot, w_h
        d = math.hypot(pu, pw)
        r = math.hypot(lever, ah)
        a = (r * r - reach * reach + d * d) / (2.0 * d)
        k = math.sqrt(max(r * r - a * a, 0.0))
        bu, bw = a * pu / d, a * pw / d
        cands = ((bu - k * pw / d, bw + k * pu / d), (bu + k * pw / d, bw - k * pu / d))
        phi0 = math.atan2(ah, lever)
        theta = limit     # roll as far as allowed when the hip is out of reach anyway
        for cu, cw in cands:
            cand = wrap_angle(phi0 - math.atan2(cw, cu))
            if 0.0 <= cand / limit < theta / limit:
                theta = cand
        # ankle for the rotation by -theta of (lever, ah) about the pivot
        ct, st = math.cos(theta), math.sin(theta)
        u = pivot + lever * ct + ah * st
        w = -lever * st + ah * ct
        return ax + c * u, ay + s * u, w, yaw, theta

    def pelvis(self, drop: float = 0.0, extra_pitch: float = 0.0):
        """Pelvis position and (yaw, roll, pitch), plus the yaw oscillation of the gait."""
        s, cfg = self.state, self.config
        speed = min(abs(s.v), cfg.max_speed)
        stepping_w = 1.0 if s.stepping else 0.0
        phase = s.phase
        swing_sign = 1.0 if s.swing == 0 else -1.0
        bob = cfg.bob * self.scale * min(speed, 1.2) * stepping_w
        ds = cfg.double_support
        lead = LEAD * (1.0 + ds) * speed / s.rate if (s.stepping and s.rate > 0) else 0.0
        reach = self.leg_reach
        lat = self.half_hip - self.foot_half_width
        top = min(0.99 * reach, math.sqrt(max(reach * reach - lead * lead - lat * lat, 0.0)) + bob)
        # lowest in double support, highest at mid-stance
        z = self.ankle_h + top - bob * 0.5 * (1.0 + math.cos(_TWO_PI * (phase - 0.5 * ds))) - drop
        sway = -swing_sign * cfg.sway * self.scale * math.sin(math.pi * phase) * stepping_w * min(1.0, 0.4 + speed)
        yaw_osc = swing_sign * cfg.pelvis_rotation * min(speed, 1.5) * math.cos(math.pi * phase) * stepping_w
        roll = -swing_sign * 0.05 * min(speed, 1.0) * math.sin(math.pi * phase) * stepping_w
        pitch = 0.05 * speed + extra_pitch
        if s.idle_blend > 0.0:
            # standing: slow weight shift from foot to foot, and breathing
            t_idle = s.idle_time
            sway += s.idle_blend * 0.012 * self.scale * math.sin(_TWO_PI * t_idle / 4.5)
            z += s.idle_blend * 0.003 * self.scale * math.sin(_TWO_PI * t_idle / 3.7)
            roll += s.idle_blend * 0.02 * math.sin(_TWO_PI * t_idle / 4.5)
        c, si = math.cos(s.yaw), math.sin(s.yaw)
        return (s.x - si * sway, s.y + c * sway, z), (s.yaw + yaw_osc, roll, pitch), yaw_osc


def _smooth(x: float) -> float:
    return x * x * (3.0 - 2.0 * x)


def _blend(a, b, w: float):
    """Foot poses (x, y, z, yaw, pitch) interpolated with weight ``w`` on ``b``."""
    return (a[0] + w * (b[0] - a[0]), a[1] + w * (b[1] - a[1]), a[2] + w * (b[2] - a[2]),
            a[3] + w * wrap_angle(b[3] - a[3]), a[4] + w * (b[4] - a[4]))


def leg_ik(dx: float, dy: float, dz: float, twist: float, l1: float, l2: float):
    """Hip (flex, abduct, twist) and knee angles putting the ankle at (dx, dy, dz).

    The target is in the pelvis frame relative to the hip joint; ``twist`` (the foot's
    heading relative to the pelvis) is given. Hip joints apply in the order y, x, z.
    Returns (flex, abduct, knee, reached) where ``reached`` is False when the target
    was beyond the leg's length (the leg then points at it, straight).
    """
    d2 = dx * dx + dy * dy + dz * dz
    lmax = 0.9995 * (l1 + l2)
    reached = True
    if d2 > lmax * lmax:
        k = lmax / math.sqrt(d2)
        dx, dy, dz, d2 = dx * k, dy * k, dz * k, lmax * lmax
        reached = False
    cos_knee = (d2 - l1 * l1 - l2 * l2) / (2.0 * l1 * l2)
    knee = math.acos(min(max(cos_knee, -1.0), 1.0))
    ax, az = -l2 * math.sin(knee), -l1 - l2 * math.cos(knee)
    ux, uy, uz = ax * math.cos(twist), ax * math.sin(twist), az
    r = math.hypot(uy, uz)
    abduct = wrap_angle(-math.acos(min(max(dy / r, -1.0), 1.0)) - math.atan2(uz, uy))
    wz = uy * math.sin(abduct) + uz * math.cos(abduct)
    flex = wrap_angle(math.atan2(dx, dz) - math.atan2(ux, wz))
    return flex, abduct, knee, reached
