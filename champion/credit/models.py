"""What a learner acknowledges and claims, and the profile claiming reads."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.auth.models import User
from champion.catalog.models import Series
from champion.database import utcnow
from champion.extensions import db


class CreditProfile(db.Model):
    """The learner's profession, and what a physician who consents gives for PARS."""

    __tablename__ = "credit_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    profession: Mapped[str | None] = mapped_column(String(30))  # a key of PROFESSIONS
    # Collected only with consent (pars_consented_at set) and erased with the account.
    pars_consented_at: Mapped[datetime | None]
    board: Mapped[str | None] = mapped_column(String(120))
    board_id: Mapped[str | None] = mapped_column(String(40))
    birth_month: Mapped[int | None]
    birth_day: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DisclosureAcknowledgement(db.Model):
    """The learner saw the disclosures, as they stood (``digest``), before starting."""

    __tablename__ = "disclosure_acknowledgements"
    __table_args__ = (UniqueConstraint("user_id", "series_id", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"))
    digest: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime] = mapped_column(default=utcnow)


def new_claim_uid() -> str:
    return uuid.uuid4().hex


class CreditClaim(db.Model):
    """Credit a learner claimed: written once, never changed.

    The activity's designation is copied in, so a later edit of index.md changes no claim;
    the learner's name is copied too, because the provider keeps the record for six years
    after the activity even when the account is deleted (``retain_until``).
    """

    __tablename__ = "credit_claims"
    # Once per activity (the series, or one of its modules) and credit type.
    __table_args__ = (UniqueConstraint("user_id", "series_id", "module_slug", "credit_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_claim_uid)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"))
    # The module whose own credit this is, or "" for the series' credit.
    module_slug: Mapped[str] = mapped_column(String(100), default="", server_default="")
    learner_name: Mapped[str] = mapped_column(String(120))
    learner_email: Mapped[str | None] = mapped_column(String(254))  # erased with the account
    profession: Mapped[str] = mapped_column(String(30))
    credit_type: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int]  # hundredths of a credit or contact hour
    seconds_recorded: Mapped[int]  # time on the modules as recorded, shown as the guide
    activity_title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(300))
    release: Mapped[date]
    expires: Mapped[date]
    designation: Mapped[dict] = mapped_column(JSON)  # the CreditOffer claimed, stored
    share_name: Mapped[bool] = mapped_column(default=False)  # on the verification page
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime]  # when the last required module was completed
    retain_until: Mapped[date]

    series: Mapped[Series] = relationship()
    user: Mapped[User] = relationship()

    @property
    def activity_key(self) -> str:
        """The activity as the provider's records name it: series, or series/module."""
        return f"{self.series.slug}/{self.module_slug}" if self.module_slug else self.series.slug

    @property
    def statements(self) -> tuple[str, str]:
        return self.designation["accreditation"], self.designation["designation"]
