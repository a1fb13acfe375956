"""Configuration: ``BRIDGE_*`` environment variables plus one YAML file.

Flat settings (paths, URLs, secrets) come from the environment; structured policy (routing, SLA
targets, calendars, levels, field mappings, connector settings) comes from the YAML file named by
``BRIDGE_CONFIG`` (default ``bridge.yaml`` when present). Environment variables win over the file,
and nested keys can be set from the environment with ``__``:
``BRIDGE_CONNECTORS__JIRA__API_TOKEN=...``.

Every problem is reported as one line, ``key.path: what is wrong``, by :class:`ConfigError`.
"""

from bridge.config.errors import ConfigError, Problem
from bridge.config.loader import load_settings
from bridge.config.settings import Settings

__all__ = ["ConfigError", "Problem", "Settings", "load_settings"]
