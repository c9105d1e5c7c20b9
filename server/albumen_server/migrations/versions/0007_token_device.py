"""Which device holds an owner token: `api_tokens.device`, the computer's name the app sends
when it pairs (or `token create --device`), so an administrator can revoke one lost laptop and
leave the owner's other computers paired.

Revision ID: 0007
Revises: 0006

Nullable: tokens made before, and by scripts that name nothing, have none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("device", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("device")
