"""Labels the pages of several domains show: the services, and a qualification's
verification outcome."""

from __future__ import annotations

from server.domain.applications import KIND_NAMES  # noqa: F401  (the pages' name for it)
from server.i18n import N_

VERIFICATION_LABELS = {
    "PENDING": N_("Not verified yet"),
    "POSITIVE": N_("Verified"),
    "DISCREPANCY": N_("Discrepancy found"),
    "UNABLE_TO_VERIFY": N_("Could not be verified"),
}

SERVICE_NAMES = {
    "RENEWAL": N_("Renew my registration"),
    "CPD_RECOGNITION": N_("CPD recognition"),
    "PERSONAL_DATA_CHANGE": N_("Change my personal details"),
    "GOOD_STANDING": N_("Good-standing certificate"),
    "TRAINING_CERTIFICATE": N_("Training certificate"),
    "QUALIFICATION_EVALUATION": N_("Qualification evaluation"),
    "CLASSIFICATION": N_("Professional classification"),
    "RECLASSIFICATION": N_("Reclassification"),
    "REGISTRATION": N_("First registration"),
}
SERVICE_DESCRIPTIONS = {
    "RENEWAL": N_("Extend your registration by 1, 3 or 5 years."),
    "CPD_RECOGNITION": N_("Have a course, conference or self-learning counted as CPD hours."),
    "PERSONAL_DATA_CHANGE": N_("Correct your name, date of birth, nationality or identity "
                               "number."),
    "GOOD_STANDING": N_("A certificate that you are registered with no sanctions."),
    "TRAINING_CERTIFICATE": N_("A letter that certifies your training."),
    "QUALIFICATION_EVALUATION": N_("Add a new qualification to your record after it is "
                                   "verified."),
    "CLASSIFICATION": N_("Your rank in a specialty, from your qualifications and "
                         "experience."),
    "RECLASSIFICATION": N_("A higher rank or another specialty."),
    "REGISTRATION": N_("Your first registration after classification."),
}

SERVICES = [
    ("RENEWAL", "/renewals/new"), ("CPD_RECOGNITION", "/record/cpd"),
    ("PERSONAL_DATA_CHANGE", "/record/change"), ("GOOD_STANDING", "/services/good-standing"),
    ("TRAINING_CERTIFICATE", "/services/training-certificate"),
    ("QUALIFICATION_EVALUATION", "/services/qualification-evaluation"),
    ("CLASSIFICATION", "/services/classification"),
    ("RECLASSIFICATION", "/services/reclassification"),
    ("REGISTRATION", "/services/registration"),
]

