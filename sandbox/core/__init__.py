"""Vendor-neutral machinery shared by every sandbox server."""
