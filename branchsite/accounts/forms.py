from django import forms
from django.contrib.auth.forms import UsernameField


class SignInForm(forms.Form):
    username = UsernameField(max_length=150)
    password = forms.CharField(strip=False, max_length=4096)


class CodeForm(forms.Form):
    # Digits as the app groups them ("123 456"); the service ignores the spaces.
    otp_token = forms.CharField(max_length=16)
