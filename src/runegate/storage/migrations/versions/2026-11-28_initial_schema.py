"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 03:00:45.845131
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _folded(length: int) -> sa.types.TypeEngine[str]:
    """Compared byte by byte ("C" collation on PostgreSQL): the lower-cased copies, and
    the organizations' materialized paths."""
    return sa.String(length=length).with_variant(
        sa.String(length=length, collation="C"), "postgresql"
    )


# resource_count: users per organization, kept by triggers on user_account so that an
# unfiltered list knows totalResults without counting every row. PostgreSQL: one
# statement-level trigger per INSERT/DELETE statement (a COPY of 50,000 rows updates
# the counter once); SQLite: row triggers (one writer at a time anyway).
PG_COUNT_TRIGGERS = [
    """CREATE FUNCTION runegate_count_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO resource_count (org_id, kind, total)
      SELECT org_id, 'User', count(*) FROM counted_rows GROUP BY org_id
      ON CONFLICT (org_id, kind) DO UPDATE SET total = resource_count.total + EXCLUDED.total;
  ELSE
    UPDATE resource_count SET total = resource_count.total - gone.n
      FROM (SELECT org_id, count(*) AS n FROM counted_rows GROUP BY org_id) AS gone
      WHERE resource_count.org_id = gone.org_id AND resource_count.kind = 'User';
  END IF;
  RETURN NULL;
END $$""",
    """CREATE TRIGGER user_account_counted_insert AFTER INSERT ON user_account
  REFERENCING NEW TABLE AS counted_rows FOR EACH STATEMENT
  EXECUTE FUNCTION runegate_count_users()""",
    """CREATE TRIGGER user_account_counted_delete AFTER DELETE ON user_account
  REFERENCING OLD TABLE AS counted_rows FOR EACH STATEMENT
  EXECUTE FUNCTION runegate_count_users()""",
]
SQLITE_COUNT_TRIGGERS = [
    """CREATE TRIGGER user_account_counted_insert AFTER INSERT ON user_account BEGIN
  INSERT INTO resource_count (org_id, kind, total) VALUES (NEW.org_id, 'User', 1)
    ON CONFLICT (org_id, kind) DO UPDATE SET total = total + 1;
END""",
    """CREATE TRIGGER user_account_counted_delete AFTER DELETE ON user_account BEGIN
  UPDATE resource_count SET total = total - 1 WHERE org_id = OLD.org_id AND kind = 'User';
END""",
]


def _count_triggers() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in PG_COUNT_TRIGGERS if postgresql else SQLITE_COUNT_TRIGGERS:
        op.execute(statement)


def _drop_count_triggers() -> None:
    for trigger in ("user_account_counted_insert", "user_account_counted_delete"):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON user_account")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS runegate_count_users()")


def upgrade() -> None:
    op.create_table(
        "api_resource",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("identifier", sa.String(length=512), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("requires_authorization", sa.Boolean(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_resource")),
        sa.UniqueConstraint("org_id", "identifier", name=op.f("uq_api_resource_org_id_identifier")),
    )
    with op.batch_alter_table("api_resource", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_resource_org_id"), ["org_id"], unique=False)

    op.create_table(
        "application",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("template_id", sa.String(length=64), nullable=True),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret_hash", sa.String(length=128), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("secret_generation", sa.Integer(), nullable=False),
        sa.Column("public_client", sa.Boolean(), nullable=False),
        sa.Column("oidc", sa.JSON(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
        sa.UniqueConstraint("org_id", "client_id", name=op.f("uq_application_org_id_client_id")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_application_org_id_name")),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_org_id"), ["org_id"], unique=False)

    op.create_table(
        "change_version",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_version")),
    )
    op.create_table(
        "issued_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("grant_id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("secret_generation", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("acting_org_id", sa.String(length=36), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("auth_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sid", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_issued_token")),
    )
    with op.batch_alter_table("issued_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_issued_token_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_issued_token_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_issued_token_grant_id"), ["grant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_issued_token_jti"), ["jti"], unique=False)
        batch_op.create_index(batch_op.f("ix_issued_token_org_id"), ["org_id"], unique=False)
        # Only tokens issued through a browser session carry a `sid`: a partial index, so
        # the client_credentials tokens of the hot path add no entry to it.
        batch_op.create_index(
            "ix_issued_token_sid",
            ["sid"],
            unique=False,
            sqlite_where=sa.text("sid IS NOT NULL"),
            postgresql_where=sa.text("sid IS NOT NULL"),
        )

    op.create_table(
        "organization",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("handle", sa.String(length=63), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("root_id", sa.String(length=36), nullable=False),
        # B2B (issue 11): materialized path and depth of the hierarchy, and the creator.
        # Byte order ("C" on PostgreSQL): ix_organization_path serves descendants as a range.
        sa.Column("path", _folded(1024), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        # --- issue 14: per-organization rate-limit overrides (ratelimit/) ---
        sa.Column("rate_limits", sa.JSON(), nullable=False),
        # --- end issue 14 ---
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organization.id"],
            name=op.f("fk_organization_parent_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organization_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_organization_root_id"), ["root_id"], unique=False)
        batch_op.create_index(
            "uq_organization_root_name",
            ["name"],
            unique=True,
            sqlite_where=sa.text("parent_id IS NULL"),
            postgresql_where=sa.text("parent_id IS NULL"),
        )
        batch_op.create_index(
            "uq_organization_sub_name",
            ["root_id", "name"],
            unique=True,
            sqlite_where=sa.text("parent_id IS NOT NULL"),
            postgresql_where=sa.text("parent_id IS NOT NULL"),
        )
        # Descendants: the path prefix as a range (docs/benchmarks.md, "B2B organizations
        # at 10,000").
        batch_op.create_index("ix_organization_path", ["path"], unique=False)

    op.create_table(
        "revoked_jti",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_jti")),
    )
    with op.batch_alter_table("revoked_jti", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revoked_jti_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_revoked_jti_org_id"), ["org_id"], unique=False)

    op.create_table(
        "signing_key",
        sa.Column("kid", sa.String(length=128), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("alg", sa.String(length=16), nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_signing_key")),
    )
    with op.batch_alter_table("signing_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signing_key_org_id"), ["org_id"], unique=False)

    op.create_table(
        "used_assertion",
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("jti", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "client_id", "jti", name=op.f("pk_used_assertion")),
    )
    with op.batch_alter_table("used_assertion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_used_assertion_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "user_account",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("user_name", sa.String(length=255), nullable=False),
        sa.Column("user_name_ci", _folded(255), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("given_name", sa.String(length=255), nullable=True),
        sa.Column("family_name", sa.String(length=255), nullable=True),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("emails", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint(
            "org_id", "user_name_ci", name=op.f("uq_user_account_org_id_user_name_ci")
        ),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_account_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            "ix_user_account_name_order", ["org_id", "user_name_ci", "id"], unique=False
        )
        batch_op.create_index(
            "ix_user_account_created_order", ["org_id", "created_at", "id"], unique=False
        )
        for name in ("family", "given"):
            batch_op.create_index(
                f"ix_user_account_{name}_order",
                ["org_id", sa.text(f"lower({name}_name)"), "id"],
                unique=False,
                postgresql_include=[f"{name}_name"],
            )

    op.create_table(
        "user_email",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("value_ci", _folded(320), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=True),
        sa.Column("primary", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_email_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "position", name=op.f("pk_user_email")),
    )
    with op.batch_alter_table("user_email", schema=None) as batch_op:
        batch_op.create_index(
            "ix_user_email_value", ["org_id", "value_ci", "user_id"], unique=False
        )

    op.create_table(
        "user_group",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("display_name_ci", _folded(255), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_group")),
        sa.UniqueConstraint(
            "org_id", "display_name_ci", name=op.f("uq_user_group_org_id_display_name_ci")
        ),
    )
    with op.batch_alter_table("user_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_group_org_id"), ["org_id"], unique=False)

    op.create_table(
        "api_scope",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("api_resource_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_resource_id"],
            ["api_resource.id"],
            name=op.f("fk_api_scope_api_resource_id_api_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_scope")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_api_scope_org_id_name")),
    )
    with op.batch_alter_table("api_scope", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_scope_api_resource_id"), ["api_resource_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_api_scope_org_id"), ["org_id"], unique=False)

    op.create_table(
        "authorized_api",
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("api_resource_id", sa.String(length=36), nullable=False),
        sa.Column("policy_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_resource_id"],
            ["api_resource.id"],
            name=op.f("fk_authorized_api_api_resource_id_api_resource"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_authorized_api_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "application_id", "api_resource_id", name=op.f("pk_authorized_api")
        ),
    )
    with op.batch_alter_table("authorized_api", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authorized_api_api_resource_id"), ["api_resource_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_authorized_api_org_id"), ["org_id"], unique=False)

    op.create_table(
        "group_member",
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("display", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["user_group.id"],
            name=op.f("fk_group_member_group_id_user_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_group_member_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_group_member")),
    )
    with op.batch_alter_table("group_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_member_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "authorized_scope",
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("scope_id", sa.String(length=36), nullable=False),
        sa.Column("api_resource_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_resource_id"],
            ["api_resource.id"],
            name=op.f("fk_authorized_scope_api_resource_id_api_resource"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_authorized_scope_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scope_id"],
            ["api_scope.id"],
            name=op.f("fk_authorized_scope_scope_id_api_scope"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("application_id", "scope_id", name=op.f("pk_authorized_scope")),
    )
    with op.batch_alter_table("authorized_scope", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authorized_scope_api_resource_id"), ["api_resource_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_authorized_scope_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_authorized_scope_scope_id"), ["scope_id"], unique=False
        )
    # Roles (Asgardeo Roles v2): audience, scopes, users and groups.
    op.create_table(
        "role",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("display_name_ci", sa.String(length=255), nullable=False),
        sa.Column("audience_type", sa.String(length=16), nullable=False),
        sa.Column("audience_value", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
        sa.UniqueConstraint(
            "org_id",
            "audience_type",
            "audience_value",
            "display_name_ci",
            name=op.f("uq_role_org_id_audience_type_audience_value_display_name_ci"),
        ),
    )
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_role_audience_value"), ["audience_value"], unique=False
        )

    op.create_table(
        "role_scope",
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("role_id", sa.String(length=36), nullable=False),
        sa.Column("scope_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_role_scope_role_id_role"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["scope_id"],
            ["api_scope.id"],
            name=op.f("fk_role_scope_scope_id_api_scope"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("role_id", "scope_id", name=op.f("pk_role_scope")),
    )
    with op.batch_alter_table("role_scope", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_scope_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_scope_scope_id"), ["scope_id"], unique=False)

    op.create_table(
        "role_user",
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("role_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_role_user_role_id_role"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_role_user_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("role_id", "user_id", name=op.f("pk_role_user")),
    )
    with op.batch_alter_table("role_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_user_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_user_user_id"), ["user_id"], unique=False)

    op.create_table(
        "role_group",
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("role_id", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_role_group_role_id_role"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["user_group.id"],
            name=op.f("fk_role_group_group_id_user_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("role_id", "group_id", name=op.f("pk_role_group")),
    )
    with op.batch_alter_table("role_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_group_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_group_group_id"), ["group_id"], unique=False)

    op.create_table(
        "deployment_check",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_deployment_check")),
    )
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=998), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_outbox_org_id"), ["org_id"], unique=False)
        batch_op.create_index("ix_mail_outbox_due", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "account_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_account_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_account_token")),
    )
    with op.batch_alter_table("account_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_token_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_token_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_account_token_expires_at"), ["expires_at"], unique=False
        )

    # Sign-in: authorization codes, SSO sessions, remembered consents.
    op.create_table(
        "authorization_code",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("grant_id", sa.String(length=64), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=True),
        sa.Column("code_challenge_method", sa.String(length=8), nullable=True),
        sa.Column("sid", sa.String(length=64), nullable=True),
        sa.Column("auth_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        # Organization sign-in (fidp=OrganizationSSO): the sub-organization tokens act in.
        sa.Column("acting_org_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_authorization_code")),
    )
    with op.batch_alter_table("authorization_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authorization_code_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_authorization_code_org_id"), ["org_id"], unique=False)

    op.create_table(
        "sso_session",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("auth_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_sso_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_hash", name=op.f("pk_sso_session")),
    )
    with op.batch_alter_table("sso_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sso_session_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sso_session_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sso_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_consent",
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_user_consent_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_consent_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "application_id", name=op.f("pk_user_consent")),
    )
    with op.batch_alter_table("user_consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_consent_org_id"), ["org_id"], unique=False)

    # -- Back-channel logout (issue 9 item 2): logout tokens queued for delivery.
    op.create_table(
        "backchannel_logout",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=36), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=True),
        sa.Column("alg", sa.String(length=8), nullable=False),
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backchannel_logout")),
    )
    with op.batch_alter_table("backchannel_logout", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_backchannel_logout_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            "ix_backchannel_logout_due", ["status", "next_attempt_at"], unique=False
        )

    # App-native authentication (issue 10): flows started by response_mode=direct,
    # keyed by a keyed hash of the flow id, short-lived and single-use.
    op.create_table(
        "authn_flow",
        sa.Column("flow_hash", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("flow_hash", name=op.f("pk_authn_flow")),
    )
    with op.batch_alter_table("authn_flow", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authn_flow_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_authn_flow_org_id"), ["org_id"], unique=False)

    # The change counter polled by every worker starts at 0.
    op.bulk_insert(
        sa.table(
            "change_version", sa.column("name", sa.String), sa.column("version", sa.BigInteger)
        ),
        [{"name": "config", "version": 0}],
    )

    op.create_table(
        "resource_count",
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "kind", name=op.f("pk_resource_count")),
    )
    _count_triggers()
    op.create_table(
        "audit_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("actor_type", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=255), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=128), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("trace_id", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_event_org_id_created_at", ["org_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_event_created_at"), ["created_at"], unique=False)

    _b2b_upgrade()
    _myaccount_upgrade()
    _lockout_upgrade()


# --- B2B organizations (issue 11): hierarchy columns above, application sharing ---------
def _b2b_upgrade() -> None:
    op.create_table(
        "application_share",
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("shared_org_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_share_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shared_org_id"],
            ["organization.id"],
            name=op.f("fk_application_share_shared_org_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "application_id", "shared_org_id", name=op.f("pk_application_share")
        ),
    )
    with op.batch_alter_table("application_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_share_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_application_share_shared_org_id"), ["shared_org_id"], unique=False
        )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shared_with_all", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def _b2b_downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("shared_with_all")
    op.drop_table("application_share")


# --- My Account (issue 12): SSO session facts, TOTP and backup codes -------------------
def _myaccount_upgrade() -> None:
    # An app-native flow whose password step passed, waiting for the user's TOTP code.
    with op.batch_alter_table("authn_flow", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.String(length=36), nullable=True))
    with op.batch_alter_table("sso_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ip", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("user_agent", sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column("last_access_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "user_totp",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("enrolled", sa.Boolean(), nullable=False),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_totp_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_totp")),
    )
    with op.batch_alter_table("user_totp", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_totp_org_id"), ["org_id"], unique=False)
    op.create_table(
        "user_backup_code",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_backup_code_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_backup_code")),
    )
    with op.batch_alter_table("user_backup_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_backup_code_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_backup_code_user_id"), ["user_id"], unique=False)


def _myaccount_downgrade() -> None:
    with op.batch_alter_table("authn_flow", schema=None) as batch_op:
        batch_op.drop_column("user_id")
    op.drop_table("user_backup_code")
    op.drop_table("user_totp")
    with op.batch_alter_table("sso_session", schema=None) as batch_op:
        batch_op.drop_column("last_access_at")
        batch_op.drop_column("user_agent")
        batch_op.drop_column("ip")


# --- Brute-force protection (issue 9): failed sign-in counters and account locks, per
# organization and user, unknown user name or client IP (identity/lockout.py) ---------
def _lockout_upgrade() -> None:
    op.create_table(
        "sign_in_counter",
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lock_count", sa.Integer(), nullable=False),
        sa.Column("admin_locked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "kind", "subject", name=op.f("pk_sign_in_counter")),
    )
    with op.batch_alter_table("sign_in_counter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_counter_locked_until"), ["locked_until"], unique=False
        )


def _lockout_downgrade() -> None:
    with op.batch_alter_table("sign_in_counter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_counter_locked_until"))
    op.drop_table("sign_in_counter")


def downgrade() -> None:
    _lockout_downgrade()
    _myaccount_downgrade()
    _b2b_downgrade()
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_created_at"))
        batch_op.drop_index("ix_audit_event_org_id_created_at")
    op.drop_table("audit_event")
    _drop_count_triggers()
    op.drop_table("resource_count")
    op.drop_table("backchannel_logout")  # issue 9 item 2
    for table in ("authn_flow", "user_consent", "sso_session", "authorization_code"):
        op.drop_table(table)
    op.drop_table("account_token")
    op.drop_table("mail_outbox")
    for table in ("role_group", "role_user", "role_scope", "role"):
        op.drop_table(table)
    op.drop_table("deployment_check")
    with op.batch_alter_table("authorized_scope", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorized_scope_scope_id"))
        batch_op.drop_index(batch_op.f("ix_authorized_scope_org_id"))
        batch_op.drop_index(batch_op.f("ix_authorized_scope_api_resource_id"))

    op.drop_table("authorized_scope")
    with op.batch_alter_table("group_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_group_member_org_id"))

    op.drop_table("group_member")
    with op.batch_alter_table("authorized_api", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorized_api_org_id"))
        batch_op.drop_index(batch_op.f("ix_authorized_api_api_resource_id"))

    op.drop_table("authorized_api")
    with op.batch_alter_table("api_scope", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_scope_org_id"))
        batch_op.drop_index(batch_op.f("ix_api_scope_api_resource_id"))

    op.drop_table("api_scope")
    with op.batch_alter_table("user_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_group_org_id"))

    op.drop_table("user_group")
    with op.batch_alter_table("user_email", schema=None) as batch_op:
        batch_op.drop_index("ix_user_email_value")

    op.drop_table("user_email")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        for name in ("given", "family", "created", "name"):
            batch_op.drop_index(f"ix_user_account_{name}_order")
        batch_op.drop_index(batch_op.f("ix_user_account_org_id"))

    op.drop_table("user_account")
    with op.batch_alter_table("used_assertion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_used_assertion_expires_at"))

    op.drop_table("used_assertion")
    with op.batch_alter_table("signing_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signing_key_org_id"))

    op.drop_table("signing_key")
    with op.batch_alter_table("revoked_jti", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revoked_jti_org_id"))
        batch_op.drop_index(batch_op.f("ix_revoked_jti_expires_at"))

    op.drop_table("revoked_jti")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_organization_root_name",
            sqlite_where=sa.text("parent_id IS NULL"),
            postgresql_where=sa.text("parent_id IS NULL"),
        )
        batch_op.drop_index("ix_organization_path")
        batch_op.drop_index(batch_op.f("ix_organization_root_id"))
        batch_op.drop_index(batch_op.f("ix_organization_parent_id"))

    op.drop_table("organization")
    with op.batch_alter_table("issued_token", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_issued_token_sid",
            sqlite_where=sa.text("sid IS NOT NULL"),
            postgresql_where=sa.text("sid IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_issued_token_org_id"))
        batch_op.drop_index(batch_op.f("ix_issued_token_jti"))
        batch_op.drop_index(batch_op.f("ix_issued_token_grant_id"))
        batch_op.drop_index(batch_op.f("ix_issued_token_expires_at"))
        batch_op.drop_index(batch_op.f("ix_issued_token_application_id"))

    op.drop_table("issued_token")
    op.drop_table("change_version")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_org_id"))

    op.drop_table("application")
    with op.batch_alter_table("api_resource", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_resource_org_id"))

    op.drop_table("api_resource")
