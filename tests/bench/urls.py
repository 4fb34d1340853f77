"""The project's URLs plus the bare baselines of tests/bench/pages.py, for the benchmark only."""

from django.http import HttpResponse
from django.urls import path
from rest_framework import generics, serializers

from apps.documents.models import Document, Section
from mlsd_portal.api import Pagination
from mlsd_portal.urls import urlpatterns as project


def bare_document(request, doc_id):
    """The same stored HTML as the document page, with none of the page around it."""
    document = Document.objects.get(pk=doc_id)
    sections = Section.objects.filter(document=document).order_by("position")
    body = "".join(f"<h2>{s.key}</h2>{s.body_html}" for s in sections)
    return HttpResponse(f"<h1>{document.title}</h1>{body}")


class BareDocumentOutput(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "title", "summary", "status", "created_at", "updated_at"]


class BareDocumentList(generics.ListAPIView):
    """A plain DRF list of the same documents, no permissions beyond the team filter."""

    serializer_class = BareDocumentOutput
    pagination_class = Pagination

    def get_queryset(self):
        return Document.objects.filter(team__memberships__user=self.request.user).order_by(
            "-updated_at"
        )


urlpatterns = [
    *project,
    path("bench/documents/<uuid:doc_id>/", bare_document),
    path("bench/api/documents/", BareDocumentList.as_view()),
]
