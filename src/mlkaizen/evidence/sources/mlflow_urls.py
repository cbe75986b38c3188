"""What of a tracking server's URL may be shown, and the origin a redirect is compared with;
messages cut to one line."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def public_url(url: str) -> str:
    """``url`` without user info, query or fragment (what may be shown)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # a malformed IPv6 host
        return ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port: what a redirect must keep to be followed."""
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def one_line(text: str, limit: int = 200) -> str:
    """``text`` on one line (any run of white space one space), at most ``limit`` long."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
