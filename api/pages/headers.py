"""The security headers of every HTML page and of the files it loads."""

from __future__ import annotations

from flask import Response, request

# default-src 'none' forbids every script (inline or not), frame, font and connection; only our own stylesheet
# and images load, and forms post to this origin only
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(response: Response) -> Response:
    """CSP without script, no framing, no sniffing, referrer to this origin only; HSTS over TLS."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"  # frame-ancestors for browsers that predate it
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: Flask-WTF checks the Referer of a form posted over https
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    if response.mimetype == "text/html":
        # a page shows what a signed-in officer asked: never kept by the browser or a shared proxy
        response.headers["Cache-Control"] = "no-store"
    return response
