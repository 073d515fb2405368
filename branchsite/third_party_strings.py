"""Strings head office reads in the admin that Django 5.2 and django-axes 8.3 mark for
translation but whose own catalogues have no Simplified Chinese for (Django's lack the newest;
django-axes ships none at all).

Nothing imports this module: listing the strings here is what puts them in the project's
catalogue (locale/zh_Hans), which Django reads before the packages' own and so fills the gaps.
The admin's scripts have a catalogue of their own (domain djangojs), which makemessages does not
make here: the few strings of Django's missing in Chinese are in locale/zh_Hans/.../djangojs.po.
A string a package never marked (django-otp marks none) cannot be translated this way; its
admin is given labels of our own instead (`branchsite/accounts/admin.py`).
"""

from django.utils.translation import gettext_noop

DJANGO_ADMIN = (
    # The app list's table headings, for screen readers (templates/admin/app_list.html).
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # Before the title of a page whose form was refused (templates/admin/change_form.html).
    gettext_noop("Error:"),
    # Above the form that adds a user (templates/admin/auth/user/add_form.html).
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
)

DJANGO_AXES = (
    # Its models (axes/models.py)
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    # Their fields
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Time"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Logout Time"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    # Its admin (axes/admin.py)
    gettext_noop("Form Data"),
    gettext_noop("Locked Out"),
    gettext_noop("Meta Data"),
)
