"""Settings from the environment, calendar decision files and workflow parameters."""
from config.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
