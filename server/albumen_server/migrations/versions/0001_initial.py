"""Initial schema: owners, tokens, albums, photos, links, uploads, unlock failures, secrets.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from albumen_server.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "owners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "owner_id", sa.Integer, sa.ForeignKey("owners.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "albums",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "owner_id", sa.Integer, sa.ForeignKey("owners.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_albums_owner_id", "albums", ["owner_id"])
    op.create_table(
        "photos",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "album_id",
            sa.String(36),
            sa.ForeignKey("albums.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "owner_id", sa.Integer, sa.ForeignKey("owners.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("content_type", sa.String(100), nullable=True),
        sa.Column("width", sa.Integer, nullable=True),
        sa.Column("height", sa.Integer, nullable=True),
        sa.Column("taken_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_photos_album", "photos", ["album_id", "taken_at"])
    op.create_index("ix_photos_owner_sha", "photos", ["owner_id", "sha256"])
    op.create_index("ix_photos_sha", "photos", ["sha256"])
    op.create_table(
        "links",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "owner_id", sa.Integer, sa.ForeignKey("owners.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "album_id",
            sa.String(36),
            sa.ForeignKey("albums.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("token", sa.String(200), nullable=False, unique=True),
        sa.Column("label", sa.String(500), nullable=True),
        sa.Column("password_hash", sa.String(500), nullable=True),
        sa.Column("expires_at", UTCDateTime, nullable=True),
        sa.Column("download", sa.String(20), nullable=False),
        sa.Column("show_metadata", sa.Boolean, nullable=False),
        sa.Column("show_location", sa.Boolean, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.Column("view_count", sa.Integer, nullable=False),
        sa.Column("last_viewed_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_links_owner_id", "links", ["owner_id"])
    op.create_index("ix_links_album_id", "links", ["album_id"])
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "owner_id", sa.Integer, sa.ForeignKey("owners.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "album_id",
            sa.String(36),
            sa.ForeignKey("albums.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("photo_id", sa.String(36), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=True),
        sa.Column("length", sa.BigInteger, nullable=False),
        sa.Column("metadata_header", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("completed_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "unlock_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("link_id", sa.String(36), nullable=False),
        sa.Column("client", sa.String(100), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index(
        "ix_unlock_failures_link_client", "unlock_failures", ["link_id", "client", "at"]
    )
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "server_secrets",
        "unlock_failures",
        "uploads",
        "links",
        "photos",
        "albums",
        "api_tokens",
        "owners",
    ):
        op.drop_table(table)
