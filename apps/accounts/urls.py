"""HTML routes of the accounts app."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from apps.accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("settings/", views.settings_page, name="settings"),
    path("language/", views.language_set, name="language"),
    path("settings/token/", views.token_create, name="token_create"),
    path("settings/token/revoke/", views.token_revoke, name="token_revoke"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<uuid:team_id>/", views.team_detail, name="team_detail"),
    path("teams/<uuid:team_id>/members/", views.member_add, name="member_add"),
    path(
        "teams/<uuid:team_id>/members/<str:username>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "teams/<uuid:team_id>/members/<str:username>/remove/",
        views.member_remove,
        name="member_remove",
    ),
]
