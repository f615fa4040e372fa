"""What funding/overview plugs into the shared parts: the exports of any ledger view (issue 9),
and its task, registered with the worker when the app is ready."""

from funding.overview import tasks as _tasks  # noqa: F401 - the worker learns the task here
from funding.overview.exports import LEDGERS_EXPORT, LINES_EXPORT
from qingdao_groups.core.exports import register_export

register_export(LINES_EXPORT)
register_export(LEDGERS_EXPORT)
