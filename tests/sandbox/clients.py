"""Real vendor clients pointed at a sandbox, with their own retries switched off."""

from __future__ import annotations

import github
import jira
from slack_sdk import WebClient

from sandbox import Sandbox


def github_client(sandbox: Sandbox) -> github.Github:
    return github.Github(
        base_url=sandbox.urls["github"],
        auth=github.Auth.Token(sandbox.credentials["github"]["token"]),
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )


def jira_client(sandbox: Sandbox, timeout: float | None = None) -> jira.JIRA:
    creds = sandbox.credentials["jira"]
    return jira.JIRA(
        server=sandbox.urls["jira"],
        basic_auth=(creds["email"], creds["api_token"]),
        max_retries=0,
        timeout=timeout,
    )


def slack_client(sandbox: Sandbox) -> WebClient:
    return WebClient(
        token=sandbox.credentials["slack"]["token"], base_url=sandbox.urls["slack"] + "/api/"
    )
