"""Local Zendesk and Freshdesk REST subsets (neither vendor document is shipped here, so
their requests are checked by hand against the documented fields rather than a contract)."""
