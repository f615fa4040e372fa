"""What funding plugs into the shared parts (documents, archive, inbox, exports, timeline):
each feature registers from its own hooks module, imported here by the app's ready()."""

from funding.agreements import hooks as _agreements  # noqa: F401
from funding.awards import hooks as _awards  # noqa: F401
from funding.dispatches import hooks as _dispatches  # noqa: F401
from funding.ledgers import hooks as _ledgers  # noqa: F401
from funding.overview import hooks as _overview  # noqa: F401
from funding.rates import hooks as _rates  # noqa: F401
from funding.spending import hooks as _spending  # noqa: F401
from funding.staffing import hooks as _staffing  # noqa: F401
