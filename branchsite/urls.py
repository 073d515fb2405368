from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("queueing.urls")),
    path("", include("queueing.page_urls")),
]

handler400 = "branchsite.api_errors.json_bad_request"
handler404 = "branchsite.api_errors.json_not_found"
handler500 = "branchsite.api_errors.json_server_error"
