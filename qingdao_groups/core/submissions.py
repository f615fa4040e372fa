"""A creating action done once per form (issue 6, "a double click never makes two things").

Every creating form carries a one-time token (`submission = SubmissionField()`, rendered
hidden by includes/form_fields.html). `once` claims it
in the transaction that creates the object: the first request creates and records what it made;
a repeat of the same form — sequential or racing in parallel — gets that first object back and
creates nothing. A form without a token (an old page, a script) creates as before."""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qingdao_groups.core.rules import RuleRefusal
from qingdao_groups.models import SubmissionToken

T = TypeVar("T")

FIELD = "submission"
ALREADY_DONE = gettext_lazy("这张表单已经提交过，未重复办理；以下是第一次提交的结果。")


class SubmissionField(forms.UUIDField):
    """The hidden one-time token of a creating form; a fresh one each time the form is shown."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)

    def to_python(self, value):
        # A mangled token is no token: the form still works, it only loses the protection.
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return None


_NOT_CLAIMED = object()


def token_for(text: str) -> uuid.UUID:
    """A one-time token derived from a token the action already carries (a signed preview)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "qingdao-groups:" + text)


def _claimed(token: uuid.UUID, user):
    """What this token made (a model instance, or None for an action that makes no single
    object), or _NOT_CLAIMED."""
    claim = SubmissionToken.objects.select_related("content_type").filter(token=token).first()
    if claim is None:
        return _NOT_CLAIMED
    if claim.user_id != user.pk:
        raise RuleRefusal(_("这张表单已经提交过，请重新打开页面后再填写。"))
    if claim.content_type is None:
        return None
    model = claim.content_type.model_class()
    found = model._base_manager.filter(pk=claim.object_id).first() if model else None
    if found is None:  # what it made is gone since: start afresh from a new form
        raise RuleRefusal(_("这张表单已经提交过，请重新打开页面后再填写。"))
    return found


def once(token: uuid.UUID | None, user, create: Callable[[], T]) -> tuple[T, bool]:
    """(result, created): run `create` unless this token was used already, in which case return
    what the first use made (created False; None when it made no single object). The claim and
    the creation commit together or not at all: a refused creation leaves the token unused, so
    the corrected form can be sent again."""
    if token is None:
        return create(), True
    existing = _claimed(token, user)
    if existing is not _NOT_CLAIMED:
        return existing, False
    try:
        with transaction.atomic():
            claim = SubmissionToken.objects.create(token=token, user=user)
            created = create()
            if isinstance(created, models.Model) and created.pk is not None:
                claim.content_type = ContentType.objects.get_for_model(type(created))
                claim.object_id = created.pk
                claim.save(update_fields=["content_type", "object_id"])
    except IntegrityError:
        # A parallel request with the same token committed first (PostgreSQL waits on the unique
        # index until it does); anything else is not ours to hide.
        existing = _claimed(token, user)
        if existing is _NOT_CLAIMED:
            raise
        return existing, False
    return created, True


def first_result(request):
    """What this request's form already made, if it is a repeat of a used form of this user;
    else None. For a creating page whose own gate the first creation closes (after a red card
    the school is no longer a member), so the repeat is checked before the gate."""
    if request.method != "POST" or not request.user.is_authenticated:
        return None
    token = SubmissionField().clean(request.POST.get(FIELD))
    if token is None:
        return None
    claim = SubmissionToken.objects.filter(token=token, user=request.user).first()
    if claim is None or claim.content_type_id is None:
        return None
    return _claimed(token, request.user)
