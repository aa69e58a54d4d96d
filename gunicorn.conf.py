"""gunicorn settings for `make run` and the benchmarks.

Sync workers, one process per core: the durable_rules engine is not thread-safe (adjudication/engine.py),
so the service scales with processes. Each worker builds its own rule engine after the fork. The replay consumer
(impact-analysis jobs) runs beside them, started and stopped with the master.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import subprocess
import sys

from gunicorn.glogging import Logger

from api.request_log import JsonLines

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 30
keepalive = 5
# the service logs one JSON access line per request itself (api/request_log.py: route, never path or query string);
# gunicorn's access log would be a second, plain-text line for the same request
accesslog = None
errorlog = "-"
# requests gunicorn refuses before the app sees them: a longer request line (414), a longer header or more headers
# (431)
limit_request_line = 4094
limit_request_field_size = 8190
limit_request_fields = 100
# gunicorn's runtime control socket (gunicornc) is not used; its one default path per user would be shared, and
# fought over, by every gunicorn on the machine (the service, the benchmarks, the tests)
control_socket_disable = True


class JsonLogger(Logger):
    """gunicorn's own lines (boot, workers, timeouts) as the same JSON lines the service writes."""

    def setup(self, cfg):  # type: ignore[no-untyped-def]
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonLines())


logger_class = JsonLogger

# The impact-analysis consumer (python -m api.replay_queue: huey, REPLAY_WORKERS worker processes) starts and stops
# with the gunicorn master, so `make run` is one command. REPLAY_CONSUMER=0 when it runs elsewhere (its own service).
_consumer: subprocess.Popen[bytes] | None = None


def _stop_with_parent() -> None:
    # Linux: the consumer gets SIGTERM if the master dies without calling on_exit (e.g. SIGKILL)
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def on_starting(server: object) -> None:
    global _consumer
    if os.environ.get("REPLAY_CONSUMER", "1") != "0":
        _consumer = subprocess.Popen([sys.executable, "-m", "api.replay_queue"],
                                     cwd=os.path.dirname(os.path.abspath(__file__)), preexec_fn=_stop_with_parent)


def on_exit(server: object) -> None:
    if _consumer is not None and _consumer.poll() is None:
        # huey stops at once on SIGTERM; a chunk in flight is claimed again when the consumer next starts
        _consumer.terminate()
        _consumer.wait(timeout=30)
