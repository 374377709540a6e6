"""The practitioner's record: identity, registration, experience, licences held elsewhere,
qualifications, CPD activities, and the history of changes to it."""

from tortoise import fields
from tortoise.models import Model

from server.domain.name_search import indexed_terms

GIVEN_NAME_FIELDS = tuple(f"{part}_name_{lang}" for lang in ("ar", "en")
                          for part in ("first", "father", "grandfather"))
FAMILY_NAME_FIELDS = ("family_name_ar", "family_name_en")


def name_search_of(values) -> str:
    """The search terms of a practitioner's names (a model or a dict of its fields)."""
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name, "")
    return indexed_terms([get(f) for f in GIVEN_NAME_FIELDS],
                         [get(f) for f in FAMILY_NAME_FIELDS])


class Practitioner(Model):
    id = fields.UUIDField(primary_key=True)
    # The account that claimed (or created) this record; at most one.
    account = fields.OneToOneField("models.Account", related_name="practitioner", null=True,
                                   on_delete=fields.SET_NULL)
    identity_type = fields.CharField(max_length=12)
    identity_number = fields.CharField(max_length=20, db_index=True)
    first_name_ar = fields.CharField(max_length=50)
    father_name_ar = fields.CharField(max_length=50, default="")
    grandfather_name_ar = fields.CharField(max_length=50, default="")
    family_name_ar = fields.CharField(max_length=50)
    first_name_en = fields.CharField(max_length=50)
    father_name_en = fields.CharField(max_length=50, default="")
    grandfather_name_en = fields.CharField(max_length=50, default="")
    family_name_en = fields.CharField(max_length=50)
    date_of_birth = fields.DateField()
    gender = fields.CharField(max_length=1)
    nationality = fields.CharField(max_length=2)
    category = fields.CharField(max_length=16)
    specialty = fields.CharField(max_length=40)
    rank = fields.CharField(max_length=24)
    is_trainee = fields.BooleanField(default=False)
    is_practising = fields.BooleanField(default=True)
    # A disciplinary sanction in force: no good-standing certificate while it is.
    sanctioned = fields.BooleanField(default=False)
    claimed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # The names' search terms (server/domain/name_search.py), written with the names; the
    # search indexes are built on it by migration 0006 (full text; FTS5 on SQLite). Writes
    # that bypass save() (bulk_create, filter().update()) set it themselves.
    name_search = fields.TextField(default="")

    class Meta:
        table = "practitioner"
        unique_together = (("identity_type", "identity_number"),)

    async def save(self, *args, **kwargs) -> None:
        self.name_search = name_search_of(self)
        update_fields = kwargs.get("update_fields")
        if update_fields and set(update_fields) & {*GIVEN_NAME_FIELDS, *FAMILY_NAME_FIELDS}:
            kwargs["update_fields"] = [*update_fields, "name_search"]
        await super().save(*args, **kwargs)


class Registration(Model):
    """The current professional registration. `number` is the registration ("membership")
    number; status is ACTIVE, EXPIRED once past valid_until, or SUSPENDED."""

    id = fields.BigIntField(primary_key=True)
    practitioner = fields.OneToOneField("models.Practitioner", related_name="registration",
                                        on_delete=fields.CASCADE)
    number = fields.CharField(max_length=20, unique=True)
    rank = fields.CharField(max_length=24)
    specialty = fields.CharField(max_length=40)
    valid_from = fields.DateField()
    valid_until = fields.DateField(db_index=True)
    suspended = fields.BooleanField(default=False)
    suspended_reason = fields.CharField(max_length=500, default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "registration"


class Experience(Model):
    id = fields.UUIDField(primary_key=True)
    practitioner = fields.ForeignKeyField("models.Practitioner", related_name="experiences",
                                          db_index=True, on_delete=fields.CASCADE)
    city = fields.CharField(max_length=100)
    country = fields.CharField(max_length=2)
    workplace = fields.CharField(max_length=200)
    specialty = fields.CharField(max_length=100)
    job_description = fields.TextField(default="")
    start_date = fields.DateField()
    end_date = fields.DateField(null=True)
    organization_type = fields.CharField(max_length=12)
    certificate = fields.ForeignKeyField("models.Document", related_name="experiences",
                                         null=True, db_index=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "experience"


class License(Model):
    """A practice licence held from another authority."""

    id = fields.UUIDField(primary_key=True)
    practitioner = fields.ForeignKeyField("models.Practitioner", related_name="licenses",
                                          db_index=True, on_delete=fields.CASCADE)
    specialty = fields.CharField(max_length=100)
    expiry_date = fields.DateField()
    country = fields.CharField(max_length=2)
    authority = fields.CharField(max_length=200)
    reference_number = fields.CharField(max_length=100)
    document = fields.ForeignKeyField("models.Document", related_name="licenses", null=True,
                                      db_index=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "license"


class Qualification(Model):
    id = fields.UUIDField(primary_key=True)
    practitioner = fields.ForeignKeyField("models.Practitioner", related_name="qualifications",
                                          db_index=True, on_delete=fields.CASCADE)
    degree = fields.CharField(max_length=200)
    institution = fields.CharField(max_length=200)
    country = fields.CharField(max_length=2)
    awarded_on = fields.DateField()
    certificate = fields.ForeignKeyField("models.Document", related_name="qualifications",
                                         null=True, db_index=True, on_delete=fields.SET_NULL)
    # Primary-source verification (DataFlow-style): reference and outcome
    # (PENDING, POSITIVE, DISCREPANCY, UNABLE_TO_VERIFY).
    verification_reference = fields.CharField(max_length=100, default="")
    verification_outcome = fields.CharField(max_length=20, default="PENDING")
    # RECORDED on the record, or PENDING_EVALUATION while a qualification evaluation runs.
    status = fields.CharField(max_length=20, default="RECORDED")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "qualification"


class CpdActivity(Model):
    id = fields.UUIDField(primary_key=True)
    practitioner = fields.ForeignKeyField("models.Practitioner", related_name="cpd_activities",
                                          db_index=True, on_delete=fields.CASCADE)
    title = fields.CharField(max_length=300)
    provider = fields.CharField(max_length=200)
    accreditation_number = fields.CharField(max_length=100, default="")
    hours = fields.DecimalField(max_digits=6, decimal_places=2)
    recognised_hours = fields.DecimalField(max_digits=6, decimal_places=2, null=True)
    completed_on = fields.DateField()
    certificate = fields.ForeignKeyField("models.Document", related_name="cpd_activities",
                                         null=True, db_index=True, on_delete=fields.SET_NULL)
    # SUBMITTED (awaiting recognition), RECOGNISED, or REJECTED.
    status = fields.CharField(max_length=12, default="SUBMITTED")
    application = fields.ForeignKeyField("models.Application", related_name="cpd_activities",
                                         null=True, db_index=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "cpd_activity"


class RecordChange(Model):
    """The professional update record: every change to a practitioner's record."""

    id = fields.BigIntField(primary_key=True)
    practitioner = fields.ForeignKeyField("models.Practitioner", related_name="changes",
                                          db_index=True, on_delete=fields.CASCADE)
    at = fields.DatetimeField(auto_now_add=True)
    actor_id = fields.UUIDField(null=True)
    application = fields.ForeignKeyField("models.Application", related_name="record_changes",
                                         null=True, db_index=True, on_delete=fields.SET_NULL)
    # What changed, as a code (e.g. EXPERIENCE_ADDED) and the fields before and after.
    what = fields.CharField(max_length=40)
    changes = fields.JSONField(default=dict)

    class Meta:
        table = "record_change"
