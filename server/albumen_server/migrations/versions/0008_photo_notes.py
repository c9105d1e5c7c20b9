"""Proofing: a viewer's note on one photo of their picks ("a bit tighter, please"), as the
proofing services' "notes on favourites": `pick_photos.note` for a list sent, and
`pick_drafts.note` for a list kept on the server for a viewer without JavaScript.

Revision ID: 0008
Revises: 0007

Nullable, added in place as 0005's columns were: the rows already there have no note.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pick_photos", sa.Column("note", sa.Text, nullable=True))
    op.add_column("pick_drafts", sa.Column("note", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pick_drafts") as batch:
        batch.drop_column("note")
    with op.batch_alter_table("pick_photos") as batch:
        batch.drop_column("note")
