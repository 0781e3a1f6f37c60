"""`make demo`: a mixed workload through a running platform (or one it starts), followed until
every job has ended, then summarized. Importable for end-to-end tests:

    report = run_demo(Apis(Settings.resolve(os.environ)), DemoOptions(jobs=20, bursts=2))
    assert report.ok
"""

from cli.demo.report import DemoReport, format_report
from cli.demo.runner import DemoOptions, run_demo
from cli.demo.workload import plan_workload, step_parameters

__all__ = [
    "DemoOptions",
    "DemoReport",
    "format_report",
    "plan_workload",
    "run_demo",
    "step_parameters",
]
