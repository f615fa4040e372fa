"""The assessments app's models module, as Django loads it. Each model lives in its feature
package (assessments/<feature>/models.py); this module only imports them so that Django
registers them."""

from assessments.cycles.models import *  # noqa: F403
from assessments.frameworks.models import *  # noqa: F403
from assessments.reports.models import *  # noqa: F403
