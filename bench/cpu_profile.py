"""Run a module under cProfile timed by the process's CPU clock, not the wall clock.

bench/profile pins every service to one CPU: with the wall clock, a socket write that wakes the
peer (which then runs first) is charged the peer's time, and so is every preemption. The CPU clock
charges each function only what this process spent in it.

    python bench/cpu_profile.py OUT.prof services.fuel_logs
"""

import cProfile
import os
import runpy
import sys
import time

if __name__ == "__main__":
    out, module = sys.argv[1], sys.argv[2]
    sys.argv = [module]
    sys.path[0] = os.getcwd()  # as `python -m` would: the services import from the repository root
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        profiler.disable()
        profiler.dump_stats(out)
