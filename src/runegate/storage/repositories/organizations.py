"""Organizations. Root organizations are found by name (the `/t/{name}` segment);
sub-organizations only within their root organization (`SubOrganizations`, every query
restricted to one root and, for hierarchy reads, to the descendants of one organization)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.errors import Conflict
from runegate.errors import NotFound
from runegate.storage.models.application import Application
from runegate.storage.models.base import Base
from runegate.storage.models.base import new_id
from runegate.storage.models.organization import Organization
from runegate.storage.models.role import Role
from runegate.storage.models.token import IssuedToken
from runegate.storage.models.user import Group
from runegate.storage.models.user import User

NAME_TAKEN = "An organization with this name already exists in the organization hierarchy."


class OrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_root(self, name: str) -> Organization | None:
        stmt = select(Organization).where(
            Organization.name == name, Organization.parent_id.is_(None)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list_roots(self) -> Sequence[Organization]:
        stmt = (
            select(Organization).where(Organization.parent_id.is_(None)).order_by(Organization.name)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def create_root(self, name: str, description: str | None = None) -> Organization:
        org_id = new_id()
        org = Organization(
            id=org_id,
            name=name,
            handle=name,
            root_id=org_id,
            path=f"/{org_id}/",
            depth=0,
            description=description,
        )
        self.session.add(org)
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise Conflict(f"An organization named {name!r} already exists.") from exc
        return org

    async def get_in_root(self, root_id: str, org_id: str) -> Organization:
        """A sub-organization (or the root itself) that belongs to `root_id`."""
        stmt = select(Organization).where(
            Organization.root_id == root_id, Organization.id == org_id
        )
        org = (await self.session.execute(stmt)).scalar_one_or_none()
        if org is None:
            raise NotFound("The organization does not exist.")
        return org


def attribute_condition(dialect: str, key: str, value_condition: Any) -> ColumnElement[bool]:
    """`attributes.<key> <op> <value>` over the JSON list `[{key, value}]` (one EXISTS)."""
    key_of: Any
    value_of: Any
    if dialect == "postgresql":
        item = func.json_array_elements(Organization.attributes).table_valued("value")
        key_of = item.c.value.op("->>")("key")
        value_of = item.c.value.op("->>")("value")
    else:
        item = func.json_each(Organization.attributes).table_valued("value")
        key_of = func.json_extract(item.c.value, "$.key")
        value_of = func.json_extract(item.c.value, "$.value")
    matching: Select[Any] = select(literal_column("1")).select_from(item)
    return exists(matching.where(key_of == key, value_condition(value_of)))


def descendants_of(path: str) -> ColumnElement[bool]:
    """Organizations whose materialized path starts with `path` (`/{root}/.../{id}/`, the
    organization itself included): the exact LIKE, and the same prefix as a range
    (`path <= p < successor`, byte order) that ix_organization_path serves in every
    plan, a generic prepared one included (a bound LIKE pattern alone gets no range)."""
    successor = path[:-1] + chr(ord(path[-1]) + 1)  # paths are ASCII, ending with "/"
    return and_(
        Organization.path.startswith(path, autoescape=True),
        Organization.path >= path,
        Organization.path < successor,
    )


class SubOrganizations:
    """The sub-organizations of one root organization, seen from `org_id` (the root, or a
    switched sub-organization): reads and writes never leave that subtree."""

    def __init__(self, session: AsyncSession, *, root_id: str, org_id: str) -> None:
        self.session = session
        self.root_id = root_id
        self.org_id = org_id

    def _in_root(self) -> Select[Organization]:
        return select(Organization).where(Organization.root_id == self.root_id)

    async def acting(self) -> Organization:
        """The organization the caller acts in."""
        org = await self.session.scalar(self._in_root().where(Organization.id == self.org_id))
        if org is None:
            raise NotFound("The organization does not exist.")
        return org

    def below(self, base: Organization, *, recursive: bool) -> Select[Organization]:
        """Children of `base` (or all descendants with `recursive`)."""
        if recursive:
            # `parent_id IS NOT NULL` (true of every descendant) lets the partial index
            # uq_organization_sub_name (root_id, name) serve name filters and the order.
            return self._in_root().where(
                descendants_of(base.path),
                Organization.id != base.id,
                Organization.parent_id.is_not(None),
            )
        return self._in_root().where(Organization.parent_id == base.id)

    async def find(self, org_id: str) -> Organization | None:
        """A descendant of the acting organization (never itself, an ancestor or a sibling)."""
        base = await self.acting()
        stmt = self.below(base, recursive=True).where(Organization.id == org_id)
        found: Organization | None = await self.session.scalar(stmt)
        return found

    async def find_self_or_below(self, org_id: str) -> Organization | None:
        if org_id == self.org_id:
            return await self.acting()
        return await self.find(org_id)

    async def rows(self, stmt: Select[Organization]) -> Sequence[Organization]:
        return (await self.session.scalars(stmt)).all()

    async def name_taken(self, name: str, *, except_id: str | None = None) -> bool:
        stmt = select(Organization.id).where(
            Organization.root_id == self.root_id,
            Organization.parent_id.is_not(None),
            Organization.name == name,
        )
        if except_id is not None:
            stmt = stmt.where(Organization.id != except_id)
        return (await self.session.scalar(stmt.limit(1))) is not None

    async def create(
        self,
        parent: Organization,
        *,
        name: str,
        description: str | None,
        type: str,
        attributes: list[dict[str, str]],
        created_by: str | None,
    ) -> Organization:
        if await self.name_taken(name):
            raise Conflict(NAME_TAKEN)
        org_id = new_id()
        org = Organization(
            id=org_id,
            name=name,
            description=description,
            parent_id=parent.id,
            root_id=self.root_id,
            path=f"{parent.path}{org_id}/",
            depth=parent.depth + 1,
            type=type,
            status="ACTIVE",
            attributes=attributes,
            created_by=created_by,
        )
        self.session.add(org)
        await self.flush()
        return org

    async def flush(self) -> None:
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise Conflict(NAME_TAKEN, detail=str(exc.orig)) from exc

    async def has_children(self, org: Organization) -> bool:
        stmt = select(Organization.id).where(
            Organization.root_id == self.root_id, Organization.parent_id == org.id
        )
        return (await self.session.scalar(stmt.limit(1))) is not None

    async def in_use(self, org: Organization) -> list[str]:
        """What the organization still holds of its own (users, groups, applications,
        roles other than the provisioned ones)."""
        found = []
        checks: list[tuple[str, Any]] = [
            ("users", select(User.id).where(User.org_id == org.id)),
            ("groups", select(Group.id).where(Group.org_id == org.id)),
            ("applications", select(Application.id).where(Application.org_id == org.id)),
            (
                "roles",
                select(Role.id).where(
                    Role.org_id == org.id,
                    Role.display_name_ci.not_in(("everyone", "administrator")),
                ),
            ),
        ]
        for label, stmt in checks:
            if (await self.session.scalar(stmt.limit(1))) is not None:
                found.append(label)
        return found

    async def delete(self, org: Organization) -> None:
        """Delete `org` and every row it owns (its provisioned API resources and roles);
        tokens acting in it are revoked."""
        for table in reversed(Base.metadata.sorted_tables):
            if "org_id" in table.c and table.name not in ("issued_token", "audit_event"):
                await self.session.execute(delete(table).where(table.c.org_id == org.id))
        await self.session.execute(
            update(IssuedToken)
            .where(IssuedToken.org_id == self.root_id, IssuedToken.acting_org_id == org.id)
            .values(revoked=True)
        )
        await self.session.execute(
            delete(Organization).where(
                Organization.root_id == self.root_id, Organization.id == org.id
            )
        )

    def any_ancestor_created_by(self, org: Organization, user_id: str) -> Select[Any]:
        ids = [part for part in org.path.split("/") if part]
        return select(Organization.id).where(
            Organization.root_id == self.root_id,
            Organization.id.in_(ids),
            Organization.created_by == user_id,
        )
