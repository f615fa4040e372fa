"""What funding/staffing plugs into the shared parts: the staffing request list's export."""

from funding.staffing.exports import STAFFING_EXPORT
from qingdao_groups.core.exports import register_export

register_export(STAFFING_EXPORT)
