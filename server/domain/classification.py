"""Proposing a rank for professional classification from the category's rules. The
reviewer confirms it or sets another; these rules only make the first proposal.

Levels: DIPLOMA, BACHELOR, MASTER, DOCTORATE (a PhD or clinical doctorate), BOARD (a
board certification or fellowship)."""

from __future__ import annotations

from server.domain import codes

LEVELS = ("DIPLOMA", "BACHELOR", "MASTER", "DOCTORATE", "BOARD")
SENIOR_AFTER_YEARS = 3


def proposed_rank(category: str, level: str, years_of_experience: int) -> str | None:
    """The rank the rules give, or None when the level does not qualify for the category
    (e.g. a diploma for a physician)."""
    if level not in LEVELS or category not in ("PHYSICIAN", "DENTIST", "PHARMACIST", "NURSE",
                                               "ALLIED_HEALTH"):
        return None
    seasoned = years_of_experience >= SENIOR_AFTER_YEARS
    if category in ("PHYSICIAN", "DENTIST"):
        return {
            "BACHELOR": "GENERAL_PRACTITIONER",
            "MASTER": "REGISTRAR" if seasoned else "RESIDENT",
            "DOCTORATE": "REGISTRAR" if seasoned else "RESIDENT",
            "BOARD": "CONSULTANT" if seasoned else "SENIOR_REGISTRAR",
        }.get(level)
    if category == "PHARMACIST":
        return {
            "BACHELOR": "PHARMACIST",
            "MASTER": "SENIOR_PHARMACIST" if seasoned else "PHARMACIST",
            "DOCTORATE": "SENIOR_PHARMACIST" if seasoned else "PHARMACIST",
            "BOARD": "CONSULTANT_PHARMACIST" if seasoned else "SENIOR_PHARMACIST",
        }.get(level)
    return {
        "DIPLOMA": "TECHNICIAN",
        "BACHELOR": "SPECIALIST",
        "MASTER": "SENIOR_SPECIALIST" if seasoned else "SPECIALIST",
        "DOCTORATE": "CONSULTANT" if seasoned else "SENIOR_SPECIALIST",
        "BOARD": "CONSULTANT" if seasoned else "SENIOR_SPECIALIST",
    }[level]


def is_higher(category: str, current: str, target: str) -> bool:
    return codes.rank_order(category, target) > codes.rank_order(category, current)
