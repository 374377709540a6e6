"""Counting the SQL statements Tortoise sends, for the N+1 tests and the benchmarks. Tortoise
logs every statement at DEBUG on `tortoise.db_client`; BEGIN/COMMIT are not logged."""

from __future__ import annotations

import contextlib
import logging


class QueryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.queries: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "%s: %s":
            self.queries.append(str(record.args[0]))
        elif not record.args and isinstance(record.msg, str) and not record.msg.startswith(
                ("Created connection", "Closed connection")):
            self.queries.append(record.msg)

    @property
    def count(self) -> int:
        return len(self.queries)


@contextlib.contextmanager
def count_queries():
    """Every statement sent while inside (process-wide: other tasks' queries count too)."""
    logger = logging.getLogger("tortoise.db_client")
    handler = QueryCounter()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
