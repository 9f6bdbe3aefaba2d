from django.urls import include, path

from docket.accounts import views

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("login/verify/", views.verify, name="login-verify"),
    path("logout/", views.sign_out, name="logout"),
    path("account/two-factor/", views.two_factor, name="two-factor"),
    # The admin signs in through Docket's own page (and its second factor).
    path("admin/login/", views.admin_login),
    path("i18n/", include("django.conf.urls.i18n")),
]
