"""What funding/awards plugs into the shared parts: the award list's export (policy F-5)."""

from funding.awards.exports import AWARDS_EXPORT
from qingdao_groups.core.exports import register_export

register_export(AWARDS_EXPORT)
