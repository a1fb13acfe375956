"""A local Jira Cloud server (REST v2 and v3), as the `jira` library calls it."""
