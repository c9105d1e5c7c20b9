"""Storage quotas: `owners.quota_bytes`, the room an administrator gives an owner's originals
(`albumen-server owners quota`).

Revision ID: 0009
Revises: 0008

Nullable: no quota (the owners already there have none, as before).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("owners", sa.Column("quota_bytes", sa.BigInteger, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("owners") as batch:
        batch.drop_column("quota_bytes")
