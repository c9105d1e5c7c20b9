"""The owner's order of an album's photos and its cover: `photos.position`, `albums.cover_photo_id`.

Revision ID: 0003
Revises: 0002

Both nullable: photos without a position keep the order they had before (by capture time), and
an album without a cover shows its first photo. `cover_photo_id` carries no foreign key, so
SQLite adds it in place rather than rebuilding `albums` (which photos and links point at).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("position", sa.Integer, nullable=True))
    with op.batch_alter_table("albums") as batch:
        batch.add_column(sa.Column("cover_photo_id", sa.String(36), nullable=True))


def downgrade() -> None:
    # Not in batch mode: on SQLite that rebuilds `albums`, and dropping the old table with
    # foreign keys on would delete every photo and link with it. SQLite 3.35+ drops in place.
    op.drop_column("albums", "cover_photo_id")
    op.drop_column("photos", "position")
