"""Sections: `albums.sections`, an album's parts as the owner sent them (a JSON list of titles
and photo ids; see albumen_server.sections).

Revision ID: 0013
Revises: 0012

Nullable, added in place: the albums already there have none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("albums", sa.Column("sections", sa.Text, nullable=True))


def downgrade() -> None:
    # In place, as 0003 explains: a batch rebuild of `albums` is not worth its risk.
    op.drop_column("albums", "sections")
