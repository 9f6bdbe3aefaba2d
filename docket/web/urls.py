from django.urls import path

from docket.web import files, intake, measure_views, reminder_views, search_views, token_views, views

urlpatterns = [
    path("", views.dashboard, name="web-dashboard"),
    path("clues/", views.clue_list, name="web-clues"),
    path("clues/new/", intake.clue_new, name="web-clue-new"),
    path("clues/<int:pk>/", views.clue_page, name="web-clue"),
    path("clues/<int:pk>/steps/<str:action>/", views.clue_step, name="web-clue-step"),
    path("cases/", views.case_list, name="web-cases"),
    # Before cases/<ref>/, which would take "reassign" for a reference.
    path("cases/reassign/", views.case_reassign, name="web-cases-reassign"),
    path("cases/<str:ref>/", views.case_page, name="web-case"),
    path("cases/<str:ref>/steps/<str:action>/", views.case_step, name="web-case-step"),
    path("cases/<str:ref>/evidence/", files.evidence_upload, name="web-case-evidence"),
    path("cases/<str:ref>/documents/<int:pk>/render/", files.document_render_view, name="web-document-render"),
    path("evidence/<int:pk>/download/", files.evidence_download, name="web-evidence-download"),
    path("documents/<int:pk>/pdf/", files.document_download, name="web-document-pdf"),
    path("measures/", views.measure_list, name="web-measures"),
    path("measures/<int:pk>/notice/", files.measure_notice_view, name="web-measure-notice"),
    *measure_views.urlpatterns,
    path("subjects/", views.subject_list, name="web-subjects"),
    path("subjects/<int:pk>/", views.subject_page, name="web-subject"),
    path("subjects/<int:pk>/identifier/", views.subject_identifier, name="web-subject-identifier"),
    path("queues/save/", views.queue_save_page, name="web-queue-save"),
    path("queues/<int:pk>/delete/", views.queue_delete_page, name="web-queue-delete"),
    path("search/", search_views.search, name="web-search"),
    path("reminders/", reminder_views.reminder_list, name="web-reminders"),
    path("reminders/<int:pk>/read/", reminder_views.reminder_mark_read, name="web-reminder-read"),
    path("tokens/", token_views.tokens, name="web-tokens"),
    path("reports/<int:year>/", views.report_page, name="web-report"),
]
