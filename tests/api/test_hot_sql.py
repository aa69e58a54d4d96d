"""Canaries for the private SQLAlchemy API that api.hot_sql runs the claims hot path on.

``hot_sql`` reads a selected column's ``TypeEngine._type_affinity`` to choose how a row's value is read, and hands a
DBAPI error to ``Connection._handle_dbapi_exception`` so it comes back wrapped as SQLAlchemy wraps it (an
``OperationalError`` that answers 503, an ``IntegrityError``) and a dropped connection is invalidated. If an
upgrade of the pinned SQLAlchemy renames or changes either, these tests say which.
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import JSON, Boolean, Connection, Date, Integer, String, bindparam, exc, select, text

from api import hot_sql
from api.db import session_scope
from api.models import Participant


def test_canary_type_affinity_names_the_generic_types_hot_sql_reads_by() -> None:
    for column, affinity in ((Participant.birth_date, Date), (Participant.programs, JSON), (Participant.kpj, String)):
        assert column.type._type_affinity is affinity
    assert Boolean()._type_affinity is Boolean and Integer()._type_affinity is Integer


def test_canary_a_dbapi_error_comes_back_wrapped_by_sqlalchemy(app: Flask) -> None:
    assert callable(Connection._handle_dbapi_exception)
    with pytest.raises(exc.DBAPIError) as raised, session_scope(app) as session:
        hot_sql.Statement(text("SELECT missing FROM no_such_table")).rows(session, {})
    assert isinstance(raised.value, exc.ProgrammingError | exc.OperationalError)  # SQLite / PostgreSQL
    assert "no_such_table" in str(raised.value)


def test_rows_are_read_in_the_stored_form_whatever_the_driver(app: Flask) -> None:
    # what _type_affinity selects: a Date column as ISO text, a JSON column parsed (SQLite gives text for both)
    statement = hot_sql.Statement(select(Participant.birth_date, Participant.programs)
                                  .where(Participant.kpj == bindparam("kpj")))
    with session_scope(app) as session:
        session.add(Participant(kpj="12345678901", nik="3201010101900001", name="Canary",
                                birth_date=dt.date(1990, 1, 1), segment="BPU", category="informal",
                                programs=["JKK", "JKM"], membership_start=dt.date(2020, 1, 1), payer="self"))
        session.flush()
        assert statement.ready_rows(session, {"kpj": "12345678901"}) == [("1990-01-01", ["JKK", "JKM"])]
