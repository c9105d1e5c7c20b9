"""Where each photo was taken: latitude, longitude and the place name resolved from them.

Revision ID: 0002
Revises: 0001

Nullable, because most photos carry no GPS and photos uploaded before this revision were never
looked at; nothing is backfilled here (a migration has no access to the blob store).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("latitude", sa.Float, nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float, nullable=True))
        batch.add_column(sa.Column("place", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("place")
        batch.drop_column("longitude")
        batch.drop_column("latitude")
