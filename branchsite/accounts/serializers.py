from rest_framework import serializers


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(write_only=True, max_length=150)
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=4096, style={"input_type": "password"}
    )
    otp_token = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=16,
        help_text=(
            "The 6-digit code the account's authenticator app (TOTP) shows now. Required for "
            "head office, and for staff who have enrolled one at /accounts/two-factor/."
        ),
    )
