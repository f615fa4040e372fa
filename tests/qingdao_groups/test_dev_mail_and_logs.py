"""Development conveniences of issue 8: readable mail files, and 403/404 logged in one line."""

import logging

from django.core import mail
from django.core.exceptions import PermissionDenied

from qingdao_groups.core.mail import ReadableFileBackend
from qingdao_groups.logging import ExpectedClientErrors


def test_each_message_is_one_readable_file(tmp_path):
    backend = ReadableFileBackend(file_path=str(tmp_path))
    one = mail.EmailMultiAlternatives(
        "【待办】崂山区教育集团申请待您表态",
        "您好：申请已提交，请于 10 个工作日内表态。",
        "noreply@jyj.qingdao.example",
        ["officer@laoshan.example"],
        cc=["head@laoshan.example"],
    )
    one.attach_alternative("<p>您好</p>", "text/html")
    one.attach("批复.pdf", b"%PDF-1.4", "application/pdf")
    two = mail.EmailMessage("第二封", "正文二", "a@example.org", ["b@example.org"])
    assert backend.send_messages([one, two]) == 2
    files = sorted(tmp_path.iterdir())
    assert len(files) == 2
    texts = [f.read_text(encoding="utf-8") for f in files]
    first = next(t for t in texts if "崂山区" in t)
    assert "Subject: 【待办】崂山区教育集团申请待您表态" in first  # not base64
    assert "请于 10 个工作日内表态" in first
    assert "Cc: head@laoshan.example" in first
    assert "--- text/html ---" in first and "批复.pdf" in first
    assert any("Subject: 第二封" in t for t in texts)


def _record(status, exc):
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x/",), exc
    )
    record.status_code = status
    return record


def test_403_and_404_lose_their_traceback_and_500_keeps_it():
    try:
        raise PermissionDenied
    except PermissionDenied:
        import sys

        exc_info = sys.exc_info()
    expected = _record(403, exc_info)
    assert ExpectedClientErrors().filter(expected) is True
    assert expected.exc_info is None
    assert logging.Formatter().format(expected) == "Forbidden: /x/"
    fault = _record(500, exc_info)
    ExpectedClientErrors().filter(fault)
    assert fault.exc_info is exc_info


def test_the_request_logger_uses_the_filter(world, login, caplog):
    """Through Django's own logging of a 404 for a signed-in user: no traceback."""
    client = login(world.users["city"])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/groups/999999999/").status_code == 404
    logged = [r for r in caplog.records if getattr(r, "status_code", None) == 404]
    assert logged
    assert all(r.exc_info is None for r in logged)
