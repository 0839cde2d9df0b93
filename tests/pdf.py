"""What a test can read of a PDF: its bytes with every compressed stream inflated."""

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def pdf_objects(pdf: bytes) -> bytes:
    """The file and each Flate-compressed stream (object streams, XMP metadata) inflated, joined."""
    parts = [pdf]
    for match in _STREAM.finditer(pdf):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue  # an uncompressed stream is already in the file as it is
    return b"\n".join(parts)


def assert_tagged_pdf_ua(pdf: bytes, *, title: str) -> None:
    """A tagged PDF that declares PDF/UA-1, with its language and title, headings and table headers.

    What ISO 14289-1 asks a screen reader can rely on: a structure tree, the document marked
    as tagged, the PDF/UA identification in the XMP metadata, /Lang, and the title shown.
    """
    assert pdf.startswith(b"%PDF")
    objects = pdf_objects(pdf)
    assert b"/StructTreeRoot" in objects
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked true", objects)
    assert b'pdfuaid:part="1"' in objects or b"<pdfuaid:part>1</pdfuaid:part>" in objects
    assert b"/Lang (en)" in objects
    assert b"/DisplayDocTitle true" in objects
    assert title.encode() in objects
    assert b"/H1" in objects
    assert b"/TH" in objects
