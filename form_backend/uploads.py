"""Uploads judged by parsing them, not by their first bytes.

A PDF is opened with pypdf and refused when it carries anything a viewer would run or unpack
(JavaScript, automatic or launch actions, embedded files, XFA forms) or when it is also
something else (bytes before ``%PDF-``, HTML or script inside); an image is decoded with Pillow
under a pixel limit (a decompression bomb is refused from its header, before any decoding) and
re-encoded from its pixels alone, so EXIF (GPS position, camera serial) and every other chunk
are dropped.  The display name is cleaned of control, bidi-override and path characters and
ends with the extension of what the file really is.  With ``CLAMD_SOCKET`` set, the cleaned
bytes are also scanned by ClamAV (INSTREAM over its unix socket); when the scanner cannot
answer the upload is refused (fail closed), never stored unscanned.

Every refusal is an :class:`UploadRefused` carrying the key of an interface string
(``content/strings/*.yaml``) that takes the field's ``{label}``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import socket
import struct
import unicodedata
import warnings
from dataclasses import dataclass

# a citizen's damaged PDF is refused with a message, not an operational warning in the log
logging.getLogger("pypdf").setLevel(logging.ERROR)

MAX_PIXELS = 40_000_000  # 40 Mpx: a 7000×5700 scan; a phone photo is 12–50 Mpx at most
MAX_PDF_OBJECTS = 200_000  # a form scan has hundreds; more is a complexity bomb
MAX_PDF_PAGES = 500

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: ("pdf", (".pdf",)), JPEG: ("jpg", (".jpg", ".jpeg")), PNG: ("png", (".png",))}


class UploadRefused(ValueError):
    """The upload is refused; ``key`` names the interface string that says why."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail  # for the log, never shown to the citizen


@dataclass(frozen=True)
class CleanUpload:
    """An accepted upload: the name to show, its real type, and the bytes to store."""

    name: str
    mimetype: str
    ext: str
    data: bytes


def check_upload(filename: str, data: bytes, *, max_pixels: int = MAX_PIXELS,
                 clamd_socket: str | None = None, clamd_timeout: float = 30.0) -> CleanUpload:
    """Parse ``data`` as a PDF, JPEG or PNG and return what may be stored, or raise
    :class:`UploadRefused`."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"):
        mimetype, data = _clean_image(data, max_pixels)
    elif b"%PDF-" in data[:1024]:
        mimetype = PDF
        _check_pdf(data)
    else:
        raise UploadRefused("err_file_type", "neither a PDF, a JPEG nor a PNG")
    if clamd_socket:
        clamd_scan(clamd_socket, data, timeout=clamd_timeout)
    ext, suffixes = EXTENSIONS[mimetype]
    return CleanUpload(name=display_name(filename, suffixes), mimetype=mimetype, ext=ext,
                       data=data)


# ---------------------------------------------------------------------------------------------
# names

_PATH = re.compile(r"[/\\:*?\"<>|]")


def display_name(filename: str, suffixes: tuple[str, ...] = ()) -> str:
    """``filename`` as it may be shown: its last path component, without control, format
    (bidi overrides, zero-width) or path characters, at most 120 characters, ending with one
    of ``suffixes`` (the first is added when it does not): ``"\\u202egpj.exe"`` becomes
    ``"gpj.exe.jpg"`` for a JPEG, ``"../../x.pdf"`` becomes ``"x.pdf"``."""
    text = unicodedata.normalize("NFC", filename or "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(" " if unicodedata.category(ch)[0] == "Z" else ch for ch in text
                   if unicodedata.category(ch)[0] != "C")
    text = _PATH.sub("", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    if suffixes and not text.lower().endswith(suffixes):
        text = f"{text[:120 - len(suffixes[0])]}{suffixes[0]}" if text else ""
    text = text[-120:] if len(text) > 120 else text  # keep the extension
    return text or f"allegato{suffixes[0] if suffixes else ''}"


# ---------------------------------------------------------------------------------------------
# images


def _clean_image(data: bytes, max_pixels: int) -> tuple[str, bytes]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=("PNG", "JPEG"))
            # the header alone says how many pixels decoding would make: refuse before it
            if image.width * image.height > max_pixels:
                raise UploadRefused("err_file_image_too_large",
                                    f"{image.width}x{image.height} pixels")
            image.load()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRefused("err_file_image_too_large", str(exc)[:200]) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UploadRefused("err_file_damaged", f"image: {type(exc).__name__}") from None
    is_png = image.format == "PNG"
    if not is_png and _bare_jpeg(data):
        # nothing but pixels (what this function writes): kept as they are, so checking a
        # draft again before it is sent does not compress a photo a second time (a PNG is
        # always rewritten: that costs no quality)
        return JPEG, data
    with contextlib.suppress(Exception):  # a broken orientation tag: pixels as they are
        image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
    out = io.BytesIO()
    if is_png:
        if image.mode not in ("1", "L", "LA", "RGB", "RGBA"):
            image = image.convert("RGBA" if "transparency" in image.info
                                  or image.mode in ("PA", "RGBa") else "RGB")
        clean = Image.new(image.mode, image.size)
        clean.paste(image)
        clean.save(out, format="PNG")
        return PNG, out.getvalue()
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    clean.save(out, format="JPEG", quality=90)
    return JPEG, out.getvalue()


# quantisation and Huffman tables, frame header (baseline or extended), restart interval
_JPEG_PIXELS = {0xDB, 0xC4, 0xC0, 0xC1, 0xDD}
_JPEG_OTHER_MARKER = re.compile(rb"\xff(?![\x00\xd0-\xd7])")


def _bare_jpeg(data: bytes) -> bool:
    """A JFIF header, tables, one baseline scan and the end: no EXIF, ICC, XMP or comment
    segment, no second scan, nothing after the end marker."""
    if not data.startswith(b"\xff\xd8\xff\xe0") or not data.endswith(b"\xff\xd9"):
        return False
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        (length,) = struct.unpack("!H", data[at + 2:at + 4])
        if marker == 0xDA:  # the scan: only stuffed bytes and restart markers until the end
            return _JPEG_OTHER_MARKER.search(data, at + 2 + length, len(data) - 2) is None
        if marker == 0xE0:
            if data[at + 4:at + 9] != b"JFIF\0" or length != 16:  # 16: no thumbnail
                return False
        elif marker not in _JPEG_PIXELS:
            return False
        at += 2 + length
    return False


# ---------------------------------------------------------------------------------------------
# PDF

# markup that makes a browser (or a mail client) read the file as a page
_MARKUP = re.compile(rb"<\s*(?:html|script|body|iframe|svg|!doctype|object|embed)\b", re.I)
# keys that only exist to run, submit or unpack something
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EmbeddedFile", "/EF",
                "/XFA", "/RichMedia", "/RichMediaContent", "/Launch"}
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE", "/GoToR",
                   "/RichMediaExecute", "/Rendition", "/Movie", "/Sound", "/Hide"}
_ACTIVE_TYPES = {"/EmbeddedFile", "/FileAttachment", "/RichMedia", "/Screen", "/Sound",
                 "/Movie", "/3D"}


def _check_pdf(data: bytes) -> None:
    if not data.startswith(b"%PDF-"):
        raise UploadRefused("err_file_unsafe", "bytes before %PDF-")
    if _MARKUP.search(data):
        raise UploadRefused("err_file_unsafe", "HTML or script markup inside")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise UploadRefused("err_file_encrypted", "needs a password")
            if len(reader.pages) > MAX_PDF_PAGES:
                raise UploadRefused("err_file_damaged", "too many pages")
            _walk(reader.trailer)
    except UploadRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, NotImplementedError, AssertionError) as exc:
        raise UploadRefused("err_file_damaged", f"pdf: {type(exc).__name__}") from None


def _walk(root) -> None:
    """Visit every object reachable from the trailer (each indirect object once) and refuse
    anything active.  Iterative: a deeply nested file cannot exhaust the stack."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        obj = stack.pop()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise UploadRefused("err_file_damaged", "too many objects")
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            stack.append(obj.get_object())
        elif isinstance(obj, DictionaryObject):  # stream dictionaries included
            for key, value in obj.items():
                if key in _ACTIVE_KEYS:
                    raise UploadRefused("err_file_unsafe", f"key {key}")
                if key == "/S" and isinstance(value, NameObject) and value in _ACTIVE_ACTIONS:
                    raise UploadRefused("err_file_unsafe", f"action {value}")
                if key in ("/Type", "/Subtype") and value in _ACTIVE_TYPES:
                    raise UploadRefused("err_file_unsafe", f"{key} {value}")
                if key == "/OpenAction" and not _harmless_open_action(value):
                    raise UploadRefused("err_file_unsafe", "open action")
                if key == "/Parent":
                    continue  # the page tree is reached from the root anyway
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


def _harmless_open_action(value) -> bool:
    """An open action that only shows a page (a destination, or a GoTo to one)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    value = value.get_object() if hasattr(value, "get_object") else value
    if isinstance(value, ArrayObject):
        return True
    return (isinstance(value, DictionaryObject) and value.get("/S") == "/GoTo"
            and "/Next" not in value)


# ---------------------------------------------------------------------------------------------
# ClamAV


def clamd_scan(path: str, data: bytes, timeout: float = 30.0) -> None:
    """Scan ``data`` with clamd at the unix socket ``path`` (INSTREAM); return when clean,
    raise ``UploadRefused("err_file_virus")`` when something was found and
    ``UploadRefused("err_file_scan_unavailable")`` when the scanner did not answer."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(path)
            s.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), 1 << 16):
                chunk = data[start:start + (1 << 16)]
                s.sendall(struct.pack("!L", len(chunk)) + chunk)
            s.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = s.recv(4096)
                if not part:
                    break
                reply += part
                if len(reply) > 4096:
                    break
    except OSError as exc:
        raise UploadRefused("err_file_scan_unavailable", f"clamd: {exc}") from None
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer.endswith("FOUND"):
        raise UploadRefused("err_file_virus", answer)
    if not answer.endswith(": OK"):
        raise UploadRefused("err_file_scan_unavailable", f"clamd: {answer!r}")


__all__ = ["MAX_PIXELS", "CleanUpload", "UploadRefused", "check_upload", "clamd_scan",
           "display_name"]
