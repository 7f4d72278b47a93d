"""Kinematic humanoid avatars: diverse bodies, planted-foot walking, IK reaching, behaviours."""
