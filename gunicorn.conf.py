"""gunicorn settings for `make run` and the benchmarks.

Sync workers, one process per core: the durable_rules engine is not thread-safe (adjudication/engine.py),
so the service scales with processes. Each worker builds its own rule engine after the fork.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 30
keepalive = 5
# the access log carries the path without the query string: no kpj/nik search terms in logs
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
