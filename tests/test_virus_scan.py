"""Virus scanning of uploads by a ClamAV daemon (issue 12, "Uploads"), proved with the standard
EICAR test file against a real clamd (tests/clamd.py), through a real upload page."""

import logging
import os

import pytest
from django.urls import reverse

from qingdao_groups.core.clamav import clamav_command
from qingdao_groups.models import Attachment
from tests.clamd import EICAR, SIGNATURE, clamd_path
from tests.groups.test_card_filing_uploads import make_card, media_files
from tests.test_uploads import make_pdf, make_png, upload


def test_ci_has_clamd_so_the_scanner_tests_never_skip():
    """.ci/run installs clamav-daemon; in CI its absence is a failure, not a skip."""
    if os.environ.get("CI") != "true":
        pytest.skip("only CI promises clamd")
    assert clamd_path(), "clamd missing in CI: .ci/run should install clamav-daemon"


def test_the_daemon_answers(scanning):
    assert clamav_command("PING") == "PONG"


def _post(client, card, data, name):
    return client.post(reverse("cards:upload", args=[card.pk]), {"upload-file": upload(data, name)})


@pytest.mark.django_db
def test_eicar_through_an_upload_page_is_refused_and_nothing_is_stored(scanning, world, client):
    card = make_card(world)
    client.force_login(world.users["district"])
    response = _post(client, card, EICAR, "通报.pdf")
    assert response.status_code == 200
    html = response.content.decode()
    assert "病毒扫描发现该文件含有恶意代码" in html and SIGNATURE in html
    assert not Attachment.objects.exists() and media_files() == []


@pytest.mark.django_db
def test_a_clean_pdf_and_image_pass_the_scan_and_are_stored(scanning, world, client):
    card = make_card(world)
    client.force_login(world.users["district"])
    assert _post(client, card, make_pdf("clean"), "通报.pdf").status_code == 302
    assert _post(client, card, make_png(), "照片.png").status_code == 302
    assert Attachment.objects.count() == 2 and len(media_files()) == 2


@pytest.mark.django_db
def test_a_configured_daemon_that_is_down_refuses_every_upload(
    settings, world, client, tmp_path, caplog
):
    """Fail closed: no verdict, no upload; the operators see an error in the log."""
    settings.CLAMAV_SOCKET = str(tmp_path / "no-such-clamd.sock")
    card = make_card(world)
    client.force_login(world.users["district"])
    with caplog.at_level(logging.ERROR, logger="qingdao_groups.core.uploads"):
        response = _post(client, card, make_pdf("clean"), "通报.pdf")
    assert response.status_code == 200
    assert "扫描服务不可用，请稍后再试" in response.content.decode()
    assert not Attachment.objects.exists() and media_files() == []
    assert any("virus scan unavailable" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_eicar_in_a_school_import_is_refused(scanning, world, client):
    client.force_login(world.users["district"])
    response = client.post(
        reverse("members:school-import"), {"file": upload(EICAR, "学校.csv", "text/csv")}
    )
    assert response.status_code == 200
    assert "恶意代码" in " ".join(response.context["form"].errors["file"])
    assert media_files() == []


@pytest.mark.django_db
def test_every_upload_form_says_whether_uploads_are_scanned(settings, world, client):
    """The note comes with the file input itself (qingdao_groups.core.forms.UploadInput)."""
    card = make_card(world)
    client.force_login(world.users["district"])
    pages = [
        reverse("cards:detail", args=[card.pk]),
        reverse("documents:group-documents", args=[world.group.pk]),
        reverse("members:school-import"),
        reverse("filings:filing-create"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert 'data-testid="scan-note"' in html and "未启用病毒扫描" in html, url
    settings.CLAMAV_SOCKET = "/run/clamav/clamd.ctl"
    for url in pages:
        assert "上传文件将经过病毒扫描" in client.get(url).content.decode(), url


class _FakeDaemon:
    """A TCP listener that speaks INSTREAM: it reassembles the chunks and answers `reply`."""

    def __init__(self, reply: bytes):
        import socket
        import threading

        self.reply, self.received = reply, b""
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        import struct

        conn, _addr = self.server.accept()
        with conn:
            buffer = b""
            while True:
                part = conn.recv(65536)
                if not part:
                    return
                buffer += part
                if not buffer.startswith(b"zINSTREAM\0"):
                    continue
                at, data = len(b"zINSTREAM\0"), b""
                while at + 4 <= len(buffer):
                    (size,) = struct.unpack(">I", buffer[at : at + 4])
                    if size == 0:
                        self.received = data
                        conn.sendall(self.reply)
                        return
                    if at + 4 + size > len(buffer):
                        break
                    data += buffer[at + 4 : at + 4 + size]
                    at += 4 + size

    def close(self):
        self.thread.join(timeout=5)
        self.server.close()


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (b"stream: OK\0", None),
        (b"stream: Win.Test.EICAR_HDB-1 FOUND\0", "Win.Test.EICAR_HDB-1"),
        (b"INSTREAM size limit exceeded. ERROR\0", "扫描服务不可用"),
    ],
)
def test_a_daemon_over_tcp_gets_the_whole_file_in_chunks(settings, reply, outcome):
    from qingdao_groups.core.uploads import UploadRejected, scan_upload

    daemon = _FakeDaemon(reply)
    settings.CLAMAV_SOCKET, settings.CLAMAV_TCP = "", f"127.0.0.1:{daemon.port}"
    data = make_pdf(padding=200_000)  # more than three 64 KB chunks
    try:
        if outcome is None:
            scan_upload(upload(data, "a.pdf"))
        else:
            with pytest.raises(UploadRejected, match=outcome):
                scan_upload(upload(data, "a.pdf"))
    finally:
        daemon.close()
    assert daemon.received == data
