"""One-time pairing codes: `albumen-server invite` makes one, the app trades it for a token.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from albumen_server.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pairing_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("owner_name", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("used_at", UTCDateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("pairing_codes")
