"""Proofing: `links.pick_limit`, how many photos a viewer may pick through the link (the photos
the photographer's package includes: "choose your 30 for the album").

Revision ID: 0010
Revises: 0009

Nullable, added in place: the links already there have no limit.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("links", sa.Column("pick_limit", sa.Integer, nullable=True))


def downgrade() -> None:
    # In place, as 0003 explains: a batch rebuild of `links` is not worth its risk.
    op.drop_column("links", "pick_limit")
