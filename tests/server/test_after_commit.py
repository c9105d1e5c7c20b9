"""`Database.after_commit`: what a session's flushes show is handed over once it commits, and
never for a change rolled back. The background renderer and the watermark sweep start their
work from it; here it is held to its rule on real SQLite and real PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from albumen_server.database import Database, migrate
from albumen_server.models import Owner
from tests.postgres import PostgresCluster


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'albumen.db'}"
    else:
        cluster: PostgresCluster = request.getfixturevalue("postgres")
        url = cluster.create_database()
    database = Database(url)
    migrate(database.engine)
    yield database
    database.dispose()


def new_owner_names(session: Session) -> list[str]:
    return [row.name for row in session.new if isinstance(row, Owner)]


class Deliveries:
    """What `deliver` was handed, and what another session could read at that moment."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.handed: list[list[str]] = []
        self.visible: list[list[str]] = []

    def __call__(self, names: list[str]) -> None:
        self.handed.append(names)
        with self.db.session() as other:
            self.visible.append(
                list(other.scalars(select(Owner.name).where(Owner.name.in_(names))))
            )


def test_what_the_flushes_found_is_handed_over_once_committed_and_visible(db: Database) -> None:
    deliveries = Deliveries(db)
    db.after_commit(new_owner_names, deliveries)
    with db.session() as session:
        session.add(Owner(name="anna"))
        session.flush()
        assert deliveries.handed == [], "handed over before the commit"
        session.add(Owner(name="ben"))
        session.add(Owner(name="cleo"))
    # Every flush of the session, in one call, in the order found; the rows already visible
    # to any other session, which is what the work started from it relies on.
    assert deliveries.handed == [["anna", "ben", "cleo"]]
    assert sorted(deliveries.visible[0]) == ["anna", "ben", "cleo"]


def test_a_rolled_back_change_is_never_handed_over(db: Database) -> None:
    deliveries = Deliveries(db)
    db.after_commit(new_owner_names, deliveries)
    with pytest.raises(RuntimeError), db.session() as session:
        session.add(Owner(name="ghost"))
        session.flush()
        raise RuntimeError("the request failed after its flush")
    assert deliveries.handed == []
    # One session for two transactions (each request of the server takes a session of its
    # own, but a session may live on): what its rolled-back flush found must not ride on its
    # next commit.
    with db._sessions() as session:
        with session.begin():
            session.add(Owner(name="ghost"))
            session.flush()
            session.rollback()
        with session.begin():
            session.add(Owner(name="dora"))
    assert deliveries.handed == [["dora"]], "the rolled-back row reached a later commit"


def test_a_commit_with_nothing_found_hands_nothing(db: Database) -> None:
    deliveries = Deliveries(db)
    db.after_commit(new_owner_names, deliveries)
    with db.session() as session:
        session.add(Owner(name="erik"))
    with db.session() as session:
        owner = session.scalars(select(Owner).where(Owner.name == "erik")).one()
        owner.name = "erik b"  # a change, but not what the listener looks for
    assert deliveries.handed == [["erik"]]


def test_each_listener_gets_its_own_findings(db: Database) -> None:
    new_names = Deliveries(db)
    renamed: list[list[str]] = []
    db.after_commit(new_owner_names, new_names)
    db.after_commit(
        lambda session: [row.name for row in session.dirty if isinstance(row, Owner)],
        renamed.append,
    )
    with db.session() as session:
        session.add(Owner(name="fay"))
    with db.session() as session:
        owner = session.scalars(select(Owner).where(Owner.name == "fay")).one()
        owner.name = "fay g"
    assert new_names.handed == [["fay"]]
    assert renamed == [["fay g"]]
