"""What funding plugs into the shared parts (documents, archive, inbox, exports, timeline):
each feature registers from its own hooks module, imported here by the app's ready()."""

from funding.agreements import hooks as _agreements  # noqa: F401

# --- The auditors' desk (issue 10): how each money table concerns a group ----------------------
from funding.agreements.models import Agreement, Payment, Receivable  # noqa: E402
from funding.awards import hooks as _awards  # noqa: F401
from funding.awards.models import Award  # noqa: E402
from funding.dispatches import hooks as _dispatches  # noqa: F401
from funding.dispatches.models import Dispatch  # noqa: E402
from funding.ledgers import hooks as _ledgers  # noqa: F401
from funding.ledgers.models import Ledger, LedgerLine  # noqa: E402
from funding.overview import hooks as _overview  # noqa: F401
from funding.rates import hooks as _rates  # noqa: F401
from funding.spending import hooks as _spending  # noqa: F401
from funding.spending.models import Spending  # noqa: E402
from funding.staffing import hooks as _staffing  # noqa: F401
from funding.staffing.models import StaffingRequest  # noqa: E402
from qingdao_groups.core.audit import register_audit_kind  # noqa: E402

for _model in (Agreement, Award, Dispatch, Ledger, Spending, StaffingRequest):
    register_audit_kind(_model, group="group_id")
register_audit_kind(LedgerLine, group="ledger__group_id")
register_audit_kind(Receivable, group="agreement__group_id")
register_audit_kind(Payment, group="receivable__agreement__group_id")
