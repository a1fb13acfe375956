"""python-gitlab's and requests' failures, translated into the port's errors."""

from __future__ import annotations

from collections.abc import Mapping

import requests
from gitlab import GitlabError

from bridge.connectors.errors import from_status, unreachable
from bridge.services.ports import ConnectorError

SYSTEM = "gitlab"


def _words(error: GitlabError) -> str:
    """GitLab's ``message`` or ``error``: a string, or a field's problems as an object."""
    said = error.error_message
    if isinstance(said, dict):
        said = "; ".join(f"{field}: {', '.join(map(str, v))}" for field, v in said.items())
    return (str(said).splitlines() or ["no details"])[0][:300]


def translate(error: Exception, headers: Mapping[str, str] | None = None) -> ConnectorError:
    """``headers``: the failed answer's, which python-gitlab does not keep (its Retry-After)."""
    if isinstance(error, GitlabError):
        return from_status(SYSTEM, error.response_code, _words(error), headers)
    if isinstance(error, requests.RequestException):
        return unreachable(SYSTEM, error)
    raise error
