"""Pure domain rules: interview state machine, role policy, competency model, PII cipher."""

import os
from decimal import Decimal

import pytest

from recruiting.domain.competency import CompetencyModel
from recruiting.domain.interview_state import (
    FINAL,
    TRANSITIONS,
    InterviewStatus,
    allowed_actions,
    next_status,
)
from recruiting.domain.roles import Permission, Role, allows, parse_roles
from recruiting.errors import ConfigError, InvalidInput, InvalidTransition
from recruiting.infra.pii import FieldCipher, UndecryptableData
from tests.people_text import problems

S = InterviewStatus


def test_happy_path_through_the_lifecycle() -> None:
    status = S.SCHEDULED
    for action in ["invite", "request_reschedule", "reschedule", "confirm", "start", "finish"]:
        status = next_status(status, action)
    assert status is S.COMPLETED


@pytest.mark.parametrize("final", sorted(FINAL))
def test_final_states_accept_nothing(final: InterviewStatus) -> None:
    assert allowed_actions(final) == []
    for action in TRANSITIONS:
        with pytest.raises(InvalidTransition):
            next_status(final, action)


def test_invalid_transition_names_action_and_state() -> None:
    with pytest.raises(InvalidTransition, match="cannot finish an interview that is invited"):
        next_status(S.INVITED, "finish")
    with pytest.raises(InvalidTransition, match="unknown"):
        next_status(S.INVITED, "teleport")


def test_roles_policy() -> None:
    interviewer = parse_roles(["interviewer", "superuser"])
    assert interviewer == frozenset({Role.INTERVIEWER})
    assert allows(interviewer, Permission.VIEW_ASSESSMENT)
    assert not allows(interviewer, Permission.VIEW_CONTACT)
    assert not allows(frozenset({Role.ADMIN}), Permission.VIEW_ID_NUMBER)
    assert allows(frozenset({Role.HR, Role.FINANCE}), Permission.VIEW_ID_NUMBER)
    assert not allows(frozenset(), Permission.VIEW_MEDIA)


def test_competency_model_validation() -> None:
    model = CompetencyModel.from_json(
        [
            {"code": "comm", "name": "沟通能力", "weight": "0.6"},
            {"code": "team", "name": "团队协作", "weight": "0.4"},
        ]
    )
    assert model.codes() == ["comm", "team"] and model.items[0].weight == Decimal("0.6")
    assert CompetencyModel.from_json(model.to_json()) == model
    for bad in (
        [],
        [{"code": "a", "name": "A", "weight": "0.5"}],
        [{"code": "a", "name": "A", "weight": "0.5"}, {"code": "a", "name": "B", "weight": "0.5"}],
        [{"code": "a", "name": "A", "weight": "1.5"}, {"code": "b", "name": "B", "weight": "-0.5"}],
        [{"code": "a", "weight": "1"}],
        [{"code": "a", "name": "A", "weight": "NaN"}],  # compares as an error, not as a number
        [{"code": "a", "name": "A", "weight": "sNaN"}],
        [{"code": "a", "name": "A", "weight": "Infinity"}],
    ):
        with pytest.raises(InvalidInput) as refused:
            CompetencyModel.from_json(bad)
        assert problems(refused.value.message) == [], refused.value.message  # Chinese for HR


def test_field_cipher_round_trip_context_and_rotation() -> None:
    old, new = os.urandom(32), os.urandom(32)
    v1 = FieldCipher({"k1": old}, "k1")
    token = v1.encrypt("13800138000", "candidate.phone")
    assert "13800138000" not in token and token.startswith("v1.k1.")
    with pytest.raises(UndecryptableData):
        v1.decrypt(token, "candidate.email")  # bound to its field
    rotated = FieldCipher({"k2": new, "k1": old}, "k2")
    assert rotated.decrypt(token, "candidate.phone") == "13800138000"
    assert rotated.needs_rotation(token)
    assert not rotated.needs_rotation(rotated.encrypt("x", "c"))
    with pytest.raises(UndecryptableData):
        FieldCipher({"k2": new}, "k2").decrypt(token, "candidate.phone")
    with pytest.raises(UndecryptableData):
        v1.decrypt(token[:-4] + "AAAA", "candidate.phone")
    with pytest.raises(ConfigError):
        FieldCipher({"k1": old}, "k9")


def test_searchable_tokens_are_equal_for_equal_values_in_one_field_only() -> None:
    """Deterministic sealing (openids, names): equality lookups work, nothing else leaks."""
    old, new = os.urandom(32), os.urandom(32)
    cipher = FieldCipher({"k1": old}, "k1")
    token = cipher.encrypt_searchable("o-openid-1", "candidate.wechat_openid")
    assert token == cipher.encrypt_searchable("o-openid-1", "candidate.wechat_openid")
    assert token.startswith("s1.k1.") and "o-openid-1" not in token and cipher.is_token(token)
    assert token != cipher.encrypt_searchable("o-openid-2", "candidate.wechat_openid")
    assert token != cipher.encrypt_searchable("o-openid-1", "app_session.openid")
    assert cipher.decrypt(token, "candidate.wechat_openid") == "o-openid-1"
    with pytest.raises(UndecryptableData):
        cipher.decrypt(token, "app_session.openid")  # bound to its field
    rotated = FieldCipher({"k2": new, "k1": old}, "k2")
    assert rotated.decrypt(token, "candidate.wechat_openid") == "o-openid-1"
    assert FieldCipher({"k1": new}, "k1").encrypt_searchable("o-openid-1", "c") != (
        cipher.encrypt_searchable("o-openid-1", "c")
    )  # another key, another token
    assert not cipher.is_token("v1.k9.AAAA") and not cipher.is_token("赵敏")
