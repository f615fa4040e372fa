"""What the charter feature plugs into the shared parts: the administrators' upload size limit."""

from groups.registry.models import PolicyParameters
from qingdao_groups.core.uploads import set_upload_limit_provider

set_upload_limit_provider(lambda: PolicyParameters.current().upload_max_mb)
