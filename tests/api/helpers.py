"""Building API clients and calling the API with their keys (issue 11)."""

import datetime

from django.test import Client
from django.utils import timezone

from api.models import ApiKey, Scope
from api.services import api_client_register

ALL_SCOPES = [s.value for s in Scope]


def make_client(world, *, authority=None, school=None, scopes=None, name=None):
    """(ApiClient, token) registered by the world's administrator."""
    unit = authority or school
    client, new = api_client_register(
        name=name or f"系统-{unit.pk}-{authority is not None}-{timezone.now().timestamp()}",
        scopes=ALL_SCOPES if scopes is None else scopes,
        authority=authority,
        school=school,
        actor=world.users["admin"],
    )
    return client, new.token


class Api:
    """The Django test client speaking to the API with one key."""

    def __init__(self, token: str | None, language: str | None = None):
        self.http = Client()
        self.headers = {}
        if token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if language:
            self.headers["HTTP_ACCEPT_LANGUAGE"] = language

    def get(self, path, data=None, **extra):
        return self.http.get(path, data, **self.headers, **extra)

    def post(self, path, data=None, content_type=None, **extra):
        if content_type:
            return self.http.post(path, data, content_type=content_type, **self.headers, **extra)
        return self.http.post(path, data, **self.headers, **extra)


def expire(token: str) -> None:
    prefix = token.split("_")[1]
    ApiKey.objects.filter(prefix=prefix).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
