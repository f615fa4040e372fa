"""Application logs as JSON lines (issue 12; qingdao_groups.logging): every line of the file is
one JSON object with the time and its zone, level, logger, message, module, process, the
request's id, user id and client address, and the traceback of an exception; the file rotates,
and a writer follows a rotation another process (or logrotate) did."""

import datetime
import json
import logging

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from qingdao_groups.logging import RequestContext, RequestContextMiddleware, json_file_handler
from qingdao_groups.settings.base import logging_config
from tests.factories import UserFactory

KEYS = {
    "timestamp",
    "level",
    "logger",
    "message",
    "module",
    "process",
    "request_id",
    "user_id",
    "client_address",
}


@pytest.fixture
def log_file(tmp_path):
    """A logger writing through the configured handler into tmp_path (the test settings write
    no file: parallel test processes would share it)."""
    handler = json_file_handler(log_dir=str(tmp_path / "log"), max_bytes=0, backup_count=0)
    handler.addFilter(RequestContext())
    logger = logging.getLogger("qingdao_groups.tests.json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    path = tmp_path / "log" / "app.jsonl"
    yield logger, path
    logger.removeHandler(handler)
    handler.close()


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_line_is_a_json_object_with_the_request_context_and_the_exception(db, log_file):
    logger, path = log_file
    user = UserFactory(username="t-logged")
    request = RequestFactory().get(
        "/groups/",
        REMOTE_ADDR="203.0.113.5",
        headers={"X-Request-ID": "req-0123456789abcdef"},
    )
    request.user = user

    def view(request):
        logger.info("集团列表 %s", "已读取", extra={"status_code": 200})
        try:
            raise ZeroDivisionError("division by zero")
        except ZeroDivisionError:
            logger.exception("计算失败")
        return HttpResponse("ok")

    response = RequestContextMiddleware(view)(request)
    logger.warning("请求之外")

    assert response["X-Request-ID"] == "req-0123456789abcdef"
    info, failure, outside = _lines(path)
    assert set(info) >= KEYS and set(failure) >= KEYS
    assert info["message"] == "集团列表 已读取"
    assert info["level"] == "INFO" and info["logger"] == "qingdao_groups.tests.json"
    assert info["module"] == "test_logging" and isinstance(info["process"], int)
    assert info["status_code"] == 200
    stamp = datetime.datetime.fromisoformat(info["timestamp"])
    assert stamp.utcoffset() == datetime.timedelta(hours=8)  # Asia/Shanghai, with its zone
    for line in (info, failure):
        assert line["request_id"] == "req-0123456789abcdef"
        assert line["user_id"] == user.pk
        assert line["client_address"] == "203.0.113.5"
    assert failure["level"] == "ERROR"
    assert "ZeroDivisionError" in failure["exception"]
    assert "Traceback" in failure["exception"]
    assert "exception" not in info
    assert (outside["request_id"], outside["user_id"], outside["client_address"]) == (
        None,
        None,
        None,
    )


def test_an_unusable_request_id_is_replaced(db, log_file):
    logger, path = log_file
    request = RequestFactory().get("/", headers={"X-Request-ID": "bad id\nforged"})
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = RequestContextMiddleware(lambda r: (logger.info("x"), HttpResponse())[1])(request)
    (line,) = _lines(path)
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 32
    assert line["user_id"] is None


def test_the_file_rotates_and_follows_a_rotation_done_elsewhere(tmp_path):
    handler = json_file_handler(log_dir=str(tmp_path), max_bytes=400, backup_count=2)
    logger = logging.getLogger("qingdao_groups.tests.rotate")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for n in range(10):
            logger.warning("line %d", n)
        path = tmp_path / "app.jsonl"
        assert (tmp_path / "app.jsonl.1").exists() and not (tmp_path / "app.jsonl.3").exists()
        # logrotate (or another process) moves the file away: the next line goes to a new one
        path.rename(tmp_path / "moved.jsonl")
        logger.warning("after the move")
        assert [line["message"] for line in _lines(path)] == ["after the move"]
        for file in tmp_path.iterdir():
            _lines(file)  # every file is whole JSON lines
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.propagate = True


def test_the_settings_write_the_file_only_when_a_log_dir_is_set(tmp_path):
    config = logging_config(str(tmp_path))
    assert config["root"]["handlers"] == ["console", "json_file"]
    assert logging_config("")["root"]["handlers"] == ["console"]
    spec = dict(config["handlers"]["json_file"])
    assert spec.pop("()") == "qingdao_groups.logging.json_file_handler"
    assert spec.pop("filters") == ["request_context"]
    handler = json_file_handler(**spec)
    try:
        handler.handle(logging.makeLogRecord({"msg": "configured", "levelno": 30}))
    finally:
        handler.close()
    (line,) = _lines(tmp_path / "app.jsonl")
    assert line["message"] == "configured"
