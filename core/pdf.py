"""Every PDF handed to a client or a partner (notices, referral letters, plans) is made here.

They are tagged PDF/UA-1 documents, so a screen reader reads them in order with their
headings and table headers: ISO 14289-1 (PDF/UA-1), produced by WeasyPrint's `pdf/ua-1`
variant (`pdf_variant` in https://doc.courtbouillon.org/weasyprint/v70.0/api_reference.html),
which also writes the document's language (from `<html lang>`) and title (from `<title>`).
"""

from django.conf import settings


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF/UA-1 of `html`; the page needs `<html lang>`, a `<title>` and headings in order."""
    from weasyprint import HTML  # imported here: it loads Pango, which only printed documents need

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
