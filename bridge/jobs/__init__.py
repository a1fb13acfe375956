"""The job engine: Huey, its tasks, and the registries they dispatch through."""
