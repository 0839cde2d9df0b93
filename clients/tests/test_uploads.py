"""Adding a document to a client's file through the upload page: a file is kept only when its
content is what its name says, and a program is never kept, whatever it is called."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from clients.models import Document
from tests.documents import ELF, MACH_O, SHELL_SCRIPT, WINDOWS_EXE, docx_bytes, image_bytes, pdf_bytes
from tests.factories import ClientFactory, case_for

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PROGRAM = "This file is a program or a script, and those cannot be added to a client's file."


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 10, 30, tzinfo=UTC), tick=False)


@pytest.fixture
def storage(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    return root


@pytest.fixture
def person(caseworker):
    person = ClientFactory(office=caseworker.office, first_name="Rosalind", last_name="Quist")
    case_for(person, caseworker)
    return person


def upload(client, person, name: str, content: bytes):
    return client.post(
        reverse("clients:document_upload", args=[person.pk]),
        {"kind": "other", "description": "", "file": SimpleUploadedFile(name, content)},
    )


GOOD = [
    ("lease.pdf", pdf_bytes(), "application/pdf"),
    ("photo.jpg", image_bytes("JPEG"), "image/jpeg"),
    ("photo.jpeg", image_bytes("JPEG"), "image/jpeg"),
    ("id-card.png", image_bytes("PNG"), "image/png"),
    ("scan.tif", image_bytes("TIFF"), "image/tiff"),
    ("scan.TIFF", image_bytes("TIFF"), "image/tiff"),
    ("letter.docx", docx_bytes(), DOCX),
    ("note.txt", "Landlord: Ñúñez, 12 rue Müller — مرحبا\n".encode(), "text/plain"),
    ("note-bom.txt", "\ufeffCalled back on Monday.\n".encode(), "text/plain"),
]


@pytest.mark.parametrize(("name", "content", "content_type"), GOOD, ids=[g[0] for g in GOOD])
def test_a_document_that_is_what_its_name_says_is_kept(
    client, caseworker, person, storage, name, content, content_type
):
    client.force_login(caseworker)

    response = upload(client, person, name, content)

    assert response.status_code == 302
    assert response["Location"] == reverse("clients:documents", args=[person.pk])
    document = Document.objects.get(client=person)
    assert (document.original_name, document.content_type) == (name, content_type)
    assert document.file.name.startswith("documents/2026/03/")
    assert (storage / document.file.name).read_bytes() == content


PROGRAMS = [
    ("notes.txt", ELF),
    ("letter.docx", ELF),
    ("scan.tif", ELF),
    ("lease.pdf", ELF),
    ("notes.txt", WINDOWS_EXE),
    ("letter.docx", WINDOWS_EXE),
    ("photo.jpg", WINDOWS_EXE),
    ("scan.tiff", MACH_O),
    ("notes.txt", MACH_O),
    ("notes.txt", SHELL_SCRIPT),
    ("notes.txt", b"#!/usr/bin/env python3\nimport os\nos.system('id')\n"),
    ("notes.txt", b"@echo off\r\ndel /q %USERPROFILE%\\Documents\r\n"),
    # A zip is read from its end: a program with a Word document appended is still a program.
    ("letter.docx", ELF + docx_bytes()),
]

NOT_WHAT_THE_NAME_SAYS = [
    # A program behind a PDF's first bytes: no PDF structure follows them.
    ("lease.pdf", b"%PDF" + ELF, "This file is not a PDF, whatever its name says."),
    ("lease.pdf", b"%PDF-1.7\n" + ELF, "This file is not a PDF"),
    ("lease.pdf", pdf_bytes() + ELF, "This file is not a PDF, whatever its name says."),
    ("lease.pdf", b"%PDF-1.7\n% no trailer, no cross-reference table\n", "This file is not a PDF"),
    ("lease.pdf", docx_bytes(), "This file is not a PDF"),
    ("photo.jpg", image_bytes("PNG"), "This file is not a JPEG image, whatever its name says."),
    ("id-card.png", image_bytes("JPEG"), "This file is not a PNG image"),
    ("id-card.png", image_bytes("PNG")[:40], "This file is not a PNG image"),
    ("scan.tif", pdf_bytes(), "This file is not a TIFF image"),
    ("letter.docx", pdf_bytes(), "This file is not a Word document"),
    ("letter.docx", docx_bytes(parts={"readme.txt": "not a document"}), "This file is not a Word document"),
    (
        "letter.docx",
        docx_bytes(
            parts={
                "[Content_Types].xml": "<Types/>",
                "word/document.xml": "<w:document/>",
                "word/vbaProject.bin": "macros",
            }
        ),
        "This file is not a Word document",
    ),
    ("notes.txt", "Café".encode("latin-1"), "This file is not plain text, whatever its name says."),
    ("notes.txt", b"Called back\x00\x00 on Monday", "This file is not plain text"),
    ("notes.txt", image_bytes("PNG"), "This file is not plain text"),
]


def assert_refused_and_nothing_kept(response, storage, message: str) -> None:
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["file"]
    assert any(error.startswith(message) for error in errors["file"]), errors["file"]
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not Document.objects.exists()
    assert [p for p in storage.rglob("*") if p.is_file()] == []
    assert not AuditEvent.objects.filter(object_type="clients.document").exists()


@pytest.mark.parametrize(("name", "content"), PROGRAMS, ids=[f"{i}-{p[0]}" for i, p in enumerate(PROGRAMS)])
def test_a_program_is_refused_whatever_its_name_and_nothing_is_kept(client, caseworker, person, storage, name, content):
    client.force_login(caseworker)

    response = upload(client, person, name, content)

    assert_refused_and_nothing_kept(response, storage, PROGRAM)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    NOT_WHAT_THE_NAME_SAYS,
    ids=[f"{i}-{p[0]}" for i, p in enumerate(NOT_WHAT_THE_NAME_SAYS)],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_kept(
    client, caseworker, person, storage, name, content, message
):
    client.force_login(caseworker)

    response = upload(client, person, name, content)

    assert_refused_and_nothing_kept(response, storage, message)


def test_a_pdf_from_a_real_pdf_writer_is_kept(client, caseworker, person, storage):
    from weasyprint import HTML

    content = HTML(string="<h1>Notice of decision</h1><p>Page one.</p>").write_pdf()
    client.force_login(caseworker)

    response = upload(client, person, "notice.pdf", content)

    assert response.status_code == 302
    assert Document.objects.get(client=person).content_type == "application/pdf"


def test_a_resume_is_kept_as_a_resume_and_shown_so_on_the_clients_documents(client, caseworker, person, storage):
    client.force_login(caseworker)

    response = client.post(
        reverse("clients:document_upload", args=[person.pk]),
        {"kind": "resume", "description": "Updated after job club", "file": SimpleUploadedFile("cv.pdf", pdf_bytes())},
    )

    assert response.status_code == 302
    assert Document.objects.get(client=person).kind == Document.Kind.RESUME
    assert "Résumé" in client.get(reverse("clients:documents", args=[person.pk])).content.decode()
