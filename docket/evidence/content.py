"""What a file is, taken from its bytes, and what it may be called."""

from __future__ import annotations

import codecs
import io
import unicodedata
import zipfile

import puremagic
from django.conf import settings
from django.utils.translation import gettext as _

from docket.core.errors import FieldError

# Formats without a signature: their bytes are accepted as text only if they decode as UTF-8 and hold no
# NUL byte (no binary format survives both tests), and do not carry the signature of a binary type we take
# (a PDF may be pure ASCII; declared as text/plain it would still be a PDF).
TEXT_TYPES = frozenset({"text/plain", "text/csv", "text/html", "application/json", "message/rfc822"})

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# puremagic names every ZIP archive as every Office format at once; the archive's own contents tell them apart.
ZIP_MEMBERS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}

# Characters that reorder or hide text: "report\u202egnp.exe" is displayed as "reportexe.png".
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def declared_type(value: str) -> str:
    """``Image/PNG; charset=x`` → ``image/png``: parameters say nothing about which format the bytes are."""
    return value.split(";", 1)[0].strip().lower()


def _signatures(content: bytes) -> list[puremagic.PureMagicWithConfidence]:
    try:
        return list(puremagic.magic_string(content))
    except puremagic.PureError:
        return []


def _zip_types(content: bytes) -> set[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return set()
    found = {"application/zip"}
    if "[Content_Types].xml" in names:
        found |= {mime for mime, member in ZIP_MEMBERS.items() if member in names}
    return found


def _binary_types(content: bytes) -> set[str]:
    """Every binary type the bytes' signature is consistent with."""
    if content[:4] == b"PK\x03\x04":
        return _zip_types(content)
    return {m.mime_type for m in _signatures(content) if m.mime_type and m.mime_type not in TEXT_TYPES} - set(
        ZIP_MEMBERS
    )


def _describe(content: bytes) -> str:
    if content[:4] == b"PK\x03\x04":
        found = _zip_types(content)
        specific = sorted(found - {"application/zip"})
        return specific[0] if specific else ("application/zip" if found else _("a damaged ZIP archive"))
    matches = sorted(_signatures(content), key=lambda m: (-m.confidence, not m.mime_type))
    for match in matches:
        if match.mime_type:
            return str(match.mime_type)
    if matches:
        return str(matches[0].name)
    return _("not a recognised format")


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    # Decoded in slices: a file of hundreds of megabytes is checked without holding its text in memory.
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(content)
    try:
        for start in range(0, len(content), 1 << 20):
            decoder.decode(view[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def check_content(content: bytes, content_type: str) -> tuple[str, list[FieldError]]:
    """The declared type, normalised, and the errors if the bytes are not of that type or it is not accepted."""
    declared = declared_type(content_type)
    allowed = {declared_type(t) for t in settings.DOCKET_EVIDENCE_TYPES}
    if declared not in allowed:
        return declared, [FieldError("content_type", _("%(t)s files are not accepted") % {"t": declared or "—"})]
    if not content:
        return declared, []
    if declared in TEXT_TYPES:
        binary = _binary_types(content) & (allowed - TEXT_TYPES)
        if _is_text(content) and not binary:
            return declared, []
        return declared, [
            FieldError(
                "content_type",
                _("declared as %(declared)s, but the file is not UTF-8 text: it is %(found)s")
                % {"declared": declared, "found": sorted(binary)[0] if binary else _describe(content)},
            )
        ]
    binary = _binary_types(content)
    if declared in binary:
        return declared, []
    return declared, [
        FieldError(
            "content_type",
            _("declared as %(declared)s, but the file's bytes are %(found)s")
            % {
                "declared": declared,
                "found": _("plain text") if _is_text(content) and not binary else _describe(content),
            },
        )
    ]


def normalise_name(name: str) -> tuple[str, list[FieldError]]:
    """A file name as stored, or the reason it is refused.

    The name is a label for people, never a path (files are stored by hash): separators, control and
    reordering characters are refused, because a name that holds them was made to mislead or is broken,
    and guessing what was meant would record a name nobody gave. A name longer than the limit (255 bytes
    of UTF-8 by default: what file systems and ZIP exports take) is shortened with its extension kept:
    long names are common in titles of Chinese documents and their bytes, not their names, are evidence.
    """
    text = unicodedata.normalize("NFC", name or "").strip()
    if not text or text in {".", ".."}:
        return "", [FieldError("name", _("a file name is required"))]
    if "/" in text or "\\" in text:
        return "", [FieldError("name", _("a plain file name, without folders (no / or \\)"))]
    if any(unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS for c in text):
        return "", [FieldError("name", _("the file name contains control or text-direction characters"))]
    return _shorten(text, settings.DOCKET_EVIDENCE_NAME_MAX_BYTES), []


def _shorten(text: str, limit: int) -> str:
    if len(text.encode("utf-8")) <= limit:
        return text
    stem, dot, ext = text.rpartition(".")
    # An "extension" longer than 16 bytes, or none at all, is part of the name.
    if not dot or not stem or len(ext.encode("utf-8")) > 16:
        stem, ext = text, ""
    suffix = f".{ext}" if ext else ""
    room = limit - len(suffix.encode("utf-8"))
    # Cut at a character boundary, then re-normalise: the cut may split a combining sequence.
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip()
    return unicodedata.normalize("NFC", cut) + suffix
