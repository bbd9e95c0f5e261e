"""Demo data for one-machine trials: a generated Pirkanmaa population."""

from kohtaanto.demo.seed import DEMO_PASSWORD, DEMO_USERS, DemoReport, seed_demo

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoReport", "seed_demo"]
