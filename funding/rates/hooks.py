"""What funding/rates plugs into the shared parts: the rate-table list's export."""

from funding.rates.exports import RATES_EXPORT
from qingdao_groups.core.exports import register_export

register_export(RATES_EXPORT)
