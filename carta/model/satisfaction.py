"""The citizens' satisfaction questionnaire (``content/satisfaction.yaml``): a few questions,
each answered on a scale, in the charter's languages, like the paper questionnaires districts
hand out.  The backend offers it once a submission is closed; the answers are kept without
any link to the submission and feed the standards measured ``from a survey``."""

from __future__ import annotations

from pydantic import Field, model_validator

from carta.model.base import Model, Slug
from carta.model.quality import CaseKind
from carta.model.text import Text

# what a standard can be measured from besides the questionnaire's own questions
EASE = "ease"  # the receipt's "how easy was it" answer (1–5)
PAGE_FEEDBACK = "page-feedback"  # the site pages' "how clear is this page" rating (1–5)
BUILT_IN_SURVEYS = (EASE, PAGE_FEEDBACK)
BUILT_IN_SATISFIED_FROM = 4  # "easy"/"very easy", four or five stars


class ScaleOption(Model):
    """One answer of a scale: its value (higher is better) and its words."""

    value: int = Field(ge=1, le=10)
    label: Text


class Scale(Model):
    """An ordered set of answers; ``satisfied_from`` is the lowest value that counts as
    satisfied in the indicators (e.g. 3 on a 1–4 scale)."""

    id: Slug
    options: list[ScaleOption] = Field(min_length=2, max_length=10)
    satisfied_from: int

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        values = [o.value for o in self.options]
        if values != sorted(set(values)):
            raise ValueError(f"options must go from the lowest value to the highest, each "
                             f"once; got {', '.join(map(str, values))}")
        if self.satisfied_from not in values:
            raise ValueError(f"satisfied_from {self.satisfied_from} is not one of the values "
                             f"({', '.join(map(str, values))})")
        return self


class Question(Model):
    """A question, the scale it is answered on, and who is asked (applicants, complainants
    or both)."""

    id: Slug
    text: Text
    scale: Slug
    asked: list[CaseKind] = [CaseKind.domanda, CaseKind.reclamo]


class Satisfaction(Model):
    """File ``content/satisfaction.yaml``."""

    title: Text
    intro: Text | None = None
    scales: list[Scale] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)

    def scale_of(self, question: Question) -> Scale:
        """The scale ``question`` is answered on (checked to exist when loading)."""
        return next(s for s in self.scales if s.id == question.scale)

    def questions_for(self, kind: str) -> list[Question]:
        """The questions a submission of ``kind`` (domanda, reclamo) is asked, in order."""
        return [q for q in self.questions if kind in q.asked]

    def satisfied_from(self, survey: str) -> int:
        """The lowest satisfied score of a question id or of a built-in survey."""
        for q in self.questions:
            if q.id == survey:
                return self.scale_of(q).satisfied_from
        return BUILT_IN_SATISFIED_FROM
