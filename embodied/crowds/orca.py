"""ORCA (optimal reciprocal collision avoidance, van den Berg et al. 2011) through ``pyrvo``.

Each step every agent's position, velocity, preferred velocity, radius and top speed are
written into one ``pyrvo`` simulator, which then computes the new velocities; nothing is
carried from one step to the next inside it, so the crowd's own state decides everything
(snapshots and forks replay exactly). The robot, when the crowd sees it, is one more
agent whose preferred velocity is its measured one (ORCA then leaves most of the
avoiding to the people, as they cannot expect the robot to give way). Walls and
furniture are ``pyrvo`` obstacles. A World and its forks share the simulator: every
step rewrites all of it.
"""

from __future__ import annotations

import numpy as np

from embodied.crowds.models import Agents, LocalModel, register_model
from embodied.errors import check_range

#: Where the robot's agent waits when the crowd does not see it (out of every range).
_AWAY = (1.0e6, 1.0e6)


@register_model
class ORCAModel(LocalModel):
    """ORCA for people indoors.

    CrowdNav's defaults (10 m, 10 neighbours, 5 s and 1 s horizons) suit open squares; in
    homes they leave people frozen in front of each other (a 5 s horizon makes everyone
    within a few metres a constraint, and a wall beside them leaves no feasible velocity).
    Short horizons let people walk past each other in rooms and doorways (measured in
    3-minute runs of 20 people in four homes, two seeds each: 74% of goals reached
    against 55%).

    Args:
        neighbor_dist: how far (m) an agent looks for others.
        max_neighbors: how many of them it considers.
        time_horizon, time_horizon_obst: how far ahead (s) it avoids other agents and
            obstacles.
    """

    name = "orca"

    def __init__(self, neighbor_dist: float = 3.0, max_neighbors: int = 6,
                 time_horizon: float = 1.0, time_horizon_obst: float = 0.3):
        check_range("orca.neighbor_dist", neighbor_dist, 0.1, 100.0)
        check_range("orca.max_neighbors", max_neighbors, 1, 1000, integer=True)
        check_range("orca.time_horizon", time_horizon, 0.01, 100.0)
        check_range("orca.time_horizon_obst", time_horizon_obst, 0.01, 100.0)
        self.neighbor_dist, self.max_neighbors = float(neighbor_dist), int(max_neighbors)
        self.time_horizon, self.time_horizon_obst = float(time_horizon), float(time_horizon_obst)
        self.obstacles: list[np.ndarray] = []
        self._sim = None
        self._shape = None

    def bind(self, navmap, obstacles) -> None:
        self.obstacles = [np.asarray(p, float) for p in obstacles]
        self._sim, self._shape = None, None

    def _simulator(self, n: int, dt: float):
        import pyrvo

        if self._sim is None or self._shape != (n, dt):
            sim = pyrvo.RVOSimulator(dt, self.neighbor_dist, self.max_neighbors, self.time_horizon,
                                     self.time_horizon_obst, 0.25, 1.0)
            for polygon in self.obstacles:
                sim.add_obstacle([tuple(map(float, v)) for v in polygon])
            sim.process_obstacles()
            for _ in range(n + 1):             # the people, then the robot
                sim.add_agent(_AWAY)
            self._sim, self._shape = sim, (n, dt)
        return self._sim

    def velocities(self, agents: Agents, dt: float) -> np.ndarray:
        n = agents.count
        sim = self._simulator(n, dt)
        pos, vel, pref = agents.pos.tolist(), agents.vel.tolist(), agents.pref.tolist()
        for i in range(n):
            sim.set_agent_position(i, pos[i])
            sim.set_agent_velocity(i, vel[i])
            sim.set_agent_pref_velocity(i, pref[i])
            sim.set_agent_radius(i, float(agents.radius[i]))
            sim.set_agent_max_speed(i, float(agents.max_speed[i]))
        if agents.robot_pos is None:
            sim.set_agent_position(n, _AWAY)
            sim.set_agent_velocity(n, (0.0, 0.0))
            sim.set_agent_pref_velocity(n, (0.0, 0.0))
            sim.set_agent_radius(n, 0.01)
        else:
            robot_vel = tuple(map(float, agents.robot_vel))
            sim.set_agent_position(n, tuple(map(float, agents.robot_pos)))
            sim.set_agent_velocity(n, robot_vel)
            sim.set_agent_pref_velocity(n, robot_vel)
            sim.set_agent_radius(n, float(agents.robot_radius))
            sim.set_agent_max_speed(n, max(float(np.hypot(*robot_vel)), 1e-3))
        sim.do_step()
        return np.array([sim.get_agent_velocity(i).to_tuple() for i in range(n)], dtype=float).reshape(n, 2)
