"""Where the portal may send a visitor by a parameter: the one check of every `next`.

The language switch, the development login, the OIDC login (before and after the provider)
and the logout all follow a `next` of the request only through `safe_next`: a path of this
site, never another host. A browser reads `Location: /\\t/evil.example` as `//evil.example`
(it drops tabs and newlines and takes a backslash for a slash), and a newline would break the
header: anything but a plain same-origin path becomes the default.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

# what a browser drops or bends in a URL (tab, newline and the other controls; a backslash it
# takes for a slash); a space inside a path is fine (the answer encodes it)
_BENT = re.compile(r"[\x00-\x1f\x7f\\]")
# what stays as it is in the Location header (the rest, an umlaut too, is %-encoded)
_KEEP = "/?#&=%:@!$'()*+,;-._~"
MAX_LENGTH = 2048


def _plain_path(text: str) -> bool:
    return (
        text.startswith("/")
        and not text.startswith("//")
        and not _BENT.search(text)
        and not urlsplit(text).scheme
        and not urlsplit(text).netloc
    )


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` when it is a path of this site ("/chemnitz/console/?seite=2"), else `default`.

    Refused: other hosts (`//host`, `/\\host`, `https://…`), schemes (`javascript:`), tabs,
    newlines and the other controls, backslashes — also where they hide behind %-escapes
    (`/%09/host`, `/%2F/host`, `%5C`), however often escaped. The answer is %-encoded (an
    umlaut of a page's path too), so that it is a valid header value.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return default
    text = target
    for _ in range(4):  # every decoding must still be a plain path of this site
        if not _plain_path(text):
            return default
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    else:
        return default
    return quote(target, safe=_KEEP)
