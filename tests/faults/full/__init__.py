"""Fault scenarios on one shared full network (conftest.py)."""

HOSTS = ("p1", "p2", "p3", "p4", "p5")  # its participants, all honest
