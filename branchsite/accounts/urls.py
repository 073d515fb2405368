from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("login/code/", views.sign_in_code, name="sign-in-code"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path("two-factor/qr.png", views.two_factor_qr, name="two-factor-qr"),
]
