"""QR codes as SVG, made at build time (no network): for posters, slides and WeChat shares."""

from __future__ import annotations

import io

import segno


def svg(url: str) -> str:
    """A printable, scalable QR code for ``url`` with a title for screen readers."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title=url, svgclass="os-qr-code")
    return out.getvalue().decode("utf-8")
