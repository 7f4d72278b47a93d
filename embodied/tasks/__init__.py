"""Task logic (episode sampling, observations, reward terms, termination, metrics).

Tasks hold no physics code: they read named quantities from a World and its entities.
"""
