from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from docket.api import views as v
from docket.search.api import Search

app_name = "api"

v1: list[URLPattern | URLResolver] = [
    # First: its subjects/ answers the registration (POST) as well as the list.
    path("", include("docket.api.files")),
    path("offices/", v.OfficeList.as_view(), name="offices"),
    path("cases/", v.CaseList.as_view(), name="cases"),
    path("cases/<str:ref>/", v.CaseDetail.as_view(), name="case"),
    path("cases/<str:ref>/steps/<str:action>/", v.CaseStep.as_view(), name="case-step"),
    path("clues/", v.ClueList.as_view(), name="clues"),
    path("clues/<str:ref>/", v.ClueDetail.as_view(), name="clue"),
    path("clues/<str:ref>/steps/<str:action>/", v.ClueStep.as_view(), name="clue-step"),
    path("measures/", v.MeasureList.as_view(), name="measures"),
    path("measures/<int:pk>/", v.MeasureDetail.as_view(), name="measure"),
    path("measures/<int:pk>/steps/<str:action>/", v.MeasureStep.as_view(), name="measure-step"),
    path("subjects/", v.SubjectList.as_view(), name="subjects"),
    path("subjects/<int:pk>/", v.SubjectDetail.as_view(), name="subject"),
    path("figures/", v.Figures.as_view(), name="figures"),
    path("search/", Search.as_view(), name="search"),
    path("audit/<str:type>/<str:id>/", v.AuditTrail.as_view(), name="audit"),
    # DSA statements of reasons, at the Transparency Database's own paths (docket/statements/urls.py).
    path("", include("docket.statements.urls")),
    # The platform channel: orders addressed to a platform and its reports back (platforms' clients only).
    path("", include("docket.platforms.urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    # Any other path of /api/v1/ asks for a token first, then answers 404: no path is open without one.
    re_path(r"^v1/", v.Fallback.as_view(), name="v1-fallback"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
