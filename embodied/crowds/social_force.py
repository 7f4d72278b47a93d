r"""The social force model of pedestrians, vectorised with numpy.

Each person ``a`` accelerates by the sum of a driving term, repulsions from the other
people and the robot, a repulsion from the nearest obstacle and (optionally) an
attraction to its group's centre; the velocity of the next ``dt`` seconds is
``v + F dt``, capped at the person's ``max_speed``. Everything is computed from the
:class:`~embodied.crowds.models.Agents` picture of the step and the navigation map
given to :meth:`SocialForceModel.bind`: the model keeps nothing that evolves. All pairs
are evaluated at once as (people x sources) arrays: O(n^2) time and memory per step.

Two parameter sets (``params=``):

``"helbing"`` (default) -- Helbing & Molnar 1995, "Social force model for pedestrian
dynamics" (Phys. Rev. E 51, 4282):

- driving: ``(v0 e_a - v_a) / tau``, ``tau = 0.5 s``; the preferred velocity is ``v0 e_a``;
- people: the elliptical potential ``V(b) = V0 exp(-b / sigma)``, ``V0 = 2.1 m^2/s^2``,
  ``sigma = 0.3 m``, whose semi-minor axis ``b`` comes from the displacement
  ``r = r_a - r_b`` and the other's step ``s = v_b * step_time`` (``step_time = 2 s``):
  ``2 b = sqrt((|r| + |r - s|)^2 - |s|^2)``. The force ``f = -grad_r V``, in closed form:
  ``f = (V0 / sigma) exp(-b / sigma) (|r| + |r - s|) / (4 b) (r/|r| + (r - s)/|r - s|)``.
  The other's step is along its current velocity (the paper: its desired direction at
  its speed), so the robot's step is its measured velocity;
- field of view: ``f`` counts fully when the other is within ``phi = 100 deg`` of the
  person's desired direction ``e_a`` (``e_a . (-f) >= |f| cos phi``), else by ``c = 0.5``
  (the unit preferred velocity; the velocity's direction while paused; no weighting
  without either);
- obstacles: ``U(d) = U0 exp(-d / R)``, ``U0 = 10 m^2/s^2``, ``R = 0.2 m``, ``d`` the
  distance from the person's centre to the nearest obstacle: force
  ``(U0 / R) exp(-d / R) grad d``. Not weighted by the field of view.
- side preference (not in the paper, whose fluctuation term breaks such ties): each
  person judges the others as if it stood ``side_bias = 3 cm`` to the right of its
  desired direction (``r + side_bias * right(e_a)`` in place of ``r``). Without it, two
  people meeting head-on on one line, or a person walking straight at someone standing
  in the way, come to rest face to face, since ``grad b`` then has no sideways part.

``"moussaid"`` -- the interaction of Moussaid, Helbing, Garnier, Johansson, Combe &
Theraulaz 2009, "Experimental study of the behavioural mechanisms underlying
self-organization in human crowds" (Proc. R. Soc. B 276, 2755), with the obstacle term
and body radius of the ``pysocialforce`` implementation:

- driving as above, ``tau = 0.5 s``;
- people: with ``e`` the unit vector from ``a`` to ``b`` at distance ``d``, the
  interaction vector ``D = lambda (v_a - v_b) + e``, its direction ``t`` and left normal
  ``n``, ``B = gamma |D|``, ``theta`` the angle from ``t`` to ``e`` (positive when ``b``
  is to the left of ``t``) and ``K = sign(theta)``:
  ``f = -A exp(-d / B) [exp(-(n' B theta)^2) t + K exp(-(n B theta)^2) n]``, with
  ``lambda = 2.0``, ``gamma = 0.35``, ``n = 2``, ``n' = 3`` and ``A = 4.5 m/s^2`` (the
  paper's fitted value; ``pysocialforce`` scales its version by 5.1). At ``theta = 0``
  exactly we take ``K = +1``: the person steps to its right, so people meeting head-on
  on one line pass each other. No separate field of view (the form is anisotropic);
- obstacles: ``k exp(-(d - radius) / sigma_o) grad d``, ``k = 10 m/s^2``,
  ``sigma_o = 0.2 m``, ``radius = 0.35 m`` (``pysocialforce`` sums this over the
  sampled points of every wall segment within reach; here the nearest obstacle only).

Bodies. Both papers treat people as points. Here the pair distance is measured between
the edges of the discs: ``r`` keeps its direction and its length becomes
``max(|r| - r_a - r_b, 0)`` (``d`` likewise in the Moussaid form), with the radii of
:class:`~embodied.crowds.models.Agents`. With centre distances, a person pressing on at
1.3 m/s towards someone in its way comes to rest about 0.3 m (Helbing) or 0.2 m
(Moussaid) from the other's centre, well inside two 0.25 m discs. The robot, a disc of
``robot_radius`` moving at ``robot_vel``, is one more source of pair forces (its
footprint enters through the edge distance); people exert forces on each other and feel
the robot, nothing acts on the robot. Obstacle distances are from the person's centre,
as in the sources.

Obstacle distance ``d`` and direction ``grad d`` come from the navigation map's
``clearance`` grid (metres from each cell to the nearest occupied one, a lower bound of
the true distance short by up to about a cell). Capped at :data:`FIELD_RANGE` and
continued negative into the zero-clearance region (a cell minus the grid distance to the
nearest cell with clearance), so that a person standing on an obstacle is pushed out.
Its gradient is taken by central differences (``numpy.gradient``) at the cell centres;
both are interpolated bilinearly at each person's position (clamped to the grid).
``|grad d|`` is 1 away from a single nearest obstacle and shorter where several are
about as near (the ridge through a doorway, where the jambs' pushes cancel); the force
magnitude stops growing at ``d = 0`` (Helbing) or ``d = radius`` (Moussaid). Without a
bound map there is no obstacle force; the obstacle polygons given to
:meth:`~SocialForceModel.bind` are not used.

Groups (both sets, ``group_attraction``): people with the same group id ``>= 0`` are
drawn to the centre of mass ``c`` of their group (themselves included), in the form of
Moussaid, Perozo, Garnier, Helbing & Theraulaz 2010, "The walking behaviour of
pedestrian social groups and its impact on crowd dynamics" (PLoS ONE 5, e10047):
``beta u``, ``u`` the unit vector to ``c``, when ``|c - r_a| > (N - 1) / 2`` m (``N``
members), else 0; ``beta = 1 m/s^2`` (our choice of a small pull); 0 disables it.

Degenerate cases give finite forces: coincident people push each other apart along
``x`` (the lower index to ``+x``); where ``b = 0`` in Helbing's ellipse (on the other's
step segment) the force is ``V0 / sigma`` along the left normal of the other's step, or
along ``r`` at the other's very position; an interaction vector ``D = 0`` is replaced
by ``e``; a person with no direction of its own has no side preference.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from embodied.crowds.models import Agents, LocalModel, register_model
from embodied.errors import ConfigError, check_choice, check_range

FORMS = ("helbing", "moussaid")
#: Obstacle distances are capped here (m); the forces there are below 1e-9 m/s^2.
FIELD_RANGE = 5.0
_EPS = 1e-9         # lengths (m) below which a direction is undefined
_B_MIN = 1e-6       # Helbing's b (m) below which the ellipse is degenerate


@dataclass(frozen=True)
class SocialForceParams:
    """A social force parameter set (see the module docstring for the formulas).

    Args:
        form: ``"helbing"`` (elliptical potential) or ``"moussaid"`` (interaction vector).
        tau: relaxation time (s) of the driving term.
        radius: Moussaid's body radius (m) in the obstacle term.
        v0, sigma, step_time: Helbing's pair potential strength (m^2/s^2), range (m) and
            the time (s) of the other's step.
        side_bias: the side preference (m) of the Helbing form: how far to the right of
            itself a person judges the others from.
        fov_deg, fov_factor: half-angle (deg) of the field of view and the weight of pair
            forces from outside it (1: isotropic, as in the ``moussaid`` set).
        u0, r_obstacle: Helbing's obstacle potential strength (m^2/s^2) and range (m).
        strength, lam, gamma, n, n_prime: Moussaid's ``A`` (m/s^2), ``lambda``,
            ``gamma``, ``n``, ``n'``.
        obstacle_factor, obstacle_sigma: Moussaid's obstacle strength (m/s^2) and range (m).
        group_attraction: ``beta`` (m/s^2) of the pull to the group's centre (0: none).
    """

    form: str = "helbing"
    tau: float = 0.5
    radius: float = 0.35
    v0: float = 2.1
    sigma: float = 0.3
    step_time: float = 2.0
    side_bias: float = 0.03
    fov_deg: float = 100.0
    fov_factor: float = 0.5
    u0: float = 10.0
    r_obstacle: float = 0.2
    strength: float = 4.5
    lam: float = 2.0
    gamma: float = 0.35
    n: float = 2.0
    n_prime: float = 3.0
    obstacle_factor: float = 10.0
    obstacle_sigma: float = 0.2
    group_attraction: float = 1.0

    def __post_init__(self):
        check_choice("social_force.form", self.form, FORMS)
        for name, low, high in (
                ("tau", 0.01, 100.0), ("radius", 0.0, 5.0), ("v0", 0.0, 1e3),
                ("sigma", 1e-3, 100.0), ("step_time", 0.0, 100.0), ("side_bias", 0.0, 1.0),
                ("fov_deg", 0.0, 180.0), ("fov_factor", 0.0, 1.0), ("u0", 0.0, 1e3),
                ("r_obstacle", 1e-3, 100.0), ("strength", 0.0, 1e3), ("lam", 0.0, 100.0),
                ("gamma", 1e-3, 100.0), ("n", 0.0, 100.0), ("n_prime", 0.0, 100.0),
                ("obstacle_factor", 0.0, 1e3), ("obstacle_sigma", 1e-3, 100.0),
                ("group_attraction", 0.0, 100.0)):
            check_range(f"social_force.{name}", getattr(self, name), low, high)


#: The named parameter sets.
PARAMS: dict[str, SocialForceParams] = {
    "helbing": SocialForceParams(form="helbing", tau=0.5, v0=2.1, sigma=0.3, step_time=2.0,
                                 side_bias=0.03, fov_deg=100.0, fov_factor=0.5, u0=10.0,
                                 r_obstacle=0.2),
    "moussaid": SocialForceParams(form="moussaid", tau=0.5, radius=0.35, strength=4.5,
                                  lam=2.0, gamma=0.35, n=2.0, n_prime=3.0, side_bias=0.0,
                                  fov_factor=1.0, obstacle_factor=10.0, obstacle_sigma=0.2),
}


def _unit(vec: np.ndarray, norm: np.ndarray) -> np.ndarray:
    """``vec / norm`` where ``norm > _EPS``, else 0 (no division by zero)."""
    safe = np.where(norm > _EPS, norm, 1.0)
    return np.where((norm > _EPS)[..., None], vec / safe[..., None], 0.0)


def _desired_direction(vel: np.ndarray, pref: np.ndarray) -> np.ndarray:
    """Unit preferred velocity, else unit velocity, else 0 (n, 2)."""
    pref_len, vel_len = np.linalg.norm(pref, axis=1), np.linalg.norm(vel, axis=1)
    return np.where((pref_len > _EPS)[:, None], _unit(pref, pref_len), _unit(vel, vel_len))


@register_model
class SocialForceModel(LocalModel):
    """The social force model (Helbing & Molnar 1995, or the interaction of Moussaid et
    al. 2009); formulas and parameter sets in the module docstring.

    Args:
        params: ``"helbing"`` (default), ``"moussaid"``, or a :class:`SocialForceParams`.
        **overrides: fields of :class:`SocialForceParams` replacing the set's values
            (e.g. ``group_attraction=0.0``).
    """

    name = "social_force"

    def __init__(self, params: str | SocialForceParams = "helbing", **overrides):
        if isinstance(params, SocialForceParams):
            base = params
        elif isinstance(params, str) and params in PARAMS:
            base = PARAMS[params]
        else:
            raise ConfigError("social_force.params", params, tuple(PARAMS))
        fields = {f.name for f in dataclasses.fields(SocialForceParams)}
        unknown = sorted(set(overrides) - fields)
        if unknown:
            raise ConfigError("social_force", unknown[0], sorted(fields))
        self.params: SocialForceParams = dataclasses.replace(base, **overrides)
        self._field: np.ndarray | None = None      # (3, H, W): distance, d/dx, d/dy
        self._origin = np.zeros(2)
        self._cell = 1.0

    # -- the scene --------------------------------------------------------------------
    def bind(self, navmap, obstacles=()) -> None:
        """Take the navigation map's clearance grid (see the module docstring); ``None``
        for no obstacles."""
        if navmap is None:
            self._field = None
            return
        self._field = obstacle_field(np.asarray(navmap.clearance, dtype=np.float64),
                                     float(navmap.cell_size))
        self._origin = np.asarray(navmap.origin, dtype=np.float64).reshape(2).copy()
        self._cell = float(navmap.cell_size)

    def obstacle_distance(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance (m, negative inside obstacles, at most :data:`FIELD_RANGE`) to the
        nearest obstacle and its gradient (the unit direction away from that obstacle;
        shorter, down to 0, where several are about as near) at each point (n, 2),
        interpolated from the bound map."""
        pos = np.asarray(pos, dtype=np.float64).reshape(-1, 2)
        if self._field is None:
            return np.full(len(pos), FIELD_RANGE), np.zeros((len(pos), 2))
        _, h, w = self._field.shape
        # Continuous (col, row) of the points, cell centres at integers, clamped to the grid.
        u = np.clip((pos[:, 0] - self._origin[0]) / self._cell - 0.5, 0.0, w - 1.0)
        v = np.clip((pos[:, 1] - self._origin[1]) / self._cell - 0.5, 0.0, h - 1.0)
        c0 = np.minimum(np.floor(u).astype(np.int64), max(w - 2, 0))
        r0 = np.minimum(np.floor(v).astype(np.int64), max(h - 2, 0))
        c1, r1 = np.minimum(c0 + 1, w - 1), np.minimum(r0 + 1, h - 1)
        fu, fv = u - c0, v - r0
        f = self._field
        vals = ((1 - fv) * ((1 - fu) * f[:, r0, c0] + fu * f[:, r0, c1])
                + fv * ((1 - fu) * f[:, r1, c0] + fu * f[:, r1, c1]))
        grad = vals[1:].T
        norm = np.linalg.norm(grad, axis=1)
        return vals[0], grad / np.maximum(norm, 1.0)[:, None]

    # -- the step ---------------------------------------------------------------------
    def forces(self, agents: Agents) -> np.ndarray:
        """(n, 2) accelerations (m/s^2) of the people: driving + people and robot +
        obstacles + group."""
        p = self.params
        pos = np.asarray(agents.pos, dtype=np.float64).reshape(-1, 2)
        n = len(pos)
        if n == 0:
            return np.zeros((0, 2))
        vel = np.asarray(agents.vel, dtype=np.float64).reshape(n, 2)
        pref = np.asarray(agents.pref, dtype=np.float64).reshape(n, 2)
        radius = np.broadcast_to(np.asarray(agents.radius, dtype=np.float64), (n,))
        force = (pref - vel) / p.tau
        force += self._pair_forces(agents, pos, vel, pref, radius)
        force += self._obstacle_forces(pos)
        if p.group_attraction > 0.0 and agents.group is not None:
            force += group_forces(pos, np.asarray(agents.group).reshape(n), p.group_attraction)
        return force

    def velocities(self, agents: Agents, dt: float) -> np.ndarray:
        check_range("dt", dt, 0.0, None)
        n = agents.count
        if n == 0:
            return np.zeros((0, 2))
        vel = np.asarray(agents.vel, dtype=np.float64).reshape(n, 2)
        new = vel + self.forces(agents) * dt
        cap = np.maximum(np.broadcast_to(np.asarray(agents.max_speed, dtype=np.float64), (n,)),
                         0.0)
        speed = np.linalg.norm(new, axis=1)
        scale = np.where(speed > cap, cap / np.where(speed > 0.0, speed, 1.0), 1.0)
        return new * scale[:, None]

    def _sources(self, agents: Agents, pos, vel, radius):
        """Positions, velocities and radii of everything that repels people: the people,
        then the robot when present."""
        if agents.robot_pos is None:
            return pos, vel, radius
        rpos = np.asarray(agents.robot_pos, dtype=np.float64).reshape(1, 2)
        rvel = (np.zeros((1, 2)) if agents.robot_vel is None
                else np.asarray(agents.robot_vel, dtype=np.float64).reshape(1, 2))
        return (np.concatenate([pos, rpos]), np.concatenate([vel, rvel]),
                np.concatenate([radius, [float(agents.robot_radius)]]))

    def _pair_forces(self, agents: Agents, pos, vel, pref, radius) -> np.ndarray:
        """(n, 2) sum of the forces of the other people and the robot on each person.
        Pairs are (n, m) arrays of x and y components (m sources: people, then robot)."""
        p = self.params
        n = len(pos)
        spos, svel, srad = self._sources(agents, pos, vel, radius)
        m = len(spos)
        rx = pos[:, 0:1] - spos[None, :, 0]                 # r = r_a - r_b
        ry = pos[:, 1:2] - spos[None, :, 1]
        dist = np.sqrt(rx * rx + ry * ry)
        apart = dist > _EPS
        inv = 1.0 / np.where(apart, dist, 1.0)
        # Coincident bodies: along x, opposite for the two of a pair (lower index to +x).
        ux = np.where(apart, rx * inv, np.where(np.arange(m) > np.arange(n)[:, None], 1.0, -1.0))
        uy = np.where(apart, ry * inv, 0.0)
        gap = np.maximum(dist - radius[:, None] - srad[None, :], 0.0)   # edge to edge
        e = _desired_direction(vel, pref)
        ex, ey = e[:, 0:1], e[:, 1:2]
        if p.form == "helbing":
            # Judged from side_bias to the right of the desired direction: r + bias * right(e).
            fx, fy = self._helbing_pairs(ux * gap + p.side_bias * ey, uy * gap - p.side_bias * ex,
                                         ux, uy, svel)
        else:
            fx, fy = self._moussaid_pairs(ux, uy, gap, vel, svel)
        if p.fov_factor < 1.0:
            cos_phi = math.cos(math.radians(p.fov_deg))
            seen = -(ex * fx + ey * fy) >= np.sqrt(fx * fx + fy * fy) * cos_phi
            seen |= (ex == 0.0) & (ey == 0.0)                # no direction: sees everything
            w = np.where(seen, 1.0, p.fov_factor)
            fx, fy = fx * w, fy * w
        idx = np.arange(n)
        fx[idx, idx] = 0.0
        fy[idx, idx] = 0.0
        return np.stack([fx.sum(axis=1), fy.sum(axis=1)], axis=1)

    def _helbing_pairs(self, rx, ry, ux, uy, svel):
        """-grad V(b(r)) for displacements r (n, m) from sources moving at ``svel`` (m, 2);
        (ux, uy) is the direction to use where r = 0."""
        p = self.params
        sx = p.step_time * svel[None, :, 0]                  # the other's step
        sy = p.step_time * svel[None, :, 1]
        s_len = np.sqrt(sx * sx + sy * sy)
        r_len = np.sqrt(rx * rx + ry * ry)
        qx, qy = rx - sx, ry - sy
        q_len = np.sqrt(qx * qx + qy * qy)
        total = r_len + q_len
        b = 0.5 * np.sqrt(np.maximum(total * total - s_len * s_len, 0.0))
        r_ok, q_ok = r_len > _EPS, q_len > _EPS
        r_inv = 1.0 / np.where(r_ok, r_len, 1.0)
        q_inv = np.where(q_ok, 1.0 / np.where(q_ok, q_len, 1.0), 0.0)
        coef = total / (4.0 * np.maximum(b, _B_MIN))
        gx = coef * (np.where(r_ok, rx * r_inv, ux) + qx * q_inv)
        gy = coef * (np.where(r_ok, ry * r_inv, uy) + qy * q_inv)
        # b = 0 on the other's step segment: sideways, to the left of its step (two people
        # meeting head-on both step to their right); at r = 0, along (ux, uy).
        flat = b < _B_MIN
        if flat.any():
            s_inv = 1.0 / np.where(s_len > _EPS, s_len, 1.0)
            sideways = (s_len > _EPS) & r_ok
            gx = np.where(flat, np.where(sideways, -sy * s_inv, ux), gx)
            gy = np.where(flat, np.where(sideways, sx * s_inv, uy), gy)
        mag = (p.v0 / p.sigma) * np.exp(-b / p.sigma)
        return mag * gx, mag * gy

    def _moussaid_pairs(self, ux, uy, gap, vel, svel):
        p = self.params
        ex, ey = -ux, -uy                                    # unit vector from a to b
        dx = p.lam * (vel[:, 0:1] - svel[None, :, 0]) + ex   # interaction vector D
        dy = p.lam * (vel[:, 1:2] - svel[None, :, 1]) + ey
        d_len = np.sqrt(dx * dx + dy * dy)
        d_ok = d_len > _EPS
        d_inv = 1.0 / np.where(d_ok, d_len, 1.0)
        tx, ty = np.where(d_ok, dx * d_inv, ex), np.where(d_ok, dy * d_inv, ey)
        big_b = np.maximum(p.gamma * d_len, _B_MIN)
        theta = np.arctan2(tx * ey - ty * ex, tx * ex + ty * ey)   # from t to e
        k = np.where(theta >= 0.0, 1.0, -1.0)
        base = -p.strength * np.exp(-gap / big_b)
        along = base * np.exp(-np.square(p.n_prime * big_b * theta))
        across = base * k * np.exp(-np.square(p.n * big_b * theta))
        return along * tx - across * ty, along * ty + across * tx     # n = left(t)

    def _obstacle_forces(self, pos) -> np.ndarray:
        p = self.params
        if self._field is None:
            return np.zeros_like(pos)
        dist, away = self.obstacle_distance(pos)
        if p.form == "helbing":
            mag = (p.u0 / p.r_obstacle) * np.exp(-np.maximum(dist, 0.0) / p.r_obstacle)
        else:
            gap = np.maximum(dist - p.radius, 0.0)
            mag = p.obstacle_factor * np.exp(-gap / p.obstacle_sigma)
        return mag[:, None] * away


def obstacle_field(clearance: np.ndarray, cell: float) -> np.ndarray:
    """(3, H, W): the distance field of a clearance grid (capped at :data:`FIELD_RANGE`,
    continued negative inside the zero-clearance region) and its x and y derivatives by
    central differences."""
    clearance = np.where(np.isnan(clearance), 0.0, clearance)
    field = np.minimum(clearance, FIELD_RANGE)
    inside = clearance <= 0.0
    if inside.any() and not inside.all():
        depth = ndimage.distance_transform_edt(inside) * cell
        field = np.where(inside, cell - depth, field)
    if min(field.shape) >= 2:
        gy, gx = np.gradient(field, cell)
    else:
        gy = gx = np.zeros_like(field)
    return np.stack([field, gx, gy]).astype(np.float64)


def group_forces(pos: np.ndarray, group: np.ndarray, beta: float) -> np.ndarray:
    """(n, 2) pulls of strength ``beta`` towards each group's centre of mass (people of
    one group id >= 0), for those farther from it than ``(N - 1) / 2`` m."""
    out = np.zeros_like(pos)
    member = group >= 0
    if not member.any():
        return out
    ids, inverse, counts = np.unique(group[member], return_inverse=True, return_counts=True)
    sums = np.zeros((len(ids), 2))
    np.add.at(sums, inverse, pos[member])
    centre = sums[inverse] / counts[inverse, None]
    to_centre = centre - pos[member]
    dist = np.linalg.norm(to_centre, axis=1)
    far = dist > (counts[inverse] - 1) / 2.0
    out[member] = np.where(far[:, None], beta * _unit(to_centre, dist), 0.0)
    return out
