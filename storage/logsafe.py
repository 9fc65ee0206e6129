"""What the log may hold: update ids, kinds, internal user ids, exception types and where they were raised;
never what a woman wrote, her name or her id on a platform.

Exception messages are where values slip in unseen: `int('<her text>')`, a PostgreSQL error's
`DETAIL: Key (external_id)=(<her id>)`, asyncpg's `invalid input for query argument $1: '<value>'`, Telegram's
`can't parse entities` quoting the message. So a traceback is logged with its frames and exception types only.
"""

from __future__ import annotations

import functools
import logging
import sys
from types import TracebackType
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# At DEBUG these write every statement with its values (aiosqlite) or every result row (SQLAlchemy's engine).
QUIET = ("aiosqlite", "sqlalchemy.engine")
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class Withheld(Exception):
    """Stands in for an exception in the log: the same type name, frames and chain, without its message."""


@functools.cache
def _stand_in(kind: type[BaseException]) -> type[Withheld]:
    # Named like the original, so the traceback reads `sqlalchemy.exc.IntegrityError`, not `Withheld`.
    return type(kind.__name__, (Withheld,), {"__module__": kind.__module__, "__qualname__": kind.__qualname__})


def _hint(error: BaseException) -> str:
    """What a database error may say safely: its SQLSTATE and the constraint's name, both from the schema."""
    labels = {"sqlstate": "SQLSTATE", "constraint_name": "constraint"}
    parts = [
        f"{label} {value}"
        for name, label in labels.items()
        if isinstance(value := getattr(error, name, None), str) and value
    ]
    return ", ".join(parts)


def withheld(error: BaseException | None = None, _seen: dict[int, Withheld] | None = None) -> BaseException | None:
    """For `exc_info=`: the exception (by default the one being handled) and everything chained to it, with
    every message dropped."""
    error = sys.exception() if error is None else error
    if error is None or isinstance(error, Withheld):
        return error
    seen = {} if _seen is None else _seen
    if id(error) in seen:
        return seen[id(error)]
    hint = _hint(error)
    stand_in = _stand_in(type(error))(*([hint] if hint else []))
    seen[id(error)] = stand_in
    stand_in.__traceback__ = error.__traceback__
    stand_in.__suppress_context__ = error.__suppress_context__
    if error.__cause__ is not None:
        stand_in.__cause__ = withheld(error.__cause__, seen)
    if error.__context__ is not None:
        stand_in.__context__ = withheld(error.__context__, seen)
    return stand_in


class Formatter(logging.Formatter):
    """Tracebacks without messages, also for what libraries log (asyncio's "Task exception was never retrieved",
    the connection pool's errors), whose exceptions this code never sees."""

    def formatException(self, ei: ExcInfo) -> str:
        _, value, tb = ei
        if value is None:
            return super().formatException(ei)
        stand_in = withheld(value) or value
        return super().formatException((type(stand_in), stand_in, tb))

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the record's traceback with its messages: format it afresh.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


def _uncaught(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    logging.getLogger("bot").critical("stopped by an unexpected error", exc_info=withheld(error))


def configure(level: int | str, stream: TextIO | None = None) -> logging.Handler:
    """The process's logging: one handler on the root logger, at `level`; returns the handler. An error nothing
    caught goes to the log the same way, instead of Python printing it with its message."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(Formatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    sys.excepthook = _uncaught
    return handler
