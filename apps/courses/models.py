"""Courses: a team taught by its owners, assignments from homework steps, one submission per
student and assignment (a private document), and its grade."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Team
from apps.documents.models import Document
from apps.templates_catalog.models import DesignTemplate

COURSE_TITLE_MAX_CHARS = 100  # the course's team carries the same name (Team.name)
COURSE_DESCRIPTION_MAX_CHARS = 2_000
ASSIGNMENT_TITLE_MAX_CHARS = 200
INSTRUCTIONS_MAX_CHARS = 10_000
FEEDBACK_MAX_CHARS = 10_000
GRADE_MIN = Decimal("0")
GRADE_MAX = Decimal("10")
HOMEWORK_TEMPLATE_KEY = "course_hw"
PROJECT_TEMPLATE_KEY = "ml_system_design"


class Course(models.Model):
    """A team turned into a course: its owners teach, its editors are the students."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="course")
    title = models.CharField(_("title"), max_length=COURSE_TITLE_MAX_CHARS)
    description = models.TextField(
        _("description"), blank=True, max_length=COURSE_DESCRIPTION_MAX_CHARS
    )
    # The homework template version of the whole course: every homework starts from it and the
    # gradebook reads its `grade_weights`, so a newer template does not regrade a running course.
    template = models.ForeignKey(DesignTemplate, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Assignment(models.Model):
    class Kind(models.TextChoices):
        HOMEWORK = "homework", _("Homework")
        PROJECT = "project", _("Final project")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The course_hw section of a homework (hw1_intro … hw7_infra); blank for the project.
    section_key = models.SlugField(_("homework step"), max_length=64, blank=True)
    hw_number = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(_("title"), max_length=ASSIGNMENT_TITLE_MAX_CHARS)
    instructions_md = models.TextField(
        _("instructions"), blank=True, max_length=INSTRUCTIONS_MAX_CHARS
    )
    instructions_html = models.TextField(blank=True, help_text="sanitized at save time")
    due_at = models.DateTimeField(_("due"))
    template = models.ForeignKey(DesignTemplate, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Homeworks in course order, the project last.
        ordering = [models.F("hw_number").asc(nulls_last=True), "created_at"]
        constraints = [
            # One assignment per homework step, and one project, per course.
            models.UniqueConstraint(
                fields=["course", "kind", "section_key"], name="assignment_one_per_step"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_project(self) -> bool:
        return self.kind == self.Kind.PROJECT


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        GRADED = "graded", _("Graded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="course_submissions"
    )
    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, related_name="course_submission"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The document's content hash when it was (last) submitted and when it was graded: a grade
    # belongs to that content, and the pages say when the document changed since.
    submitted_hash = models.CharField(max_length=64, blank=True)
    grade = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(GRADE_MIN), MaxValueValidator(GRADE_MAX)],
    )
    feedback_md = models.TextField(blank=True, max_length=FEEDBACK_MAX_CHARS)
    feedback_html = models.TextField(blank=True, help_text="sanitized at save time")
    graded_at = models.DateTimeField(null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"], name="submission_one_per_student"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} for {self.assignment_id}"

    @property
    def is_late(self) -> bool:
        """Handed in after the due date (judged against the current due date, so an extension
        clears the mark)."""
        return self.submitted_at is not None and self.submitted_at > self.assignment.due_at

    @property
    def is_handed_in(self) -> bool:
        return self.status in {self.Status.SUBMITTED, self.Status.GRADED}
