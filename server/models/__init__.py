"""Tortoise models. MODEL_MODULES lists every module the ORM and the migrations load."""

MODEL_MODULES = [
    "server.models.accounts",
    "server.models.applications",
    "server.models.audit",
    "server.models.documents",
    "server.models.employers",
    "server.models.outbox",
    "server.models.payments",
    "server.models.practitioners",
    "server.models.settings",
    "server.models.certificates",
    "server.models.register",
    "server.models.workflow",
]
