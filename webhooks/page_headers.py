"""The headers of every page a person opens: the board (customer data) and the customer's
acceptance page (whose URL is the credential).

Never cached, never framed, no referrer carrying the URL to another site, no content sniffing,
and scripts only our own: inline ones carrying the request's nonce, or none at all.
"""

from __future__ import annotations

from flask import Response


def protect(response: Response, script_nonce: str | None = None) -> Response:
    scripts = f"'nonce-{script_nonce}'" if script_nonce else "'none'"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src {scripts}; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    return response
