"""Robot benchmarks: sensor costs, controller costs and control-step rate in a generated home.

``run()`` returns medians: ``*_us`` in microseconds, ``*_ms`` in milliseconds. Targets:
state sensors together <= 50 us, a 64-ray scan <= 200 us, one 128x128 depth frame with
the fast render profile <= 8 ms.
"""

from __future__ import annotations


from embodied.showcase.playground import robot_in_home
from embodied.benchmarks.timing import median_seconds

STATE_SENSORS = ("joint_positions", "joint_velocities", "is_holding", "base_velocity",
                 "goal_gps_compass", "humanoid_gps_compass")


def run(repeats: int = 15) -> dict:
    from embodied.sensors import (HeadDepth, HeadRGB, HeadSemantic, HumanoidDetector, RangeScan,
                                  SensorSuite, default_sensors)

    world, robot = robot_in_home(0)
    world.step(2)
    suite = SensorSuite(robot, default_sensors(128, 128))
    suite.observation_space(world)
    out: dict[str, float] = {}

    def us(fn, number=200):
        return median_seconds(fn, repeats=repeats, number=number) * 1e6

    def ms(fn, number=10):
        return median_seconds(fn, repeats=repeats, number=number) * 1e3

    out["state_sensors_together_us"] = us(lambda: suite.read(world, STATE_SENSORS))
    scan = SensorSuite(robot, [RangeScan(num_rays=64)])
    out["range_scan_64_rays_us"] = us(lambda: scan.read(world))
    depth = SensorSuite(robot, [HeadDepth(128, 128)])
    out["head_depth_128_fast_ms"] = ms(lambda: depth.read(world))
    rgb = SensorSuite(robot, [HeadRGB(128, 128)])
    out["head_rgb_128_fast_ms"] = ms(lambda: rgb.read(world))
    semantic = SensorSuite(robot, [HeadSemantic(128, 128)])
    out["head_semantic_128_fast_ms"] = ms(lambda: semantic.read(world))
    detector = SensorSuite(robot, [HumanoidDetector(128, 128, "head", "humanoid_detector")])
    out["humanoid_detector_128_ms"] = ms(lambda: detector.read(world))
    out["all_sensors_128_ms"] = ms(lambda: suite.read(world), number=3)

    sign = [1.0]

    def ee_command():   # 1 cm back and forth: a full IK solve each call
        sign[0] = -sign[0]
        robot.command_ee(world, [0.0, 0.0, 0.01 * sign[0]])

    out["arm_ee_command_ik_us"] = us(ee_command, number=50)
    robot.command_base(0.0, 0.0)
    snap = world.snapshot()
    steps = 60
    step_s = median_seconds(lambda: world.step(steps), repeats=5) / steps
    world.restore(snap)
    out["control_step_robot_humanoid_ms"] = step_s * 1e3
    out["control_steps_per_s_robot_humanoid"] = 1.0 / step_s
    for s in (suite, scan, depth, rgb, semantic, detector):
        s.close()
    out["targets_met"] = float(out["state_sensors_together_us"] <= 50
                               and out["range_scan_64_rays_us"] <= 200
                               and out["head_depth_128_fast_ms"] <= 8)
    return out
