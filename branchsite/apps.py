from django.contrib.admin.apps import AdminConfig


class HeadOfficeAdminConfig(AdminConfig):
    """django.contrib.admin, with the site that admits head office only."""

    default_site = "branchsite.admin_site.HeadOfficeAdminSite"
