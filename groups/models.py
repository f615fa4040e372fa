"""The groups app's models module, as Django loads it. Each model lives in its feature package
(groups/<feature>/models.py); this module only imports them so that Django registers them and
the migrations' references (groups.models.validate_unified_areas, document_upload_to) resolve.
Code imports models from their feature package, never from here."""

from groups.applications.models import *  # noqa: F403
from groups.cards.models import *  # noqa: F403
from groups.charter.models import *  # noqa: F403
from groups.charter.models import document_upload_to  # noqa: F401
from groups.enrollment.models import *  # noqa: F403
from groups.filings.models import *  # noqa: F403
from groups.registry.models import *  # noqa: F403
from groups.registry.models import validate_unified_areas  # noqa: F401
