"""Employees known to the system, keyed by their WeCom userid."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from recruiting.domain.roles import Role, parse_roles
from recruiting.infra.sealed_fields import SealedTextField


class Staff(Model):
    id = fields.IntField(primary_key=True)
    wecom_userid = fields.CharField(max_length=64, unique=True)
    name = SealedTextField()
    title = fields.CharField(max_length=64, default="")
    department = fields.CharField(max_length=128, default="", db_default="")
    # where they hold on-site interviews
    office = fields.CharField(max_length=256, default="", db_default="")
    # what they can assess: competency codes or names, and function words (销售, 技术, …)
    expertise: Any = fields.JSONField(default=list, db_default=[])
    roles: Any = fields.JSONField(default=list)  # list[str] of Role values
    hourly_cost = fields.DecimalField(max_digits=10, decimal_places=2, null=True)
    active = fields.BooleanField(default=True)
    # WeCom department ids, kept current by change_contact callbacks (empty: not yet known).
    department_ids: Any = fields.JSONField(default=list, db_default=[])
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff"

    def role_set(self) -> frozenset[Role]:
        return parse_roles(list(self.roles or []))
