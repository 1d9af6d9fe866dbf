"""The canary: ``osops smoke --every 5m`` on one cloud or many, and its
Prometheus metrics.  No cliff in here.

Files: ``loop`` (rounds on a schedule, stopping cleanly on SIGTERM and
SIGINT), ``rounds`` (one round: each cloud's run, concurrently, with
the cleanup a run left retried first), ``metrics`` (prometheus_client:
the textfile collector's file and the /metrics endpoint), ``matrix``
(the cloud x step table), ``listen`` (the --metrics-listen address).
"""
