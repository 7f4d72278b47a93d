"""Names and figures of the ``spot`` embodiment (a Spot-like legged base with an arm)."""

from embodied.agents.robot.embodiment import EmbodimentConstants

ARM_JOINTS = ("arm_sh0", "arm_sh1", "arm_el0", "arm_el1", "arm_wr0", "arm_wr1")

SPOT = EmbodimentConstants(
    name="spot",
    base_body="body",
    base_joints=("base_x", "base_y", "base_yaw"),
    base_actuators=("base_forward_vel", "base_lateral_vel", "base_yaw_vel"),
    base_radius=0.58,            # circumscribed radius of the 1.1 m x 0.5 m footprint
    torso_joint=None,
    torso_actuator=None,
    arm_joints=ARM_JOINTS,
    arm_actuators=tuple(f"{j}_pos" for j in ARM_JOINTS),
    # Spot's stow: upper arm folded back along the body, forearm lying on it.
    arm_stow=(0.0, -3.1, 3.1, 0.0, 0.0, 0.0),
    finger_joints=("left_finger", "right_finger"),
    finger_actuators=("left_finger_pos", "right_finger_pos"),
    finger_open=0.05,
    finger_closed=0.0,
    finger_pads=("left_pad", "right_pad"),
    head_joints=(),
    head_actuators=(),
    hand_body="arm_wr1_link",
    grasp_site="grasp",
    scan_site="laser",
    head_camera="front_camera",
    arm_camera="hand_camera",
)
