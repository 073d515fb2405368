from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from branchsite.infra.security import csp_report

urlpatterns = [
    path("admin/", admin.site.urls),
    # The staff sign-in (its lockout and second factor) before Django's own login view.
    path("accounts/", include("branchsite.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (/api/docs/?script=), not
    # inline; the template links its stylesheet instead of an inline <style>.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="branchsite/api_docs.html"
        ),
        name="api-docs",
    ),
    path("csp-report/", csp_report, name="csp-report"),
    path("api/", include("queueing.api_urls")),
    path("api/", include("branchsite.accounts.api_urls")),
    path("", include("queueing.page_urls")),
]

handler400 = "branchsite.infra.api_errors.json_bad_request"
handler404 = "branchsite.infra.api_errors.json_not_found"
handler500 = "branchsite.infra.api_errors.json_server_error"
