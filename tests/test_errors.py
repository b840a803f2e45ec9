"""One error vocabulary: every refusal an operation raises is an OperationError, never a
ValueError (views catch the former; catching the latter would swallow bugs)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from champion.auth.operations import AccountError
from champion.auth.privacy import DeletionError
from champion.author.operations import AuthoringError
from champion.badges.models import Badge, BadgeAward
from champion.badges.operations import RevocationError, revoke_award
from champion.catalog.sync import ContentInvalid, SyncConflict
from champion.departments.operations import MembershipError
from champion.errors import OperationError
from champion.extensions import db


@pytest.mark.parametrize(
    "error",
    [AccountError, DeletionError, RevocationError, AuthoringError, ContentInvalid, SyncConflict,
     MembershipError],
)
def test_operation_errors_share_one_base_and_are_not_value_errors(error):
    assert issubclass(error, OperationError)
    assert not issubclass(error, ValueError)


def test_revoking_without_a_reason_is_an_operation_error(app, synced, learner, admin):
    badge = db.session.scalars(select(Badge)).first()
    award = BadgeAward(badge=badge, user=learner, narrative=badge.narrative,
                       recipient_identity="sha256$test")
    db.session.add(award)
    db.session.flush()
    with pytest.raises(RevocationError, match="give a reason"):
        revoke_award(award, "  ", admin)
