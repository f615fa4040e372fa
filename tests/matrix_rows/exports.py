"""Permission-matrix rows for the export helper (issue 8).

Every list's export is open to everyone signed in (the file holds what the reader's own list
shows); a job and its file are its owner's only: the rows' jobs belong to the city officer, so
every other role gets 404."""

from qingdao_groups.models import ExportJob

ROLES = ["anon", "city", "district", "principal", "member", "auditor", "admin"]
ALL_OK = dict.fromkeys(ROLES, 200) | {"anon": 302}
# POST start: the job is recorded and the asker sent to its page.
START = dict.fromkeys(ROLES, 302)
OWNER_ONLY = dict.fromkeys(ROLES, 404) | {"anon": 302, "city": 200}


def _list(key: str):
    return lambda world, which: {"key": key}


def _job(world, which) -> dict:
    job = ExportJob.objects.create(
        user=world.users["city"],
        key="groups",
        fmt="csv",
        status=ExportJob.Status.RUNNING,
        rows_total=10,
    )
    return {"job_id": job.pk}


def _done_job(world, which) -> dict:
    from django.core.files.base import ContentFile

    job = ExportJob.objects.create(
        user=world.users["city"], key="groups", fmt="csv", status=ExportJob.Status.DONE
    )
    job.file.save("matrix.csv", ContentFile(b"\xef\xbb\xbfa\r\n"), save=False)
    job.filename = "group-members.csv"
    job.save()
    return {"job_id": job.pk}


ROWS = [
    *[
        ("exports:list", None, "get", ALL_OK, _list(key))
        for key in ("groups", "applications", "cards", "filings", "plans", "schools")
    ],
    ("exports:start", None, "post", START, _list("groups")),
    ("exports:job", "own", "get", OWNER_ONLY, _job),
    ("exports:job-status", "own", "get", OWNER_ONLY, _job),
    ("exports:job-download", "own", "get", OWNER_ONLY, _done_job),
]

# "403 before state" (tests/test_permission_matrix.py): starting a job posts about nothing that
# has a state; the rest only read.
WRONG_STATE: dict = {}
POST_WITHOUT_STATE = {"exports:start"}
READ_ONLY = {"exports:list", "exports:job", "exports:job-status", "exports:job-download"}
