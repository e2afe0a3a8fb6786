"""Bytes that are not UTF-8 are named in the message; UTF-8 with or without a byte-order mark is read."""

from __future__ import annotations

import pytest

from openshelf.guide.encoding import LEGACY, NotUtf8, decode

TEXT = "id: dbs\ntitle: {zh: 中國知網資料庫, en: CNKI}\n"


def test_utf8_with_and_without_a_byte_order_mark() -> None:
    assert decode(TEXT.encode("utf-8")) == TEXT
    assert decode(b"\xef\xbb\xbf" + TEXT.encode("utf-8")) == TEXT


@pytest.mark.parametrize(("encoding", "named"), [
    ("gbk", "GBK/GB18030"),
    ("big5", "Big5"),
    ("utf-16", "UTF-16"),  # what Notepad calls "Unicode": starts with a byte-order mark
    ("cp1252", LEGACY),
])
def test_other_encodings_are_named_with_the_line(encoding: str, named: str) -> None:
    text = TEXT.replace("中國知網資料庫", "Café, Zürich") if encoding == "cp1252" else TEXT
    with pytest.raises(NotUtf8) as info:
        decode(text.encode(encoding))
    assert info.value.encoding == named
    assert info.value.message == f"the file is not UTF-8 (it looks like {named})"
    assert info.value.line == (1 if encoding == "utf-16" else 2)
