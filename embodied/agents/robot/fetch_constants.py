"""Names and figures of the ``fetch`` embodiment (a Fetch-like wheeled mobile manipulator)."""

from embodied.agents.robot.embodiment import EmbodimentConstants

ARM_JOINTS = ("shoulder_pan", "shoulder_lift", "upperarm_roll", "elbow_flex",
              "forearm_roll", "wrist_flex", "wrist_roll")

FETCH = EmbodimentConstants(
    name="fetch",
    base_body="base",
    base_joints=("base_x", "base_y", "base_yaw"),
    base_actuators=("base_forward_vel", "base_lateral_vel", "base_yaw_vel"),
    base_radius=0.28,
    torso_joint="torso_lift",
    torso_actuator="torso_lift_pos",
    arm_joints=ARM_JOINTS,
    arm_actuators=tuple(f"{j}_pos" for j in ARM_JOINTS),
    # Fetch's tuck: the arm folded against the torso, inside the base footprint.
    arm_stow=(1.32, 1.40, -0.2, 1.72, 0.0, 1.66, 0.0),
    finger_joints=("left_finger", "right_finger"),
    finger_actuators=("left_finger_pos", "right_finger_pos"),
    finger_open=0.05,
    finger_closed=0.0,
    finger_pads=("left_pad", "right_pad"),
    head_joints=("head_pan", "head_tilt"),
    head_actuators=("head_pan_pos", "head_tilt_pos"),
    hand_body="wrist_roll_link",
    grasp_site="grasp",
    scan_site="laser",
    head_camera="head_camera",
    arm_camera="arm_camera",
)
