"""Proofing: `links.allow_picks`, the viewers' picks and their photos, drafts of picks made
without JavaScript, and the rate limit's events.

Revision ID: 0005
Revises: 0004

`allow_picks` is added in place (ALTER TABLE ... ADD COLUMN on both databases, a server default
for the rows already there) rather than in batch mode, which on SQLite could rebuild `links`.
A pick's photos are rows of `pick_photos`, not a JSON list: deleting a photo, or its album,
takes it out of every pick by the foreign keys' cascade.
"""

import sqlalchemy as sa
from alembic import op

from albumen_server.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "links",
        sa.Column("allow_picks", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "picks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "link_id",
            sa.String(36),
            sa.ForeignKey("links.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "album_id",
            sa.String(36),
            sa.ForeignKey("albums.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("submitted_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_picks_link_id", "picks", ["link_id"])
    op.create_index("ix_picks_album_id", "picks", ["album_id"])
    op.create_table(
        "pick_photos",
        sa.Column(
            "pick_id",
            sa.String(36),
            sa.ForeignKey("picks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "photo_id",
            sa.String(36),
            sa.ForeignKey("photos.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("pick_id", "photo_id"),
    )
    op.create_index("ix_pick_photos_photo_id", "pick_photos", ["photo_id"])
    op.create_table(
        "pick_drafts",
        sa.Column("draft_id", sa.String(36), nullable=False),
        sa.Column(
            "photo_id",
            sa.String(36),
            sa.ForeignKey("photos.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "link_id",
            sa.String(36),
            sa.ForeignKey("links.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("draft_id", "photo_id"),
    )
    op.create_index("ix_pick_drafts_photo_id", "pick_drafts", ["photo_id"])
    op.create_index("ix_pick_drafts_added_at", "pick_drafts", ["added_at"])
    op.create_table(
        "rate_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("link_id", sa.String(36), nullable=False),
        sa.Column("client", sa.String(100), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index(
        "ix_rate_events_kind_link_client", "rate_events", ["kind", "link_id", "client", "at"]
    )


def downgrade() -> None:
    for table in ("rate_events", "pick_drafts", "pick_photos", "picks"):
        op.drop_table(table)
    # In place, as 0003 explains: a batch rebuild of `links` is not worth its risk.
    op.drop_column("links", "allow_picks")
