"""Piccolo's configuration: the engine comes from DATABASE_URL (see backend/settings.py)."""

from piccolo.conf.apps import AppRegistry

from backend.core.db import make_engine
from backend.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(apps=["backend.piccolo_app"])
