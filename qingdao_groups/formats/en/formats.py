"""Date formats: the one format of the project (qingdao_groups/formats/common.py)."""

from qingdao_groups.formats.common import *  # noqa: F403
