"""How the schema describes the API's two ways in (drf-spectacular extensions; loaded by
ApiConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "qg_<前缀>_<密钥>",
            "description": "接口密钥，由市教育局系统管理员签发；只显示一次，到期或吊销后失效。",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.PersonSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "已登录用户的会话（本系统页面自身的调用；写操作须带 CSRF 令牌）。",
        }


# --- errors in the schema -------------------------------------------------------------------------
# Every refusal is application/problem+json (api.errors). The schema says so for every operation:
# the statuses any call may get (bad query or body, no or a refused key, a missing scope or a
# refusal by role, not found, method, format, rate limit), and for writes those of the rules
# (a stale version, a refusal by a policy clause, a body too large or of the wrong type).
# A successful read also answers 304 to a matching If-None-Match (api.base).

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "错误说明（RFC 9457 application/problem+json）。",
    "properties": {
        "type": {"type": "string", "description": "错误类型的说明地址"},
        "title": {"type": "string", "description": "错误类别的简短说明"},
        "status": {"type": "integer", "description": "HTTP 状态码"},
        "code": {"type": "string", "description": "机器可读的错误代码，如 scope_missing"},
        "detail": {"type": "string", "description": "本次错误的说明"},
        "clause": {"type": "string", "description": "拒绝所依据的政策条款，如 D-2"},
        "errors": {
            "type": "object",
            "description": "逐字段的错误说明",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "code", "detail"],
}
ERRORS_ANY = {
    "400": "请求参数或内容有误（code: invalid、parse_error）",
    "401": "缺少接口密钥，或密钥无效、过期、已吊销（code: not_authenticated、key_refused）",
    "403": "缺少权限范围，或该部门、学校无权进行此操作（code: scope_missing、forbidden）",
    "404": "对象不存在或不在调用方的范围内（code: not_found）",
    "405": "不支持该请求方法（code: method_not_allowed）",
    "406": "无法提供所要求的格式（code: not_acceptable）",
    "429": "请求过于频繁，见 Retry-After（code: throttled）",
}
ERRORS_WRITE = {
    "409": "数据已被他人修改（code: stale）",
    "413": "请求内容过大",
    "415": "不支持的内容类型（code: unsupported_media_type）",
    "422": "业务规则不允许此操作，clause 为所依据的条款（code: rule_refused）",
}


def problem_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the problem+json answers of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            errors = ERRORS_ANY | (ERRORS_WRITE if method != "get" else {})
            for status, description in errors.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": ref}},
                    },
                )
            if method == "get":
                responses.setdefault("304", {"description": "未修改（If-None-Match 与 ETag 相同）"})
    return result
