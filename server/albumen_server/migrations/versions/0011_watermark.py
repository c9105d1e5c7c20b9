"""Watermarked links: `links.watermark`, a line of text drawn over every picture the link shows
(proofs a client chooses from before anything is paid for).

Revision ID: 0011
Revises: 0010

Nullable, added in place: the links already there have none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("links", sa.Column("watermark", sa.String(200), nullable=True))


def downgrade() -> None:
    # In place, as 0003 explains: a batch rebuild of `links` is not worth its risk.
    op.drop_column("links", "watermark")
