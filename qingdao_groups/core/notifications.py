"""In-app notices and their e-mail copies. E-mail leaves only after the transaction commits, so
a rolled-back action never announces itself."""

from collections.abc import Iterable

from django.db import transaction

from members.models import Authority, School, User
from qingdao_groups.models import Notification


def staff_of(authority: Authority | int) -> list[User]:
    authority_id = authority if isinstance(authority, int) else authority.pk
    return list(User.objects.filter(authority_id=authority_id, is_active=True,
                                    role__in=User.AUTHORITY_ROLES))


def principals_of(school: School | int) -> list[User]:
    school_id = school if isinstance(school, int) else school.pk
    return list(User.objects.filter(school_id=school_id, is_active=True,
                                    role__in=User.SCHOOL_ROLES))


def city_staff() -> list[User]:
    return list(User.objects.filter(role=User.Role.CITY_STAFF, is_active=True))


def notify(users: Iterable[User], message: str, url: str = "") -> list[Notification]:
    """Create one in-app notice per user now; queue the e-mails for after commit."""
    unique = {u.pk: u for u in users}
    notices = Notification.objects.bulk_create(
        [Notification(user=u, message=message[:300], url=url) for u in unique.values()]
    )
    ids = [n.pk for n in notices if n.pk]
    if ids:
        from qingdao_groups.tasks import send_notification_emails_task

        # robust: a broker that is down must not turn an action that was saved into an error page.
        transaction.on_commit(lambda: send_notification_emails_task.delay(notification_ids=ids),
                              robust=True)
    return notices
