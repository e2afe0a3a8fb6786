"""Bytes → text: UTF-8 (with or without a byte-order mark), or an error that names the encoding.

Shared by the guide loader and ``openshelf import``, so a file saved from Notepad, Excel or WPS in
another encoding gets the same diagnosis everywhere.  Naming the encoding is charset-normalizer's
job; it only runs on files that are not UTF-8.
"""

from __future__ import annotations

from openshelf.errors import GuideError

#: How the message names what charset-normalizer finds: its best guess when that is UTF-16, otherwise
#: the first family found among all its candidates.  GBK comes before Big5: short Chinese text is
#: often valid in both, and most curators write simplified Chinese.
_FAMILIES = (
    (("gb2312", "gbk", "gb18030", "hz"), "GBK/GB18030"),
    (("big5", "cp950"), "Big5"),
)
LEGACY = "a legacy encoding such as Windows-1252"


class NotUtf8(GuideError):
    """The bytes are not UTF-8; ``line`` is where the first bad byte is (1-based), ``encoding`` a name for them."""

    def __init__(self, line: int, encoding: str) -> None:
        super().__init__(f"the file is not UTF-8 (it looks like {encoding})")
        self.line = line
        self.encoding = encoding


def name_encoding(raw: bytes) -> str:
    """A name for bytes that are not UTF-8, for the error message: UTF-16 (what Notepad calls
    "Unicode"), GBK/GB18030, Big5, or a legacy encoding."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    from charset_normalizer import from_bytes  # only for a file that is not UTF-8: the rest never pays its import

    matches = from_bytes(raw)
    best = matches.best()
    if best is not None and best.encoding.startswith(("utf_16", "utf_32")):
        return "UTF-16"
    candidates: list[str] = []
    for match in matches:
        candidates += [match.encoding, *match.could_be_from_charset]
    for prefixes, label in _FAMILIES:
        if any(c.startswith(prefixes) for c in candidates):
            return label
    return LEGACY


def decode(raw: bytes) -> str:
    """UTF-8 text, a leading byte-order mark removed; :class:`NotUtf8` for anything else."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotUtf8(raw[: exc.start].count(b"\n") + 1, name_encoding(raw)) from None


def in_layout_of(raw: bytes, text: str) -> str:
    """``text`` (as read: ``\\n`` line endings, no byte-order mark) laid out as the file ``raw`` was: its Windows line
    endings and its byte-order mark kept, so that a tool's edit changes only the lines it means to; pure."""
    if b"\r\n" in raw:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return ("\ufeff" + text) if raw.startswith(b"\xef\xbb\xbf") and not text.startswith("\ufeff") else text
