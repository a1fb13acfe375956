"""A local Slack Web API, as `slack_sdk.WebClient(base_url=...)` calls it."""
