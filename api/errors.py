"""Every error of the API as `application/problem+json` (RFC 9457), issue 11: a machine `code`,
the policy `clause` the refusal rests on (when there is one), a `title` and `detail` in the
caller's language (Chinese; English by `Accept-Language`), and for bad input the messages per
field in `errors`. A 404 says only "not found": an object outside the caller's scope and one
that does not exist answer alike."""

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.core.workflow import StaleVersion

PROBLEM = "application/problem+json"
TYPE_BASE = "/api/docs/#problem-"  # each code is explained in the API guide (docs/api.md)
CLAUSE_RE = re.compile(r"(?<![A-Za-z0-9])([GTLDFSAE]-\d+[a-z]?)(?![0-9])")

TITLES = {
    "invalid": lambda: _("提交的数据有误"),
    "not_found": lambda: _("未找到"),
    "forbidden": lambda: _("无权进行此操作"),
    "scope_missing": lambda: _("缺少权限范围"),
    "not_authenticated": lambda: _("需要接口密钥"),
    "key_refused": lambda: _("接口密钥无效"),
    "rule_refused": lambda: _("业务规则不允许此操作"),
    "stale": lambda: _("数据已被他人修改"),
    "throttled": lambda: _("请求过于频繁"),
    "method_not_allowed": lambda: _("不支持该请求方法"),
    "unsupported_media_type": lambda: _("不支持的内容类型"),
    "not_acceptable": lambda: _("无法提供所要求的格式"),
    "parse_error": lambda: _("请求内容无法解析"),
    "server_error": lambda: _("服务器内部错误"),
}


def clause_of(text: str, default: str = "") -> str:
    match = CLAUSE_RE.search(str(text))
    return match.group(1) if match else default


def problem(status_code: int, code: str, detail, *, clause: str = "", errors=None, headers=None):
    body = {
        "type": TYPE_BASE + code,
        "title": str(TITLES.get(code, TITLES["invalid"])()),
        "status": status_code,
        "code": code,
        "detail": str(detail),
    }
    if clause:
        body["clause"] = clause
    if errors:
        body["errors"] = errors
    return body


def _flatten(detail) -> dict[str, list[str]] | list[str]:
    if isinstance(detail, dict):
        return {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {"non_field_errors": [str(detail)]}


def exception_handler(exc, context):
    view = context.get("view")
    default_clause = getattr(view, "clause", "") if view is not None else ""
    headers: dict[str, str] = {}
    if isinstance(exc, Http404 | exceptions.NotFound):
        body = problem(404, "not_found", _("未找到该对象，或您无权查看。"))
        status_code = 404
    elif isinstance(exc, StaleVersion):
        status_code = 409
        body = problem(409, "stale", exc.message, clause=clause_of(exc.message, default_clause))
    elif isinstance(exc, RuleRefusal):
        status_code = 422
        errors = {exc.field: [str(exc.message)]} if exc.field else None
        body = problem(
            422,
            "rule_refused",
            exc.message,
            clause=clause_of(exc.message, default_clause),
            errors=errors,
        )
    elif isinstance(exc, PermissionDenied):
        status_code = 403
        detail = str(exc) or _("无权进行此操作。")
        body = problem(403, "forbidden", detail, clause=clause_of(detail, default_clause))
    elif isinstance(exc, exceptions.ValidationError):
        status_code = 400
        body = problem(
            400, "invalid", _("请按 errors 中的说明修改后重新提交。"), errors=_flatten(exc.detail)
        )
    elif isinstance(exc, exceptions.APIException):
        response = drf_exception_handler(exc, context)  # sets WWW-Authenticate, Retry-After
        status_code = exc.status_code
        code = {
            401: "key_refused"
            if getattr(exc, "default_code", "") == "key_refused"
            else "not_authenticated",
            403: "scope_missing"
            if getattr(exc, "default_code", "") == "scope_missing"
            else "forbidden",
            405: "method_not_allowed",
            406: "not_acceptable",
            415: "unsupported_media_type",
            429: "throttled",
        }.get(status_code, "parse_error" if status_code == 400 else "invalid")
        if isinstance(exc, exceptions.NotAuthenticated):
            detail = _("请在 Authorization 请求头中提供接口密钥：Bearer qg_…")
        elif isinstance(exc, exceptions.Throttled):
            detail = _("请求过于频繁，请在 %(s)s 秒后重试。") % {
                "s": exc.wait and int(exc.wait + 0.999)
            }
        elif isinstance(exc, exceptions.MethodNotAllowed):
            detail = _("该接口不支持 %(m)s 请求。") % {"m": context["request"].method}
        else:
            detail = exc.detail if isinstance(exc.detail, str) else _("请求有误。")
        body = problem(status_code, code, detail)
        if response is not None:
            for name in ("WWW-Authenticate", "Retry-After", "Allow"):
                if name in response:
                    headers[name] = response[name]
    else:
        return None  # a server error: Django's handler (logged, 500)
    if status_code == 401 and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM)


def not_found_view(request, *args, **kwargs):
    """An address under /api/ that names no endpoint."""
    response = JsonResponse(problem(404, "not_found", _("没有这个接口地址。")), status=404)
    response["Content-Type"] = PROBLEM
    return response


HTTP_STATUS = status
