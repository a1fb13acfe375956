"""Connectors: one package per system, each behind a port, registered through the entry-point
group ``support_bridge.connectors``."""
