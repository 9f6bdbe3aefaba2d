"""The statement paths of /api/v1/, included by ``docket.api.urls`` (the names live in its ``api`` namespace).

``statement`` and ``statements`` are the Transparency Database's own paths, without a trailing slash, so a
platform changes only the host it sends to; ``statements/`` is Docket's list and ``statements/figures/`` its
counts per platform.
"""

from django.urls import path

from docket.statements import api

urlpatterns = [
    path("statement", api.StatementStore.as_view(), name="statement-store"),
    path("statement/existing-puid/<str:puid>", api.StatementPuid.as_view(), name="statement-existing-puid"),
    path("statement/<uuid:uuid>", api.StatementShow.as_view(), name="statement"),
    path("statements", api.StatementsStore.as_view(), name="statements-store"),
    path("statements/", api.StatementList.as_view(), name="statements"),
    path("statements/figures/", api.StatementFigures.as_view(), name="statements-figures"),
]
