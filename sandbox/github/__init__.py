"""A local GitHub REST v3 server, as PyGithub calls it with `base_url`."""
