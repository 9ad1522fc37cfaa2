"""Protect the denouncer (issue 17): a denunciation's identity is for the people named to
handle it — whoever received it, and whom the head of the receiving unit names — and for no
one else: not the unit's other clerks and leaders, not the head who names, not a leader above,
not an admin, not the accused's department. On SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.language.errors import Forbidden, NotFound, ValidationError, VersionConflict
from engine.persistence.db import transaction
from engine.persistence.models import CaseHandler, Event, Petition, User
from engine.services import handlers as hs
from engine.services import petitions as svc
from engine.services.users import add_user
from engine.workflow.policy import handles, sees_personal_data
from tests.conftest import NOW, PASSWORD


def _user(s, name):
    return s.scalars(select(User).where(User.username == name)).one()


def _case(s, code):
    return s.scalars(select(Petition).where(Petition.code == code)).one()


@pytest.fixture
def denunciation(org, ctx):
    with transaction(org) as s:
        add_user(s, "clerk1b", "clerk", "C1", PASSWORD, full_name="Clerk Two of C1")
        add_user(s, "leader1b", "leader", "C1", PASSWORD, full_name="Deputy of C1")
        p = svc.add_petition(s, ctx, "C1", "Tố cáo cán bộ địa chính thu tiền trái quy định", received_on="2026-11-16",
                             kind="denunciation", petitioners=[{"name": "Phan Thị Tố", "phone": "0915000444"}],
                             actor=_user(s, "clerk1"))
        svc.act(s, ctx, p.code, "conclude", "clerk1", {"notice_no": "3-TB/ĐU", "department": "C1-D1"}, on="2026-11-18")
        return p.code


def who_sees(s, code):
    p = _case(s, code)
    return {u.username for u in s.scalars(select(User)) if sees_personal_data(u, p)}


def test_only_the_named_see_who_denounced(org, denunciation):
    with transaction(org) as s:
        assert who_sees(s, denunciation) == {"clerk1"}  # the receiver; not leader1, not dept1, not admin
        hs.add_handler(s, _user(s, "leader1"), _case(s, denunciation), "dept1", NOW)
    with transaction(org) as s:
        assert who_sees(s, denunciation) == {"clerk1", "dept1"}  # naming does not show the head
        p = _case(s, denunciation)
        assert not handles(_user(s, "leader1"), p) and not handles(_user(s, "admin"), p)
        hs.remove_handler(s, _user(s, "leader1"), p, "clerk1", NOW)
    with transaction(org) as s:
        assert who_sees(s, denunciation) == {"dept1"}
        assert s.scalar(select(CaseHandler).where(CaseHandler.user_id == _user(s, "clerk1").id)).removed_at
        actions = [e.action for e in s.scalars(select(Event).where(Event.petition_id == _case(s, denunciation).id)
                                              .order_by(Event.seq))]
        assert actions[-2:] == ["assign_handler", "withdraw_handler"]
        # an ordinary petition keeps the role rule
        other = svc.add_petition(s, svc.Context(now=NOW), "C1", "Đề nghị sửa đường", received_on="2026-11-16",
                                 petitioners=[{"name": "Lê Văn A"}])
        assert {"clerk1", "clerk1b", "leader1", "leader1b", "admin"} <= {
            u.username for u in s.scalars(select(User)) if sees_personal_data(u, other)}


def test_refusals_change_nothing(org, denunciation):
    cases = [("clerk1", "dept1", Forbidden),        # a clerk does not name
             ("leader2", "dept1", NotFound),        # another commune's leader cannot even see it
             ("pleader", "dept1", Forbidden),       # the leader above reads it but is not its head
             ("leader1", "deptc2", ValidationError),  # another commune's officer cannot be named
             ("leader1", "nobody", ValidationError),
             ("leader1", "clerk1", ValidationError)]  # already named
    for actor, name, error in cases:
        with pytest.raises(error):
            with transaction(org) as s:
                hs.add_handler(s, _user(s, actor), _case(s, denunciation), name, NOW)
    with pytest.raises(VersionConflict):
        with transaction(org) as s:
            hs.add_handler(s, _user(s, "leader1"), _case(s, denunciation), "dept1", NOW, expect_version=1)
    with pytest.raises(ValidationError):
        with transaction(org) as s:
            hs.remove_handler(s, _user(s, "leader1"), _case(s, denunciation), "dept1", NOW)
    with transaction(org) as s:
        p = _case(s, denunciation)
        assert p.handler_ids == {_user(s, "clerk1").id} and p.version == 2
        ordinary = svc.add_petition(s, svc.Context(now=NOW), "C1", "Đề nghị", received_on="2026-11-16").code
    with pytest.raises(ValidationError):
        with transaction(org) as s:
            hs.add_handler(s, _user(s, "leader1"), _case(s, ordinary), "dept1", NOW)
