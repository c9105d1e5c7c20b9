"""What a link's viewers took: `links.download_count` and `links.last_downloaded_at`, beside
its views (see link_activity).

Revision ID: 0012
Revises: 0011

Added in place, with 0 for the links already there: their downloads were never counted.
"""

import sqlalchemy as sa
from alembic import op

from albumen_server.models import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "links", sa.Column("download_count", sa.Integer, nullable=False, server_default="0")
    )
    op.add_column("links", sa.Column("last_downloaded_at", UTCDateTime, nullable=True))


def downgrade() -> None:
    # In place, as 0003 explains: a batch rebuild of `links` is not worth its risk.
    op.drop_column("links", "last_downloaded_at")
    op.drop_column("links", "download_count")
