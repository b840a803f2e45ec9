"""The educators' area at ``/author/``: one blueprint, its access rule, and the lookups
every view of the area shares. The views are in ``views.py`` (drafts, preview,
publishing, history, media), ``quiz_views.py`` (the quiz editor, GIFT) and
``analysis_views.py`` (how questions perform)."""

from __future__ import annotations

from flask import Blueprint

from champion.auth.access import role_required
from champion.auth.models import Role
from champion.catalog.models import Module, ModuleDraft
from champion.extensions import db

blueprint = Blueprint("author", __name__, url_prefix="/author", template_folder="templates")
educators = role_required(Role.EDUCATOR)


def draft_or_404(draft_id: int) -> ModuleDraft:
    return db.get_or_404(ModuleDraft, draft_id)


def module_or_404(module_id: int) -> Module:
    return db.get_or_404(Module, module_id)
