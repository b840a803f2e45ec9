"""Champion: palliative care education for gynecologic oncology teams."""

from champion.app import create_app

__all__ = ["create_app"]
