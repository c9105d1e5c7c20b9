"""Arriving photos: `photos.preview_sha256`, the web-size preview a photo is seen from until its
original lands (the Instant gallery).

Revision ID: 0006
Revises: 0004 (re-chained to 0005, the picks, when both branches meet)

Nullable, and NULL for every photo made before: they are complete. Added in place (no foreign
key), with an index for the "is this blob still used?" check when a photo goes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
# TODO(merge): "0005" (picks) is written in parallel; the lead re-chains this to it at merge.
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("preview_sha256", sa.String(64), nullable=True))
    op.create_index("ix_photos_preview_sha", "photos", ["preview_sha256"])


def downgrade() -> None:
    op.drop_index("ix_photos_preview_sha", table_name="photos")
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("preview_sha256")
