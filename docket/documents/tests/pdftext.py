"""Just enough of a PDF reader to tell what a WeasyPrint PDF shows: the fonts it embeds and the text it draws.

No PDF library is installed, and a test of "the Chinese really shows" must read the text through the fonts'
ToUnicode maps: a missing CJK font still puts the characters in the HTML but draws empty boxes (.notdef),
which map to no text here.
"""

from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)


def _objects(pdf: bytes) -> tuple[dict[int, bytes], dict[int, bytes]]:
    """(object number → its dictionary text, object number → its decompressed stream)."""
    heads: dict[int, bytes] = {}
    streams: dict[int, bytes] = {}
    for num, body in _OBJ.findall(pdf):
        n = int(num)
        if b"stream" in body:
            head, data = body.split(b"stream", 1)
            data = data.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
            heads[n] = head
            streams[n] = zlib.decompress(data) if b"FlateDecode" in head else data
        else:
            heads[n] = body
    for n, head in list(heads.items()):
        if b"/ObjStm" in head and n in streams:
            first = int(re.search(rb"/First (\d+)", head).group(1))  # type: ignore[union-attr]
            count = int(re.search(rb"/N (\d+)", head).group(1))  # type: ignore[union-attr]
            data = streams[n]
            numbers = [int(x) for x in data[:first].split()]
            pairs = [(numbers[2 * i], numbers[2 * i + 1]) for i in range(count)]
            for i, (obj, offset) in enumerate(pairs):
                end = pairs[i + 1][1] if i + 1 < len(pairs) else len(data) - first
                heads[obj] = data[first + offset : first + end]
    return heads, streams


def _cmap(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(start + i)
    return out


def font_names(pdf: bytes) -> set[str]:
    heads, _streams = _objects(pdf)
    return {m.decode() for h in heads.values() for m in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", h)}


def text(pdf: bytes) -> str:
    """The text the PDF draws, in drawing order, each font's glyphs read through its ToUnicode map."""
    heads, streams = _objects(pdf)
    maps: dict[bytes, dict[int, str]] = {}
    dicts = [f for h in heads.values() for f in re.findall(rb"/Font\s*<<(.*?)>>", h, re.S)]
    dicts += [heads.get(int(r), b"") for h in heads.values() for r in re.findall(rb"/Font\s+(\d+) 0 R", h)]
    for fonts in dicts:
        if True:
            for name, ref in re.findall(rb"/([^\s/<>]+)\s+(\d+) 0 R", fonts):
                font = heads.get(int(ref), b"")
                tu = re.search(rb"/ToUnicode (\d+) 0 R", font)
                if tu and int(tu.group(1)) in streams:
                    maps[name] = _cmap(streams[int(tu.group(1))])
    out: list[str] = []
    token = re.compile(rb"/([^\s/<>\[\]]+)\s+[\d.]+\s+Tf|\[((?:[^\]]|\n)*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj")
    for data in streams.values():
        if b" Tf" not in data:
            continue
        cmap: dict[int, str] = {}
        for m in token.finditer(data):
            if m.group(1) is not None:
                cmap = maps.get(m.group(1), {})
                continue
            hexes = re.findall(rb"<([0-9a-fA-F]*)>", m.group(2)) if m.group(2) is not None else [m.group(3)]
            for h in hexes:
                for i in range(0, len(h), 4):
                    out.append(cmap.get(int(h[i : i + 4], 16), "\ufffd"))
        out.append("\n")
    return "".join(out)
