"""`make chaos`: a mixed workload while processes die, AWS fails and deliveries misbehave; then
an audit from the stores and AWS's own state that no job was lost or run twice.

The parts that run inside the platform are switched off unless a chaos run turns them on:
`throttle.Throttler` (WSGI middleware in front of the emulator: throttling answers on a share of
PutEvents and DynamoDB calls, switched at run time over `/local-chaos/`) and
`delivery.DeliveryChaos` (in each service's SQS poller: duplicated, delayed and reordered
deliveries, from CHAOS_DELIVERY). The harness (`python -m local_runtime.chaos`) starts the
runner, drives the workload and the faults (`faults.py`), and audits (`audit.py`).
"""
