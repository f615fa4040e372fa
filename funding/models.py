"""The funding app's models module, as Django loads it. Each model lives in its feature package
(funding/<feature>/models.py); this module only imports them so that Django registers them."""

from funding.agreements.models import *  # noqa: F403
from funding.awards.models import *  # noqa: F403
from funding.dispatches.models import *  # noqa: F403
from funding.ledgers.models import *  # noqa: F403
from funding.rates.models import *  # noqa: F403
from funding.spending.models import *  # noqa: F403
from funding.staffing.models import *  # noqa: F403
