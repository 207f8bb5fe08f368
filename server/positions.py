"""Lines and columns as the client counts them.

LSP columns are counted in UTF-16 code units unless the client and server agreed on another encoding
at ``initialize`` (pygls may pick UTF-8 or UTF-32 when the client offers them), and only ``\\n``, ``\\r\\n``
and ``\\r`` end a line (``str.splitlines`` also splits at form feeds and U+2028, which would shift every
hint below such a character by a line).
"""

from __future__ import annotations

import re

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The document's lines without their line breaks, split exactly where LSP (and Python) split them."""
    return _LINE_BREAK.split(text)


def column_units(text: str, encoding: str = UTF16) -> int:
    """How many code units ``text`` takes in the client's position encoding."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF16:
        # Characters beyond the Basic Multilingual Plane (most emoji) take a surrogate pair.
        return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)
    if encoding == UTF8:
        return len(text.encode("utf-8", errors="surrogatepass"))
    raise ValueError(f"unknown position encoding {encoding!r}; expected {UTF8}, {UTF16} or {UTF32}")


def line_end(line: str, encoding: str = UTF16) -> int:
    """The column just past the last character of ``line`` (where an end-of-line hint goes)."""
    return column_units(line, encoding)
