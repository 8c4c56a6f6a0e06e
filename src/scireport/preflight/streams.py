"""Reading PDF streams with a bound on what they inflate to.

A 57 KB file can hold a content stream that inflates to 30 MB (and a 580 KB one to
gigabytes): qpdf would decode it whole, and parsing it takes seconds and gigabytes. Flate
streams are inflated here with ``zlib.decompressobj(...).decompress(data, max_length)``
instead, so reading stops one byte past the limit; other filters are decoded by pikepdf
only when even their worst expansion stays within the limit.
"""

from __future__ import annotations

import zlib
from typing import Any

import pikepdf

from .base import MAX_DOCUMENT_BYTES, MAX_STREAM_BYTES, Oversized, Unreadable

WORST_RATIO = {
    "/FlateDecode": 1032,
    "/Fl": 1032,
    "/LZWDecode": 4096,
    "/LZW": 4096,
    "/RunLengthDecode": 64,
    "/RL": 64,
    "/ASCIIHexDecode": 1,
    "/AHx": 1,
    "/ASCII85Decode": 1,
    "/A85": 1,
}
"""Most output bytes one input byte can give, per content filter."""


def _filters(stream: pikepdf.Stream) -> list[str]:
    value = stream.get("/Filter")
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return [str(item) for item in value]
    return [str(value)]


def _has_predictor(stream: pikepdf.Stream) -> bool:
    parms = stream.get("/DecodeParms")
    if isinstance(parms, pikepdf.Array):
        parms = parms[0] if len(parms) else None
    if not isinstance(parms, pikepdf.Dictionary):
        return False
    predictor = parms.get("/Predictor")
    return predictor is not None and int(predictor) > 1


def inflate(raw: bytes, limit: int) -> bytes:
    """Inflate zlib data ``raw``; raise :class:`Oversized` once it passes ``limit`` bytes."""
    inflater = zlib.decompressobj()
    out = bytearray()
    try:
        pending = raw
        while pending:
            out += inflater.decompress(pending, limit + 1 - len(out))
            if len(out) > limit:
                raise Oversized(f"inflates to more than {limit:,} bytes")
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error as exc:
        raise Unreadable(f"a stream is not valid Flate data ({exc})") from None
    return bytes(out)


class StreamReader:
    """Reads the streams of one file, each under :data:`MAX_STREAM_BYTES`, all of them
    together under :data:`MAX_DOCUMENT_BYTES`."""

    def __init__(
        self, stream_limit: int = MAX_STREAM_BYTES, document_limit: int = MAX_DOCUMENT_BYTES
    ) -> None:
        self.stream_limit = stream_limit
        self.left = document_limit

    def read(self, stream: Any, limit: int | None = None) -> bytes:
        """The decoded bytes of ``stream``; raise :class:`Oversized` past the limits.

        ``limit`` (smaller than the stream limit) reads only that many leading bytes.
        """
        if not isinstance(stream, pikepdf.Stream):
            raise Unreadable("a stream was expected")
        want = min(limit, self.stream_limit) if limit is not None else self.stream_limit
        bound = min(want, self.left)
        filters = _filters(stream)
        raw = stream.read_raw_bytes()
        if not filters:
            data = raw if limit is None else raw[:limit]
            if limit is None and len(data) > bound:
                raise self._oversized(bound)
        elif filters in (["/FlateDecode"], ["/Fl"]) and not _has_predictor(stream):
            if limit is not None:
                try:
                    data = zlib.decompressobj().decompress(raw, limit)
                except zlib.error as exc:
                    raise Unreadable(f"a stream is not valid Flate data ({exc})") from None
            else:
                try:
                    data = inflate(raw, bound)
                except Oversized:
                    raise self._oversized(bound) from None
        else:
            worst = len(raw)
            for name in filters:
                worst *= WORST_RATIO.get(name, 1 << 20)
            if worst > bound:
                raise Oversized(
                    f"a stream with filters {' '.join(filters)} could inflate past"
                    f" {bound:,} bytes; preflight reads only FlateDecode streams that large"
                )
            data = stream.read_bytes()
            if limit is not None:
                data = data[:limit]
        self.left -= len(data)
        return data

    def _oversized(self, bound: int) -> Oversized:
        if bound < self.stream_limit:
            return Oversized(
                f"the file's streams inflate to more than {MAX_DOCUMENT_BYTES:,} bytes in all"
            )
        return Oversized(f"a stream inflates to more than {bound:,} bytes")
