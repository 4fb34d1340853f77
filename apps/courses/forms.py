"""Forms of the course pages: they parse input; the services validate the domain."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.forms import ServiceErrorsMixin
from apps.courses.models import (
    ASSIGNMENT_TITLE_MAX_CHARS,
    COURSE_DESCRIPTION_MAX_CHARS,
    COURSE_TITLE_MAX_CHARS,
    FEEDBACK_MAX_CHARS,
    INSTRUCTIONS_MAX_CHARS,
)

NEW_TEAM = ""
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
PROJECT_CHOICE = "project"


class DueInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CourseForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(
        label=_("Course title"),
        max_length=COURSE_TITLE_MAX_CHARS,
        help_text=_("For example “ML System Design, autumn 2024”."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=COURSE_DESCRIPTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    team = forms.ChoiceField(
        label=_("Team"),
        required=False,
        help_text=_("A new team is created with you as its owner, or turn a team you own into "
                    "the course: its editors become the students."),
    )  # fmt: skip

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [
            (NEW_TEAM, _("A new team for this course")),
            *((str(m.team_id), m.team.name) for m in teams),
        ]
        if not teams:
            self.fields["team"].widget = forms.HiddenInput()


class StudentAddForm(ServiceErrorsMixin, forms.Form):
    # Named `user` because membership_add reports a missing user under that key.
    user = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        help_text=_("They need an account on the portal; they join the team as editors."),
    )


class AssignmentForm(ServiceErrorsMixin, forms.Form):
    """A new assignment: a homework step or the project (`step`), its due date and instructions."""

    step = forms.ChoiceField(label=_("Assignment"), widget=forms.RadioSelect)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=ASSIGNMENT_TITLE_MAX_CHARS,
        help_text=_("Leave blank to use the step's title."),
    )
    due_at = forms.DateTimeField(
        label=_("Due"), widget=DueInput(), input_formats=DATETIME_INPUT_FORMATS
    )
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        max_length=INSTRUCTIONS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: what to hand in, how it is graded, links to the reading."),
    )

    def __init__(self, *args, steps=(), taken=(), project_taken=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps = [s for s in steps if s.key not in taken]
        choices = [(s.key, s.local_title) for s in self.steps]
        if not project_taken:
            choices.append((PROJECT_CHOICE, _("Final project (ML System Design document)")))
        self.fields["step"].choices = choices

    def step_options(self):
        """(radio, section spec or None for the project) for the template."""
        specs = {s.key: s for s in self.steps}
        for radio in self["step"]:
            yield radio, specs.get(radio.data["value"])

    def kind_and_key(self) -> tuple[str, str]:
        step = self.cleaned_data["step"]
        return ("project", "") if step == PROJECT_CHOICE else ("homework", step)

    def add_service_errors(self, exc) -> None:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                target = {"section_key": "step", "kind": "step"}.get(name, name)
                self.add_error(target if target in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)


class AssignmentEditForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=ASSIGNMENT_TITLE_MAX_CHARS)
    due_at = forms.DateTimeField(
        label=_("Due"), widget=DueInput(), input_formats=DATETIME_INPUT_FORMATS
    )
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        max_length=INSTRUCTIONS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown."),
    )


class StartForm(forms.Form):
    carry_over = forms.BooleanField(label=_("Start from my previous homework"), required=False)


class GradeForm(ServiceErrorsMixin, forms.Form):
    grade = forms.DecimalField(
        label=_("Grade (0–10)"),
        min_value=0,
        max_value=10,
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "10"}),
    )
    feedback = forms.CharField(
        label=_("Feedback"),
        required=False,
        max_length=FEEDBACK_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown. The student sees it with the grade."),
    )
