"""embodied: humanoids and robots sharing procedural homes in MuJoCo."""
__version__ = "0.1.0"
