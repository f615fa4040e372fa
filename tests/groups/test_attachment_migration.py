"""The move of attachments to a generic owner (groups 0012, qingdao_groups 0004, groups 0013)
keeps every row and every history row, and fills the owner from the old foreign keys: tested
forward from a database holding an attachment of each owner type (issue 6, shared parts)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from groups.applications.models import Application
from groups.cards.models import Card
from groups.filings.models import Filing
from qingdao_groups.core.messages import decode, render
from qingdao_groups.models import Attachment

BEFORE = [
    ("groups", "0011_membership_note_admission_comment_text"),
    ("qingdao_groups", "0003_outbox"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_attachments_of_each_owner_keep_their_rows_history_and_owner(world):
    application = Application.objects.create(
        kind=Application.Kind.FOUNDING,
        applicant_school=world.core,
        deciding_authority=world.shinan,
        created_by=world.users["principal"],
        proposed_name="拟成立教育集团",
    )
    card = Card.objects.create(
        membership=world.membership,
        group=world.group,
        level=Card.Level.YELLOW,
        status=Card.Status.YELLOW_ISSUED,
        ground=Card.Ground.AGREEMENT,
        description="未履行",
        issued_by=world.users["district"],
    )
    filing = Filing.objects.create(
        authority=world.shinan,
        kind=Filing.Kind.POLICY,
        title="配套政策",
        filed_on=datetime.date(2025, 1, 1),
        filed_by=world.users["district"],
    )
    owners = {"application": application, "card": card, "filing": filing}
    uploader = world.users["principal"]
    leaves = _leaves()
    executor = _migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldAttachment = old.get_model("groups", "Attachment")
        OldHistory = old.get_model("groups", "HistoricalAttachment")
        made = {}
        for i, (field, owner) in enumerate(owners.items(), start=1):
            row = OldAttachment.objects.create(
                **{f"{field}_id": owner.pk},
                kind="other",
                version=1,
                file=f"attachments/2025/01/{field}.pdf",
                original_name=f"{field}.pdf",
                content_type="application/pdf",
                size=10 * i,
                sha256=str(i) * 64,
                text=f"{field} 正文",
                uploaded_by_id=uploader.pk,
            )
            for history_type in ("+", "~"):
                OldHistory.objects.create(
                    id=row.pk,
                    **{f"{field}_id": owner.pk},
                    kind="other",
                    version=1,
                    file=row.file.name,
                    original_name=row.original_name,
                    content_type=row.content_type,
                    size=row.size,
                    sha256=row.sha256,
                    text=row.text,
                    uploaded_by_id=uploader.pk,
                    uploaded_at=timezone.now(),
                    history_date=timezone.now(),
                    history_type=history_type,
                    history_change_reason=f"上传附件：{field}.pdf",
                    history_user_id=uploader.pk,
                )
            made[field] = row.pk
    finally:
        _migrate(leaves)

    assert Attachment.objects.count() == 3
    for field, owner in owners.items():
        attachment = Attachment.objects.get(pk=made[field])
        assert attachment.owner == owner
        assert (attachment.original_name, attachment.text) == (f"{field}.pdf", f"{field} 正文")
        assert list(owner.attachments.all()) == [attachment]
        history = list(attachment.history.order_by("history_id"))
        assert [h.history_type for h in history] == ["+", "~"]
        assert {(h.owner_type_id, h.owner_id) for h in history} == {
            (ContentType.objects.get_for_model(owner).pk, owner.pk)
        }
        # groups/0018 keeps the system's reason as a code, its old text as the fallback
        reason = history[0].history_change_reason
        assert render(reason) == f"上传附件：{field}.pdf"
        assert decode(reason)["code"] == "reason.attachment_uploaded"
    # Django's record of the model follows it to the shared parts; no row stays behind.
    assert ContentType.objects.get_for_model(Attachment).app_label == "qingdao_groups"
    assert not ContentType.objects.filter(app_label="groups", model="attachment").exists()
    with connection.cursor() as cursor:
        columns = {
            c.name
            for c in connection.introspection.get_table_description(cursor, "groups_attachment")
        }
    assert {"owner_type_id", "owner_id"} <= columns
    assert not columns & {"application_id", "card_id", "filing_id"}
