"""Every service is an application with the same life cycle (server/domain/applications.py)."""

from tortoise import fields
from tortoise.models import Model
from tortoise.signals import pre_save

from server import clock
from server.domain.applications import format_application_reference


class Application(Model):
    id = fields.UUIDField(primary_key=True)
    # What people quote: "A-2026-000123" (the year it was opened, then a number that
    # never repeats), in pages, emails and SMS; the id stays internal.
    reference = fields.CharField(max_length=16, unique=True, null=True)
    kind = fields.CharField(max_length=32, db_index=True)
    status = fields.CharField(max_length=20, db_index=True)
    applicant = fields.ForeignKeyField("models.Account", related_name="applications",
                                       db_index=True, on_delete=fields.CASCADE)
    practitioner = fields.ForeignKeyField("models.Practitioner", related_name="applications",
                                          null=True, db_index=True, on_delete=fields.CASCADE)
    # What the applicant asked for and answered (kind-specific).
    data = fields.JSONField(default=dict)
    # The record and answers frozen at submission, for the reviewer.
    snapshot = fields.JSONField(null=True)
    years = fields.IntField(null=True)
    fee = fields.DecimalField(max_digits=10, decimal_places=2, null=True)
    # True when every rule passed with no risk answer: approved the moment it is paid.
    auto_approvable = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    submitted_at = fields.DatetimeField(null=True, db_index=True)
    decided_at = fields.DatetimeField(null=True)
    decided_by_id = fields.UUIDField(null=True)
    decision_reason = fields.TextField(default="")
    # A reviewer's claim on the application, which lapses at claimed_until.
    claimed_by_id = fields.UUIDField(null=True, db_index=True)
    claimed_until = fields.DatetimeField(null=True)
    # Assigned by a supervisor to one reviewer or to a team (server/resolvers/review/workflow.py).
    assigned_to_id = fields.UUIDField(null=True, db_index=True)
    assigned_team = fields.CharField(max_length=60, default="")
    # When supervisors were told it is overdue (once per application).
    escalated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "application"
        # (status, submitted_at, id): the reviewers' queue, one keyset range per status.
        indexes = (("status", "submitted_at", "id"), ("applicant_id", "created_at"))


class ApplicationEvent(Model):
    """Each transition: who, when, from what to what, and why."""

    id = fields.BigIntField(primary_key=True)
    application = fields.ForeignKeyField("models.Application", related_name="events",
                                         db_index=True, on_delete=fields.CASCADE)
    at = fields.DatetimeField(auto_now_add=True)
    actor_id = fields.UUIDField(null=True)
    from_status = fields.CharField(max_length=20, default="")
    to_status = fields.CharField(max_length=20)
    reason = fields.TextField(default="")

    class Meta:
        table = "application_event"


class ApplicationDocument(Model):
    id = fields.BigIntField(primary_key=True)
    application = fields.ForeignKeyField("models.Application", related_name="documents",
                                         db_index=True, on_delete=fields.CASCADE)
    document = fields.ForeignKeyField("models.Document", related_name="applications",
                                      db_index=True, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=32)

    class Meta:
        table = "application_document"
        unique_together = (("application", "document"),)


class Counter(Model):
    """A number that only goes up, one row per name ("application"): taking the next one
    updates the row, so two transactions never get the same number (the row's lock, or
    SQLite's database lock, is held until the commit)."""

    name = fields.CharField(max_length=32, primary_key=True)
    value = fields.BigIntField(default=0)

    class Meta:
        table = "counter"


_NEXT_NUMBER = ("UPDATE counter SET value = value + 1 WHERE name = 'application' "
                "RETURNING value")


async def next_reference(db=None) -> str:
    """The next application reference, in one statement (UPDATE … RETURNING, on both
    databases), so two requests never get the same number even outside a transaction;
    inside one, the counter's row stays locked until the commit."""
    db = db or Counter._choose_db(True)
    rows = await db.execute_query_dict(_NEXT_NUMBER)
    if not rows:  # a database emptied since the migration made the row (the tests')
        await Counter.get_or_create(name="application", using_db=db)
        rows = await db.execute_query_dict(_NEXT_NUMBER)
    return format_application_reference(clock.today().year, rows[0]["value"])


@pre_save(Application)
async def _give_a_reference(sender, instance: Application, using_db, update_fields) -> None:
    """Every application has its reference from the moment it is stored, however it is
    made (a service, an import, a test's shortcut)."""
    if instance.reference is None and instance._saved_in_db is False:
        instance.reference = await next_reference(using_db)
