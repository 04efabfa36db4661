"""A candidate's sealed contact data (phone, e-mail, ID number): the only way to store it
(sealed, with the keyed hashes that find a returning candidate) or to read it in clear
(role-checked and audited, allowed or not)."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.domain.roles import Permission, allows
from recruiting.errors import AccessDenied, InvalidInput, NotFound
from recruiting.infra.contact_hashes import email_hash, phone_hash
from recruiting.infra.pii import FieldCipher
from recruiting.models import Candidate
from recruiting.services.shared.audit import Actor, record

# field name → (model attribute, permission needed to read it)
FIELDS: dict[str, tuple[str, Permission]] = {
    "phone": ("phone_enc", Permission.VIEW_CONTACT),
    "email": ("email_enc", Permission.VIEW_CONTACT),
    "id_number": ("id_number_enc", Permission.VIEW_ID_NUMBER),
}
FIELD_NAMES = {"phone": "手机号", "email": "电子邮箱", "id_number": "身份证号"}  # what people read


@dataclass(frozen=True)
class PersonalData:
    candidate_id: int
    values: dict[str, str | None]


class PersonalDataService:
    def __init__(self, cipher: FieldCipher) -> None:
        self._cipher = cipher

    def seal(self, candidate: Candidate, **values: str | None) -> None:
        """Encrypt the given fields onto ``candidate`` (the caller saves it), with the keyed
        hashes of phone and e-mail that recognise the same person arriving twice."""
        for name, value in values.items():
            if name not in FIELDS:
                raise InvalidInput(f"unknown personal field {name!r}")
            sealed = None if value is None else self._cipher.encrypt(value, f"candidate.{name}")
            setattr(candidate, FIELDS[name][0], sealed)
            if name == "phone":
                candidate.phone_hash = phone_hash(self._cipher, value)
            elif name == "email":
                candidate.email_hash = email_hash(self._cipher, value)

    async def read(
        self, actor: Actor, candidate_id: int, fields: list[str], purpose: str
    ) -> PersonalData:
        """Decrypt ``fields`` for ``actor`` if every one is allowed; audit either way."""
        if not purpose.strip():
            raise InvalidInput("查看个人信息需要说明用途。")
        unknown = [f for f in fields if f not in FIELDS]
        if unknown:
            raise InvalidInput(f"unknown personal fields: {', '.join(unknown)}")
        denied = [f for f in fields if not allows(actor.roles, FIELDS[f][1])]
        detail = f"fields={','.join(fields)} purpose={purpose}"
        if denied:
            await record(actor, "read_pii", "candidate", candidate_id, allowed=False, detail=detail)
            names = "、".join(FIELD_NAMES[f] for f in denied)
            raise AccessDenied(f"您的角色不能查看候选人的{names}。")
        candidate = await Candidate.get_or_none(id=candidate_id)
        if candidate is None or candidate.erased_at is not None:
            raise NotFound("没有找到这位候选人，或其信息已删除。")
        await record(actor, "read_pii", "candidate", candidate_id, allowed=True, detail=detail)
        values: dict[str, str | None] = {}
        for name in fields:
            token = getattr(candidate, FIELDS[name][0])
            values[name] = (
                None if token is None else self._cipher.decrypt(token, f"candidate.{name}")
            )
        return PersonalData(candidate_id, values)
