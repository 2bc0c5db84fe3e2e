"""End-to-end jobs composed from the layers below (the main demo job)."""

from explicable.jobs.demo import DemoResult, Factor, run_demo

__all__ = ["DemoResult", "Factor", "run_demo"]
