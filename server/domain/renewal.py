"""Renewal rules that are data: the eligibility questions (an admin may replace them) and
what each answer requires. Pure: the resolvers bring the record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from server.domain.dates import age_on

MEDICAL_FITNESS_AGE = 65
EMPLOYER_LETTER_MAX_AGE = dt.timedelta(days=92)  # "issued within the last 3 months"


@dataclass(frozen=True)
class Question:
    code: str
    text_ar: str
    text_en: str
    # An answer of "YES" or "NO" that sends the renewal to a reviewer.
    risk_answer: str | None = None
    # A document kind the renewal then needs, and on which answer.
    requires_document: str | None = None
    requires_on: str = "YES"

    def text(self, lang: str) -> str:
        return self.text_ar if lang == "ar" else self.text_en


DEFAULT_QUESTIONS = (
    Question("PRACTISING_IN_KINGDOM",
             "هل تمارس المهنة في المملكة حاليًا؟",
             "Are you practising in the Kingdom now?", risk_answer="NO"),
    Question("DISCIPLINARY_ACTION",
             "هل صدر بحقك منذ تسجيلك الأخير أي إجراء تأديبي أو قيد على ترخيص مزاولة؟",
             "Since your last registration, have you had any disciplinary action or "
             "restriction on a practice licence?",
             risk_answer="YES", requires_document="EVIDENCE"),
    Question("VALID_BLS",
             "هل لديك شهادة دعم الحياة الأساسي (BLS) سارية؟",
             "Do you hold a valid Basic Life Support (BLS) certificate?",
             risk_answer="NO", requires_document="BLS_CERTIFICATE"),
)

ANSWERS = ("YES", "NO")


def needs_medical_fitness(date_of_birth: dt.date, today: dt.date) -> bool:
    return age_on(date_of_birth, today) >= MEDICAL_FITNESS_AGE


def risky(questions: tuple[Question, ...], answers: dict[str, str]) -> list[str]:
    """Codes of the questions whose answer sends the renewal to a reviewer."""
    return [q.code for q in questions if q.risk_answer and answers.get(q.code) == q.risk_answer]


def required_documents(questions: tuple[Question, ...], answers: dict[str, str],
                       date_of_birth: dt.date, today: dt.date) -> list[str]:
    kinds = ["EMPLOYER_LETTER"]
    for q in questions:
        if q.requires_document and answers.get(q.code) == q.requires_on:
            kinds.append(q.requires_document)
    if needs_medical_fitness(date_of_birth, today):
        kinds.append("MEDICAL_FITNESS_REPORT")
    return kinds
