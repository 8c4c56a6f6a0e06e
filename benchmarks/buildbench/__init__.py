"""The build benchmark (``benchmarks/bench_build.py``, ``make bench``), in small modules.

- ``measure``: run one process, time it, sample the memory of its tree with psutil;
- ``workloads``: the generated projects and the naive-WeasyPrint and Typst inputs;
- ``children``: what the measured child processes run (naive call, Typst, watch, profile);
- ``steps``: the steps of a workload, each repeated, and the benchmark that runs them;
- ``targets``: the targets of issue 11, each met or not met;
- ``report``: the machine, the tables, RESULTS.md.
"""
