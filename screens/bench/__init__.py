"""`wmconsole bench ui` and `bench dashboard`: the console's speed for a person,
measured headless (measure.py starts and reads the console under test, drive.py
is that console)."""

from screens.bench.measure import run_dashboard_benchmark, run_ui_benchmark

__all__ = ["run_dashboard_benchmark", "run_ui_benchmark"]
