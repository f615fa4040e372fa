"""Bulk writes for the generator: rows (dicts keyed by field attname) streamed into PostgreSQL with
COPY, every concrete field filled (a missing one takes its model default), ids given by the caller
so rows can point at each other before they exist; sequences are reset afterwards."""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterable
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

BATCH = 50_000


def _text(value: Any) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class Table:
    """One table's COPY: the fields, their defaults (a callable `now` default takes `now`)."""

    def __init__(self, model: type[models.Model], *, now: datetime.datetime) -> None:
        self.model = model
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if not (f.primary_key and isinstance(f, models.AutoField))
            or model._meta.pk.attname == "id"
        ]
        self.defaults: dict[str, Any] = {}
        for f in self.fields:
            if f.has_default():
                self.defaults[f.attname] = (
                    now
                    if callable(f.default) and isinstance(f, models.DateTimeField)
                    else f.get_default()
                )
            elif f.null:
                self.defaults[f.attname] = None
            elif f.blank and isinstance(f, (models.CharField, models.TextField)):
                self.defaults[f.attname] = ""
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        self.count = 0

    def write(self, rows: Iterable[dict[str, Any]]) -> int:
        buffer = io.StringIO()
        n = 0
        defaults = self.defaults
        for row in rows:
            buffer.write(
                "\t".join(_text(row[a] if a in row else defaults[a]) for a in self.attnames)
            )
            buffer.write("\n")
            n += 1
            if n % BATCH == 0:
                self._flush(buffer)
                buffer = io.StringIO()
        self._flush(buffer)
        self.count += n
        return n

    def _flush(self, buffer: io.StringIO) -> None:
        if not buffer.tell():
            return
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def next_id(model: type[models.Model]) -> int:
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def reset_sequences(model_list: Iterable[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
