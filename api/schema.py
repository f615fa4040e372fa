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
