"""What an uploaded document really is, read from its bytes, whatever its name says.

libmagic (the `file` command's library) names the type from the content; each allowed
type is then opened far enough to show it is what it claims. No Django here.
"""

import io
import re
import zipfile

import magic
from PIL import Image

# libmagic's names for programs: ELF, Windows PE/MZ, Mach-O, and scripts (a `#!` line).
PROGRAM_TYPES = {
    "application/x-executable",
    "application/x-pie-executable",
    "application/x-sharedlib",
    "application/x-object",
    "application/x-elf",
    "application/x-coredump",
    "application/x-dosexec",
    "application/x-msdownload",
    "application/vnd.microsoft.portable-executable",
    "application/x-mach-binary",
    "application/x-java-applet",
    "text/x-shellscript",
    "text/x-msdos-batch",
    "text/x-perl",
    "text/x-php",
}
PROGRAM_SIGNATURES = (
    b"\x7fELF",
    b"#!",
    # Mach-O, 32 and 64 bits, either byte order, and universal binaries.
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
# A PDF ends with `startxref`, the offset of its cross-reference table, and `%%EOF`; readers
# look for them in the last 1024 bytes (ISO 32000-1:2008, 7.5.5 "File Trailer").
PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
PDF_TRAILER = re.compile(rb"startxref\s+(\d+)\s+%%EOF[\s\x00]*\Z")
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/tiff": "TIFF"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NAMES = {"application/pdf": "a PDF", DOCX: "a Word document", "text/plain": "plain text"}
NAMES.update({content_type: f"a {name} image" for content_type, name in IMAGE_FORMATS.items()})


def content_problem(data: bytes, content_type: str) -> str | None:
    """Why `data` may not be kept as `content_type` (a type of settings.DOCUMENT_ALLOWED_TYPES), or None.

    A type with no check here is refused: an image type is accepted only if Pillow reads it as such.
    """
    detected = magic.from_buffer(data[:65536], mime=True)
    if detected in PROGRAM_TYPES or detected.startswith("text/x-script") or data.startswith(PROGRAM_SIGNATURES):
        return "This file is a program or a script, and those cannot be added to a client's file."
    is_expected = {
        "application/pdf": _is_pdf,
        DOCX: _is_docx,
        "text/plain": _is_text,
    }.get(content_type, _is_image)
    if not is_expected(data, content_type, detected):
        return f"This file is not {NAMES.get(content_type, content_type)}, whatever its name says."
    return None


def _is_pdf(data: bytes, content_type: str, detected: str) -> bool:
    trailer = PDF_TRAILER.search(data[-1024:])
    return (
        detected == "application/pdf"
        and PDF_HEADER.match(data) is not None
        and trailer is not None
        and int(trailer.group(1)) < len(data)
    )


def _is_image(data: bytes, content_type: str, detected: str) -> bool:
    if detected != content_type or content_type not in IMAGE_FORMATS:
        return False
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format == IMAGE_FORMATS[content_type]
    except Exception:  # Pillow raises many kinds for a broken or hostile image
        return False


def _is_docx(data: bytes, content_type: str, detected: str) -> bool:
    # Read from its end, a zip can hide behind anything: it must also start as one.
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    # A macro-enabled document (.docm) renamed .docx carries its macros in vbaProject.bin.
    has_macros = any(name.lower().endswith("vbaproject.bin") for name in names)
    return {"[Content_Types].xml", "word/document.xml"} <= names and not has_macros


def _is_text(data: bytes, content_type: str, detected: str) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
