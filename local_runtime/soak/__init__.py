"""`make soak`: the platform left running under light load, its processes' memory watched.

It starts the runner as `make run` does (fast driver timings), submits a few short jobs a minute
across profiles, tenants and priorities, samples the resident memory of the runner (emulator and
EMR driver) and of each service process every `--sample-seconds`, and writes
`.run/soak/report.json`: per process the memory at the first sample after the warm-up, at the
end, and the slope (MB per minute, least squares over the samples after the warm-up), and the
items the event-store tables hold. It fails (exit 1) when a service's slope is above
`--max-slope` MB/min, the runner's above `--max-runner-slope` (the emulator holds every stored
event and its stream record, so the runner grows with the data: the report gives its growth per
item stored), or when a service died.
"""
