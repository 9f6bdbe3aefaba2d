from django.urls import path

from docket.web import views

urlpatterns = [
    path("", views.dashboard, name="web-dashboard"),
    path("clues/", views.clue_list, name="web-clues"),
    path("clues/<int:pk>/", views.clue_page, name="web-clue"),
    path("clues/<int:pk>/steps/<str:action>/", views.clue_step, name="web-clue-step"),
    path("cases/", views.case_list, name="web-cases"),
    path("cases/<str:ref>/", views.case_page, name="web-case"),
    path("cases/<str:ref>/steps/<str:action>/", views.case_step, name="web-case-step"),
    path("measures/", views.measure_list, name="web-measures"),
    path("subjects/", views.subject_list, name="web-subjects"),
    path("subjects/<int:pk>/", views.subject_page, name="web-subject"),
    path("search/", views.search, name="web-search"),
    path("reports/<int:year>/", views.report_page, name="web-report"),
]
